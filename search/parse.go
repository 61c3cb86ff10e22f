package search

import (
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/quirehq/quire"
)

// ParseQuery parses a search box's text:
//
//	word             every word must match (ranked by BM25)
//	"a phrase"       the words, adjacent and in order (an unclosed quote runs to the end)
//	-word -"phrase"  documents matching these are excluded
//	type:note        kind filter (note, idea or folder; repeat for any of several)
//	folder:<id>      documents in that folder
//	after:2024-01-31 updated on or after that day (UTC)
//	before:2024-02-01 updated before that day (UTC)
//
// The last word, when nothing follows it (not even a space), is matched as a
// prefix: the user is still typing it. A filter word with an empty value
// ("type:") is ignored; an unknown key ("re:") is an ordinary word.
// Errors are quire.EINVALID and never quote the query.
func ParseQuery(s string) (Query, error) {
	if len(s) > MaxQueryBytes {
		return Query{}, errQueryTooLong
	}
	return parseQuery(s)
}

// parseQuery is ParseQuery without the length limit.
func parseQuery(s string) (Query, error) {
	if !utf8.ValidString(s) {
		return Query{}, errQueryEncoding
	}
	var p parser
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if unicode.IsSpace(r) {
			i += size
			continue
		}
		next, err := p.lexeme(s, i)
		if err != nil {
			return Query{}, err
		}
		i = next
	}
	if p.terms > MaxQueryTerms {
		return Query{}, errTooManyTerms
	}
	if !p.q.After.IsZero() && !p.q.Before.IsZero() && !p.q.After.Before(p.q.Before) {
		return Query{}, errDateOrder
	}
	return p.q, nil
}

type parser struct {
	q     Query
	terms int
}

// lexeme parses the phrase or word starting at s[i] and returns the offset
// after it.
func (p *parser) lexeme(s string, i int) (int, error) {
	neg := s[i] == '-'
	if neg {
		i++
	}
	if i < len(s) && s[i] == '"' {
		text, next := s[i+1:], len(s)
		if end := strings.IndexByte(text, '"'); end >= 0 {
			text, next = text[:end], i+1+end+1
		}
		p.clause(text, neg, false)
		return next, nil
	}
	end := i
	for end < len(s) {
		r, size := utf8.DecodeRuneInString(s[end:])
		if r == '"' || unicode.IsSpace(r) {
			break
		}
		end += size
	}
	word := s[i:end]
	if key, val, ok := strings.Cut(word, ":"); ok && isFilterKey(key) {
		if neg {
			return 0, errNegFilter
		}
		return end, p.filter(strings.ToLower(key), val)
	}
	p.clause(word, neg, !neg && end == len(s))
	return end, nil
}

// clause adds the tokens of text as a word or phrase; text without a token
// adds nothing.
func (p *parser) clause(text string, neg, prefix bool) {
	toks := Tokenize(text)
	if len(toks) == 0 {
		return
	}
	p.terms += len(toks)
	if p.terms > MaxQueryTerms {
		return // reported once the whole query is read
	}
	c := Clause{Terms: make([]string, len(toks)), Negate: neg, Prefix: prefix}
	for i, t := range toks {
		c.Terms[i] = t.Term
	}
	p.q.Clauses = append(p.q.Clauses, c)
}

func isFilterKey(k string) bool {
	switch strings.ToLower(k) {
	case "type", "folder", "after", "before":
		return true
	}
	return false
}

func (p *parser) filter(key, val string) error {
	if val == "" {
		return nil
	}
	switch key {
	case "type":
		k := Kind(strings.ToLower(val))
		if !k.Valid() {
			return errBadType
		}
		if !slices.Contains(p.q.Kinds, k) {
			p.q.Kinds = append(p.q.Kinds, k)
		}
		return nil
	case "folder":
		if !quire.ValidID(val) {
			return errBadFolder
		}
		return setOnce(&p.q.Folder, val)
	}
	d, err := time.Parse(dateLayout, val)
	if err != nil {
		return errBadDate
	}
	if key == "after" {
		return setOnce(&p.q.After, d)
	}
	return setOnce(&p.q.Before, d)
}

// setOnce sets *dst to v unless it already holds another value.
func setOnce[T comparable](dst *T, v T) error {
	var zero T
	if *dst != zero && *dst != v {
		return errDupFilter
	}
	*dst = v
	return nil
}
