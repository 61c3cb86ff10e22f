package sqlite

import (
	"context"

	"github.com/quirehq/quire"
	"github.com/quirehq/quire/barrier"
)

// Table and field of the sealed embedding vectors, bound into each
// ciphertext as associated data (see crypt.go): part of the stored format.
const (
	tableEmbeddings = "embeddings"
	fieldVector     = "vector"
)

// EmbeddingService stores embeddings, the vector and text hash of each
// sealed together under its workspace's scope and bound to its row (see
// embedding_codec.go for the layout). Every query is bound to the
// workspace named in the call.
type EmbeddingService struct {
	db *DB
	b  *barrier.Barrier
}

// NewEmbeddingService returns an EmbeddingService on db that encrypts
// through b.
func NewEmbeddingService(db *DB, b *barrier.Barrier) *EmbeddingService {
	return &EmbeddingService{db: db, b: b}
}

var _ quire.EmbeddingService = (*EmbeddingService)(nil)

// embeddingRow is an embeddings row as stored: vector holds the sealed
// text hash and vector.
type embeddingRow struct {
	id, workspaceID, docID, kind, model string
	dims                                int
	vector                              []byte
	updated                             string
}

const embeddingColumns = "id, workspace_id, doc_id, kind, model, dims, vector_enc, updated_at"

// upsertEmbeddingSQL replaces a document's row whole, its ID included: the
// new ciphertext is bound to the new ID, so a value can never be read
// under the ID of the one it replaced.
const upsertEmbeddingSQL = " (" + embeddingColumns + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?)" +
	" ON CONFLICT (workspace_id, doc_id) DO UPDATE SET id = excluded.id, kind = excluded.kind, model = excluded.model," +
	" dims = excluded.dims, vector_enc = excluded.vector_enc, updated_at = excluded.updated_at"

// upsertEmbedding writes r into table (embeddings, or the benchmark's
// plain-text twin).
func upsertEmbedding(ctx context.Context, x execer, table string, r *embeddingRow) error {
	_, err := x.ExecContext(ctx, "INSERT INTO "+table+upsertEmbeddingSQL,
		r.id, r.workspaceID, r.docID, r.kind, r.model, r.dims, r.vector, r.updated)
	return err
}

// selectEmbeddings reads every row of a workspace in table, in document
// order, in one query. The rows are read in full before any is
// decrypted, so no read connection is held meanwhile.
func (db *DB) selectEmbeddings(ctx context.Context, table, workspaceID string) ([]embeddingRow, error) {
	rows, err := db.reader.QueryContext(ctx, "SELECT "+embeddingColumns+" FROM "+table+" WHERE workspace_id = ? ORDER BY doc_id", workspaceID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []embeddingRow
	for rows.Next() {
		var r embeddingRow
		if err := rows.Scan(&r.id, &r.workspaceID, &r.docID, &r.kind, &r.model, &r.dims, &r.vector, &r.updated); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// PutEmbedding implements quire.EmbeddingService. It sets e.UpdatedAt.
func (s *EmbeddingService) PutEmbedding(ctx context.Context, e *quire.Embedding) error {
	if err := e.Validate(); err != nil {
		return err
	}
	if err := workspaceExists(ctx, s.db, e.WorkspaceID); err != nil {
		return err
	}
	r := &embeddingRow{id: quire.NewID(), workspaceID: e.WorkspaceID, docID: e.DocID, kind: e.Kind, model: e.Model, dims: len(e.Vector)}
	t := now()
	r.updated = formatTime(t)
	scope := barrier.WorkspaceScope(e.WorkspaceID)
	pt := e.MarshalVector()
	ct, err := s.b.Encrypt(ctx, scope, barrier.AD(tableEmbeddings, r.id, fieldVector), pt)
	clear(pt)
	if err != nil {
		return encryptFailed(err)
	}
	r.vector = ct
	if err := upsertEmbedding(ctx, s.db.writer, tableEmbeddings, r); isForeignKeyViolation(err) {
		shredQuietly(ctx, s.b, scope) // the workspace was deleted meanwhile
		return errWorkspaceNotFound()
	} else if err != nil {
		return internal("put embedding", err)
	}
	e.UpdatedAt = t
	return nil
}

// FindEmbeddings implements quire.EmbeddingService: one query, then each
// row decrypted. A workspace without embeddings, or that does not exist,
// has none.
func (s *EmbeddingService) FindEmbeddings(ctx context.Context, workspaceID string) ([]*quire.Embedding, error) {
	if err := quire.ValidateEmbeddingWorkspace(workspaceID); err != nil {
		return nil, err
	}
	rows, err := s.db.selectEmbeddings(ctx, tableEmbeddings, workspaceID)
	if err != nil {
		return nil, internal("find embeddings", err)
	}
	scope := barrier.WorkspaceScope(workspaceID)
	return decodeEmbeddings(rows, func(r *embeddingRow) ([]byte, error) {
		pt, err := s.b.Decrypt(ctx, scope, barrier.AD(tableEmbeddings, r.id, fieldVector), r.vector)
		if err != nil {
			return nil, decryptFailed(tableEmbeddings, r.id, fieldVector, err)
		}
		return pt, nil
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
		updated, err := parseTime(r.updated)
		if err != nil {
			return nil, internal("read embedding", err)
		}
		es[i] = quire.Embedding{WorkspaceID: r.workspaceID, DocID: r.docID, Kind: r.kind, Model: r.model,
			Vector: vec, TextHash: hash, UpdatedAt: updated}
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
	_, err := s.db.writer.ExecContext(ctx, "DELETE FROM embeddings WHERE workspace_id = ? AND doc_id = ?", workspaceID, docID)
	return internalIf("delete embedding", err)
}
