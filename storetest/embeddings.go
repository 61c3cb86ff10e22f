package storetest

import (
	"context"
	"crypto/sha256"
	"math"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"

	"github.com/quirehq/quire"
)

// needEmbeddings fails unless the backend provides the embedding store.
func needEmbeddings(t *testing.T, s Stores) {
	t.Helper()
	if s.Embeddings == nil {
		t.Fatal("the backend's Stores has no Embeddings: every backend must implement quire.EmbeddingService")
	}
}

// specialFloats are values a vector must keep bit for bit: signed zeros,
// subnormals, extremes and values with no exact decimal form.
var specialFloats = []float32{
	math.Float32frombits(0x80000000), // -0
	0,
	math.Float32frombits(0x00000001), // smallest subnormal
	math.Float32frombits(0x007fffff), // largest subnormal
	math.Float32frombits(0x80000001), // smallest negative subnormal
	math.MaxFloat32, -math.MaxFloat32, 0.1, -1e-38, 1,
}

// testVector returns dims values: specialFloats first, then pseudo-random
// ones drawn from seed.
func testVector(dims int, seed uint64) []float32 {
	r := rand.New(rand.NewPCG(seed, uint64(dims)))
	v := make([]float32, dims)
	n := copy(v, specialFloats)
	for i := n; i < dims; i++ {
		v[i] = float32(r.NormFloat64())
	}
	return v
}

// newEmbedding returns a valid embedding of document doc in workspace ws.
func newEmbedding(ws, doc, kind string, dims int, seed uint64) *quire.Embedding {
	h := sha256.Sum256([]byte(doc + itoa(int(seed))))
	return &quire.Embedding{WorkspaceID: ws, DocID: doc, Kind: kind, Model: "text-embedding-3-small",
		Vector: testVector(dims, seed), TextHash: h[:]}
}

func mustPutEmbedding(t *testing.T, s Stores, e *quire.Embedding) *quire.Embedding {
	t.Helper()
	needEmbeddings(t, s)
	mustOK(t, s.Embeddings.PutEmbedding(context.Background(), e), "PutEmbedding")
	checkTimes(t, "embedding", e.UpdatedAt, e.UpdatedAt)
	return e
}

// sameEmbedding compares every field, the floats bit for bit.
func sameEmbedding(t *testing.T, got, want *quire.Embedding) {
	t.Helper()
	if got.WorkspaceID != want.WorkspaceID || got.DocID != want.DocID || got.Kind != want.Kind || got.Model != want.Model ||
		!slices.Equal(got.TextHash, want.TextHash) || !got.UpdatedAt.Equal(want.UpdatedAt) {
		t.Fatalf("embedding of %s = {%s %s %s %x %v}, want {%s %s %s %x %v}", want.DocID, got.DocID, got.Kind, got.Model,
			got.TextHash, got.UpdatedAt, want.DocID, want.Kind, want.Model, want.TextHash, want.UpdatedAt)
	}
	if len(got.Vector) != len(want.Vector) {
		t.Fatalf("embedding of %s has %d dimensions, want %d", want.DocID, len(got.Vector), len(want.Vector))
	}
	for i := range want.Vector {
		if math.Float32bits(got.Vector[i]) != math.Float32bits(want.Vector[i]) {
			t.Fatalf("embedding of %s: dimension %d = %g (%#x), want %g (%#x)", want.DocID, i,
				got.Vector[i], math.Float32bits(got.Vector[i]), want.Vector[i], math.Float32bits(want.Vector[i]))
		}
	}
}

// wantEmbeddings fails unless workspace ws holds exactly want.
func wantEmbeddings(t *testing.T, s Stores, ws string, want ...*quire.Embedding) {
	t.Helper()
	got, err := s.Embeddings.FindEmbeddings(context.Background(), ws)
	mustOK(t, err, "FindEmbeddings")
	if got == nil && len(want) == 0 {
		return
	}
	byDoc := map[string]*quire.Embedding{}
	for _, e := range got {
		if byDoc[e.DocID] != nil {
			t.Fatalf("FindEmbeddings returns document %s twice", e.DocID)
		}
		byDoc[e.DocID] = e
	}
	if len(got) != len(want) {
		t.Fatalf("FindEmbeddings returns %d embeddings, want %d", len(got), len(want))
	}
	for _, w := range want {
		if byDoc[w.DocID] == nil {
			t.Fatalf("FindEmbeddings lacks document %s", w.DocID)
		}
		sameEmbedding(t, byDoc[w.DocID], w)
	}
}

// clone returns a deep copy of e, as the test's record of what was put.
func clone(e *quire.Embedding) *quire.Embedding {
	c := *e
	c.Vector, c.TextHash = slices.Clone(e.Vector), slices.Clone(e.TextHash)
	return &c
}

