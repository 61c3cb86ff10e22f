package redact

import (
	"unicode"
	"unicode/utf8"
)

// none stands for "no rune": the start or the end of the text.
const none rune = -1

// runeBefore returns the rune that ends just before s[i], or none.
func runeBefore(s string, i int) rune {
	if i <= 0 {
		return none
	}
	if c := s[i-1]; c < utf8.RuneSelf {
		return rune(c)
	}
	r, _ := utf8.DecodeLastRuneInString(s[:i])
	return r
}

// runeAt returns the rune that starts at s[i], or none.
func runeAt(s string, i int) rune {
	if i >= len(s) {
		return none
	}
	if c := s[i]; c < utf8.RuneSelf {
		return rune(c)
	}
	r, _ := utf8.DecodeRuneInString(s[i:])
	return r
}

// isWord reports whether r continues a word: a letter, digit, mark or '_'.
// An entity glued to one (v1.2.3.4, order12345) is part of something else.
func isWord(r rune) bool {
	if r < utf8.RuneSelf {
		return r >= 0 && (r == '_' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z')
	}
	return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r)
}

func isASCIILetter(c byte) bool { return c|0x20 >= 'a' && c|0x20 <= 'z' }

func isAlnum(c byte) bool { return isDigit(c) || isASCIILetter(c) }
