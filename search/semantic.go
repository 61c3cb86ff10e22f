package search

import (
	"context"
	"slices"

	"github.com/quirehq/quire"
)

// semantic returns the depth documents whose vectors are most similar to
// the unit vector qv, best first, among those that pass q's filters and
// none of its negated clauses (its positive clauses are not required), and
// how many such documents have a vector. Documents without one are not
// considered.
func (ix *Index) semantic(qv []float32, q *Query, depth int) ([]cand, int, error) {
	if ix.vec.dims == 0 {
		return nil, 0, nil
	}
	if len(qv) != ix.vec.dims {
		return nil, 0, quire.Errorf(quire.EINVALID, "Query vector has %d dimensions; the index holds vectors of %d.", len(qv), ix.vec.dims)
	}
	neg := ix.negations(q)
	top := topK{k: depth, better: ix.better}
	total := 0
	for i, ok := range ix.vec.present {
		ord := uint32(i)
		if !ok || !ix.pass(ord, q) || !ix.phrasesAndNegations(ord, neg) {
			continue
		}
		total++
		top.push(cand{ord, float64(dot(qv, ix.vec.at(ord)))})
	}
	return top.sorted(), total, nil
}

// negations resolves only q's negated clauses.
func (ix *Index) negations(q *Query) []clausePlan {
	neg := Query{}
	for _, c := range q.Clauses {
		if c.Negate {
			neg.Clauses = append(neg.Clauses, c)
		}
	}
	plans, _ := ix.plan(&neg)
	return plans
}

// SearchVector returns the limit documents most similar to the vector v
// (cosine similarity) that pass q's filters and negated clauses. A vector
// of another dimension than the index's is an EINVALID error.
func (ix *Index) SearchVector(v []float32, q Query, limit int) ([]Hit, error) {
	res, err := ix.Find(context.Background(), Request{Query: q, Vector: v, Mode: ModeSemantic, Limit: limit})
	return res.Hits, err
}

// Search returns a page of the documents matching q by keyword (BM25).
func (ix *Index) Search(q Query, limit, offset int) (Result, error) {
	return ix.Find(context.Background(), Request{Query: q, Limit: limit, Offset: offset})
}

// fusedCand is a document in the hybrid list with its place in each list.
type fusedCand struct {
	cand            // score: the RRF sum
	kw, sem         float64
	kwRank, semRank int
}

// fuse merges the keyword and semantic lists by reciprocal rank fusion:
// each document scores Σ 1/(RRFK + rank) over the lists it is in.
func (ix *Index) fuse(kw, sem []cand) []fusedCand {
	at := make(map[uint32]int, len(kw)+len(sem))
	var out []fusedCand
	get := func(ord uint32) *fusedCand {
		i, ok := at[ord]
		if !ok {
			i = len(out)
			at[ord] = i
			out = append(out, fusedCand{cand: cand{ord: ord}})
		}
		return &out[i]
	}
	for i, c := range kw {
		f := get(c.ord)
		f.kw, f.kwRank, f.score = c.score, i+1, f.score+1/float64(RRFK+i+1)
	}
	for i, c := range sem {
		f := get(c.ord)
		f.sem, f.semRank, f.score = c.score, i+1, f.score+1/float64(RRFK+i+1)
	}
	slices.SortFunc(out, func(a, b fusedCand) int {
		switch {
		case a.ord == b.ord:
			return 0
		case ix.better(a.cand, b.cand):
			return -1
		}
		return 1
	})
	return out
}
