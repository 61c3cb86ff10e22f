package redact

import (
	"cmp"
	"slices"
)

// span is a detected entity: text[start:end] of the given kind. literal
// marks placeholder-shaped text the client wrote, which is replaced like
// an entity but is not personal data and is not counted.
type span struct {
	start, end int
	kind       Kind
	prio       uint8
	literal    bool
}

// Priorities, lowest first, for overlapping detections: literal
// placeholders are never broken up; a secret rule outranks the patterns
// that might see part of a token (an email inside a connection string);
// checksummed entities outrank the looser phone patterns.
const (
	prioLiteral uint8 = iota
	prioSecret
	prioGenericSecret
	prioEmail
	prioIBAN
	prioCard
	prioNationalID
	prioIP
	prioPhone
)

// resolve returns the spans of c that win over the ones they overlap (by
// priority, then the leftmost, then the longest), sorted by start. It
// reorders c.
func resolve(c []span) []span {
	if len(c) <= 1 {
		return c
	}
	slices.SortFunc(c, func(a, b span) int {
		if a.prio != b.prio {
			return cmp.Compare(a.prio, b.prio)
		}
		if a.start != b.start {
			return cmp.Compare(a.start, b.start)
		}
		return cmp.Compare(b.end, a.end)
	})
	out := make([]span, 0, len(c))
	for _, s := range c {
		i, _ := slices.BinarySearchFunc(out, s.start, func(a span, start int) int { return cmp.Compare(a.start, start) })
		if i > 0 && out[i-1].end > s.start {
			continue
		}
		if i < len(out) && out[i].start < s.end {
			continue
		}
		out = slices.Insert(out, i, s)
	}
	return out
}
