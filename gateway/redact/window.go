package redact

import (
	"regexp/syntax"
	"slices"
	"strings"
	"unicode/utf8"
)

// Go's regexp has no DFA: a rule like gitleaks' generic-api-key, which
// starts with "[\w.-]{0,50}?" (no literal to skip ahead to), costs a full
// NFA pass over the whole text whenever one of its keywords occurs. Most
// rules, though, can only match around an occurrence of one of their
// keywords, within a distance their regex bounds; for those, the regex
// runs only on windows around the keyword occurrences, which gives the
// same matches as a pass over the whole text (window_test.go checks it
// against the whole-text pass), at a fraction of the cost.
//
// A rule qualifies when its regex is a concatenation (captures at the top
// level are looked through) of:
//
//   - a prefix of bounded length (for the semi-generic rules,
//     "[\w.-]{0,50}?");
//   - a block that matches a finite set of strings, each of which
//     contains one of the rule's keywords (the identifiers:
//     "(?:access|auth|…|token)");
//   - a rest of bounded length except for at most a few unbounded
//     repeats of single characters that are never white space ("{11,}"
//     of a base64 alphabet): each such run ends at the next white space.
//
// A match then starts at most pre characters before the keyword
// occurrence it contains, and ends before the window's end. One character
// of context on each side keeps \b, ^ and $ at the window's edges from
// matching where they would not in the whole text (no match can start or
// end there). Keywords are found ASCII case-insensitively: a match spelt
// with a Unicode fold of a keyword letter (the Kelvin sign for "k") is
// not looked for.

// window bounds a rule's matches around an occurrence of its keywords,
// in characters (a regexp matches one rune, or one invalid byte, per
// character).
type window struct {
	pre  int // a match starts at most pre characters before the keyword
	blk  int // the block's maximum length
	rest int // the rest's maximum length, unbounded runs at their minimum
	runs int // unbounded runs in the rest
}

// maxEnumerate bounds the strings a block may match.
const maxEnumerate = 1024

// maxBlockElems bounds the consecutive elements tried as a block.
const maxBlockElems = 4

// analyse returns the window of a rule, if it qualifies.
func analyse(src string, keywords []string) (window, bool) {
	re, err := syntax.Parse(src, syntax.Perl)
	if err != nil {
		return window{}, false
	}
	return analyseSeq(flatten(re, nil), keywords)
}

// analyseSeq analyses a concatenation of elements: a bounded prefix, then
// a block of consecutive elements (or an alternation each of whose
// branches qualifies), then the rest.
func analyseSeq(elems []*syntax.Regexp, keywords []string) (window, bool) {
	pre := 0
	for i, e := range elems {
		for j := i + 1; j <= min(len(elems), i+maxBlockElems); j++ {
			strs, ok := enumerate(&syntax.Regexp{Op: syntax.OpConcat, Sub: elems[i:j]})
			if !ok || !allContain(strs, keywords) {
				continue
			}
			blk, runs, ok := measureSeq(elems[i:j])
			if !ok || runs > 0 {
				return window{}, false
			}
			rest, runs, ok := measureSeq(elems[j:])
			if !ok {
				return window{}, false
			}
			return window{pre: pre + blk, blk: blk, rest: rest, runs: runs}, true
		}
		if w, ok := analyseAlternation(e, keywords); ok {
			rest, runs, ok := measureSeq(elems[i+1:])
			if !ok {
				return window{}, false
			}
			return window{pre: pre + w.pre, blk: w.blk, rest: w.rest + rest, runs: w.runs + runs}, true
		}
		m, runs, ok := measure(e, false)
		if !ok || runs > 0 {
			return window{}, false
		}
		pre += m
	}
	return window{}, false
}

// analyseAlternation combines the windows of the branches of e, if e is
// an alternation (or a capture of one) whose every branch qualifies: a
// match goes through one branch, so the widest bounds hold for all.
func analyseAlternation(e *syntax.Regexp, keywords []string) (window, bool) {
	if e.Op == syntax.OpCapture {
		e = e.Sub[0]
	}
	if e.Op != syntax.OpAlternate {
		return window{}, false
	}
	var w window
	for _, b := range e.Sub {
		bw, ok := analyseSeq(flatten(b, nil), keywords)
		if !ok {
			return window{}, false
		}
		w.pre, w.blk = max(w.pre, bw.pre), max(w.blk, bw.blk)
		w.rest, w.runs = max(w.rest, bw.rest), max(w.runs, bw.runs)
	}
	return w, true
}

// measureSeq measures a concatenation of elements.
func measureSeq(elems []*syntax.Regexp) (max, runs int, ok bool) {
	return measure(&syntax.Regexp{Op: syntax.OpConcat, Sub: elems}, false)
}

// flatten returns the top-level elements of re, looking through
// concatenations and captures.
func flatten(re *syntax.Regexp, out []*syntax.Regexp) []*syntax.Regexp {
	switch {
	case re.Op == syntax.OpConcat:
		for _, s := range re.Sub {
			out = flatten(s, out)
		}
	case re.Op == syntax.OpCapture && re.Sub[0].Op == syntax.OpConcat:
		out = flatten(re.Sub[0], out)
	default:
		out = append(out, re)
	}
	return out
}

