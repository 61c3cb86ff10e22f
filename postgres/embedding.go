package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/quirehq/quire"
	"github.com/quirehq/quire/barrier"
)

// Table and field of the sealed embedding vectors, bound into each
// ciphertext as associated data: part of the stored format.
const (
	tableEmbeddings = "embeddings"
	fieldVector     = "vector"
)

// EmbeddingService stores embeddings, the vector and text hash of each
// sealed together under its workspace's scope and bound to its row (see
// embedding_codec.go for the layout), each transaction bound to that
// workspace.
type EmbeddingService struct {
	db *DB
	b  *barrier.Barrier
}

var _ quire.EmbeddingService = (*EmbeddingService)(nil)

// NewEmbeddingService returns an embedding service over db that encrypts
// with b.
func NewEmbeddingService(db *DB, b *barrier.Barrier) *EmbeddingService {
	return &EmbeddingService{db: db, b: b}
}

// embeddingRow is an embeddings row as stored: vector holds the sealed
// text hash and vector.
type embeddingRow struct {
	id, workspaceID, docID, kind, model string
	dims                                int
	vector                              []byte
	updated                             time.Time
}

const embeddingColumns = "id, workspace_id, doc_id, kind, model, dims, vector_enc, updated_at"

// upsertEmbeddingSQL replaces a document's row whole, its ID included: the
// new ciphertext is bound to the new ID, so a value can never be read
// under the ID of the one it replaced.
const upsertEmbeddingSQL = " (" + embeddingColumns + ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8)" +
	" ON CONFLICT (workspace_id, doc_id) DO UPDATE SET id = excluded.id, kind = excluded.kind, model = excluded.model," +
	" dims = excluded.dims, vector_enc = excluded.vector_enc, updated_at = excluded.updated_at"

// upsertEmbedding writes r into table (embeddings, or the benchmark's
// plain-text twin).
func upsertEmbedding(ctx context.Context, tx pgx.Tx, table string, r *embeddingRow) error {
	_, err := tx.Exec(ctx, "INSERT INTO "+table+upsertEmbeddingSQL,
		r.id, r.workspaceID, r.docID, r.kind, r.model, r.dims, r.vector, r.updated)
	return err
}

// selectEmbeddings reads every row of a workspace in table, in document
// order, in one query.
func selectEmbeddings(ctx context.Context, tx pgx.Tx, table, workspaceID string) ([]embeddingRow, error) {
	rows, err := tx.Query(ctx, "SELECT "+embeddingColumns+" FROM "+table+" WHERE workspace_id = $1 ORDER BY doc_id", workspaceID)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (embeddingRow, error) {
		var r embeddingRow
		err := row.Scan(&r.id, &r.workspaceID, &r.docID, &r.kind, &r.model, &r.dims, &r.vector, &r.updated)
		return r, err
	})
}

// PutEmbedding implements quire.EmbeddingService. It sets e.UpdatedAt.
func (s *EmbeddingService) PutEmbedding(ctx context.Context, e *quire.Embedding) error {
	if err := e.Validate(); err != nil {
		return err
	}
	r := &embeddingRow{id: quire.NewID(), workspaceID: e.WorkspaceID, docID: e.DocID, kind: e.Kind, model: e.Model,
		dims: len(e.Vector), updated: now()}
	scope := barrier.WorkspaceScope(e.WorkspaceID)
	pt := e.MarshalVector()
	ct, err := s.b.Encrypt(ctx, scope, barrier.AD(tableEmbeddings, r.id, fieldVector), pt)
	clear(pt)
	if err != nil {
		return internal("encrypt embedding", err)
	}
	r.vector = ct
	err = s.db.inTx(ctx, tenant(e.WorkspaceID), func(tx pgx.Tx) error {
		err := upsertEmbedding(ctx, tx, tableEmbeddings, r)
		if pgCode(err) == codeForeignKeyViolation {
			return quire.Errorf(quire.ENOTFOUND, "Workspace not found.")
		}
		return internal("put embedding", err)
	})
	if quire.ErrorCode(err) == quire.ENOTFOUND {
		// Encrypting made a data key for a workspace that does not exist.
		_ = s.b.Shred(context.WithoutCancel(ctx), scope)
	}
	if err != nil {
		return err
	}
	e.UpdatedAt = r.updated
	return nil
}

// FindEmbeddings implements quire.EmbeddingService: one query in a
// transaction bound to the workspace, then each row decrypted after it.
// A workspace without embeddings, or that does not exist, has none.
func (s *EmbeddingService) FindEmbeddings(ctx context.Context, workspaceID string) ([]*quire.Embedding, error) {
	if err := quire.ValidateEmbeddingWorkspace(workspaceID); err != nil {
		return nil, err
	}
	var rows []embeddingRow
	err := s.db.inTx(ctx, tenant(workspaceID), func(tx pgx.Tx) error {
		var err error
		rows, err = selectEmbeddings(ctx, tx, tableEmbeddings, workspaceID)
		return internal("find embeddings", err)
	})
	if err != nil {
		return nil, err
	}
	scope := barrier.WorkspaceScope(workspaceID)
	return decodeEmbeddings(rows, func(r *embeddingRow) ([]byte, error) {
		pt, err := s.b.Decrypt(ctx, scope, barrier.AD(tableEmbeddings, r.id, fieldVector), r.vector)
		return pt, internal("decrypt embedding", err)
	})
}

// decodeEmbeddings turns rows into embeddings, opening each row's vector
// with open. All vectors share one allocation, and all text hashes
// another, each cut to its own length and capacity.
func decodeEmbeddings(rows []embeddingRow, open func(r *embeddingRow) ([]byte, error)) ([]*quire.Embedding, error) {
	total := 0
	for i := range rows {
		if d := rows[i].dims; d < 1 || d > quire.MaxEmbeddingDims {
			return nil, internal("read embedding", quire.ErrVectorSize)
		}
		total += rows[i].dims
	}
	vecs, hashes := make([]float32, total), make([]byte, quire.EmbeddingHashSize*len(rows))
	es, out := make([]quire.Embedding, len(rows)), make([]*quire.Embedding, len(rows))
	for i := range rows {
		r := &rows[i]
		pt, err := open(r)
		if err != nil {
			return nil, err
		}
		vec, hash := vecs[:r.dims:r.dims], hashes[i*quire.EmbeddingHashSize:(i+1)*quire.EmbeddingHashSize:(i+1)*quire.EmbeddingHashSize]
		vecs = vecs[r.dims:]
		if err := quire.UnmarshalVector(pt, hash, vec); err != nil {
			return nil, internal("read embedding", err)
		}
		es[i] = quire.Embedding{WorkspaceID: r.workspaceID, DocID: r.docID, Kind: r.kind, Model: r.model,
			Vector: vec, TextHash: hash, UpdatedAt: r.updated.UTC()}
		out[i], r.vector = &es[i], nil // the ciphertext is no longer needed
	}
	return out, nil
}

// DeleteEmbedding implements quire.EmbeddingService. Deleting an
// embedding that does not exist is not an error.
func (s *EmbeddingService) DeleteEmbedding(ctx context.Context, workspaceID, docID string) error {
	if err := quire.ValidateEmbeddingIDs(workspaceID, docID); err != nil {
		return err
	}
	return s.db.inTx(ctx, tenant(workspaceID), func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, "DELETE FROM embeddings WHERE workspace_id = $1 AND doc_id = $2", workspaceID, docID)
		return internal("delete embedding", err)
	})
}
