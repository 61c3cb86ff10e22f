package redact

import (
	"strconv"
	"strings"
)

// A placeholder is "[" label "_" n "]": label one of kindLabels, n a
// decimal number from 1 without leading zeros and of at most maxDigits
// digits. Any text of that shape is "placeholder-shaped", whoever wrote it.
// Redact replaces every placeholder-shaped text of its input as if it were
// an entity (a literal), so that after redaction every placeholder-shaped
// text is one the session issued; Restore then maps every issued
// placeholder back to the exact text it replaced, and leaves any other
// text alone. Shapes are delimited by brackets and contain no other
// bracket, so two never overlap and none straddles another's edge.
const (
	maxDigits = 9
	// maxPlaceholderLen bounds a placeholder, and so what a streaming
	// restorer holds back: "[NATIONAL_ID_" + 9 digits + "]".
	maxPlaceholderLen = len("[NATIONAL_ID_") + maxDigits + 1
)

// formatPlaceholder returns the placeholder of the n-th value of kind k.
func formatPlaceholder(k Kind, n int) string {
	b := make([]byte, 0, maxPlaceholderLen)
	b = append(b, '[')
	b = append(b, kindLabels[k]...)
	b = append(b, '_')
	b = strconv.AppendInt(b, int64(n), 10)
	b = append(b, ']')
	return string(b)
}

// shapeAt reports whether a placeholder-shaped text starts at s[i] (which
// must be '['), and returns its kind and the index just past its ']'.
func shapeAt(s string, i int) (Kind, int, bool) {
	rest := s[i+1:]
	for k := Email; k < numKinds; k++ {
		l := kindLabels[k]
		if len(rest) < len(l)+3 || rest[:len(l)] != l || rest[len(l)] != '_' {
			continue
		}
		d := rest[len(l)+1:]
		if d[0] < '1' || d[0] > '9' {
			return 0, 0, false
		}
		n := 1
		for n < len(d) && n <= maxDigits && isDigit(d[n]) {
			n++
		}
		if n > maxDigits || n == len(d) || d[n] != ']' {
			return 0, 0, false
		}
		return k, i + 1 + len(l) + 1 + n + 1, true
	}
	return 0, 0, false
}

// viablePrefix reports whether s, which starts with '[', is a proper prefix
// of some placeholder-shaped text: whether a streaming restorer must wait
// for more before it can tell.
func viablePrefix(s string) bool {
	rest := s[1:]
	for k := Email; k < numKinds; k++ {
		l := kindLabels[k]
		if len(rest) <= len(l) {
			if l[:len(rest)] == rest {
				return true
			}
			continue
		}
		if rest[:len(l)] != l || rest[len(l)] != '_' {
			continue
		}
		d := rest[len(l)+1:]
		if len(d) > maxDigits {
			return false
		}
		for j := 0; j < len(d); j++ {
			if !isDigit(d[j]) || (j == 0 && d[j] == '0') {
				return false
			}
		}
		return true
	}
	return false
}

// findLiterals appends a span for every placeholder-shaped text in s.
func findLiterals(s string, out []span) []span {
	for i := 0; ; {
		j := strings.IndexByte(s[i:], '[')
		if j < 0 {
			return out
		}
		i += j
		k, end, ok := shapeAt(s, i)
		if !ok {
			i++
			continue
		}
		out = append(out, span{start: i, end: end, kind: k, prio: prioLiteral, literal: true})
		i = end
	}
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }
