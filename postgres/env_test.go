package postgres

import (
	"context"
	"crypto/rand"
	"fmt"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/quirehq/quire/barrier"
	"github.com/quirehq/quire/postgres/pgtest"
	"github.com/quirehq/quire/storetest"
)

// testEnv is a pgtest.Env with this package's helpers.
type testEnv struct{ *pgtest.Env }

func newEnv(t testing.TB) *testEnv { return &testEnv{pgtest.New(t)} }

// config is the production configuration of env.
func (env *testEnv) config() Config {
	return Config{URL: env.AppURL, OwnerURL: env.OwnerURL, Production: true, MaxConns: 8}
}

// mustOpen opens cfg and closes it when t ends.
func mustOpen(t testing.TB, cfg Config) *DB {
	t.Helper()
	db, err := Open(context.Background(), cfg)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { _ = db.Close() })
	return db
}

// conn connects to url and closes the connection when t ends.
func conn(t testing.TB, url string) *pgx.Conn {
	t.Helper()
	c, err := pgx.Connect(context.Background(), url)
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	t.Cleanup(func() { _ = c.Close(context.Background()) })
	return c
}

// stores opens the services on env as its application role, in production
// mode, with a barrier under key.
func (env *testEnv) stores(t *testing.T, key []byte) storetest.Stores {
	t.Helper()
	db := mustOpen(t, env.config())
	b, err := barrier.Open(context.Background(), barrier.StaticSource(key), NewKeyStore(db), storetest.BarrierOptions())
	if err != nil {
		t.Fatalf("barrier.Open: %v", err)
	}
	return storetest.Stores{
		Users:      NewUserService(db, b),
		Workspaces: NewWorkspaceService(db, b),
		Notes:      NewNoteService(db, b),
		Keys:       NewKeyStore(db),
		Barrier:    b,
		Inspector:  db,
		Rewrap: func(ctx context.Context, progress func(done, total int)) error {
			return db.Rewrap(ctx, b, progress)
		},
		Reopen: func(t *testing.T) storetest.Stores {
			_ = db.Close()
			return env.stores(t, key)
		},
		Auth:            NewAuthService(db, b),
		TamperAudit:     env.tamperAudit,
		AgeAudit:        env.ageAudit,
		Usage:           NewUsageService(db, b),
		CopyUsageRecord: env.copyUsageRecord,
		RawAIPolicy:     env.rawAIPolicy,
		SetRawAIPolicy:  env.setRawAIPolicy,
		Folders:         NewFolderService(db, b),
		Ideas:           NewIdeaService(db, b),
		Files:           NewFileService(db, b),
		Chats:           NewChatService(db, b),
		Embeddings:      NewEmbeddingService(db, b),
		RawEmbedding:    env.rawEmbedding,
		SetRawEmbedding: env.setRawEmbedding,
		NoteLinks:       NewNoteLinkService(db),
		SecurityReports: NewSecurityReportService(db, b),
		Shares:          NewShareService(db, b),
		Deletions:       NewDeletionService(db),
		Privacy:         NewPrivacyService(db),
		Exports:         NewExportService(db),
		Retention:       NewRetentionService(db, b),
	}
}

// ownerTx runs fn as the owning role in a transaction bound to workspace
// ws: the owner too is under the tables' forced row-level security.
func (env *testEnv) ownerTx(t *testing.T, ws string, fn func(tx pgx.Tx) error) {
	t.Helper()
	err := pgx.BeginFunc(context.Background(), conn(t, env.OwnerURL), func(tx pgx.Tx) error {
		if _, err := tx.Exec(context.Background(), "SELECT set_config('quire.workspace_id', $1, true)", ws); err != nil {
			return err
		}
		return fn(tx)
	})
	if err != nil {
		t.Fatalf("as the owner, bound to %s: %v", ws, err)
	}
}

