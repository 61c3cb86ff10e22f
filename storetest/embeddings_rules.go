package storetest

import (
	"context"
	"math"
	"strings"
	"testing"

	"github.com/quirehq/quire"
	"github.com/quirehq/quire/barrier"
)

// testEmbeddingValidation checks that every malformed field is refused
// with EINVALID before anything is stored, that the limits themselves are
// accepted, and that a put into a workspace that does not exist is
// ENOTFOUND and leaves no key behind.
func testEmbeddingValidation(t *testing.T, s Stores) {
	needEmbeddings(t, s)
	ctx := context.Background()
	ws := mustWorkspace(t, s, mustUser(t, s, "owner"), "validation")
	mk := marker()
	last := func(f float32) func(e *quire.Embedding) {
		return func(e *quire.Embedding) { e.Vector[len(e.Vector)-1] = f }
	}
	for _, tc := range []struct {
		name string
		edit func(e *quire.Embedding)
	}{
		{"no workspace", func(e *quire.Embedding) { e.WorkspaceID = "" }},
		{"malformed workspace", func(e *quire.Embedding) { e.WorkspaceID = strings.ToUpper(e.WorkspaceID) }},
		{"no document", func(e *quire.Embedding) { e.DocID = "" }},
		{"malformed document", func(e *quire.Embedding) { e.DocID = mk }},
		{"no kind", func(e *quire.Embedding) { e.Kind = "" }},
		{"capitalised kind", func(e *quire.Embedding) { e.Kind = "Note" }},
		{"other kind", func(e *quire.Embedding) { e.Kind = "file" }},
		{"no model", func(e *quire.Embedding) { e.Model = "" }},
		{"model too long", func(e *quire.Embedding) { e.Model = mk + strings.Repeat("m", 129-len(mk)) }},
		{"model not UTF-8", func(e *quire.Embedding) { e.Model = mk + "\xff" }},
		{"model with a control character", func(e *quire.Embedding) { e.Model = mk + "\n" }},
		{"no vector", func(e *quire.Embedding) { e.Vector = nil }},
		{"empty vector", func(e *quire.Embedding) { e.Vector = []float32{} }},
		{"too many dimensions", func(e *quire.Embedding) { e.Vector = testVector(4097, 1) }},
		{"NaN", last(float32(math.NaN()))},
		{"+Inf", last(float32(math.Inf(1)))},
		{"-Inf", last(float32(math.Inf(-1)))},
		{"no hash", func(e *quire.Embedding) { e.TextHash = nil }},
		{"hash too short", func(e *quire.Embedding) { e.TextHash = e.TextHash[:31] }},
		{"hash too long", func(e *quire.Embedding) { e.TextHash = append(e.TextHash, 0) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEmbedding(ws.ID, quire.NewID(), "note", 32, 1)
			tc.edit(e)
			err := s.Embeddings.PutEmbedding(ctx, e)
			wantCode(t, err, quire.EINVALID)
			if strings.Contains(err.Error(), mk) {
				t.Fatalf("the error quotes the value: %v", err)
			}
			if !e.UpdatedAt.IsZero() {
				t.Fatal("a refused put set UpdatedAt")
			}
		})
	}
	wantEmbeddings(t, s, ws.ID)

	var ok []*quire.Embedding
	for i, edit := range []func(e *quire.Embedding){
		func(e *quire.Embedding) { e.Model = strings.Repeat("m", 128) },
		func(e *quire.Embedding) { e.Model = "modèle-日本" },
		func(e *quire.Embedding) { e.Vector = testVector(4096, 2) },
		func(e *quire.Embedding) { e.Vector = []float32{math.Float32frombits(0x80000000)} },
	} {
		e := newEmbedding(ws.ID, quire.NewID(), "idea", 8, uint64(i))
		edit(e)
		ok = append(ok, mustPutEmbedding(t, s, e))
	}
	wantEmbeddings(t, s, ws.ID, ok...)

	nowhere := quire.NewID()
	wantCode(t, s.Embeddings.PutEmbedding(ctx, newEmbedding(nowhere, quire.NewID(), "note", 8, 1)), quire.ENOTFOUND)
	keys, err := s.Keys.LoadDataKeys(ctx, barrier.WorkspaceScope(nowhere))
	mustOK(t, err, "LoadDataKeys")
	if len(keys) != 0 {
		t.Fatalf("a put into a workspace that does not exist left %d data keys", len(keys))
	}
	_, err = s.Embeddings.FindEmbeddings(ctx, "not an id")
	wantCode(t, err, quire.EINVALID)
	wantCode(t, s.Embeddings.DeleteEmbedding(ctx, "not an id", quire.NewID()), quire.EINVALID)
	wantCode(t, s.Embeddings.DeleteEmbedding(ctx, ws.ID, "not an id"), quire.EINVALID)
	wantEmbeddings(t, s, ws.ID, ok...)
}

