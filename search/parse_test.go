package search

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/quirehq/quire"
)

func day(s string) time.Time {
	d, err := time.Parse(dateLayout, s)
	if err != nil {
		panic(err)
	}
	return d
}

func TestParseQuery(t *testing.T) {
	folder := "abcdefghijklmnopqrstuvwxyz"
	tests := []struct {
		in   string
		want Query
	}{
		{"", Query{}},
		{"Café Crème ", Query{Clauses: []Clause{{Terms: []string{"cafe"}}, {Terms: []string{"creme"}}}}},
		{"wri", Query{Clauses: []Clause{{Terms: []string{"wri"}, Prefix: true}}}},
		{`"new York" city`, Query{Clauses: []Clause{{Terms: []string{"new", "york"}}, {Terms: []string{"city"}, Prefix: true}}}},
		{`"unclosed phrase`, Query{Clauses: []Clause{{Terms: []string{"unclosed", "phrase"}}}}},
		{`-spam -"bad words" ok `, Query{Clauses: []Clause{
			{Terms: []string{"spam"}, Negate: true}, {Terms: []string{"bad", "words"}, Negate: true}, {Terms: []string{"ok"}}}}},
		{"-last", Query{Clauses: []Clause{{Terms: []string{"last"}, Negate: true}}}},
		{"e-ma", Query{Clauses: []Clause{{Terms: []string{"e", "ma"}, Prefix: true}}}},
		{"東京", Query{Clauses: []Clause{{Terms: []string{"東", "京"}, Prefix: true}}}},
		{"type:note TYPE:Idea type:note folder:" + folder + " after:2024-01-02 before:2024-02-01 x ",
			Query{Clauses: []Clause{{Terms: []string{"x"}}}, Kinds: []Kind{KindNote, KindIdea}, Folder: folder,
				After: day("2024-01-02"), Before: day("2024-02-01")}},
		{"plan type:", Query{Clauses: []Clause{{Terms: []string{"plan"}}}}},
		{"re:meeting", Query{Clauses: []Clause{{Terms: []string{"re", "meeting"}, Prefix: true}}}},
		{`- "" !!! -- ok`, Query{Clauses: []Clause{{Terms: []string{"ok"}, Prefix: true}}}},
		{"a\u3000b", Query{Clauses: []Clause{{Terms: []string{"a"}}, {Terms: []string{"b"}, Prefix: true}}}},
	}
	for _, tt := range tests {
		got, err := ParseQuery(tt.in)
		if err != nil {
			t.Errorf("ParseQuery(%q): %v", tt.in, err)
			continue
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("ParseQuery(%q) =\n%+v, want\n%+v", tt.in, got, tt.want)
		}
	}
}

func TestParseQueryErrors(t *testing.T) {
	tests := []struct {
		in   string
		want *quire.Error
	}{
		{strings.Repeat("a", MaxQueryBytes+1), errQueryTooLong},
		{"bad \xff", errQueryEncoding},
		{strings.Repeat("w ", MaxQueryTerms+1), errTooManyTerms},
		{`"` + strings.Repeat("w ", MaxQueryTerms+1), errTooManyTerms},
		{"type:notes", errBadType},
		{"folder:../etc", errBadFolder},
		{"after:yesterday", errBadDate},
		{"before:2024-13-01", errBadDate},
		{"after:2024-02-01 before:2024-02-01", errDateOrder},
		{"folder:abcdefghijklmnopqrstuvwxyz folder:zyxwvutsrqponmlkjihgfedcba", errDupFilter},
		{"after:2024-01-01 after:2024-01-02", errDupFilter},
		{"-type:note", errNegFilter},
	}
	for _, tt := range tests {
		_, err := ParseQuery(tt.in)
		if !errors.Is(err, tt.want) {
			t.Errorf("ParseQuery(%.40q) = %v, want %v", tt.in, err, tt.want)
		}
	}
	if _, err := ParseQuery(strings.Repeat("w ", MaxQueryTerms)); err != nil {
		t.Errorf("%d terms refused: %v", MaxQueryTerms, err)
	}
}

// queryErrors are all the messages a query can fail with.
var queryErrors = []*quire.Error{errQueryTooLong, errQueryEncoding, errTooManyTerms, errBadType,
	errBadFolder, errBadDate, errDateOrder, errDupFilter, errNegFilter, errBadClause}

// FuzzParseQuery checks, for any input: no panic; an error is one of the
// fixed EINVALID errors (so it cannot echo the query); a parsed query holds
// at most MaxQueryTerms folded tokens, valid kinds and ordered dates, is
// accepted by validate, and String renders it so that it parses back to
// itself.
func FuzzParseQuery(f *testing.F) {
	for _, s := range []string{"", "cafe", `"new york" -spam wri`, "type:note folder:abcdefghijklmnopqrstuvwxyz after:2024-01-01 x ",
		"e-ma", "東京都", `-"a b`, "before:2024-01-01 after:2023-12-31", "re:x type:", "\u0301", "ｶﾞ ﬁ",
		strings.Repeat("ﷺﷺﷺ ", 32)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		q, err := ParseQuery(s)
		if err != nil {
			var qe *quire.Error
			if !errors.As(err, &qe) || qe.Code != quire.EINVALID || !containsErr(queryErrors, qe) {
				t.Fatalf("unexpected error %v", err)
			}
			return
		}
		if err := q.validate(); err != nil {
			t.Fatalf("parsed query fails validation: %v", err)
		}
		back, err := parseQuery(q.String()) // folding can lengthen the text past MaxQueryBytes
		if len(q.String()) <= MaxQueryBytes {
			if back2, err2 := ParseQuery(q.String()); err2 != nil || !reflect.DeepEqual(back2, back) {
				t.Fatalf("ParseQuery and parseQuery differ on %q", q.String())
			}
		}
		if err != nil {
			t.Fatalf("String %q does not parse: %v", q.String(), err)
		}
		if !reflect.DeepEqual(back, q) {
			t.Fatalf("round trip via %q:\n%+v\n%+v", q.String(), q, back)
		}
	})
}

func containsErr(errs []*quire.Error, e *quire.Error) bool {
	for _, x := range errs {
		if x == e {
			return true
		}
	}
	return false
}
