package search

import (
	"context"
	"errors"
	"math"
	"slices"
	"testing"

	"github.com/quirehq/quire"
)

func TestSearchVector(t *testing.T) {
	ix := mustIndex(t,
		Doc{ID: "x", Title: "east", Vector: []float32{10, 0, 0}},
		Doc{ID: "xy", Title: "north east", Vector: []float32{1, 1, 0}},
		Doc{ID: "y", Title: "north", Vector: []float32{0, 3, 0}},
		Doc{ID: "idea", Kind: KindIdea, Title: "idea", Vector: []float32{2, 0.1, 0}},
		Doc{ID: "none", Title: "no vector"},
	)
	hits, err := ix.SearchVector([]float32{5, 0, 0}, Query{}, 10)
	if err != nil {
		t.Fatal(err)
	}
	if got := ids(hits); !slices.Equal(got, []string{"x", "idea", "xy", "y"}) {
		t.Fatalf("order %v", got)
	}
	if math.Abs(hits[0].Score-1) > 1e-6 || math.Abs(hits[2].Score-math.Sqrt2/2) > 1e-6 || math.Abs(hits[3].Score) > 1e-6 {
		t.Errorf("cosines %v %v %v", hits[0].Score, hits[2].Score, hits[3].Score)
	}
	if hits[0].SemanticRank != 1 || hits[0].KeywordRank != 0 {
		t.Errorf("ranks %+v", hits[0])
	}
	q, _ := ParseQuery("type:note -north")
	hits, _ = ix.SearchVector([]float32{1, 0, 0}, q, 10)
	if got := ids(hits); !slices.Equal(got, []string{"x"}) {
		t.Errorf("filtered: %v", got)
	}
}

func TestVectorDims(t *testing.T) {
	ix := mustIndex(t, Doc{ID: "a", Title: "a", Vector: []float32{1, 0}}, Doc{ID: "b", Title: "b", Vector: []float32{0, 1}})
	err := ix.Upsert(Doc{ID: "c", Kind: KindNote, Title: "c", Vector: []float32{1, 0, 0}})
	if quire.ErrorCode(err) != quire.EINVALID || ix.Len() != 2 {
		t.Fatalf("3-dim vector into a 2-dim index: %v, len %d", err, ix.Len())
	}
	err = ix.Upsert(Doc{ID: "a", Kind: KindNote, Title: "changed", Vector: []float32{1, 0, 0}})
	if err == nil || len(find(t, ix, "changed")) != 0 {
		t.Fatalf("a refused update must leave the document: %v", err)
	}
	if _, err := ix.SearchVector([]float32{1, 0, 0}, Query{}, 5); quire.ErrorCode(err) != quire.EINVALID {
		t.Errorf("query of the wrong dimension: %v", err)
	}
	for _, v := range [][]float32{{0, 0}, {float32(math.NaN()), 1}, {float32(math.Inf(1)), 0}, make([]float32, MaxDims+1)} {
		if err := ix.Upsert(Doc{ID: "z", Kind: KindNote, Vector: v}); err == nil {
			t.Errorf("vector %v accepted", v[:2])
		}
	}
	// Once the last vector is gone, another dimension is welcome.
	ix.Remove("a")
	if err := ix.Upsert(Doc{ID: "b", Kind: KindNote, Title: "b", Vector: []float32{0, 0, 1}}); err != nil || ix.Dims() != 3 {
		t.Fatalf("replacing the last vector: %v, dims %d", err, ix.Dims())
	}
	if hits, _ := ix.SearchVector([]float32{0, 0, 2}, Query{}, 5); len(hits) != 1 || hits[0].ID != "b" {
		t.Errorf("after the change: %v", ids(hits))
	}
}

// TestUpsertCopiesVector: the caller's slice is neither kept nor changed.
func TestUpsertCopiesVector(t *testing.T) {
	v := []float32{3, 4}
	ix := mustIndex(t, Doc{ID: "a", Title: "a", Vector: v})
	v[0], v[1] = 0, 1
	hits, _ := ix.SearchVector([]float32{3, 4}, Query{}, 1)
	if len(hits) != 1 || math.Abs(hits[0].Score-1) > 1e-6 {
		t.Errorf("stored vector changed with the caller's: %v", hits)
	}
}

func TestHybridFusion(t *testing.T) {
	ix := mustIndex(t,
		Doc{ID: "kw", Title: "budget budget", Body: "budget", Vector: []float32{0, 1}},
		Doc{ID: "both", Title: "budget", Vector: []float32{1, 0}},
		Doc{ID: "sem", Title: "money", Vector: []float32{0.9, 0.1}},
		Doc{ID: "far", Title: "weather", Vector: []float32{-1, 0}},
	)
	q, _ := ParseQuery("budget ")
	res, err := ix.Find(context.Background(), Request{Query: q, Vector: []float32{1, 0}, Mode: ModeHybrid})
	if err != nil {
		t.Fatal(err)
	}
	// keyword: kw, both. semantic: both, sem, kw, far.
	if got := ids(res.Hits); !slices.Equal(got, []string{"both", "kw", "sem", "far"}) {
		t.Fatalf("fused order %v", got)
	}
	both := res.Hits[0]
	want := 1.0/(RRFK+2) + 1.0/(RRFK+1)
	if math.Abs(both.Score-want) > 1e-12 || both.KeywordRank != 2 || both.SemanticRank != 1 || both.Keyword <= 0 || both.Semantic <= 0 {
		t.Errorf("both: %+v, want score %v", both, want)
	}
	if res.Hits[2].KeywordRank != 0 || res.Total != 4 || res.Mode != ModeHybrid {
		t.Errorf("sem: %+v, total %d", res.Hits[2], res.Total)
	}
	if _, err := ix.Find(context.Background(), Request{Query: q, Mode: ModeHybrid}); quire.ErrorCode(err) != quire.EINVALID {
		t.Errorf("hybrid without a vector: %v", err)
	}
	if _, err := ix.Find(context.Background(), Request{Mode: "fuzzy"}); quire.ErrorCode(err) != quire.EINVALID {
		t.Errorf("unknown mode: %v", err)
	}
}