// testEmbeddingIsolation checks claim ISO-1 for embeddings: workspace B,
// even naming A's document IDs, reads none of A's embeddings, and its
// puts and deletes change only its own.
func testEmbeddingIsolation(t *testing.T, s Stores) {
	needEmbeddings(t, s)
	ctx := context.Background()
	a := mustWorkspace(t, s, mustUser(t, s, "alice"), "alice's")
	b := mustWorkspace(t, s, mustUser(t, s, "mallory"), "mallory's")
	x := mustPutEmbedding(t, s, newEmbedding(a.ID, quire.NewID(), "note", 32, 1))
	y := mustPutEmbedding(t, s, newEmbedding(a.ID, quire.NewID(), "idea", 32, 2))
	wantEmbeddings(t, s, b.ID)
	mustOK(t, s.Embeddings.DeleteEmbedding(ctx, b.ID, x.DocID), "DeleteEmbedding of A's document in B")
	wantEmbeddings(t, s, a.ID, x, y)
	own := mustPutEmbedding(t, s, newEmbedding(b.ID, x.DocID, "idea", 16, 3))
	wantEmbeddings(t, s, a.ID, x, y)
	wantEmbeddings(t, s, b.ID, own)
	mustOK(t, s.Embeddings.DeleteEmbedding(ctx, b.ID, x.DocID), "DeleteEmbedding in B")
	wantEmbeddings(t, s, b.ID)
	wantEmbeddings(t, s, a.ID, x, y)
}

// testEmbeddingWorkspaceDelete checks that deleting a workspace removes
// its embeddings and shreds their key, leaves other workspaces' alone,
// and that a put into the deleted workspace is refused.
func testEmbeddingWorkspaceDelete(t *testing.T, s Stores) {
	needEmbeddings(t, s)
	ctx := context.Background()
	owner := mustUser(t, s, "owner")
	doomed, kept := mustWorkspace(t, s, owner, "doomed"), mustWorkspace(t, s, owner, "kept")
	gone := mustPutEmbedding(t, s, newEmbedding(doomed.ID, quire.NewID(), "note", 32, 1))
	mustPutEmbedding(t, s, newEmbedding(doomed.ID, quire.NewID(), "idea", 32, 2))
	stays := mustPutEmbedding(t, s, newEmbedding(kept.ID, gone.DocID, "note", 32, 3))
	mustOK(t, s.Workspaces.DeleteWorkspace(ctx, doomed.ID), "DeleteWorkspace")
	r := s.Reopen(t)
	wantEmbeddings(t, r, doomed.ID)
	wantEmbeddings(t, r, kept.ID, stays)
	wantCode(t, r.Embeddings.PutEmbedding(ctx, newEmbedding(doomed.ID, gone.DocID, "note", 8, 4)), quire.ENOTFOUND)
	keys, err := r.Keys.LoadDataKeys(ctx, barrier.WorkspaceScope(doomed.ID))
	mustOK(t, err, "LoadDataKeys")
	if len(keys) != 0 {
		t.Fatalf("%d data keys of the deleted workspace remain", len(keys))
	}
}

// testEmbeddingRewrap checks that key rotation covers embeddings: after
// Rotate, Rewrap and Retire (which deletes the old key versions) every
// embedding, old, replaced or new after the rotation, reads back, also
// after a restart.
func testEmbeddingRewrap(t *testing.T, s Stores) {
	needEmbeddings(t, s)
	ctx := context.Background()
	byWS := map[string][]*quire.Embedding{}
	for i := range 2 {
		ws := mustWorkspace(t, s, mustUser(t, s, "user "+itoa(i)), "workspace "+itoa(i))
		for j := range 3 {
			byWS[ws.ID] = append(byWS[ws.ID], mustPutEmbedding(t, s, newEmbedding(ws.ID, quire.NewID(), "note", 64, uint64(10*i+j))))
		}
	}
	mustOK(t, s.Barrier.Rotate(ctx), "Rotate")
	for ws, es := range byWS {
		es[0] = mustPutEmbedding(t, s, newEmbedding(ws, es[0].DocID, "idea", 32, 99))
		byWS[ws] = append(es, mustPutEmbedding(t, s, newEmbedding(ws, quire.NewID(), "note", 16, 98)))
	}
	plan := planRetire(t, s)
	var lastTotal int
	mustOK(t, s.Rewrap(ctx, func(_, total int) { lastTotal = total }), "Rewrap")
	if lastTotal < 8 {
		t.Fatalf("Rewrap counted %d records, fewer than the 8 embeddings alone", lastTotal)
	}
	retire(t, s, plan)
	wantCleanKeys(t, s)
	check := func(in Stores) {
		for ws, es := range byWS {
			wantEmbeddings(t, in, ws, es...)
		}
	}
	check(s)
	check(s.Reopen(t))
}