// rawAIPolicy reads the sealed AI policy of workspace ws as stored, below
// the store; nil if it has none.
func (env *testEnv) rawAIPolicy(t *testing.T, ws string) []byte {
	t.Helper()
	var ct []byte
	env.ownerTx(t, ws, func(tx pgx.Tx) error {
		err := tx.QueryRow(context.Background(), "SELECT policy_enc FROM ai_policies WHERE workspace_id = $1", ws).Scan(&ct)
		if notFound(err) {
			return nil
		}
		return err
	})
	return ct
}

// setRawAIPolicy writes ct over the sealed AI policy of workspace ws as
// the owning role, below the store.
func (env *testEnv) setRawAIPolicy(t *testing.T, ws string, ct []byte) {
	t.Helper()
	env.ownerTx(t, ws, func(tx pgx.Tx) error {
		tag, err := tx.Exec(context.Background(), "UPDATE ai_policies SET policy_enc = $1 WHERE workspace_id = $2", ct, ws)
		if err == nil && tag.RowsAffected() != 1 {
			return fmt.Errorf("workspace %s has no policy row", ws)
		}
		return err
	})
}

// rawEmbedding reads the embeddings row of a document as stored, as the
// owning role, below the store.
func (env *testEnv) rawEmbedding(t *testing.T, ws, doc string) storetest.RawEmbedding {
	t.Helper()
	var r storetest.RawEmbedding
	env.ownerTx(t, ws, func(tx pgx.Tx) error {
		return tx.QueryRow(context.Background(), "SELECT id, dims, vector_enc FROM embeddings WHERE workspace_id = $1 AND doc_id = $2",
			ws, doc).Scan(&r.ID, &r.Dims, &r.VectorEnc)
	})
	return r
}

// setRawEmbedding writes dims and vectorEnc over the embeddings row of a
// document as the owning role, below the store.
func (env *testEnv) setRawEmbedding(t *testing.T, ws, doc string, dims int, vectorEnc []byte) {
	t.Helper()
	env.ownerTx(t, ws, func(tx pgx.Tx) error {
		tag, err := tx.Exec(context.Background(), "UPDATE embeddings SET dims = $1, vector_enc = $2 WHERE workspace_id = $3 AND doc_id = $4",
			dims, vectorEnc, ws, doc)
		if err == nil && tag.RowsAffected() != 1 {
			return fmt.Errorf("document %s has no embeddings row", doc)
		}
		return err
	})
}

// copyUsageRecord copies the sealed record of usage row fromID over that
// of row toID as the owning role, below the store.
func (env *testEnv) copyUsageRecord(t *testing.T, fromID, toID string) {
	t.Helper()
	tag, err := conn(t, env.OwnerURL).Exec(context.Background(),
		"UPDATE ai_usage SET record_enc = (SELECT record_enc FROM ai_usage WHERE id = $1) WHERE id = $2", fromID, toID)
	if err != nil || tag.RowsAffected() != 1 {
		t.Fatalf("copy usage record %s over %s: %v (%d rows)", fromID, toID, err, tag.RowsAffected())
	}
}

// tamperAudit changes the event of audit entry seq as the owning role: the
// application role cannot update the log.
func (env *testEnv) tamperAudit(t *testing.T, seq int64) {
	t.Helper()
	tag, err := conn(t, env.OwnerURL).Exec(context.Background(), "UPDATE audit_log SET event = event || ' (edited)' WHERE seq = $1", seq)
	if err != nil || tag.RowsAffected() != 1 {
		t.Fatalf("tamper with audit entry %d: %v (%d rows)", seq, err, tag.RowsAffected())
	}
}

// ageAudit makes every audit entry look written at its at, as the owning
// role: the trigger sets recorded_at to the time of the insert, and the
// application role cannot update the log.
func (env *testEnv) ageAudit(t *testing.T) {
	t.Helper()
	if _, err := conn(t, env.OwnerURL).Exec(context.Background(), "UPDATE audit_log SET recorded_at = at"); err != nil {
		t.Fatalf("age the audit log: %v", err)
	}
}

func newKey() []byte {
	k := make([]byte, barrier.RootKeySize)
	_, _ = rand.Read(k)
	return k
}