type fakeReranker struct {
	scores []float64
	err    error
	query  string
	docs   []string
}

func (f *fakeReranker) Rerank(_ context.Context, query string, docs []string) ([]float64, error) {
	f.query, f.docs = query, docs
	return f.scores, f.err
}

func TestRerank(t *testing.T) {
	ix := mustIndex(t,
		Doc{ID: "a", Title: "solar report", Body: filler(5) + "panel"},
		Doc{ID: "b", Title: "notes", Body: "solar panel installation"},
		Doc{ID: "c", Title: "panel", Body: "lorem ipsum solar"},
	)
	q, _ := ParseQuery(`solar panel `)
	base, _ := ix.Search(q, 10, 0)
	if len(base.Hits) != 3 {
		t.Fatalf("base: %v", ids(base.Hits))
	}
	r := &fakeReranker{scores: []float64{0.1, 0.9, 0.5}}
	res, err := ix.Find(context.Background(), Request{Query: q, Text: "solar panels?", Reranker: r, RerankTop: 3})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{ids(base.Hits)[1], ids(base.Hits)[2], ids(base.Hits)[0]}
	if got := ids(res.Hits); !slices.Equal(got, want) || !res.Reranked || res.RerankFallback || res.Hits[0].Score != 0.9 {
		t.Fatalf("reranked %v (%+v), want %v", got, res, want)
	}
	if r.query != "solar panels?" || len(r.docs) != 3 || len(r.docs[0]) > 1024+100 {
		t.Errorf("reranker got %q and %d docs", r.query, len(r.docs))
	}

	for _, bad := range []*fakeReranker{{err: errors.New("upstream 503")}, {scores: []float64{1}}, {scores: []float64{1, math.NaN(), 0}}} {
		res, err = ix.Find(context.Background(), Request{Query: q, Reranker: bad})
		if err != nil || !res.RerankFallback || res.RerankErr == nil || len(res.Hits) != 3 {
			t.Fatalf("fallback: %+v %v", res, err)
		}
		// Locally, the closer the terms, the higher.
		if !slices.Equal(ids(res.Hits), []string{"b", "c", "a"}) || !(res.Hits[0].Score > res.Hits[1].Score) {
			t.Errorf("local rerank order %v", ids(res.Hits))
		}
	}
}

func TestRerankLimitsToTop(t *testing.T) {
	var docs []Doc
	for i := range 10 {
		docs = append(docs, Doc{ID: string(rune('a' + i)), Title: "word"})
	}
	ix := mustIndex(t, docs...)
	q, _ := ParseQuery("word ")
	res, err := ix.Find(context.Background(), Request{Query: q, Reranker: &fakeReranker{scores: []float64{1, 2, 3, 4}}, RerankTop: 4, Limit: 3, Offset: 2})
	if err != nil || res.Total != 4 || len(res.Hits) != 2 {
		t.Fatalf("total %d hits %d: %v", res.Total, len(res.Hits), err)
	}
}

// TestUpsertKeepVector: an update of a document's metadata keeps its
// vector when asked to, and drops it otherwise.
func TestUpsertKeepVector(t *testing.T) {
	ix := NewIndex()
	d := Doc{ID: "a", Kind: KindNote, Title: "alpha", Vector: []float32{1, 0, 0}}
	if err := ix.Upsert(d); err != nil {
		t.Fatal(err)
	}
	if err := ix.Upsert(Doc{ID: "b", Kind: KindNote, Title: "beta", Vector: []float32{0, 1, 0}}); err != nil {
		t.Fatal(err)
	}
	moved := Doc{ID: "a", Kind: KindNote, FolderID: "f", Title: "alpha", KeepVector: true}
	if err := ix.Upsert(moved); err != nil {
		t.Fatal(err)
	}
	hits, err := ix.SearchVector([]float32{1, 0, 0}, Query{}, 1)
	if err != nil || len(hits) != 1 || hits[0].ID != "a" || hits[0].FolderID != "f" {
		t.Fatalf("after a kept-vector update: %+v, %v", hits, err)
	}
	moved.KeepVector = false
	if err := ix.Upsert(moved); err != nil {
		t.Fatal(err)
	}
	if hits, _ := ix.SearchVector([]float32{1, 0, 0}, Query{}, 2); len(hits) != 1 || hits[0].ID != "b" {
		t.Fatalf("after an update without a vector: %+v", hits)
	}
}
