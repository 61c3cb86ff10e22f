package cohere

import (
	"context"
	"errors"
	"net/http"
	"sort"

	"github.com/quirehq/quire/gateway"
)

var (
	errNoQuery = errors.New("rerank needs a query")
	errTopN    = errors.New("rerank top_n must not be negative")
)

// Rerank orders req.Documents by relevance to req.Query with POST
// /v2/rerank. Results come back sorted by decreasing score (ties by
// document order), whatever order Cohere sent them in, each index checked
// to name a document of the request exactly once. Usage counts the input
// tokens Cohere reports (meta.tokens, else meta.billed_units); Cohere
// bills reranking in search units, which gateway.Usage has no field for.
// A request without documents is answered, empty, without a call.
func (p *Provider) Rerank(ctx context.Context, req *gateway.RerankRequest) (*gateway.RerankResponse, error) {
	switch {
	case req.Query == "":
		return nil, p.invalid(errNoQuery)
	case req.TopN < 0:
		return nil, p.invalid(errTopN)
	case len(req.Documents) == 0:
		return &gateway.RerankResponse{Model: req.Model}, nil
	}
	limit := len(req.Documents)
	if req.TopN > 0 && req.TopN < limit {
		limit = req.TopN
	}
	w := wireRerankRequest{Model: req.Model, Query: req.Query, Documents: req.Documents}
	if req.TopN > 0 {
		w.TopN = limit
	}
	ctx, cancel := context.WithTimeout(ctx, p.timeout)
	defer cancel()
	resp, err := p.postJSON(ctx, pathRerank, &w)
	if err != nil {
		return nil, err
	}
	var r wireRerankResponse
	if err := p.readJSON(ctx, resp, &r); err != nil {
		return nil, err
	}
	results, ok := rankResults(r.Results, len(req.Documents), limit)
	billed, tokens := r.Meta.units()
	in, okUsage := inputTokens(tokens, billed)
	if !ok || !okUsage {
		return nil, p.badResponse(http.StatusOK, gateway.ErrInvalidJSON)
	}
	return &gateway.RerankResponse{Model: req.Model, Results: results, Usage: gateway.Usage{InputTokens: in}}, nil
}

// rankResults checks the results of a rerank of n documents that asked
// for at most limit results, and sorts them by decreasing score: every
// result must name a document of the request, none twice, with a score.
// An answer that fails this cannot be trusted to say which document is
// which.
func rankResults(w []wireRerankResult, n, limit int) ([]gateway.RerankResult, bool) {
	if len(w) > limit {
		return nil, false
	}
	seen := make([]bool, n)
	out := make([]gateway.RerankResult, 0, len(w))
	for _, r := range w {
		if r.Index == nil || r.RelevanceScore == nil || *r.Index < 0 || *r.Index >= n || seen[*r.Index] {
			return nil, false
		}
		seen[*r.Index] = true
		out = append(out, gateway.RerankResult{Index: *r.Index, Score: *r.RelevanceScore})
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Score != out[j].Score {
			return out[i].Score > out[j].Score
		}
		return out[i].Index < out[j].Index
	})
	return out, true
}
