package sqlite_test

import (
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"path/filepath"
	"testing"

	"github.com/quirehq/quire/barrier"
	"github.com/quirehq/quire/sqlite"
	"github.com/quirehq/quire/storetest"
)

// newKey returns a random root key for one test database.
func newKey() []byte {
	k := make([]byte, barrier.RootKeySize)
	_, _ = rand.Read(k)
	return k
}

// mustOpen opens (creating) the database at path with root key key, and
// closes it when the test ends unless the test reopened it first.
func mustOpen(t testing.TB, path string, key []byte) storetest.Stores {
	t.Helper()
	ctx := context.Background()
	db, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	b, err := barrier.Open(ctx, barrier.StaticSource(key), sqlite.NewKeyStore(db), storetest.BarrierOptions())
	if err != nil {
		db.Close()
		t.Fatalf("barrier.Open: %v", err)
	}
	closed := false
	t.Cleanup(func() {
		if !closed {
			if err := db.Close(); err != nil {
				t.Errorf("Close: %v", err)
			}
		}
	})
	return storetest.Stores{
		Users:      sqlite.NewUserService(db, b),
		Workspaces: sqlite.NewWorkspaceService(db, b),
		Notes:      sqlite.NewNoteService(db, b),
		Keys:       sqlite.NewKeyStore(db),
		Barrier:    b,
		Inspector:  db,
		Auth:       sqlite.NewAuthService(db, b),
		TamperAudit: func(t *testing.T, seq int64) {
			t.Helper()
			tamperAudit(t, path, seq)
		},
		Usage:   sqlite.NewUsageService(db, b),
		Folders: sqlite.NewFolderService(db, b),
		Ideas:   sqlite.NewIdeaService(db, b),
		Files:   sqlite.NewFileService(db, b),
		Chats:   sqlite.NewChatService(db, b),
		CopyUsageRecord: func(t *testing.T, fromID, toID string) {
			t.Helper()
			copyUsageRecord(t, path, fromID, toID)
		},
		RawAIPolicy: func(t *testing.T, workspaceID string) []byte {
			t.Helper()
			return rawAIPolicy(t, path, workspaceID)
		},
		SetRawAIPolicy: func(t *testing.T, workspaceID string, ct []byte) {
			t.Helper()
			setRawAIPolicy(t, path, workspaceID, ct)
		},
		Embeddings:      sqlite.NewEmbeddingService(db, b),
		NoteLinks:       sqlite.NewNoteLinkService(db),
		SecurityReports: sqlite.NewSecurityReportService(db, b),
		Shares:          sqlite.NewShareService(db, b),
		Deletions:       sqlite.NewDeletionService(db),
		Privacy:         sqlite.NewPrivacyService(db),
		Exports:         sqlite.NewExportService(db),
		Retention:       sqlite.NewRetentionService(db, b),
		RawEmbedding: func(t *testing.T, workspaceID, docID string) storetest.RawEmbedding {
			t.Helper()
			return rawEmbedding(t, path, workspaceID, docID)
		},
		SetRawEmbedding: func(t *testing.T, workspaceID, docID string, dims int, vectorEnc []byte) {
			t.Helper()
			setRawEmbedding(t, path, workspaceID, docID, dims, vectorEnc)
		},
		Rewrap: func(ctx context.Context, progress func(done, total int)) error {
			return db.Rewrap(ctx, b, progress)
		},
		Reopen: func(t *testing.T) storetest.Stores {
			t.Helper()
			closed = true
			if err := db.Close(); err != nil {
				t.Fatalf("Close before reopen: %v", err)
			}
			return mustOpen(t, path, key)
		},
	}
}

// tamperAudit changes the event of audit entry seq through a connection of
// its own, below the store, as someone with write access to the file could.
func tamperAudit(t *testing.T, path string, seq int64) {
	t.Helper()
	raw, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(10000)")
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	res, err := raw.Exec("UPDATE audit_log SET event = event || ' (tampered)' WHERE seq = ?", seq)
	if err != nil {
		t.Fatalf("tamper with audit entry %d: %v", seq, err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		t.Fatalf("tamper: no audit entry %d", seq)
	}
}

// rawConn opens a connection of its own to the database at path, below the
// store, closed when t ends.
func rawConn(t *testing.T, path string) *sql.DB {
	t.Helper()
	raw, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(10000)")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = raw.Close() })
	return raw
}

// rawAIPolicy reads the sealed AI policy of a workspace as stored; nil if
// it has none.
func rawAIPolicy(t *testing.T, path, workspaceID string) []byte {
	t.Helper()
	var ct []byte
	err := rawConn(t, path).QueryRow("SELECT policy_enc FROM ai_policies WHERE workspace_id = ?", workspaceID).Scan(&ct)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	} else if err != nil {
		t.Fatalf("read raw AI policy: %v", err)
	}
	return ct
}

// setRawAIPolicy writes ct over the sealed AI policy of a workspace.
func setRawAIPolicy(t *testing.T, path, workspaceID string, ct []byte) {
	t.Helper()
	res, err := rawConn(t, path).Exec("UPDATE ai_policies SET policy_enc = ? WHERE workspace_id = ?", ct, workspaceID)
	if err != nil {
		t.Fatalf("write raw AI policy: %v", err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		t.Fatalf("write raw AI policy: workspace %s has no policy row", workspaceID)
	}
}

// copyUsageRecord copies the sealed record of usage row fromID over that
// of row toID through a connection of its own, below the store.
func copyUsageRecord(t *testing.T, path, fromID, toID string) {
	t.Helper()
	raw, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(10000)")
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	res, err := raw.Exec("UPDATE ai_usage SET record_enc = (SELECT record_enc FROM ai_usage WHERE id = ?) WHERE id = ?", fromID, toID)
	if err != nil {
		t.Fatalf("copy usage record: %v", err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		t.Fatalf("copy usage record: no usage row %s", toID)
	}
}

// rawEmbedding reads the embeddings row of a document as stored.
func rawEmbedding(t *testing.T, path, workspaceID, docID string) storetest.RawEmbedding {
	t.Helper()
	var r storetest.RawEmbedding
	err := rawConn(t, path).QueryRow("SELECT id, dims, vector_enc FROM embeddings WHERE workspace_id = ? AND doc_id = ?",
		workspaceID, docID).Scan(&r.ID, &r.Dims, &r.VectorEnc)
	if err != nil {
		t.Fatalf("read raw embedding: %v", err)
	}
	return r
}

// setRawEmbedding writes dims and vectorEnc over the embeddings row of a
// document.
func setRawEmbedding(t *testing.T, path, workspaceID, docID string, dims int, vectorEnc []byte) {
	t.Helper()
	res, err := rawConn(t, path).Exec("UPDATE embeddings SET dims = ?, vector_enc = ? WHERE workspace_id = ? AND doc_id = ?",
		dims, vectorEnc, workspaceID, docID)
	if err != nil {
		t.Fatalf("write raw embedding: %v", err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		t.Fatalf("write raw embedding: document %s has no embeddings row", docID)
	}
}

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) storetest.Stores {
		return mustOpen(t, filepath.Join(t.TempDir(), "quire.db"), newKey())
	})
}
