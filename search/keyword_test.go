package search

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
)

var t0 = time.Date(2024, 3, 1, 12, 0, 0, 0, time.UTC)

// mustIndex returns an index of docs.
func mustIndex(t testing.TB, docs ...Doc) *Index {
	t.Helper()
	ix := NewIndex()
	for _, d := range docs {
		if d.Kind == "" {
			d.Kind = KindNote
		}
		if err := ix.Upsert(d); err != nil {
			t.Fatalf("Upsert(%s): %v", d.ID, err)
		}
	}
	return ix
}

// find parses q and returns the IDs of all hits in order.
func find(t testing.TB, ix *Index, q string) []string {
	t.Helper()
	return ids(mustSearch(t, ix, q).Hits)
}

func mustSearch(t testing.TB, ix *Index, q string) Result {
	t.Helper()
	pq, err := ParseQuery(q)
	if err != nil {
		t.Fatalf("ParseQuery(%q): %v", q, err)
	}
	res, err := ix.Search(pq, MaxLimit, 0)
	if err != nil {
		t.Fatalf("Search(%q): %v", q, err)
	}
	return res
}

func ids(hits []Hit) []string {
	out := []string{}
	for _, h := range hits {
		out = append(out, h.ID)
	}
	return out
}

func filler(n int) string { return strings.Repeat("lorem ipsum dolor sit amet ", n) }

func TestRanking(t *testing.T) {
	ix := mustIndex(t,
		Doc{ID: "title", Title: "Gardening notes", Body: filler(3)},
		Doc{ID: "body", Title: "Weekend", Body: filler(1) + "gardening " + filler(2)},
		Doc{ID: "rare", Title: "x", Body: "zeppelin amet " + filler(2)},
		Doc{ID: "twice", Title: "y", Body: "gardening and more gardening " + filler(3)},
	)
	tests := []struct {
		q    string
		want []string
	}{
		{"gardening ", []string{"title", "twice", "body"}}, // title beats body; tf counts
		{"zeppelin ", []string{"rare"}},
		{"amet zeppelin ", []string{"rare"}}, // AND
		{"nothing ", []string{}},
		{"gardening nothing ", []string{}},
	}
	for _, tt := range tests {
		if got := find(t, ix, tt.q); !slices.Equal(got, tt.want) {
			t.Errorf("%q: got %v, want %v", tt.q, got, tt.want)
		}
	}
}

// TestRarerTermWins: of two documents holding both query terms, the one
// with more of the rarer term ranks first, and the scores say so.
func TestRarerTermWins(t *testing.T) {
	docs := []Doc{
		{ID: "more-common", Title: "a", Body: "meeting meeting zeppelin " + filler(2)},
		{ID: "more-rare", Title: "a", Body: "meeting zeppelin zeppelin " + filler(2)},
	}
	for i := range 20 {
		docs = append(docs, Doc{ID: "other" + string(rune('a'+i)), Title: "a", Body: "meeting " + filler(2)})
	}
	ix := mustIndex(t, docs...)
	res := mustSearch(t, ix, "meeting zeppelin ")
	if got := ids(res.Hits); !slices.Equal(got, []string{"more-rare", "more-common"}) {
		t.Fatalf("got %v", got)
	}
	if !(res.Hits[0].Score > res.Hits[1].Score) || res.Hits[1].Score <= 0 {
		t.Errorf("scores %v then %v", res.Hits[0].Score, res.Hits[1].Score)
	}
}

func TestPhraseNegationPrefix(t *testing.T) {
	ix := mustIndex(t,
		Doc{ID: "ny", Title: "Trip", Body: "We flew to New York in May."},
		Doc{ID: "split", Title: "Trip", Body: "A new plan for York."},
		Doc{ID: "spam", Title: "Spam", Body: "New York spam offer."},
		Doc{ID: "cross", Title: "All new", Body: "York minster."},
		Doc{ID: "write", Title: "Writing", Body: "writers write"},
	)
	tests := []struct {
		q    string
		want []string
	}{
		{`"new york"`, []string{"ny", "spam"}},
		{`"new york" -spam`, []string{"ny"}},
		{`new york -"new york"`, []string{"cross", "split"}},    // the phrase must not span title and body
		{"york -spa", []string{"cross", "ny", "split", "spam"}}, // negation is exact, never a prefix
		{"wri", []string{"write"}},
		{"wri ", []string{}}, // a trailing space completes the word
		{"york -new", []string{}},
		{"-york", []string{"write"}},
	}
	for _, tt := range tests {
		got := find(t, ix, tt.q)
		slices.Sort(got)
		want := slices.Sorted(slices.Values(tt.want))
		if !slices.Equal(got, want) {
			t.Errorf("%q: got %v, want %v", tt.q, got, want)
		}
	}
}

// TestPrefixPrefersExact: typing a whole word ranks it above longer words
// it begins.
func TestPrefixPrefersExact(t *testing.T) {
	ix := mustIndex(t,
		Doc{ID: "catalog", Title: "z", Body: "catalog " + filler(1)},
		Doc{ID: "cat", Title: "z", Body: "cat " + filler(1)},
		Doc{ID: "catalog2", Title: "z", Body: "catalog " + filler(1)},
	)
	if got := find(t, ix, "cat"); len(got) != 3 || got[0] != "cat" {
		t.Fatalf("got %v, want cat first", got)
	}
}

