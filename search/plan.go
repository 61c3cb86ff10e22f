package search

import (
	"math"
	"slices"
)

// BM25 parameters and weights.
const (
	BM25K1      = 1.2
	BM25B       = 0.75
	TitleBoost  = 2.0 // a title match counts this much more than a body match
	PrefixBoost = 0.7 // weight of a term completing the prefix being typed
	// MaxPrefixTerms bounds the terms a prefix expands to (the most common
	// ones are kept).
	MaxPrefixTerms = 64
)

// alt is a term a query position accepts, with its weight and idf.
type alt struct {
	id  uint32
	w   float64
	idf float64
}

// slot is one position of a clause: a document matches it with any alt.
type slot []alt

// clausePlan is a clause resolved against the dictionary.
type clausePlan struct {
	slots  []slot
	negate bool
	// For a phrase: the encoded IDs of its first fixed slots, which
	// accept one term each (see phraseIn).
	pattern []byte
	fixed   int
}

// plan resolves q's clauses to term IDs. ok is false when a positive clause
// has a term that no document holds: nothing can match.
func (ix *Index) plan(q *Query) (plans []clausePlan, ok bool) {
	for _, c := range q.Clauses {
		p := clausePlan{negate: c.Negate}
		for i, term := range c.Terms {
			s := ix.slot(term, c.Prefix && i == len(c.Terms)-1)
			if len(s) == 0 && !c.Negate {
				return nil, false
			}
			p.slots = append(p.slots, s)
		}
		if len(p.slots) > 1 {
			p.pattern, p.fixed = phrasePattern(p.slots)
		}
		plans = append(plans, p)
	}
	return plans, true
}

// slot resolves one query term.
func (ix *Index) slot(term string, prefix bool) slot {
	if !prefix {
		if id, ok := ix.dict.ids[term]; ok {
			return slot{ix.alt(id, 1)}
		}
		return nil
	}
	// The completions share one idf, as if the prefix were one term (its
	// document frequency taken as the sum of theirs): a rare completion
	// must not outrank the word itself.
	ids := ix.dict.expand(term, MaxPrefixTerms)
	if id, ok := ix.dict.ids[term]; ok && !slices.Contains(ids, id) {
		ids = append(ids, id) // the word itself, however many commoner words it begins
	}
	var s slot
	df := 0
	for _, id := range ids {
		w := PrefixBoost
		if ix.dict.terms[id] == term {
			w = 1
		}
		s = append(s, alt{id: id, w: w})
		df += len(ix.dict.post[id])
	}
	for i := range s {
		s[i].idf = ix.idf(df)
	}
	return s
}

func (ix *Index) alt(id uint32, w float64) alt {
	return alt{id: id, w: w, idf: ix.idf(len(ix.dict.post[id]))}
}

// idf is BM25's inverse document frequency, always positive.
func (ix *Index) idf(df int) float64 {
	n, d := float64(ix.live), float64(min(df, ix.live))
	return math.Log(1 + (n-d+0.5)/(d+0.5))
}

// accepts reports whether term id fills the slot.
func (s slot) accepts(id uint32) bool {
	for _, a := range s {
		if a.id == id {
			return true
		}
	}
	return false
}

// df is the number of postings the slot reads, to order the work.
func (ix *Index) df(s slot) int {
	n := 0
	for _, a := range s {
		n += len(ix.dict.post[a.id])
	}
	return n
}

// positiveSlots returns the slots of the positive clauses, rarest first.
func (ix *Index) positiveSlots(plans []clausePlan) []slot {
	var slots []slot
	for _, p := range plans {
		if !p.negate {
			slots = append(slots, p.slots...)
		}
	}
	slices.SortStableFunc(slots, func(a, b slot) int { return ix.df(a) - ix.df(b) })
	return slots
}

// matches reports whether the document under ord matches the clause (for
// negated clauses, which are checked per candidate).
func (ix *Index) matches(ord uint32, p *clausePlan) bool {
	for _, s := range p.slots {
		found := false
		for _, a := range s {
			if _, ok := findPosting(ix.dict.post[a.id], ord); ok {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return len(p.slots) == 1 || ix.phraseIn(ord, p)
}
