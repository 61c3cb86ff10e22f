package search

import "unicode/utf8"

// MaxTokenBytes is the longest term kept, in bytes of folded text. A longer
// run (a hash, a base64 blob) is cut, at a character boundary, to its first
// MaxTokenBytes; its range still covers the whole run.
const MaxTokenBytes = 64

// tokenizer folds text into terms. Its buffer is reused from one token to
// the next, so a term passed to the callback is only valid during the call.
type tokenizer struct {
	buf   []byte
	start int  // byte offset of the open token; -1 when none
	uni   bool // the open token is one character of an unspaced script
	full  bool // the open token reached MaxTokenBytes
}

// scan calls fn for each token of text in order, with its byte range in
// text and its folded term. Invalid UTF-8 separates tokens.
func (t *tokenizer) scan(text string, fn func(start, end int, term []byte)) {
	t.start = -1
	for i := 0; i < len(text); {
		if c := text[i]; c < utf8.RuneSelf {
			if lc, ok := asciiFold(c); ok {
				t.word(i, fn)
				t.add1(lc)
			} else {
				t.flush(i, fn)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(text[i:])
		if r == utf8.RuneError && size == 1 {
			t.flush(i, fn)
			i++
			continue
		}
		e := foldOf(r)
		switch e.class {
		case classSep:
			t.flush(i, fn)
		case classMark:
			if t.start >= 0 {
				t.addEntry(r, e)
			}
		case classWord:
			t.word(i, fn)
			t.addEntry(r, e)
		case classUni:
			t.flush(i, fn)
			t.open(i, true)
			t.addEntry(r, e)
		}
		i += size
	}
	t.flush(len(text), fn)
}

// word makes sure a word token is open at i.
func (t *tokenizer) word(i int, fn func(int, int, []byte)) {
	if t.start >= 0 && !t.uni {
		return
	}
	t.flush(i, fn)
	t.open(i, false)
}

func (t *tokenizer) open(i int, uni bool) {
	t.start, t.uni, t.full, t.buf = i, uni, false, t.buf[:0]
}

// flush ends the open token, if any, at end.
func (t *tokenizer) flush(end int, fn func(int, int, []byte)) {
	if t.start >= 0 && len(t.buf) > 0 {
		fn(t.start, end, t.buf)
	}
	t.start = -1
}

func (t *tokenizer) add1(c byte) {
	if !t.full && len(t.buf) < MaxTokenBytes {
		t.buf = append(t.buf, c)
	} else {
		t.full = true
	}
}

func (t *tokenizer) addEntry(r rune, e foldEntry) {
	if t.full {
		return
	}
	n := len(e.out)
	if e.same {
		n = utf8.RuneLen(r)
	}
	if len(t.buf)+n > MaxTokenBytes {
		t.full = true
		return
	}
	if e.same {
		t.buf = utf8.AppendRune(t.buf, r)
	} else {
		t.buf = append(t.buf, e.out...)
	}
}

// asciiFold lower-cases an ASCII letter or digit; ok is false for any other
// byte.
func asciiFold(c byte) (byte, bool) {
	switch {
	case 'a' <= c && c <= 'z', '0' <= c && c <= '9':
		return c, true
	case 'A' <= c && c <= 'Z':
		return c + 'a' - 'A', true
	}
	return 0, false
}

// Token is one word of a text: its byte range and its folded term.
type Token struct {
	Start, End int
	Term       string
}

// Tokenize splits text into folded tokens, as the index does.
func Tokenize(text string) []Token {
	var toks []Token
	var t tokenizer
	t.scan(text, func(start, end int, term []byte) {
		toks = append(toks, Token{start, end, string(term)})
	})
	return toks
}
