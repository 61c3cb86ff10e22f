package search

import "github.com/quirehq/quire"

// Mode selects how documents are found.
type Mode string

// Search modes.
const (
	ModeKeyword  Mode = "keyword"  // BM25 over the words
	ModeSemantic Mode = "semantic" // cosine similarity of the embeddings
	ModeHybrid   Mode = "hybrid"   // reciprocal rank fusion of both
)

// Paging and reranking limits.
const (
	DefaultLimit     = 20
	MaxLimit         = 100
	MaxOffset        = 10000
	DefaultRerankTop = 50
	// FusionDepth is how many documents of each list enter the fusion, at
	// least (more when the page reaches further).
	FusionDepth = 100
	// RRFK is the k of reciprocal rank fusion: score = Σ 1/(k + rank).
	RRFK = 60
)

// Request is one search.
type Request struct {
	Query Query
	// Text is the query as the user typed it, for the reranker; when empty
	// the reranker gets Query.String().
	Text string
	// Vector is the embedding of the query (semantic and hybrid modes).
	Vector []float32
	Mode   Mode // ModeKeyword when empty
	// Limit is the page size (DefaultLimit when 0, at most MaxLimit);
	// Offset the number of hits skipped (at most MaxOffset).
	Limit, Offset int
	// Reranker, when set, reorders the top RerankTop candidates
	// (DefaultRerankTop when 0); only those are then returned.
	Reranker  Reranker
	RerankTop int
}

// normalize applies the defaults and checks the bounds.
func (r *Request) normalize() error {
	switch r.Mode {
	case "":
		r.Mode = ModeKeyword
	case ModeKeyword, ModeSemantic, ModeHybrid:
	default:
		return quire.Errorf(quire.EINVALID, "Search mode must be keyword, semantic or hybrid.")
	}
	if r.Mode != ModeKeyword && len(r.Vector) == 0 {
		return quire.Errorf(quire.EINVALID, "Semantic and hybrid search need a query vector.")
	}
	if r.Limit < 0 || r.Limit > MaxLimit {
		return quire.Errorf(quire.EINVALID, "Search limit must be between 0 and %d.", MaxLimit)
	}
	if r.Offset < 0 || r.Offset > MaxOffset {
		return quire.Errorf(quire.EINVALID, "Search offset must be between 0 and %d.", MaxOffset)
	}
	if r.RerankTop < 0 || r.RerankTop > MaxOffset {
		return quire.Errorf(quire.EINVALID, "Rerank depth must be between 0 and %d.", MaxOffset)
	}
	if r.Limit == 0 {
		r.Limit = DefaultLimit
	}
	if r.RerankTop == 0 {
		r.RerankTop = DefaultRerankTop
	}
	return r.Query.validate()
}
