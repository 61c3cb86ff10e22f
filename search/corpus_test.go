package search

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"time"
)

// corpus is a synthetic workspace for the benchmarks: notes of 200 to 2000
// words drawn from a Zipfian vocabulary, with sentences, capitals and a
// sprinkle of accents, and 768-dimension vectors. Everything follows from
// the seed.
type corpus struct {
	vocab   []string
	docs    []Doc
	queries []benchQuery
}

// benchQuery is a query in the syntax of the search box, and the words a
// naive scan looks for.
type benchQuery struct {
	text  string
	words []string
	vec   []float32
}

const (
	corpusDocs  = 10000
	corpusDims  = 768
	corpusVocab = 50000
)

func newCorpus(seed uint64, nDocs, nQueries int) *corpus {
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	c := &corpus{vocab: vocabulary(r, corpusVocab)}
	zipf := rand.NewZipf(r, 1.07, 2, corpusVocab-1)
	start := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range nDocs {
		c.docs = append(c.docs, Doc{
			ID:      fmt.Sprintf("note%05d", i),
			Kind:    KindNote,
			Title:   c.text(r, zipf, 2+r.IntN(7)),
			Body:    c.text(r, zipf, 200+r.IntN(1801)),
			Updated: start.Add(time.Duration(r.IntN(365*24)) * time.Hour),
			Vector:  randVector(r, corpusDims),
		})
	}
	for i := range nQueries {
		c.queries = append(c.queries, c.query(r, i))
	}
	return c
}

// vocabulary makes n distinct pronounceable words; one in twenty has an
// accent, so that folding is exercised.
func vocabulary(r *rand.Rand, n int) []string {
	cons, vows := "bcdfghjklmnprstvz", "aeiou"
	seen := map[string]bool{}
	var words []string
	for len(words) < n {
		var b strings.Builder
		for range 1 + r.IntN(4) {
			b.WriteByte(cons[r.IntN(len(cons))])
			b.WriteByte(vows[r.IntN(len(vows))])
		}
		w := b.String()
		if r.IntN(20) == 0 {
			w = strings.Replace(w, "e", "é", 1)
		}
		if !seen[w] {
			seen[w] = true
			words = append(words, w)
		}
	}
	return words
}

func (c *corpus) text(r *rand.Rand, zipf *rand.Zipf, n int) string {
	var b strings.Builder
	sentence := 0
	for i := range n {
		w := c.vocab[zipf.Uint64()]
		if sentence == 0 {
			w = strings.ToUpper(w[:1]) + w[1:]
		}
		b.WriteString(w)
		sentence++
		switch {
		case i == n-1:
			b.WriteByte('.')
		case sentence > 8 && r.IntN(6) == 0:
			b.WriteString(". ")
			sentence = 0
		default:
			b.WriteByte(' ')
		}
	}
	return b.String()
}

// query makes, in turn, one- to three-word queries of middling words, a
// phrase taken from a note, and a word being typed (a prefix).
func (c *corpus) query(r *rand.Rand, i int) benchQuery {
	q := benchQuery{vec: randVector(r, corpusDims)}
	switch i % 4 {
	case 0, 1:
		for range 1 + r.IntN(3) {
			q.words = append(q.words, c.vocab[20+r.IntN(2000)])
		}
		q.text = strings.Join(q.words, " ") + " "
	case 2:
		toks := Tokenize(c.docs[r.IntN(len(c.docs))].Body)
		at := r.IntN(len(toks) - 1)
		q.words = []string{toks[at].Term, toks[at+1].Term}
		q.text = `"` + strings.Join(q.words, " ") + `"`
	default:
		w := []rune(c.vocab[20+r.IntN(2000)])
		q.words = []string{string(w[:min(len(w), 3)])}
		q.text = q.words[0]
	}
	return q
}

func randVector(r *rand.Rand, dims int) []float32 {
	v := make([]float32, dims)
	for i := range v {
		v[i] = float32(r.NormFloat64())
	}
	return v
}
