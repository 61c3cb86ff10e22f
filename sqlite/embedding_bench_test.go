package sqlite

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"runtime"
	"testing"

	"github.com/quirehq/quire"
	"github.com/quirehq/quire/barrier"
	"github.com/quirehq/quire/storetest"
)

// The baseline keeps the same rows in a twin of the embeddings table with
// vector_enc in plain text (the same layout, unsealed), read through the
// same query and decoding: the difference is the cost of decryption.
const plainEmbeddings = "embeddings_plain"

const plainEmbeddingsDDL = `CREATE TABLE embeddings_plain (
    id           TEXT    PRIMARY KEY,
    workspace_id TEXT    NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    doc_id       TEXT    NOT NULL,
    kind         TEXT    NOT NULL,
    model        TEXT    NOT NULL,
    dims         INTEGER NOT NULL,
    vector_enc   BLOB    NOT NULL,
    updated_at   TEXT    NOT NULL,
    UNIQUE (workspace_id, doc_id)
) STRICT;`

// Semantic search over a workspace of 10,000 notes with 768-dimension
// vectors loads them all at once.
const (
	benchEmbeddings = 10_000
	benchDims       = 768
)

// seedEmbeddings stores n embeddings in workspace ws, each sealed in
// embeddings and in plain text in the twin, in one transaction.
func seedEmbeddings(b *testing.B, s *testStore, ws string, n, dims int) {
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(1, 2))
	var sealed, plain []*embeddingRow
	for i := range n {
		e := &quire.Embedding{WorkspaceID: ws, DocID: quire.NewID(), Kind: "note", Model: "text-embedding-3-small", Vector: make([]float32, dims)}
		for j := range e.Vector {
			e.Vector[j] = float32(rng.NormFloat64())
		}
		h := sha256.Sum256(fmt.Appendf(nil, "note %d", i))
		e.TextHash = h[:]
		r := embeddingRow{id: quire.NewID(), workspaceID: ws, docID: e.DocID, kind: e.Kind, model: e.Model, dims: dims,
			vector: e.MarshalVector(), updated: formatTime(now())}
		p := r
		ct, err := s.b.Encrypt(ctx, barrier.WorkspaceScope(ws), barrier.AD(tableEmbeddings, r.id, fieldVector), r.vector)
		if err != nil {
			b.Fatal(err)
		}
		r.vector = ct
		sealed, plain = append(sealed, &r), append(plain, &p)
	}
	err := s.db.write(ctx, func(tx *sql.Tx) error {
		for i := range sealed {
			if err := upsertEmbedding(ctx, tx, tableEmbeddings, sealed[i]); err != nil {
				return err
			}
			if err := upsertEmbedding(ctx, tx, plainEmbeddings, plain[i]); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
}

// findPlainEmbeddings is FindEmbeddings on the twin, without decryption.
func findPlainEmbeddings(ctx context.Context, db *DB, ws string) ([]*quire.Embedding, error) {
	rows, err := db.selectEmbeddings(ctx, plainEmbeddings, ws)
	if err != nil {
		return nil, err
	}
	return decodeEmbeddings(rows, func(r *embeddingRow) ([]byte, error) { return r.vector, nil })
}

// BenchmarkEmbeddingFind compares FindEmbeddings of a whole workspace
// (10,000 × 768 dimensions) with the same read of the plain-text twin;
// "paired" reports the ratio, enc/plain.
func BenchmarkEmbeddingFind(b *testing.B) {
	ctx := context.Background()
	s := newTestStore(b)
	s.exec(b, plainEmbeddingsDDL)
	ws := s.workspace(b).ID
	seedEmbeddings(b, s, ws, benchEmbeddings, benchDims)
	svc := NewEmbeddingService(s.db, s.b)
	find := map[string]func() error{
		"encrypted":          func() error { return wantAll(svc.FindEmbeddings(ctx, ws)) },
		"plaintext-baseline": func() error { return wantAll(findPlainEmbeddings(ctx, s.db, ws)) },
	}
	for _, name := range []string{"encrypted", "plaintext-baseline"} {
		b.Run(name, func(b *testing.B) {
			b.SetBytes(benchEmbeddings * benchDims * 4)
			for b.Loop() {
				if err := find[name](); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	b.Run("paired", func(b *testing.B) {
		storetest.Paired(b, collected(find["encrypted"]), collected(find["plaintext-baseline"]))
	})
}

// collected runs fn and then a garbage collection, timed with it. Each
// read allocates about a hundred megabytes: without this, the collection
// of one side's garbage would often fall in the other side's time.
func collected(fn func() error) func() error {
	return func() error {
		err := fn()
		runtime.GC()
		return err
	}
}

// wantAll checks that a find returned the whole benchmark workspace.
func wantAll(es []*quire.Embedding, err error) error {
	if err == nil && (len(es) != benchEmbeddings || len(es[0].Vector) != benchDims) {
		err = fmt.Errorf("read %d embeddings, want %d of %d dimensions", len(es), benchEmbeddings, benchDims)
	}
	return err
}
