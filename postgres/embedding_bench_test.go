package postgres

import (
	"context"
	"crypto/sha256"
	"fmt"
	"math/rand/v2"
	"runtime"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/quirehq/quire"
	"github.com/quirehq/quire/barrier"
	"github.com/quirehq/quire/storetest"
)

// Semantic search over a workspace of 10,000 notes with 768-dimension
// vectors loads them all at once.
const (
	benchEmbeddings = 10_000
	benchDims       = 768
)

// embeddingBenchEnv opens the services as the application role and
// creates a twin of the embeddings table (the baseline) that holds the
// same layout unsealed, with the same row-level security, so that the
// only difference measured is decryption.
func embeddingBenchEnv(b *testing.B) (*DB, *barrier.Barrier, string) {
	env := newEnv(b)
	db := mustOpen(b, env.config())
	ctx := context.Background()
	br, err := barrier.Open(ctx, barrier.StaticSource(newKey()), NewKeyStore(db), barrier.Options{})
	if err != nil {
		b.Fatal(err)
	}
	u := &quire.User{Email: "bench@example.com"}
	if err := NewUserService(db, br).CreateUser(ctx, u); err != nil {
		b.Fatal(err)
	}
	w := &quire.Workspace{Name: "bench", Region: quire.RegionUS, OwnerID: u.ID}
	if err := NewWorkspaceService(db, br).CreateWorkspace(ctx, w); err != nil {
		b.Fatal(err)
	}
	c := conn(b, env.OwnerURL)
	for _, q := range []string{
		"CREATE TABLE plain_embeddings (LIKE embeddings INCLUDING ALL)",
		"ALTER TABLE plain_embeddings ENABLE ROW LEVEL SECURITY",
		"ALTER TABLE plain_embeddings FORCE ROW LEVEL SECURITY",
		"CREATE POLICY tenant ON plain_embeddings USING (workspace_id = current_setting('quire.workspace_id', true))",
		"GRANT SELECT, INSERT, UPDATE ON plain_embeddings TO " + env.App,
	} {
		if _, err := c.Exec(ctx, q); err != nil {
			b.Fatal(err)
		}
	}
	return db, br, w.ID
}

// seedEmbeddings stores n embeddings in workspace ws, each sealed in
// embeddings and unsealed in the twin, in one transaction.
func seedEmbeddings(b *testing.B, db *DB, br *barrier.Barrier, ws string, n, dims int) {
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(1, 2))
	batch := &pgx.Batch{}
	for i := range n {
		e := &quire.Embedding{WorkspaceID: ws, DocID: quire.NewID(), Kind: "note", Model: "text-embedding-3-small", Vector: make([]float32, dims)}
		for j := range e.Vector {
			e.Vector[j] = float32(rng.NormFloat64())
		}
		h := sha256.Sum256(fmt.Appendf(nil, "note %d", i))
		e.TextHash = h[:]
		pt := e.MarshalVector()
		id := quire.NewID()
		ct, err := br.Encrypt(ctx, barrier.WorkspaceScope(ws), barrier.AD(tableEmbeddings, id, fieldVector), pt)
		if err != nil {
			b.Fatal(err)
		}
		for table, v := range map[string][]byte{tableEmbeddings: ct, "plain_embeddings": pt} {
			batch.Queue("INSERT INTO "+table+upsertEmbeddingSQL, id, ws, e.DocID, e.Kind, e.Model, dims, v, now())
		}
	}
	err := db.inTx(ctx, tenant(ws), func(tx pgx.Tx) error { return tx.SendBatch(ctx, batch).Close() })
	if err != nil {
		b.Fatal(err)
	}
}

// findPlainEmbeddings is FindEmbeddings on the twin, without decryption.
func findPlainEmbeddings(ctx context.Context, db *DB, ws string) ([]*quire.Embedding, error) {
	var rows []embeddingRow
	err := db.inTx(ctx, tenant(ws), func(tx pgx.Tx) error {
		var err error
		rows, err = selectEmbeddings(ctx, tx, "plain_embeddings", ws)
		return err
	})
	if err != nil {
		return nil, err
	}
	return decodeEmbeddings(rows, func(r *embeddingRow) ([]byte, error) { return r.vector, nil })
}

// BenchmarkEmbeddingFind compares FindEmbeddings of a whole workspace
// (10,000 × 768 dimensions) with the same read of the plain-text twin
// through the same pool; "paired" reports the ratio, enc/plain.
func BenchmarkEmbeddingFind(b *testing.B) {
	ctx := context.Background()
	db, br, ws := embeddingBenchEnv(b)
	seedEmbeddings(b, db, br, ws, benchEmbeddings, benchDims)
	svc := NewEmbeddingService(db, br)
	find := map[string]func() error{
		"encrypted":          func() error { return wantAll(svc.FindEmbeddings(ctx, ws)) },
		"plaintext-baseline": func() error { return wantAll(findPlainEmbeddings(ctx, db, ws)) },
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
