package search

import (
	"sync"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/runes"
	"golang.org/x/text/unicode/norm"
)

// Character classes of the tokenizer.
const (
	classSep  uint8 = iota // separates tokens
	classWord              // letter or digit: a run of them is one token
	classMark              // combining mark: part of the token before it
	classUni               // a script written without spaces: one token per character
)

// foldEntry is how the tokenizer treats one rune: its class and its folded
// form, which is the rune itself when same is set.
type foldEntry struct {
	class uint8
	same  bool
	out   string
}

// unspaced lists the scripts written without spaces between words.
var unspaced = []*unicode.RangeTable{
	unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Hangul,
	unicode.Thai, unicode.Lao, unicode.Khmer, unicode.Myanmar,
}

// dropped are the marks folded away: nonspacing marks (accents, vowel
// points) except the kana voicing marks, which change the letter.
var dropped = runes.Predicate(func(r rune) bool {
	return unicode.Is(unicode.Mn, r) && r != 0x3099 && r != 0x309a || unicode.Is(unicode.Me, r)
})

// special folds the lower-case letters that NFKD leaves whole.
var special = map[rune]string{
	'ß': "ss", 'æ': "ae", 'œ': "oe", 'ø': "o", 'đ': "d", 'ð': "d", 'ł': "l",
	'ħ': "h", 'ı': "i", 'þ': "th", 'ŧ': "t", 'ς': "σ", 'ŀ': "l",
}

// foldTableSize covers Latin, Greek, Cyrillic and the other alphabets below
// U+2000 with a table; rarer runes are folded on the fly.
const foldTableSize = 0x2000

var (
	foldOnce  sync.Once
	foldTable []foldEntry
)

// foldOf returns how the tokenizer treats r (r ≥ 0x80).
func foldOf(r rune) foldEntry {
	if r < foldTableSize {
		foldOnce.Do(buildFoldTable)
		return foldTable[r]
	}
	return computeFold(r)
}

func buildFoldTable() {
	t := make([]foldEntry, foldTableSize)
	for r := range rune(foldTableSize) {
		t[r] = computeFold(r)
	}
	foldTable = t
}

// computeFold classifies r and folds it: NFKD, drop nonspacing marks and
// anything that is not a letter, digit or spacing mark, lower-case, then
// the special table.
func computeFold(r rune) foldEntry {
	if unicode.IsMark(r) {
		if dropped.Contains(r) {
			return foldEntry{class: classMark}
		}
		return foldEntry{class: classMark, same: true}
	}
	class := classWord
	if isUnspaced(r) {
		class = classUni
	} else if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
		return foldEntry{class: classSep}
	}
	var buf [utf8.UTFMax]byte
	src := norm.NFKD.Properties(utf8.AppendRune(buf[:0], r)).Decomposition()
	if src == nil {
		src = utf8.AppendRune(buf[:0], r)
	}
	out := appendFoldedRunes(nil, src)
	if len(out) == 0 {
		return foldEntry{class: classSep}
	}
	if class == classUni && bases(out) > 1 {
		return foldEntry{class: class, same: true} // a ligature like ໜ stays one character
	}
	if first, _ := utf8.DecodeRune(out); unicode.IsMark(first) {
		class = classMark // a letter that folds to a mark, like the half-width voicing mark
	}
	if string(out) == string(r) {
		return foldEntry{class: class, same: true}
	}
	return foldEntry{class: class, out: string(out)}
}

func appendFoldedRunes(dst, src []byte) []byte {
	for len(src) > 0 {
		c, n := utf8.DecodeRune(src)
		src = src[n:]
		switch {
		case dropped.Contains(c):
		case unicode.IsLetter(c) || unicode.IsDigit(c) || unicode.IsMark(c):
			c = unicode.ToLower(c)
			if s, ok := special[c]; ok {
				dst = append(dst, s...)
			} else {
				dst = utf8.AppendRune(dst, c)
			}
		}
	}
	return dst
}

func isUnspaced(r rune) bool {
	for _, t := range unspaced {
		if unicode.Is(t, r) {
			return true
		}
	}
	return false
}

// bases counts the runes of s that are not marks.
func bases(s []byte) int {
	n := 0
	for len(s) > 0 {
		r, size := utf8.DecodeRune(s)
		if !unicode.IsMark(r) {
			n++
		}
		s = s[size:]
	}
	return n
}