// testEmbeddingRoundTrip checks that what is put is read back exactly:
// every float bit for bit, the smallest and largest vectors, both kinds,
// after the caller reuses its slices, and after a restart.
func testEmbeddingRoundTrip(t *testing.T, s Stores) {
	needEmbeddings(t, s)
	ws := mustWorkspace(t, s, mustUser(t, s, "owner"), "embeddings")
	wantEmbeddings(t, s, ws.ID)
	put := []*quire.Embedding{newEmbedding(ws.ID, quire.NewID(), "note", 768, 1), newEmbedding(ws.ID, quire.NewID(), "idea", 1, 2),
		newEmbedding(ws.ID, quire.NewID(), "note", 4096, 3), newEmbedding(ws.ID, quire.NewID(), "idea", len(specialFloats), 4)}
	var want []*quire.Embedding
	for _, e := range put {
		mustPutEmbedding(t, s, e)
		want = append(want, clone(e))
		clear(e.Vector) // the store must have copied what it keeps
		clear(e.TextHash)
	}
	wantEmbeddings(t, s, ws.ID, want...)
	wantEmbeddings(t, s.Reopen(t), ws.ID, want...)
}

// testEmbeddingUpsert checks that a put replaces the document's
// embedding whole (kind, model, dimensions, hash), also when puts race.
func testEmbeddingUpsert(t *testing.T, s Stores) {
	needEmbeddings(t, s)
	ctx := context.Background()
	ws := mustWorkspace(t, s, mustUser(t, s, "owner"), "upsert")
	doc, other := quire.NewID(), mustPutEmbedding(t, s, newEmbedding(ws.ID, quire.NewID(), "note", 8, 9))
	first := mustPutEmbedding(t, s, newEmbedding(ws.ID, doc, "note", 768, 1))
	for i, e := range []*quire.Embedding{newEmbedding(ws.ID, doc, "idea", 384, 2), newEmbedding(ws.ID, doc, "note", 1024, 3)} {
		e.Model = "model-" + itoa(i)
		mustPutEmbedding(t, s, e)
		if e.UpdatedAt.Before(first.UpdatedAt) {
			t.Fatalf("UpdatedAt went back from %v to %v", first.UpdatedAt, e.UpdatedAt)
		}
		wantEmbeddings(t, s, ws.ID, e, other)
	}
	// Racing puts of one document leave one embedding, one of theirs,
	// which decrypts: each is bound to the row it wrote.
	const racers, base = 8, 64
	puts, errs := make([]*quire.Embedding, racers), make([]error, racers)
	var wg sync.WaitGroup
	for i := range puts {
		puts[i] = newEmbedding(ws.ID, doc, "note", base+i, uint64(10+i))
		wg.Go(func() { errs[i] = s.Embeddings.PutEmbedding(ctx, puts[i]) })
	}
	wg.Wait()
	for _, err := range errs {
		mustOK(t, err, "concurrent PutEmbedding")
	}
	got, err := s.Embeddings.FindEmbeddings(ctx, ws.ID)
	mustOK(t, err, "FindEmbeddings after racing puts")
	i := slices.IndexFunc(got, func(e *quire.Embedding) bool { return e.DocID == doc })
	if len(got) != 2 || i < 0 || len(got[i].Vector) < base || len(got[i].Vector) >= base+racers {
		t.Fatalf("after %d racing puts of one document: %d embeddings, not the other document's and one of the racers'", racers, len(got))
	}
	sameEmbedding(t, got[i], puts[len(got[i].Vector)-base])
}

// testEmbeddingDelete checks that delete removes one document's embedding
// only, and that deleting one that is not there is not an error.
func testEmbeddingDelete(t *testing.T, s Stores) {
	needEmbeddings(t, s)
	ctx := context.Background()
	ws := mustWorkspace(t, s, mustUser(t, s, "owner"), "delete")
	gone := mustPutEmbedding(t, s, newEmbedding(ws.ID, quire.NewID(), "note", 16, 1))
	kept := mustPutEmbedding(t, s, newEmbedding(ws.ID, quire.NewID(), "idea", 16, 2))
	mustOK(t, s.Embeddings.DeleteEmbedding(ctx, ws.ID, gone.DocID), "DeleteEmbedding")
	wantEmbeddings(t, s, ws.ID, kept)
	mustOK(t, s.Embeddings.DeleteEmbedding(ctx, ws.ID, gone.DocID), "DeleteEmbedding again")
	mustOK(t, s.Embeddings.DeleteEmbedding(ctx, ws.ID, quire.NewID()), "DeleteEmbedding of a document without one")
	mustOK(t, s.Embeddings.DeleteEmbedding(ctx, quire.NewID(), kept.DocID), "DeleteEmbedding in a workspace that does not exist")
	wantEmbeddings(t, s, ws.ID, kept)
	back := mustPutEmbedding(t, s, newEmbedding(ws.ID, gone.DocID, "note", 16, 3))
	wantEmbeddings(t, s, ws.ID, kept, back)
}
