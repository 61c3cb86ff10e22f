package storetest

import (
	"bytes"
	"context"
	"encoding/binary"
	"math"
	"strings"
	"testing"

	"github.com/quirehq/quire"
	"github.com/quirehq/quire/barrier"
)

// RawEmbedding is an embeddings row as stored: its row ID, its dimensions
// (in clear) and its sealed text hash and vector (vector_enc).
type RawEmbedding struct {
	ID        string
	Dims      int
	VectorEnc []byte
}

func needRawEmbeddings(t *testing.T, s Stores) {
	t.Helper()
	needEmbeddings(t, s)
	if s.RawEmbedding == nil || s.SetRawEmbedding == nil {
		t.Fatal("the backend's Stores has no RawEmbedding or SetRawEmbedding: every backend must let the suite read and write embeddings rows below the store")
	}
}

// plaintextOf is the documented layout of vector_enc's plaintext: the
// text hash, then each float32 little-endian.
func plaintextOf(e *quire.Embedding) []byte {
	out := bytes.Clone(e.TextHash)
	for _, f := range e.Vector {
		out = binary.LittleEndian.AppendUint32(out, math.Float32bits(f))
	}
	return out
}

// markerVector returns floats whose little-endian bytes spell mk, padded
// with zero bytes: ASCII bytes make only finite floats.
func markerVector(mk string) []float32 {
	b := []byte(mk)
	b = append(b, make([]byte, (4-len(b)%4)%4)...)
	v := make([]float32, len(b)/4)
	for i := range v {
		v[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:]))
	}
	return v
}

// testEmbeddingStoredLayout checks, below the store, that vector_enc is
// the documented plaintext sealed under the workspace's scope and bound
// to table "embeddings", the row's ID and field "vector", that dims is
// stored in clear, and that a put gives the row a new ID.
func testEmbeddingStoredLayout(t *testing.T, s Stores) {
	needRawEmbeddings(t, s)
	ctx := context.Background()
	ws := mustWorkspace(t, s, mustUser(t, s, "owner"), "layout")
	e := mustPutEmbedding(t, s, newEmbedding(ws.ID, quire.NewID(), "note", 768, 1))
	raw := s.RawEmbedding(t, ws.ID, e.DocID)
	if !quire.ValidID(raw.ID) || raw.ID == e.DocID || raw.Dims != 768 {
		t.Fatalf("row ID %q, dims %d; want a row ID of its own and 768 dims", raw.ID, raw.Dims)
	}
	scope := barrier.WorkspaceScope(ws.ID)
	pt, err := s.Barrier.Decrypt(ctx, scope, barrier.AD("embeddings", raw.ID, "vector"), raw.VectorEnc)
	mustOK(t, err, "Decrypt vector_enc under its own associated data")
	if !bytes.Equal(pt, plaintextOf(e)) {
		t.Fatalf("vector_enc holds %d bytes that are not the text hash and the little-endian floats (%d bytes)", len(pt), len(plaintextOf(e)))
	}
	for _, ad := range [][]byte{barrier.AD("embeddings", e.DocID, "vector"), barrier.AD("embeddings", raw.ID, "text"),
		barrier.AD("notes", raw.ID, "vector"), barrier.AD("embeddings", quire.NewID(), "vector")} {
		if _, err := s.Barrier.Decrypt(ctx, scope, ad, raw.VectorEnc); err == nil {
			t.Fatalf("vector_enc decrypts under associated data %q", ad)
		}
	}
	mustPutEmbedding(t, s, newEmbedding(ws.ID, e.DocID, "note", 8, 2))
	if again := s.RawEmbedding(t, ws.ID, e.DocID); again.ID == raw.ID || again.Dims != 8 {
		t.Fatalf("after a put: row ID %q (was %q), dims %d; want a new row ID and 8 dims", again.ID, raw.ID, again.Dims)
	}
}

