package redact

import (
	"regexp/syntax"
	"strings"
	"unicode"
	"unicode/utf8"
)

// A follower is a quick necessary condition on the text after a keyword
// occurrence, for rules shaped like gitleaks' semi-generic ones: after the
// identifier, at most a few characters of given classes ("[ \t\w.-]{0,20}"
// then "[\s'\"]{0,3}"), then an assignment ("=", ":", "=>", ","…). Most
// occurrences of "key" or "access" in prose fail it within a few
// characters, and the rule's regex then does not run around them at all.
//
// It is derived only when every string the rule's block matches ends with
// one of the rule's keywords: the block of any match then ends with an
// occurrence of a keyword, which the condition is checked after, and the
// window around that occurrence alone covers the match.
type follower struct {
	skip    runeSet // characters the optional elements may match
	maxSkip int     // how many of them, at most
	first   runeSet // characters the first mandatory element may start with
}

// ok reports whether a match's block may end at s[i].
func (f *follower) ok(s string, i int) bool {
	for n := 0; ; n++ {
		if i >= len(s) {
			return false
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if f.first.contains(r) {
			return true
		}
		if n == f.maxSkip || !f.skip.contains(r) {
			return false
		}
		i += size
	}
}

// runeSet is a set of runes as sorted, inclusive ranges (the layout of
// syntax.Regexp.Rune for character classes).
type runeSet []rune

func (rs runeSet) contains(r rune) bool {
	for i := 0; i+1 < len(rs); i += 2 {
		if rs[i] <= r && r <= rs[i+1] {
			return true
		}
	}
	return false
}

// follows derives the follower of a rule, or nil.
func follows(src string, keywords []string) *follower {
	re, err := syntax.Parse(src, syntax.Perl)
	if err != nil {
		return nil
	}
	elems := flatten(re, nil)
	for i := range elems {
		for j := i + 1; j <= min(len(elems), i+maxBlockElems); j++ {
			strs, ok := enumerate(&syntax.Regexp{Op: syntax.OpConcat, Sub: elems[i:j]})
			if !ok || !allContain(strs, keywords) {
				continue
			}
			if !allEndWith(strs, keywords) {
				return nil
			}
			return followerOf(elems[j:])
		}
	}
	return nil
}

// allEndWith reports whether every string in strs ends with a keyword.
func allEndWith(strs, keywords []string) bool {
	for _, s := range strs {
		ends := false
		for _, k := range keywords {
			ends = ends || strings.HasSuffix(s, k)
		}
		if !ends {
			return false
		}
	}
	return true
}

// followerOf reads optional single-character repeats, then the first
// mandatory element, from elems.
func followerOf(elems []*syntax.Regexp) *follower {
	f := &follower{}
	for _, e := range elems {
		if minLen(e) > 0 {
			first, ok := firstRunes(e)
			if !ok {
				return nil
			}
			f.first = first
			return f
		}
		switch e.Op {
		case syntax.OpBeginLine, syntax.OpEndLine, syntax.OpBeginText, syntax.OpEndText,
			syntax.OpWordBoundary, syntax.OpNoWordBoundary, syntax.OpEmptyMatch:
			continue
		case syntax.OpQuest, syntax.OpRepeat:
			n := 1
			if e.Op == syntax.OpRepeat {
				n = e.Max
			}
			set, ok := oneRune(e.Sub[0])
			if !ok || n < 0 {
				return nil
			}
			f.skip = append(f.skip, set...)
			f.maxSkip += n
		default:
			return nil
		}
	}
	return nil
}

// minLen returns the least number of characters re matches.
func minLen(re *syntax.Regexp) int {
	switch re.Op {
	case syntax.OpLiteral:
		return len(re.Rune)
	case syntax.OpCharClass, syntax.OpAnyChar, syntax.OpAnyCharNotNL:
		return 1
	case syntax.OpCapture, syntax.OpPlus:
		return minLen(re.Sub[0])
	case syntax.OpRepeat:
		return re.Min * minLen(re.Sub[0])
	case syntax.OpConcat:
		n := 0
		for _, s := range re.Sub {
			n += minLen(s)
		}
		return n
	case syntax.OpAlternate:
		n := -1
		for _, s := range re.Sub {
			if m := minLen(s); n < 0 || m < n {
				n = m
			}
		}
		return max(n, 0)
	}
	return 0
}

// oneRune returns the set of characters re matches, if it matches exactly
// one.
func oneRune(re *syntax.Regexp) (runeSet, bool) {
	switch re.Op {
	case syntax.OpCharClass:
		return runeSet(re.Rune), true
	case syntax.OpLiteral:
		if len(re.Rune) == 1 {
			return folds(re.Rune[0], re.Flags&syntax.FoldCase != 0), true
		}
	case syntax.OpAnyCharNotNL:
		return runeSet{0, '\n' - 1, '\n' + 1, unicode.MaxRune}, true
	case syntax.OpAnyChar:
		return runeSet{0, unicode.MaxRune}, true
	}
	return nil, false
}

// folds returns r and, if fold, every rune it folds to.
func folds(r rune, fold bool) runeSet {
	set := runeSet{r, r}
	if fold {
		for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
			set = append(set, f, f)
		}
	}
	return set
}

// firstRunes returns the characters a match of re (which matches at least
// one character) may start with.
func firstRunes(re *syntax.Regexp) (runeSet, bool) {
	switch re.Op {
	case syntax.OpLiteral:
		return folds(re.Rune[0], re.Flags&syntax.FoldCase != 0), true
	case syntax.OpCharClass, syntax.OpAnyChar, syntax.OpAnyCharNotNL:
		return oneRune(re)
	case syntax.OpCapture, syntax.OpPlus:
		return firstRunes(re.Sub[0])
	case syntax.OpRepeat:
		if re.Min > 0 {
			return firstRunes(re.Sub[0])
		}
	case syntax.OpConcat:
		if len(re.Sub) > 0 && minLen(re.Sub[0]) > 0 {
			return firstRunes(re.Sub[0])
		}
	case syntax.OpAlternate:
		var set runeSet
		for _, s := range re.Sub {
			if minLen(s) == 0 {
				return nil, false
			}
			f, ok := firstRunes(s)
			if !ok {
				return nil, false
			}
			set = append(set, f...)
		}
		return set, true
	}
	return nil, false
}