// TestPrefixKeepsTheWord: a prefix expands to its MaxPrefixTerms commonest
// completions, and to the word itself however rare.
func TestPrefixKeepsTheWord(t *testing.T) {
	var docs []Doc
	for i := range MaxPrefixTerms + 10 {
		w := fmt.Sprintf("cat%03d", i)
		docs = append(docs, Doc{ID: w + "a", Title: w}, Doc{ID: w + "b", Title: w})
	}
	docs = append(docs, Doc{ID: "word", Title: "cat"})
	ix := mustIndex(t, docs...)
	res := mustSearch(t, ix, "cat")
	if res.Total != 2*MaxPrefixTerms+1 || res.Hits[0].ID != "word" {
		t.Fatalf("%d hits, first %s", res.Total, res.Hits[0].ID)
	}
}

func TestFilters(t *testing.T) {
	f1, f2 := "folderaaaaaaaaaaaaaaaaaaaa", "folderbbbbbbbbbbbbbbbbbbbb"
	ix := mustIndex(t,
		Doc{ID: "n1", Kind: KindNote, FolderID: f1, Title: "plan", Updated: t0},
		Doc{ID: "n2", Kind: KindNote, FolderID: f2, Title: "plan", Updated: t0.AddDate(0, 0, 10)},
		Doc{ID: "i1", Kind: KindIdea, FolderID: f1, Title: "plan", Updated: t0.AddDate(0, 0, 20)},
		Doc{ID: "f1", Kind: KindFolder, Title: "Plans"},
	)
	tests := []struct {
		q    string
		want []string
	}{
		{"plan ", []string{"i1", "n2", "n1"}}, // equal scores: newest first
		{"type:idea plan ", []string{"i1"}},
		{"type:note type:folder pla", []string{"n2", "n1", "f1"}},
		{"folder:" + f1 + " plan ", []string{"i1", "n1"}},
		{"after:2024-03-11 plan ", []string{"i1", "n2"}}, // on or after the day
		{"before:2024-03-11 plan ", []string{"n1"}},      // before the day
		{"after:2024-03-02 before:2024-03-21 plan ", []string{"n2"}},
		{"type:idea", []string{"i1"}}, // filters alone list by date
		{"", []string{"i1", "n2", "n1", "f1"}},
	}
	for _, tt := range tests {
		if got := find(t, ix, tt.q); !slices.Equal(got, tt.want) {
			t.Errorf("%q: got %v, want %v", tt.q, got, tt.want)
		}
	}
	q := Query{Kinds: []Kind{KindNote}, Folder: f2, Clauses: []Clause{{Terms: []string{"plan"}}}}
	if res, err := ix.Search(q, 10, 0); err != nil || !slices.Equal(ids(res.Hits), []string{"n2"}) {
		t.Errorf("filters set in code: %v %v", ids(res.Hits), err)
	}
}

func TestPaging(t *testing.T) {
	var docs []Doc
	for i := range 30 {
		docs = append(docs, Doc{ID: string(rune('A' + i)), Title: "page", Updated: t0.Add(time.Duration(i) * time.Hour)})
	}
	ix := mustIndex(t, docs...)
	q, _ := ParseQuery("page ")
	all, _ := ix.Search(q, 30, 0)
	p2, err := ix.Search(q, 7, 7)
	if err != nil || all.Total != 30 || p2.Total != 30 || !slices.Equal(ids(p2.Hits), ids(all.Hits)[7:14]) {
		t.Fatalf("page 2: %v (total %d), err %v; all %v", ids(p2.Hits), p2.Total, err, ids(all.Hits))
	}
	if last, _ := ix.Search(q, 20, 25); len(last.Hits) != 5 {
		t.Errorf("last page has %d hits", len(last.Hits))
	}
	for _, bad := range [][2]int{{-1, 0}, {MaxLimit + 1, 0}, {10, -1}, {10, MaxOffset + 1}} {
		if _, err := ix.Search(q, bad[0], bad[1]); err == nil {
			t.Errorf("limit %d offset %d accepted", bad[0], bad[1])
		}
	}
}

func TestUpdateRemoveVisibleAtOnce(t *testing.T) {
	ix := mustIndex(t, Doc{ID: "a", Title: "draft", Body: "alpha"})
	if got := find(t, ix, "alpha "); !slices.Equal(got, []string{"a"}) {
		t.Fatalf("before: %v", got)
	}
	if err := ix.Upsert(Doc{ID: "a", Kind: KindNote, Title: "draft", Body: "beta"}); err != nil {
		t.Fatal(err)
	}
	if got := find(t, ix, "alpha "); len(got) != 0 {
		t.Errorf("old text still found: %v", got)
	}
	if got := find(t, ix, "beta "); !slices.Equal(got, []string{"a"}) || ix.Len() != 1 {
		t.Errorf("new text: %v, len %d", got, ix.Len())
	}
	ix.Remove("a")
	ix.Remove("unknown")
	if got := find(t, ix, "beta "); len(got) != 0 || ix.Len() != 0 {
		t.Errorf("after remove: %v, len %d", got, ix.Len())
	}
	if ix.Size() != 0 || len(ix.dict.ids) != 0 {
		t.Errorf("empty index keeps %d bytes, %d terms", ix.Size(), len(ix.dict.ids))
	}
}

func TestUpsertRefusesBadDocs(t *testing.T) {
	ix := NewIndex()
	for _, d := range []Doc{
		{Kind: KindNote},
		{ID: strings.Repeat("x", MaxIDBytes+1), Kind: KindNote},
		{ID: "a", Kind: "page"},
		{ID: "a", Kind: KindNote, Body: "bad \xff"},
		{ID: "a", Kind: KindNote, FolderID: strings.Repeat("f", MaxIDBytes+1)},
	} {
		if err := ix.Upsert(d); err == nil {
			t.Errorf("accepted %+v", d)
		}
	}
	if ix.Len() != 0 {
		t.Errorf("len %d", ix.Len())
	}
}
