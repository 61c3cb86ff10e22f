package search

import (
	"cmp"
	"context"
	"math"
	"math/bits"
	"slices"
	"strings"

	"github.com/quirehq/quire"
)

// Reranker scores documents against a query, higher meaning more relevant:
// for example Cohere's rerank through the AI gateway. It returns one score
// per document, in order.
type Reranker interface {
	Rerank(ctx context.Context, query string, docs []string) ([]float64, error)
}

// RerankPassageBytes bounds the body passage given to the reranker for each
// document: the window of the body with the most matches, so that only the
// most relevant part of a note leaves the process.
const RerankPassageBytes = 1024

var errRerankScores = quire.Errorf(quire.EINTERNAL, "Reranker returned a wrong number of scores or a score that is not a number.")

// rerank orders hits by the Reranker's scores, or by the local reranker's
// when it fails, and records which in res.
func rerank(ctx context.Context, req *Request, m *matcher, hits []hitDoc, res *Result) {
	docs := make([]string, len(hits))
	for i, h := range hits {
		docs[i] = h.title + "\n" + m.highlight(h.body, RerankPassageBytes).Text
	}
	query := strings.TrimSpace(req.Text)
	if query == "" {
		query = strings.TrimSpace(req.Query.String())
	}
	scores, err := req.Reranker.Rerank(ctx, query, docs)
	if err == nil && (len(scores) != len(docs) || slices.ContainsFunc(scores, math.IsNaN)) {
		err = errRerankScores
	}
	if err != nil {
		res.RerankFallback, res.RerankErr = true, err
		scores = localRerank(m, docs)
	}
	res.Reranked = true
	for i := range hits {
		hits[i].Score = scores[i]
	}
	slices.SortStableFunc(hits, func(a, b hitDoc) int { return cmp.Compare(b.Score, a.Score) })
}

// localRerank scores each document in [0, 1] by how much of the query it
// holds and how closely: half for the clauses found whole (phrases as
// phrases), three tenths for the terms found, a fifth for proximity (the
// terms found over the shortest run of words that holds them all).
func localRerank(m *matcher, docs []string) []float64 {
	scores := make([]float64, len(docs))
	if len(m.slots) == 0 {
		return scores
	}
	for i, d := range docs {
		toks := m.match(d)
		var found uint32
		for _, t := range toks {
			found |= t.mask
		}
		clauses := 0
		for _, c := range m.clauses {
			for j := range toks {
				if phraseAt(toks, j, c[0], c[1]) > 0 {
					clauses++
					break
				}
			}
		}
		n := bits.OnesCount32(found)
		scores[i] = 0.5*float64(clauses)/float64(len(m.clauses)) +
			0.3*float64(n)/float64(len(m.slots)) +
			0.2*proximity(toks, found)
	}
	return scores
}

// proximity is popcount(found) over the length, in words, of the shortest
// run of toks whose masks together cover found; 0 when nothing is found.
func proximity(toks []mtok, found uint32) float64 {
	if found == 0 {
		return 0
	}
	best := math.MaxInt
	var count [32]int
	var have uint32
	for i, j := 0, 0; j < len(toks); j++ {
		for b := toks[j].mask; b != 0; b &= b - 1 {
			k := bits.TrailingZeros32(b)
			count[k]++
			have |= 1 << k
		}
		for have == found {
			best = min(best, toks[j].idx-toks[i].idx+1)
			for b := toks[i].mask; b != 0; b &= b - 1 {
				k := bits.TrailingZeros32(b)
				if count[k]--; count[k] == 0 {
					have &^= 1 << k
				}
			}
			i++
		}
	}
	return float64(bits.OnesCount32(found)) / float64(best)
}
