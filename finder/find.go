package finder

import (
	"context"
	"time"

	"github.com/quirehq/quire"
	"github.com/quirehq/quire/gateway"
	"github.com/quirehq/quire/search"
)

// Params is one search as the API takes it: the query text (with its own
// filter syntax) and filters given apart.
type Params struct {
	Text          string
	Mode          search.Mode
	Kinds         []search.Kind
	Folder        string
	After, Before time.Time
	Limit, Offset int
	Rerank        bool
}

// Search searches workspace ws.
func (s *Service) Search(ctx context.Context, ws string, p Params) (search.Result, error) {
	q, err := search.ParseQuery(p.Text)
	if err != nil {
		return search.Result{}, err
	}
	if len(p.Kinds) > 0 {
		q.Kinds = p.Kinds
	}
	if p.Folder != "" {
		q.Folder = p.Folder
	}
	if !p.After.IsZero() {
		q.After = p.After
	}
	if !p.Before.IsZero() {
		q.Before = p.Before
	}
	req := search.Request{Query: q, Text: p.Text, Mode: p.Mode, Limit: p.Limit, Offset: p.Offset}
	if p.Mode == search.ModeSemantic || p.Mode == search.ModeHybrid {
		if !s.semantic() {
			return search.Result{}, quire.Errorf(quire.EINVALID, "Semantic search is not configured on this server; use mode=keyword.")
		}
		if req.Vector, err = s.queryVector(ctx, ws, p.Text); err != nil {
			return search.Result{}, err
		}
	}
	if p.Rerank {
		req.Reranker = s.reranker(ws)
	}
	return s.find(ctx, ws, req)
}

// find runs req on ws's index.
func (s *Service) find(ctx context.Context, ws string, req search.Request) (search.Result, error) {
	ix, err := s.cache.Index(ctx, ws)
	if err != nil {
		return search.Result{}, err
	}
	res, err := ix.Find(ctx, req)
	if res.RerankErr != nil && res.RerankErr != errNoRerankModel {
		s.log.WarnContext(ctx, "rerank failed; local order used", "code", quire.ErrorCode(res.RerankErr))
	}
	return res, err
}

// queryVector embeds a query.
func (s *Service) queryVector(ctx context.Context, ws, text string) ([]float32, error) {
	if text == "" {
		return nil, quire.Errorf(quire.EINVALID, "Semantic search needs words to search for.")
	}
	caller, err := s.cfg.Caller(ctx, ws)
	if err != nil {
		return nil, err
	}
	resp, err := s.cfg.AI.Embed(ctx, caller, &gateway.EmbedRequest{Model: s.cfg.EmbedModel, Inputs: []string{text},
		Purpose: gateway.PurposeQuery})
	if err != nil {
		return nil, quire.WrapError(quire.EUNAVAILABLE, "The embedding model did not answer.", err)
	}
	if len(resp.Vectors) != 1 {
		return nil, quire.Errorf(quire.EUNAVAILABLE, "The embedding model returned no vector.")
	}
	return resp.Vectors[0], nil
}

// gatewayReranker reranks through the gateway; search falls back to its
// local reranker when it fails.
type gatewayReranker struct {
	s  *Service
	ws string
}

// reranker returns the gateway's reranker, or, with no rerank model, one
// that defers to search's local reranker at once.
func (s *Service) reranker(ws string) search.Reranker {
	if s.cfg.RerankModel == "" {
		return localOnly{}
	}
	return gatewayReranker{s, ws}
}

// Rerank implements search.Reranker.
func (g gatewayReranker) Rerank(ctx context.Context, query string, docs []string) ([]float64, error) {
	caller, err := g.s.cfg.Caller(ctx, g.ws)
	if err != nil {
		return nil, err
	}
	resp, err := g.s.cfg.AI.Rerank(ctx, caller, &gateway.RerankRequest{Model: g.s.cfg.RerankModel, Query: query, Documents: docs})
	if err != nil {
		return nil, err
	}
	scores := make([]float64, len(docs))
	for _, r := range resp.Results {
		if r.Index < 0 || r.Index >= len(docs) {
			return nil, quire.Errorf(quire.EUNAVAILABLE, "The rerank model named a document that was not sent.")
		}
		scores[r.Index] = r.Score
	}
	return scores, nil
}

// localOnly is a reranker that always defers to search's local one.
type localOnly struct{}

// Rerank implements search.Reranker by failing, so the local reranker
// orders the hits.
func (localOnly) Rerank(context.Context, string, []string) ([]float64, error) {
	return nil, errNoRerankModel
}

var errNoRerankModel = quire.Errorf(quire.EUNAVAILABLE, "No rerank model is configured.")
