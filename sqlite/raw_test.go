package sqlite

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/quirehq/quire"
	"github.com/quirehq/quire/barrier"
)

func TestPragmas(t *testing.T) {
	s := newTestStore(t)
	cases := []struct {
		pool   *sql.DB
		pragma string
		want   string
	}{
		{s.db.writer, "journal_mode", "wal"},
		{s.db.writer, "foreign_keys", "1"},
		{s.db.writer, "synchronous", "2"}, // FULL
		{s.db.writer, "busy_timeout", "10000"},
		{s.db.writer, "secure_delete", "1"},
		{s.db.writer, "temp_store", "2"}, // MEMORY
		{s.db.reader, "journal_mode", "wal"},
		{s.db.reader, "foreign_keys", "1"},
		{s.db.reader, "synchronous", "2"},
		{s.db.reader, "busy_timeout", "10000"},
		{s.db.reader, "query_only", "1"},
	}
	for _, tc := range cases {
		pool := "writer"
		if tc.pool == s.db.reader {
			pool = "reader"
		}
		t.Run(pool+" "+tc.pragma, func(t *testing.T) {
			var got string
			if err := tc.pool.QueryRow("PRAGMA " + tc.pragma).Scan(&got); err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Fatalf("PRAGMA %s = %s, want %s", tc.pragma, got, tc.want)
			}
		})
	}
	if _, err := s.db.reader.Exec("DELETE FROM users"); err == nil {
		t.Fatal("a read connection could write")
	}
}

func TestMigrateRefusesNewerSchema(t *testing.T) {
	s := newTestStore(t)
	var n int
	if err := s.db.reader.QueryRow("SELECT count(*) FROM schema_migrations").Scan(&n); err != nil {
		t.Fatal(err)
	}
	ms, err := migrations()
	if err != nil || n != len(ms) {
		t.Fatalf("schema_migrations has %d rows for %d migrations (%v)", n, len(ms), err)
	}
	s.exec(t, "INSERT INTO schema_migrations (version, name, applied_at) VALUES (9999, 'future', '')")
	err = s.db.Migrate(context.Background())
	if err == nil || !strings.Contains(err.Error(), "newer than this binary") {
		t.Fatalf("Migrate on a newer schema: %v", err)
	}
}

// TestMovedCiphertext moves stored values to other records with raw SQL:
// each read fails with EINTERNAL, the barrier's ErrAuth as the cause, and a
// message that reveals nothing of the value.
func TestMovedCiphertext(t *testing.T) {
	ctx := context.Background()
	s := newTestStore(t)
	a, b := s.workspace(t), s.workspace(t)
	n1 := s.note(t, a.ID, "first secret title")
	n2 := s.note(t, a.ID, "second secret title")
	nb := s.note(t, b.ID, "third secret title")
	u1 := &quire.User{Email: "one@example.com", Name: "One"}
	u2 := &quire.User{Email: "two@example.com", Name: "Two"}
	for _, u := range []*quire.User{u1, u2} {
		if err := s.users.CreateUser(ctx, u); err != nil {
			t.Fatal(err)
		}
	}
	cases := []struct {
		name string
		move string
		args []any
		read func() error
	}{
		{"title to another note", "UPDATE notes SET title_enc = (SELECT title_enc FROM notes WHERE id = ?) WHERE id = ?", []any{n1.ID, n2.ID},
			func() error { _, err := s.notes.FindNoteByID(ctx, a.ID, n2.ID); return err }},
		{"title into content", "UPDATE notes SET content_enc = title_enc WHERE id = ?", []any{n1.ID},
			func() error { _, err := s.notes.FindNoteByID(ctx, a.ID, n1.ID); return err }},
		{"note to another workspace", "UPDATE notes SET workspace_id = ? WHERE id = ?", []any{a.ID, nb.ID},
			func() error { _, err := s.notes.FindNoteByID(ctx, a.ID, nb.ID); return err }},
		{"email to another user", "UPDATE users SET email_enc = (SELECT email_enc FROM users WHERE id = ?) WHERE id = ?", []any{u1.ID, u2.ID},
			func() error { _, err := s.users.FindUserByID(ctx, u2.ID); return err }},
		{"workspace name to another workspace", "UPDATE workspaces SET name_enc = (SELECT name_enc FROM workspaces WHERE id = ?) WHERE id = ?", []any{a.ID, b.ID},
			func() error { _, err := s.workspaces.FindWorkspaceByID(ctx, b.ID); return err }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s.exec(t, tc.move, tc.args...)
			err := tc.read()
			if quire.ErrorCode(err) != quire.EINTERNAL || !errors.Is(err, barrier.ErrAuth) {
				t.Fatalf("read after move: %v, want EINTERNAL caused by barrier.ErrAuth", err)
			}
			for _, secret := range []string{"secret", "one@example.com", "One"} {
				if strings.Contains(err.Error(), secret) || strings.Contains(quire.ErrorMessage(err), secret) {
					t.Fatalf("error reveals content: %v", err)
				}
			}
		})
	}
}