// measure returns the maximum length in characters of what re matches, counting
// unbounded repeats at their minimum, and the number of unbounded repeats
// (each must repeat one character that is never white space, outside any
// other repeat). ok is false if re does not fit that.
func measure(re *syntax.Regexp, inRepeat bool) (max, runs int, ok bool) {
	switch re.Op {
	case syntax.OpNoMatch, syntax.OpEmptyMatch, syntax.OpBeginLine, syntax.OpEndLine,
		syntax.OpBeginText, syntax.OpEndText, syntax.OpWordBoundary, syntax.OpNoWordBoundary:
		return 0, 0, true
	case syntax.OpLiteral:
		return len(re.Rune), 0, true
	case syntax.OpCharClass, syntax.OpAnyChar, syntax.OpAnyCharNotNL:
		return 1, 0, true
	case syntax.OpCapture, syntax.OpQuest:
		return measure(re.Sub[0], inRepeat)
	case syntax.OpStar, syntax.OpPlus, syntax.OpRepeat:
		lo, hi := 0, -1
		switch re.Op {
		case syntax.OpPlus:
			lo = 1
		case syntax.OpRepeat:
			lo, hi = re.Min, re.Max
		}
		if hi >= 0 {
			m, n, ok := measure(re.Sub[0], true)
			if !ok || n > 0 {
				return 0, 0, false
			}
			return hi * m, 0, true
		}
		if inRepeat || !noSpace(re.Sub[0]) {
			return 0, 0, false
		}
		m, _, _ := measure(re.Sub[0], true)
		return lo * m, 1, true
	case syntax.OpConcat:
		for _, s := range re.Sub {
			m, n, ok := measure(s, inRepeat)
			if !ok {
				return 0, 0, false
			}
			max += m
			runs += n
		}
		return max, runs, true
	case syntax.OpAlternate:
		for _, s := range re.Sub {
			m, n, ok := measure(s, inRepeat)
			if !ok {
				return 0, 0, false
			}
			max = maxInt(max, m)
			runs = maxInt(runs, n)
		}
		return max, runs, true
	}
	return 0, 0, false
}

func maxInt(a, b int) int {
	if a > b {
		return a
	}
	return b
}

// isSpace reports whether c is a byte that ends an unbounded run.
func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'
}

// noSpace reports whether re is one character, never white space.
func noSpace(re *syntax.Regexp) bool {
	switch re.Op {
	case syntax.OpLiteral:
		for _, r := range re.Rune {
			if r < utf8.RuneSelf && isSpace(byte(r)) {
				return false
			}
		}
		return len(re.Rune) == 1
	case syntax.OpCharClass:
		for i := 0; i+1 < len(re.Rune); i += 2 {
			for _, c := range []rune{' ', '\t', '\n', '\v', '\f', '\r'} {
				if re.Rune[i] <= c && c <= re.Rune[i+1] {
					return false
				}
			}
		}
		return true
	}
	return false
}

// enumerate returns the (lowercased) strings re matches, if they are few.
func enumerate(re *syntax.Regexp) ([]string, bool) {
	switch re.Op {
	case syntax.OpEmptyMatch:
		return []string{""}, true
	case syntax.OpLiteral:
		return []string{strings.ToLower(string(re.Rune))}, true
	case syntax.OpCharClass:
		var out []string
		for i := 0; i+1 < len(re.Rune); i += 2 {
			if re.Rune[i+1]-re.Rune[i] > 64 || len(out) > 64 {
				return nil, false
			}
			for r := re.Rune[i]; r <= re.Rune[i+1]; r++ {
				out = append(out, strings.ToLower(string(r)))
			}
		}
		slices.Sort(out)
		return slices.Compact(out), true
	case syntax.OpCapture:
		return enumerate(re.Sub[0])
	case syntax.OpQuest:
		s, ok := enumerate(re.Sub[0])
		return append(s, ""), ok
	case syntax.OpAlternate:
		var out []string
		for _, sub := range re.Sub {
			s, ok := enumerate(sub)
			if !ok || len(out)+len(s) > maxEnumerate {
				return nil, false
			}
			out = append(out, s...)
		}
		return out, true
	case syntax.OpConcat:
		out := []string{""}
		for _, sub := range re.Sub {
			s, ok := enumerate(sub)
			if !ok || len(out)*len(s) > maxEnumerate {
				return nil, false
			}
			next := make([]string, 0, len(out)*len(s))
			for _, a := range out {
				for _, b := range s {
					next = append(next, a+b)
				}
			}
			out = next
		}
		return out, true
	}
	return nil, false
}

// allContain reports whether every string in strs contains a keyword.
func allContain(strs, keywords []string) bool {
	for _, s := range strs {
		if !slices.ContainsFunc(keywords, func(k string) bool { return strings.Contains(s, k) }) {
			return false
		}
	}
	return len(strs) > 0
}

// windows returns the merged windows, in order, around the keyword
// occurrences starting at the offsets in at (sorted) in s.
func (w window) windows(s string, at []int, out [][2]int) [][2]int {
	for _, k := range at {
		lo := back(s, k, w.pre+1)
		c := forward(s, k, w.blk+w.rest)
		for range w.runs {
			for c < len(s) && !isSpace(s[c]) {
				c++
			}
			c = forward(s, c, w.rest)
		}
		hi := forward(s, c, 1)
		if n := len(out); n > 0 && lo <= out[n-1][1] {
			out[n-1][1] = max(out[n-1][1], hi)
			continue
		}
		out = append(out, [2]int{lo, hi})
	}
	return out
}

// back returns the offset n characters before s[i], or 0.
func back(s string, i, n int) int {
	for ; n > 0 && i > 0; n-- {
		if s[i-1] < utf8.RuneSelf {
			i--
			continue
		}
		_, size := utf8.DecodeLastRuneInString(s[:i])
		i -= size
	}
	return i
}

// forward returns the offset n characters after s[i], or len(s).
func forward(s string, i, n int) int {
	for ; n > 0 && i < len(s); n-- {
		if s[i] < utf8.RuneSelf {
			i++
			continue
		}
		_, size := utf8.DecodeRuneInString(s[i:])
		i += size
	}
	return min(i, len(s))
}
