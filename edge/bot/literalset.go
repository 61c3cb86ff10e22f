package bot

import (
	"regexp/syntax"
	"slices"
	"unicode/utf8"
)

// literalSet returns the strings a pattern matches when the pattern is no
// more than a small set of plain ASCII strings (Googlebot\/,
// [cC]laude[bB]ot, Ahrefs(Bot|SiteAudit)): it then matches exactly the
// texts containing one of them, and strings.Contains answers faster than
// the regexp engine, notably when the pattern starts with a class. Patterns
// with assertions (^, $, \b) are refused, and so are non-ASCII runes, as
// the regexp engine reads an invalid byte as U+FFFD and Contains would not.
func literalSet(re *syntax.Regexp) ([]string, bool) {
	if hasAssertion(re) {
		return nil, false
	}
	s, ok := exact(re, false)
	if !ok || !usable(s) {
		return nil, false
	}
	for _, x := range s {
		for i := 0; i < len(x); i++ {
			if x[i] >= utf8.RuneSelf {
				return nil, false
			}
		}
	}
	return s, true
}

func hasAssertion(re *syntax.Regexp) bool {
	switch re.Op {
	case syntax.OpBeginLine, syntax.OpEndLine, syntax.OpBeginText,
		syntax.OpEndText, syntax.OpWordBoundary, syntax.OpNoWordBoundary:
		return true
	}
	return slices.ContainsFunc(re.Sub, hasAssertion)
}