// TestShredLeavesNoKeyOnDisk checks that after a workspace is deleted, its
// wrapped data key is in none of the database files (secure_delete and the
// checkpoint), so not even the root key could bring the data back.
func TestShredLeavesNoKeyOnDisk(t *testing.T) {
	ctx := context.Background()
	s := newTestStore(t)
	w := s.workspace(t)
	s.note(t, w.ID, "doomed")
	var wrapped []byte
	if err := s.db.reader.QueryRow("SELECT wrapped FROM data_keys WHERE scope = ?", string(barrier.WorkspaceScope(w.ID))).Scan(&wrapped); err != nil {
		t.Fatal(err)
	}
	if found, err := s.db.ScanRaw(ctx, wrapped); err != nil || len(found) == 0 {
		t.Fatalf("before delete the wrapped key should be on disk: %v, %v", found, err)
	}
	if err := s.workspaces.DeleteWorkspace(ctx, w.ID); err != nil {
		t.Fatal(err)
	}
	if found, err := s.db.ScanRaw(ctx, wrapped); err != nil || len(found) != 0 {
		t.Fatalf("the shredded key is still on disk at %v (%v)", found, err)
	}
}

func TestScanFile(t *testing.T) {
	needle := []byte("NEEDLE")
	cases := []struct {
		name    string
		offsets []int
		size    int
		limit   int
		want    int
	}{
		{"none", nil, 3 * scanChunk, 10, 0},
		{"start and end", []int{0, 2*scanChunk - len(needle)}, 2 * scanChunk, 10, 2},
		{"across a chunk boundary", []int{scanChunk - 3}, 2 * scanChunk, 10, 1},
		{"just before a boundary", []int{scanChunk - len(needle)}, 2 * scanChunk, 10, 1},
		{"several", []int{10, 20, 30}, 100, 10, 3},
		{"limit", []int{10, 20, 30}, 100, 2, 2},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			data := bytes.Repeat([]byte{'.'}, tc.size)
			for _, off := range tc.offsets {
				copy(data[off:], needle)
			}
			path := filepath.Join(t.TempDir(), "f")
			if err := os.WriteFile(path, data, 0o600); err != nil {
				t.Fatal(err)
			}
			db := &DB{}
			defer db.kept.close()
			got, err := db.scanFile(context.Background(), path, needle, tc.limit)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != tc.want {
				t.Fatalf("found %v, want %d matches", got, tc.want)
			}
			for i, off := range got {
				if int(off) != tc.offsets[i] {
					t.Fatalf("match %d at %d, want %d", i, off, tc.offsets[i])
				}
			}
		})
	}
	db := &DB{}
	if got, err := db.scanFile(context.Background(), filepath.Join(t.TempDir(), "missing"), needle, 1); err != nil || got != nil {
		t.Fatalf("missing file: %v, %v", got, err)
	}
}
