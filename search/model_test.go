package search

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// TestIndexAgainstModel applies random upserts and removes to an index and
// to a map of documents, and checks after each step that searches agree
// with a brute-force reading of the map and that the index's internal
// bookkeeping (postings, dictionary, memory estimate) is consistent.
func TestIndexAgainstModel(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	words := strings.Fields("ant bee cat cow dog eel elk emu fox gnu hen owl pig ram rat yak apple apricot")
	text := func(n int) string {
		var w []string
		for range r.IntN(n) {
			w = append(w, words[r.IntN(len(words))])
		}
		return strings.Join(w, " ")
	}
	// A document of 16,370 other words comes first, so that the model's
	// words get IDs on both sides of 16,384, where their varint encoding
	// grows from two bytes to three.
	ix := NewIndex()
	var other []string
	for i := range 16370 {
		other = append(other, fmt.Sprint("x", i))
	}
	if err := ix.Upsert(Doc{ID: "other", Kind: KindNote, Body: strings.Join(other, " ")}); err != nil {
		t.Fatal(err)
	}
	model := map[string]Doc{}
	for step := range 3000 {
		id := fmt.Sprint("d", r.IntN(25))
		if step == 1500 {
			ix.Remove("other") // and the IDs it held are reused
		}
		if r.IntN(5) == 0 {
			ix.Remove(id)
			delete(model, id)
		} else {
			d := Doc{ID: id, Kind: KindNote, Title: text(4), Body: text(15)}
			if r.IntN(3) == 0 {
				d.Vector = []float32{r.Float32() + 0.1, r.Float32()}
			}
			if err := ix.Upsert(d); err != nil {
				t.Fatal(err)
			}
			model[id] = d
		}
		a, b := words[r.IntN(len(words))], words[r.IntN(len(words))]
		is := func(w string) func(string) bool { return func(t string) bool { return t == w } }
		begins := func(p string) func(string) bool { return func(t string) bool { return strings.HasPrefix(t, p) } }
		for _, c := range []struct {
			q       string
			want    []func(string) bool // adjacent tokens, in order
			without string
		}{
			{a + " ", []func(string) bool{is(a)}, ""},
			{a[:2], []func(string) bool{begins(a[:2])}, ""},
			{`"` + a + " " + b + `"`, []func(string) bool{is(a), is(b)}, ""},
			{a + "-" + b[:2], []func(string) bool{is(a), begins(b[:2])}, ""},
			{a + " -" + b, []func(string) bool{is(a)}, b},
		} {
			got := find(t, ix, c.q)
			slices.Sort(got)
			if want := modelFind(model, c.want, c.without); !slices.Equal(got, want) {
				t.Fatalf("step %d, %q: got %v, want %v", step, c.q, got, want)
			}
		}
		if step%50 == 0 {
			checkBookkeeping(t, ix)
		}
	}
	checkBookkeeping(t, ix)
}

// modelFind returns, by brute force, the documents with a field holding
// adjacent tokens that satisfy want, in order, and no token without.
func modelFind(model map[string]Doc, want []func(string) bool, without string) []string {
	holds := func(text string) bool {
		toks := terms(text)
		for i := range toks {
			j := 0
			for j < len(want) && i+j < len(toks) && want[j](toks[i+j]) {
				j++
			}
			if j == len(want) {
				return true
			}
		}
		return false
	}
	out := []string{}
	for id, d := range model {
		if holds(d.Title) || holds(d.Body) {
			if without == "" || !slices.Contains(terms(d.Title+" "+d.Body), without) {
				out = append(out, id)
			}
		}
	}
	slices.Sort(out)
	return out
}

// checkBookkeeping recomputes the postings and the memory estimate of ix
// from its documents and compares.
func checkBookkeeping(t *testing.T, ix *Index) {
	t.Helper()
	want := map[uint32][]uint64{}
	bytes := int64(0)
	for ord, e := range ix.docs {
		if !e.live {
			continue
		}
		bytes += docOverhead + int64(len(e.id)+len(e.title)+len(e.body)+len(e.folder)+len(e.seq))
		_, counts := countTerms(decodeSeq(nil, e.seq), int(ix.lens[ord].title), nil, nil)
		for _, c := range counts {
			want[c.id] = append(want[c.id], posting(uint32(ord), c.title, c.body))
		}
	}
	for term, id := range ix.dict.ids {
		if ix.dict.terms[id] != term || !slices.Equal(ix.dict.post[id], want[id]) {
			t.Fatalf("term %q: postings %v, want %v", term, ix.dict.post[id], want[id])
		}
		bytes += termOverhead + int64(len(term)) + postingSz*int64(len(want[id]))
		delete(want, id)
	}
	if len(want) != 0 {
		t.Fatalf("postings of terms missing from the dictionary: %v", want)
	}
	bytes += 4*int64(len(ix.vec.data)) + int64(len(ix.vec.present))
	if ix.Size() != bytes {
		t.Fatalf("estimate %d, recomputed %d", ix.Size(), bytes)
	}
}
