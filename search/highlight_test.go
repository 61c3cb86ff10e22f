package search

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// marked returns the text of each range of h.
func marked(h Highlight) []string {
	var out []string
	for _, r := range h.Ranges {
		out = append(out, h.Text[r.Start:r.End])
	}
	return out
}

func TestHighlightRanges(t *testing.T) {
	long := filler(20) + "the Café in New York, by the new café " + filler(20)
	ix := mustIndex(t,
		Doc{ID: "a", Title: "Cafés of NEW YORK", Body: long},
		Doc{ID: "b", Title: "Crème", Body: "cre\u0300me brûlée and CRÈME"},
	)
	tests := []struct {
		q            string
		title, body  []string
		before, more bool
	}{
		{`cafe "new york"`, []string{"NEW YORK"}, []string{"Café", "New York", "café"}, true, true},
		{"caf", []string{"Cafés"}, []string{"Café", "café"}, true, true},
		{"creme ", []string{"Crème"}, []string{"cre\u0300me", "CRÈME"}, false, false},
	}
	for _, tt := range tests {
		res := mustSearch(t, ix, tt.q)
		if len(res.Hits) != 1 {
			t.Fatalf("%q: %d hits", tt.q, len(res.Hits))
		}
		h := res.Hits[0]
		if got := marked(h.Title); strings.Join(got, "|") != strings.Join(tt.title, "|") {
			t.Errorf("%q title marks %q, want %q", tt.q, got, tt.title)
		}
		if got := marked(h.Body); strings.Join(got, "|") != strings.Join(tt.body, "|") {
			t.Errorf("%q body marks %q, want %q", tt.q, got, tt.body)
		}
		if h.Body.Before != tt.before || h.Body.After != tt.more || len(h.Body.Text) > FragmentBytes {
			t.Errorf("%q fragment %q before %v after %v", tt.q, h.Body.Text, h.Body.Before, h.Body.After)
		}
	}
}

func TestHighlightWithoutMatch(t *testing.T) {
	body := filler(30)
	h := fragment(body, nil, FragmentBytes)
	if !strings.HasPrefix(body, h.Text) || h.Before || !h.After || len(h.Text) > FragmentBytes || len(h.Ranges) != 0 {
		t.Errorf("fragment %q before %v after %v", h.Text, h.Before, h.After)
	}
	if strings.HasSuffix(h.Text, "lor") || strings.HasSuffix(h.Text, " ") {
		t.Errorf("fragment cut mid-word or untrimmed: %q", h.Text)
	}
}

// checkHighlight asserts the highlighter's invariants for any text and
// query: the fragment is a slice of the text at most window bytes long,
// valid UTF-8 when the text is, and each range lies in it, on character
// boundaries, in order, and covers text that holds a query term.
func checkHighlight(t *testing.T, text, query string, window int) {
	q, err := ParseQuery(query)
	if err != nil {
		return
	}
	m := newMatcher(&q)
	h := m.highlight(text, window)
	start := strings.Index(text, h.Text)
	if start < 0 || len(h.Text) > max(window, 0) && len(text) > window {
		t.Fatalf("fragment %q is not a slice of the text within %d bytes", h.Text, window)
	}
	if utf8.ValidString(text) && !utf8.ValidString(h.Text) {
		t.Fatalf("fragment %q is not valid UTF-8", h.Text)
	}
	prev := 0
	for _, r := range h.Ranges {
		if r.Start < prev || r.End <= r.Start || r.End > len(h.Text) {
			t.Fatalf("range %v after %d in %d bytes", r, prev, len(h.Text))
		}
		for _, b := range []int{r.Start, r.End} {
			if utf8.ValidString(text) && b < len(h.Text) && !isRuneStart(h.Text[b]) {
				t.Fatalf("range %v splits a character of %q", r, h.Text)
			}
		}
		if len(Tokenize(h.Text[r.Start:r.End])) == 0 {
			t.Fatalf("range %v covers no word: %q", r, h.Text[r.Start:r.End])
		}
		prev = r.End
	}
}

func FuzzHighlight(f *testing.F) {
	f.Add("the Café in New York", "cafe \"new york\"", 200)
	f.Add(filler(40)+"needle "+filler(40), "needle", 50)
	f.Add("東京都に行く東京", "東京", 4)
	f.Add(strings.Repeat("x", 300), "xx", 200)
	f.Add("a\xffcafé\u0301", "cafe", 3)
	f.Fuzz(func(t *testing.T, text, query string, window int) {
		if window < 1 || window > 4096 {
			return
		}
		checkHighlight(t, text, query, window)
	})
}
