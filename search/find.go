package search

import "context"

// Find runs a search. The index is read-locked only while the candidates
// are chosen: reranking (which may call a remote service) and highlighting
// work on copies of the candidates' text.
func (ix *Index) Find(ctx context.Context, req Request) (Result, error) {
	if err := req.normalize(); err != nil {
		return Result{}, err
	}
	qv, err := normalized(req.Vector)
	if err != nil {
		return Result{}, err
	}
	depth := req.Offset + req.Limit
	if req.Reranker != nil {
		depth = req.RerankTop
	}
	ix.mu.RLock()
	hits, total, err := ix.collect(&req, qv, depth)
	ix.mu.RUnlock()
	if err != nil {
		return Result{}, err
	}
	res := Result{Mode: req.Mode, Total: total}
	m := newMatcher(&req.Query)
	if req.Reranker != nil && len(hits) > 0 {
		rerank(ctx, &req, m, hits, &res)
		res.Total = len(hits)
	}
	hits = hits[min(req.Offset, len(hits)):min(req.Offset+req.Limit, len(hits))]
	res.Hits = make([]Hit, len(hits))
	for i := range hits {
		h := &hits[i]
		h.Title = m.highlight(h.title, FragmentBytes)
		h.Body = m.highlight(h.body, FragmentBytes)
		res.Hits[i] = h.Hit
	}
	return res, nil
}

// hitDoc is a hit with its document's text, copied out of the index.
type hitDoc struct {
	Hit
	title, body string
}

// collect chooses the candidates, best first, under the read lock.
func (ix *Index) collect(req *Request, qv []float32, depth int) ([]hitDoc, int, error) {
	q := &req.Query
	switch req.Mode {
	case ModeKeyword:
		kw, total := ix.keyword(q, depth)
		hits := make([]hitDoc, len(kw))
		for i, c := range kw {
			hits[i] = ix.hitDoc(c.ord, c.score)
			hits[i].Keyword, hits[i].KeywordRank = c.score, i+1
		}
		return hits, total, nil
	case ModeSemantic:
		sem, total, err := ix.semantic(qv, q, depth)
		hits := make([]hitDoc, len(sem))
		for i, c := range sem {
			hits[i] = ix.hitDoc(c.ord, c.score)
			hits[i].Semantic, hits[i].SemanticRank = c.score, i+1
		}
		return hits, total, err
	}
	n := max(depth, FusionDepth)
	kw, _ := ix.keyword(q, n)
	sem, _, err := ix.semantic(qv, q, n)
	if err != nil {
		return nil, 0, err
	}
	fused := ix.fuse(kw, sem)
	total := len(fused)
	hits := make([]hitDoc, min(len(fused), depth))
	for i := range hits {
		f := &fused[i]
		hits[i] = ix.hitDoc(f.ord, f.score)
		hits[i].Keyword, hits[i].KeywordRank = f.kw, f.kwRank
		hits[i].Semantic, hits[i].SemanticRank = f.sem, f.semRank
	}
	return hits, total, nil
}

func (ix *Index) hitDoc(ord uint32, score float64) hitDoc {
	e := &ix.docs[ord]
	return hitDoc{
		Hit:   Hit{ID: e.id, Kind: e.kind, FolderID: e.folder, Updated: e.updated, Score: score},
		title: e.title, body: e.body,
	}
}
