package postgres

import (
	"context"
	"crypto/sha256"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/quirehq/quire"
)

// TestRowLevelSecurityEmbeddings proves with raw SQL, as the application
// role, that embeddings rows are bound to their workspace like notes: a
// transaction sees and writes only its own workspace's rows, and one
// bound to nothing sees none.
func TestRowLevelSecurityEmbeddings(t *testing.T) {
	env := newEnv(t)
	s := env.stores(t, newKey())
	tn := seedTenants(t, s)
	ctx := context.Background()
	doc := quire.NewID() // the same document ID in both workspaces
	for _, ws := range []string{tn.a.ID, tn.b.ID} {
		h := sha256.Sum256([]byte(ws))
		e := &quire.Embedding{WorkspaceID: ws, DocID: doc, Kind: "note", Model: "m", Vector: []float32{1, 2}, TextHash: h[:]}
		if err := s.Embeddings.PutEmbedding(ctx, e); err != nil {
			t.Fatalf("PutEmbedding: %v", err)
		}
	}
	c := conn(t, env.AppURL)
	for _, tc := range []struct {
		name, workspace, user string
		want                  []string
	}{
		{"bound to A", tn.a.ID, "", []string{tn.a.ID}},
		{"bound to B", tn.b.ID, "", []string{tn.b.ID}},
		{"unbound", "", "", []string{}},
		{"user bound", "", tn.shared.ID, []string{}},
	} {
		asApp(t, c, tc.workspace, tc.user, func(tx pgx.Tx) {
			got := strs(t, tx, "SELECT workspace_id FROM embeddings ORDER BY 1")
			if len(got) != len(tc.want) || len(got) == 1 && got[0] != tc.want[0] {
				t.Errorf("%s: rows of workspaces %v, want %v", tc.name, got, tc.want)
			}
		})
	}
	for _, tc := range []struct{ name, sql string }{
		{"insert a row of B", `INSERT INTO embeddings (id, workspace_id, doc_id, kind, model, dims, vector_enc, updated_at)
			VALUES ('` + quire.NewID() + `', $1, '` + quire.NewID() + `', 'note', 'm', 1, '\x00', now())`},
		{"move A's row into B", "UPDATE embeddings SET workspace_id = $1"},
		{"upsert over B's row", `INSERT INTO embeddings (id, workspace_id, doc_id, kind, model, dims, vector_enc, updated_at)
			VALUES ('` + quire.NewID() + `', $1, '` + doc + `', 'note', 'm', 1, '\x00', now())
			ON CONFLICT (workspace_id, doc_id) DO UPDATE SET vector_enc = excluded.vector_enc`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			asApp(t, c, tn.a.ID, "", func(tx pgx.Tx) {
				if _, err := tx.Exec(ctx, tc.sql, tn.b.ID); pgCode(err) != "42501" {
					t.Fatalf("err = %v (SQLSTATE %q), want a refusal with SQLSTATE 42501", err, pgCode(err))
				}
			})
		})
	}
	for _, q := range []string{"UPDATE embeddings SET vector_enc = '\\x00' WHERE workspace_id = $1",
		"DELETE FROM embeddings WHERE workspace_id = $1"} {
		asApp(t, c, tn.a.ID, "", func(tx pgx.Tx) {
			if tag, err := tx.Exec(ctx, q, tn.b.ID); err != nil || tag.RowsAffected() != 0 {
				t.Errorf("%s: affected %d rows of B (err %v), want 0", q, tag.RowsAffected(), err)
			}
		})
	}
}
