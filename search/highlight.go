package search

import (
	"slices"
	"strings"
)

// FragmentBytes is the longest highlight fragment, in bytes.
const FragmentBytes = 200

// matcher finds a query's positive words and phrases in text.
type matcher struct {
	slots   []mslot  // the terms of the positive clauses, in order
	clauses [][2]int // per positive clause: its first slot and length
	tok     tokenizer
}

type mslot struct {
	term   string
	prefix bool
}

// mtok is a token matching some slot: its position in the text's tokens,
// its range, and the slots it fills (a query has at most 32 terms).
type mtok struct {
	idx, start, end int
	mask            uint32
}

func newMatcher(q *Query) *matcher {
	m := &matcher{}
	for _, c := range q.Clauses {
		if c.Negate {
			continue
		}
		m.clauses = append(m.clauses, [2]int{len(m.slots), len(c.Terms)})
		for i, t := range c.Terms {
			m.slots = append(m.slots, mslot{t, c.Prefix && i == len(c.Terms)-1})
		}
	}
	return m
}

// match returns the tokens of text that fill some slot, in order.
func (m *matcher) match(text string) []mtok {
	if len(m.slots) == 0 || len(m.slots) > 32 {
		return nil
	}
	var toks []mtok
	idx := 0
	m.tok.scan(text, func(start, end int, term []byte) {
		var mask uint32
		for i, s := range m.slots {
			if string(term) == s.term || s.prefix && len(term) > len(s.term) && string(term[:len(s.term)]) == s.term {
				mask |= 1 << i
			}
		}
		if mask != 0 {
			toks = append(toks, mtok{idx, start, end, mask})
		}
		idx++
	})
	return toks
}

// ranges returns the byte ranges in text of the words and phrases of the
// query, sorted and merged where they touch.
func (m *matcher) ranges(text string) []Range {
	toks := m.match(text)
	var rs []Range
	for _, c := range m.clauses {
		for i := range toks {
			if n := phraseAt(toks, i, c[0], c[1]); n > 0 {
				rs = append(rs, Range{toks[i].start, toks[i+n-1].end})
			}
		}
	}
	return mergeRanges(rs)
}

// phraseAt returns n if the n slots from first are filled by the tokens
// toks[i:i+n] at consecutive positions, else 0.
func phraseAt(toks []mtok, i, first, n int) int {
	for j := range n {
		if i+j >= len(toks) || toks[i+j].idx != toks[i].idx+j || toks[i+j].mask&(1<<(first+j)) == 0 {
			return 0
		}
	}
	return n
}

func mergeRanges(rs []Range) []Range {
	slices.SortFunc(rs, func(a, b Range) int { return a.Start - b.Start })
	out := rs[:0]
	for _, r := range rs {
		if n := len(out); n > 0 && r.Start <= out[n-1].End {
			out[n-1].End = max(out[n-1].End, r.End)
			continue
		}
		out = append(out, r)
	}
	return out
}

// highlight returns the fragment of text, at most window bytes, with the
// most matches, and their ranges in it.
func (m *matcher) highlight(text string, window int) Highlight {
	return fragment(text, m.ranges(text), window)
}

func fragment(text string, rs []Range, window int) Highlight {
	start, end := 0, len(text)
	if len(text) > window {
		start, end = fragmentBounds(text, rs, window)
	}
	h := Highlight{Text: text[start:end], Before: start > 0, After: end < len(text)}
	for _, r := range rs {
		if r.End > start && r.Start < end {
			h.Ranges = append(h.Ranges, Range{max(r.Start, start) - start, min(r.End, end) - start})
		}
	}
	return h
}

// fragmentBounds places a window over the densest run of ranges, a third
// of the slack before it, then pulls both ends in to character and, where
// it is near, word boundaries.
func fragmentBounds(text string, rs []Range, window int) (start, end int) {
	lo, hi := 0, 0 // the span of matches to keep whole
	bi, bj := 0, 0
	for i, j := 0, 0; i < len(rs); i++ {
		for j < len(rs) && rs[j].End-rs[i].Start <= window {
			j++
		}
		if j-i > bj-bi {
			bi, bj = i, j
		}
	}
	if bj > bi {
		lo, hi = rs[bi].Start, rs[bj-1].End
		start = max(0, lo-(window-(hi-lo))/3)
	} else if len(rs) > 0 {
		lo, hi, start = rs[0].Start, rs[0].Start, rs[0].Start
	}
	end = min(start+window, len(text))
	start = max(0, min(start, end-window))
	for start < lo && !isRuneStart(text[start]) { // matches start on characters
		start++
	}
	for end > hi && end < len(text) && !isRuneStart(text[end]) {
		end--
	}
	if i := strings.IndexAny(text[start:max(start, min(lo, start+24))], " \n\t"); start > 0 && i >= 0 {
		start += i + 1
	}
	if i := strings.LastIndexAny(text[max(hi, end-24, start):end], " \n\t"); end < len(text) && i >= 0 {
		end = max(hi, end-24, start) + i
	}
	return start, end
}

func isRuneStart(b byte) bool { return b&0xC0 != 0x80 }
