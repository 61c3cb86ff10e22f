package postgres

import (
	"context"
	"github.com/quirehq/quire/storetest"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/quirehq/quire"
	"github.com/quirehq/quire/barrier"
)

// benchNote is a typical note: a short title and 2 KiB of markdown.
var benchNote = quire.Note{Title: "Quarterly planning notes", Content: strings.Repeat("Lorem ipsum dolor sit amet, consectetur. ", 50)}

// benchEnv opens the services as the application role and creates a
// plain-text twin of the notes table (the baseline), with the same row-level
// security, so that the only difference measured is the encryption.
func benchEnv(b *testing.B) (*DB, *NoteService, string) {
	env := newEnv(b)
	db := mustOpen(b, env.config())
	br, err := barrier.Open(context.Background(), barrier.StaticSource(newKey()), NewKeyStore(db), barrier.Options{})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
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
		`CREATE TABLE plain_notes (id text PRIMARY KEY, workspace_id text NOT NULL REFERENCES workspaces (id), title text NOT NULL,
			content text NOT NULL, folder_id text NOT NULL, pinned boolean NOT NULL, public boolean NOT NULL, version integer NOT NULL,
			created_at timestamptz NOT NULL, updated_at timestamptz NOT NULL)`,
		"ALTER TABLE plain_notes ENABLE ROW LEVEL SECURITY",
		"ALTER TABLE plain_notes FORCE ROW LEVEL SECURITY",
		"CREATE POLICY tenant ON plain_notes USING (workspace_id = current_setting('quire.workspace_id', true))",
		"GRANT SELECT, INSERT ON plain_notes TO " + env.App,
	} {
		if _, err := c.Exec(ctx, q); err != nil {
			b.Fatal(err)
		}
	}
	return db, NewNoteService(db, br), w.ID
}

// plainInsert stores a note in the baseline table the way CreateNote stores
// one: a transaction bound to the workspace, one INSERT.
func plainInsert(ctx context.Context, db *DB, n *quire.Note) error {
	id, t := quire.NewID(), now()
	err := db.inTx(ctx, tenant(n.WorkspaceID), func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, "INSERT INTO plain_notes VALUES ($1, $2, $3, $4, $5, $6, $7, 1, $8, $8)",
			id, n.WorkspaceID, n.Title, n.Content, n.FolderID, n.Pinned, n.Public, t)
		return err
	})
	n.ID = id
	return err
}

// plainFind reads a note from the baseline table the way FindNoteByID does.
func plainFind(ctx context.Context, db *DB, ws, id string) (*quire.Note, error) {
	var n quire.Note
	err := db.inTx(ctx, tenant(ws), func(tx pgx.Tx) error {
		return tx.QueryRow(ctx, `SELECT id, workspace_id, title, content, folder_id, pinned, public, version, created_at, updated_at
			FROM plain_notes WHERE id = $1 AND workspace_id = $2`, id, ws).
			Scan(&n.ID, &n.WorkspaceID, &n.Title, &n.Content, &n.FolderID, &n.Pinned, &n.Public, &n.Version, &n.CreatedAt, &n.UpdatedAt)
	})
	return &n, err
}

// BenchmarkNoteCreate compares CreateNote (encrypted) with the same insert
// into the plain-text baseline table through the same pool.
func BenchmarkNoteCreate(b *testing.B) {
	db, notes, ws := benchEnv(b)
	ctx := context.Background()
	b.Run("encrypted", func(b *testing.B) {
		for b.Loop() {
			n := benchNote
			n.WorkspaceID = ws
			if err := notes.CreateNote(ctx, &n); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("plaintext", func(b *testing.B) {
		for b.Loop() {
			n := benchNote
			n.WorkspaceID = ws
			if err := plainInsert(ctx, db, &n); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("paired", func(b *testing.B) {
		storetest.Paired(b, func() error {
			n := benchNote
			n.WorkspaceID = ws
			return notes.CreateNote(ctx, &n)
		}, func() error {
			n := benchNote
			n.WorkspaceID = ws
			return plainInsert(ctx, db, &n)
		})
	})
}

// BenchmarkNoteRead compares FindNoteByID (decrypting) with the same read
// from the plain-text baseline table.
func BenchmarkNoteRead(b *testing.B) {
	db, notes, ws := benchEnv(b)
	ctx := context.Background()
	enc, plain := benchNote, benchNote
	enc.WorkspaceID, plain.WorkspaceID = ws, ws
	if err := notes.CreateNote(ctx, &enc); err != nil {
		b.Fatal(err)
	}
	if err := plainInsert(ctx, db, &plain); err != nil {
		b.Fatal(err)
	}
	b.Run("encrypted", func(b *testing.B) {
		for b.Loop() {
			if n, err := notes.FindNoteByID(ctx, ws, enc.ID); err != nil || n.Content != enc.Content {
				b.Fatal(err)
			}
		}
	})
	b.Run("plaintext", func(b *testing.B) {
		for b.Loop() {
			if n, err := plainFind(ctx, db, ws, plain.ID); err != nil || n.Content != plain.Content {
				b.Fatal(err)
			}
		}
	})
	b.Run("paired", func(b *testing.B) {
		storetest.Paired(b, func() error {
			_, err := notes.FindNoteByID(ctx, ws, enc.ID)
			return err
		}, func() error {
			_, err := plainFind(ctx, db, ws, plain.ID)
			return err
		})
	})
}
