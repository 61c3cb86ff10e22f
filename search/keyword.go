package search

import (
	"slices"
	"sync"
)

// cand is a candidate document and its score.
type cand struct {
	ord   uint32
	score float64
}

// keyword returns the best depth documents matching q by BM25, best first,
// and how many match in all.
func (ix *Index) keyword(q *Query, depth int) ([]cand, int) {
	plans, ok := ix.plan(q)
	if !ok {
		return nil, 0
	}
	top := topK{k: depth, better: ix.better}
	total := 0
	consider := func(ord uint32, score float64) {
		if ix.pass(ord, q) && ix.phrasesAndNegations(ord, plans) {
			total++
			top.push(cand{ord, score})
		}
	}
	if slots := ix.positiveSlots(plans); len(slots) > 0 {
		ix.score(slots, consider)
	} else {
		for ord := range ix.docs {
			if ix.docs[ord].live {
				consider(uint32(ord), 0)
			}
		}
	}
	return top.sorted(), total
}

// accum holds per-ordinal scratch for scoring, pooled across searches and
// left zeroed after each.
type accum struct {
	score, best    []float64
	hits           []uint8
	touched, first []uint32
}

var accums = sync.Pool{New: func() any { return new(accum) }}

func (a *accum) grow(n int) {
	if len(a.score) < n {
		a.score = make([]float64, n)
		a.best = make([]float64, n)
		a.hits = make([]uint8, n)
	}
}

// score calls fn with every document that fills all slots and the sum of
// its slot scores. A slot scores a document by its best alt: w·idf·(body
// BM25 + TitleBoost·title BM25). Slots come rarest first, and a document
// that missed a slot is skipped in the later ones.
func (ix *Index) score(slots []slot, fn func(ord uint32, score float64)) {
	a := accums.Get().(*accum)
	defer accums.Put(a)
	a.grow(len(ix.docs))
	avgTitle, avgBody := ix.averages()
	for k, s := range slots {
		for _, al := range s {
			for _, p := range ix.dict.post[al.id] {
				o := postOrd(p)
				if int(a.hits[o]) != k {
					continue
				}
				sc := al.w * al.idf * ix.tfNorm(p, o, avgTitle, avgBody)
				if a.best[o] == 0 {
					a.touched = append(a.touched, o)
				}
				a.best[o] = max(a.best[o], sc)
			}
		}
		for _, o := range a.touched {
			a.score[o] += a.best[o]
			a.hits[o]++
			a.best[o] = 0
		}
		if k == 0 {
			a.first = append(a.first[:0], a.touched...)
		}
		if k == len(slots)-1 {
			for _, o := range a.touched {
				fn(o, a.score[o])
			}
		}
		a.touched = a.touched[:0]
	}
	for _, o := range a.first {
		a.score[o], a.hits[o] = 0, 0
	}
}

func (ix *Index) averages() (title, body float64) {
	n := float64(max(ix.live, 1))
	return max(float64(ix.titleToks)/n, 1), max(float64(ix.bodyToks)/n, 1)
}

// tfNorm is BM25's saturated term frequency, summed over the fields.
func (ix *Index) tfNorm(p uint64, ord uint32, avgTitle, avgBody float64) float64 {
	tfTitle, tfBody := postTF(p)
	n := ix.lens[ord]
	var s float64
	if tfBody > 0 {
		s += tfBody * (BM25K1 + 1) / (tfBody + BM25K1*(1-BM25B+BM25B*float64(n.body)/avgBody))
	}
	if tfTitle > 0 {
		s += TitleBoost * tfTitle * (BM25K1 + 1) / (tfTitle + BM25K1*(1-BM25B+BM25B*float64(n.title)/avgTitle))
	}
	return s
}

// pass reports whether the document under ord passes q's filters.
func (ix *Index) pass(ord uint32, q *Query) bool {
	e := &ix.docs[ord]
	switch {
	case len(q.Kinds) > 0 && !slices.Contains(q.Kinds, e.kind),
		q.Folder != "" && e.folder != q.Folder,
		!q.After.IsZero() && e.updated.Before(q.After),
		!q.Before.IsZero() && !e.updated.Before(q.Before):
		return false
	}
	return true
}

// phrasesAndNegations reports whether the document under ord holds every
// positive phrase and matches no negated clause.
func (ix *Index) phrasesAndNegations(ord uint32, plans []clausePlan) bool {
	for i := range plans {
		p := &plans[i]
		if p.negate && ix.matches(ord, p) || !p.negate && len(p.slots) > 1 && !ix.phraseIn(ord, p) {
			return false
		}
	}
	return true
}

// better orders candidates: higher score, then newer, then by ID.
func (ix *Index) better(a, b cand) bool {
	if a.score != b.score {
		return a.score > b.score
	}
	da, db := &ix.docs[a.ord], &ix.docs[b.ord]
	if !da.updated.Equal(db.updated) {
		return da.updated.After(db.updated)
	}
	return da.id < db.id
}
