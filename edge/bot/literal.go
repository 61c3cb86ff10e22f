package bot

import (
	"regexp/syntax"
	"slices"
	"unicode"
	"unicode/utf8"
)

// maxSet bounds the number of strings in a literal set, so that a pattern
// like [a-z]{3} is not expanded into thousands of strings.
const maxSet = 16

// factors returns a set of strings, in ASCII lower case, such that every
// text the expression matches contains at least one of them: when none of
// them occurs in the lower-cased User-Agent, the pattern cannot match and
// need not run. ok is false when no such set of useful (non-empty) strings
// is found; the pattern then runs on every User-Agent.
func factors(re *syntax.Regexp) (set []string, ok bool) {
	if s, ok := exact(re, true); ok && usable(s) {
		return s, true
	}
	switch re.Op {
	case syntax.OpCapture, syntax.OpPlus:
		return factors(re.Sub[0])
	case syntax.OpRepeat:
		if re.Min >= 1 {
			return factors(re.Sub[0])
		}
	case syntax.OpAlternate:
		var all []string
		for _, sub := range re.Sub {
			s, ok := factors(sub)
			if !ok {
				return nil, false
			}
			all = union(all, s)
		}
		return all, true
	case syntax.OpConcat:
		return concatFactors(re.Sub)
	}
	return nil, false
}

// concatFactors picks the best factor set of a concatenation: the cross
// product of a run of consecutive exactly-known parts (Googlebot, [-/], v)
// or the factors of one other part.
func concatFactors(subs []*syntax.Regexp) ([]string, bool) {
	var best []string
	found := false
	consider := func(s []string) {
		if usable(s) && (!found || better(s, best)) {
			best, found = s, true
		}
	}
	run := []string{""}
	for _, sub := range subs {
		if s, ok := exact(sub, true); ok {
			if p, ok := product(run, s); ok {
				run = p
				continue
			}
			consider(run)
			run = s
			continue
		}
		consider(run)
		run = []string{""}
		if s, ok := factors(sub); ok {
			consider(s)
		}
	}
	consider(run)
	return best, found
}

// exact returns every text the expression can match (in ASCII lower case
// with lower), when there are few of them. Zero-width assertions match the
// empty text. A case-folded literal (the parser turns [cC] into one)
// expands to every case of it, Unicode folds included (k, K and the Kelvin
// sign).
func exact(re *syntax.Regexp, lower bool) ([]string, bool) {
	low := func(s string) string {
		if lower {
			return lowerASCII(s)
		}
		return s
	}
	switch re.Op {
	case syntax.OpEmptyMatch, syntax.OpBeginLine, syntax.OpEndLine,
		syntax.OpBeginText, syntax.OpEndText,
		syntax.OpWordBoundary, syntax.OpNoWordBoundary:
		return []string{""}, true
	case syntax.OpLiteral:
		if slices.Contains(re.Rune, utf8.RuneError) {
			return nil, false // also matches any invalid byte
		}
		if re.Flags&syntax.FoldCase != 0 {
			return foldSet(re.Rune, low)
		}
		return []string{low(string(re.Rune))}, true
	case syntax.OpCharClass:
		return classSet(re.Rune, low)
	case syntax.OpCapture:
		return exact(re.Sub[0], lower)
	case syntax.OpQuest:
		s, ok := exact(re.Sub[0], lower)
		if !ok {
			return nil, false
		}
		return capped(union(s, []string{""}))
	case syntax.OpConcat:
		out := []string{""}
		for _, sub := range re.Sub {
			s, ok := exact(sub, lower)
			if !ok {
				return nil, false
			}
			if out, ok = product(out, s); !ok {
				return nil, false
			}
		}
		return out, true
	case syntax.OpAlternate:
		var out []string
		for _, sub := range re.Sub {
			s, ok := exact(sub, lower)
			if !ok {
				return nil, false
			}
			out = union(out, s)
		}
		return capped(out)
	}
	return nil, false
}

// classSet expands a character class given as rune ranges.
func classSet(ranges []rune, low func(string) string) ([]string, bool) {
	n := 0
	for i := 0; i+1 < len(ranges); i += 2 {
		n += int(ranges[i+1]-ranges[i]) + 1
		if n > maxSet*2 { // upper and lower case collapse, so allow twice
			return nil, false
		}
	}
	var out []string
	for i := 0; i+1 < len(ranges); i += 2 {
		for r := ranges[i]; r <= ranges[i+1]; r++ {
			if !utf8.ValidRune(r) || r == utf8.RuneError {
				return nil, false // U+FFFD also matches any invalid byte
			}
			out = union(out, []string{low(string(r))})
		}
	}
	return capped(out)
}

// foldSet expands a case-folded literal.
func foldSet(runes []rune, low func(string) string) ([]string, bool) {
	out := []string{""}
	for _, r := range runes {
		orbit := []string{low(string(r))}
		for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
			orbit = union(orbit, []string{low(string(f))})
		}
		var ok bool
		if out, ok = product(out, orbit); !ok {
			return nil, false
		}
	}
	return out, true
}

// product returns every a+b, or false past maxSet strings.
func product(as, bs []string) ([]string, bool) {
	if len(as)*len(bs) > maxSet {
		return nil, false
	}
	out := make([]string, 0, len(as)*len(bs))
	for _, a := range as {
		for _, b := range bs {
			out = union(out, []string{a + b})
		}
	}
	return out, true
}

// union adds the strings of b missing from a.
func union(a, b []string) []string {
	for _, s := range b {
		if !slices.Contains(a, s) {
			a = append(a, s)
		}
	}
	return a
}

func capped(s []string) ([]string, bool) { return s, len(s) <= maxSet }

// usable reports whether s is a factor set that can rule a pattern out: it
// is not empty and none of its strings is empty.
func usable(s []string) bool {
	return len(s) > 0 && !slices.Contains(s, "")
}

// better reports whether factor set a is more selective than b: its
// shortest string is longer, or as long with fewer strings.
func better(a, b []string) bool {
	la, lb := minLen(a), minLen(b)
	if la != lb {
		return la > lb
	}
	return len(a) < len(b)
}

func minLen(s []string) int {
	m := -1
	for _, x := range s {
		if m < 0 || len(x) < m {
			m = len(x)
		}
	}
	return m
}

// lowerASCII lower-cases the ASCII letters of s and leaves every other
// byte alone, so that a substring of a text stays a substring of the
// lowered text whatever the bytes (valid UTF-8 or not).
func lowerASCII(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; 'A' <= c && c <= 'Z' {
			b := []byte(s)
			lowerBytes(b[i:], b[i:])
			return string(b)
		}
	}
	return s
}

// lowerBytes writes src in ASCII lower case into dst (which may be src).
func lowerBytes(dst, src []byte) {
	for i, c := range src {
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		dst[i] = c
	}
}