// testEmbeddingCiphertextBound checks, tampering below the store, that a
// sealed vector read under any other row fails to decrypt (EINTERNAL,
// without quoting anything), as does one with altered bytes or altered
// clear dimensions, and that a put heals the row.
func testEmbeddingCiphertextBound(t *testing.T, s Stores) {
	needRawEmbeddings(t, s)
	ctx := context.Background()
	a := mustWorkspace(t, s, mustUser(t, s, "alice"), "a")
	b := mustWorkspace(t, s, mustUser(t, s, "bob"), "b")
	var docs []*quire.Embedding
	for i := range 3 {
		docs = append(docs, mustPutEmbedding(t, s, newEmbedding(a.ID, quire.NewID(), "note", 16, uint64(i))))
	}
	foreign := mustPutEmbedding(t, s, newEmbedding(b.ID, docs[0].DocID, "note", 16, 9))
	victim := docs[1]
	old := s.RawEmbedding(t, a.ID, docs[0].DocID)
	mustPutEmbedding(t, s, docs[0]) // old is now a value that a put replaced
	current := func(e *quire.Embedding) RawEmbedding { return s.RawEmbedding(t, e.WorkspaceID, e.DocID) }
	for _, tc := range []struct {
		name   string
		target *quire.Embedding
		raw    func() RawEmbedding // read when the case runs: a put heals each case
	}{
		{"another row of the workspace", victim, func() RawEmbedding { return current(docs[2]) }},
		{"another workspace's row of the same document", victim, func() RawEmbedding { return current(foreign) }},
		{"the value a put replaced, on its own document", docs[0], func() RawEmbedding { return old }},
		{"altered bytes", victim, func() RawEmbedding {
			r := current(victim)
			r.VectorEnc[len(r.VectorEnc)-1] ^= 1
			return r
		}},
		{"its own value with more dims", victim, func() RawEmbedding {
			r := current(victim)
			r.Dims++
			return r
		}},
		{"its own value with fewer dims", victim, func() RawEmbedding {
			r := current(victim)
			r.Dims--
			return r
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			raw := tc.raw()
			s.SetRawEmbedding(t, a.ID, tc.target.DocID, raw.Dims, raw.VectorEnc)
			_, err := s.Embeddings.FindEmbeddings(ctx, a.ID)
			wantCode(t, err, quire.EINTERNAL)
			if strings.Contains(err.Error(), tc.target.DocID) {
				t.Fatalf("the error names the document: %v", err)
			}
			mustPutEmbedding(t, s, tc.target)
			wantEmbeddings(t, s, a.ID, docs...)
		})
	}
	wantEmbeddings(t, s, b.ID, foreign)
}

// testEmbeddingCanary checks claim ENC-1 for embeddings from below the
// barrier: a vector and a text hash whose bytes spell markers, and vectors
// later replaced or deleted, appear nowhere in the raw storage, before
// and after a restart, while the document ID and model name, stored in
// plain text on purpose, are found.
func testEmbeddingCanary(t *testing.T, s Stores) {
	needEmbeddings(t, s)
	ctx := context.Background()
	ws := mustWorkspace(t, s, mustUser(t, s, "owner"), "canary")
	m := map[string]string{}
	for _, k := range []string{"vector", "text hash", "replaced vector", "deleted vector"} {
		m[k] = marker()
	}
	spelled := func(k, doc string) *quire.Embedding {
		e := newEmbedding(ws.ID, doc, "note", 768, 1)
		copy(e.Vector[100:], markerVector(m[k]))
		if !bytes.Contains(plaintextOf(e), []byte(m[k])) {
			t.Fatalf("the %s does not spell its marker", k)
		}
		return mustPutEmbedding(t, s, e)
	}
	e := spelled("vector", quire.NewID())
	e.TextHash = append([]byte(m["text hash"]), '!') // 31 + 1 bytes
	e.Model = "canary-model-" + quire.NewID()
	mustPutEmbedding(t, s, e)
	replaced := spelled("replaced vector", quire.NewID())
	mustPutEmbedding(t, s, newEmbedding(ws.ID, replaced.DocID, "idea", 768, 2))
	mustOK(t, s.Embeddings.DeleteEmbedding(ctx, ws.ID, spelled("deleted vector", quire.NewID()).DocID), "DeleteEmbedding")
	plain := map[string]string{"document ID": e.DocID, "model": e.Model}
	scan := func(t *testing.T, in Stores) {
		for field, mk := range m {
			found, err := in.Inspector.ScanRaw(ctx, []byte(mk))
			mustOK(t, err, "ScanRaw")
			if len(found) != 0 {
				t.Errorf("marker of the embedding's %s found in raw storage at %v", field, found)
			}
		}
		for what, v := range plain {
			found, err := in.Inspector.ScanRaw(ctx, []byte(v))
			mustOK(t, err, "ScanRaw")
			if len(found) == 0 {
				t.Errorf("ScanRaw cannot find the %s, which is stored in plain text: the scanner is blind", what)
			}
		}
	}
	t.Run("live", func(t *testing.T) { scan(t, s) })
	t.Run("after restart", func(t *testing.T) { scan(t, s.Reopen(t)) })
}
