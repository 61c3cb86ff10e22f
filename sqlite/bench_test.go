package sqlite

import (
	"context"
	"errors"
	"github.com/quirehq/quire/storetest"
	"strings"
	"testing"

	"github.com/quirehq/quire"
)

// The plaintext baseline stores the same rows in a twin of the notes table,
// through the same connection and code path, without the barrier: the
// difference is the cost of encryption.
const plainTable = "notes_plain"

const plainDDL = `CREATE TABLE notes_plain (
    id           TEXT    PRIMARY KEY,
    workspace_id TEXT    NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    title_enc    BLOB    NOT NULL,
    content_enc  BLOB    NOT NULL,
    folder_id    TEXT,
    pinned       INTEGER NOT NULL DEFAULT 0 CHECK (pinned IN (0, 1)),
    public       INTEGER NOT NULL DEFAULT 0 CHECK (public IN (0, 1)),
    version      INTEGER NOT NULL DEFAULT 1 CHECK (version > 0),
    created_at   TEXT    NOT NULL,
    updated_at   TEXT    NOT NULL
) STRICT;
CREATE INDEX notes_plain_list ON notes_plain (workspace_id, pinned DESC, updated_at DESC, id);
CREATE INDEX notes_plain_folder ON notes_plain (workspace_id, folder_id, pinned DESC, updated_at DESC, id);`

var (
	benchTitle   = "Quarterly planning notes"
	benchContent = strings.Repeat("Lorem ipsum dolor sit amet, consectetur adipiscing. ", 20) // ~1 KiB
)

func newBenchStore(b *testing.B) (*testStore, *quire.Workspace) {
	s := newTestStore(b)
	s.exec(b, plainDDL)
	return s, s.workspace(b)
}

// createPlain is CreateNote without the barrier.
func createPlain(ctx context.Context, db *DB, n *quire.Note) error {
	if err := n.Validate(); err != nil {
		return err
	}
	if err := workspaceExists(ctx, db, n.WorkspaceID); err != nil {
		return err
	}
	id, t := quire.NewID(), now()
	r := &noteRow{id: id, workspaceID: n.WorkspaceID, title: []byte(n.Title), content: []byte(n.Content),
		folderID: nullFolder(n.FolderID), pinned: n.Pinned, public: n.Public, version: 1,
		created: formatTime(t), updated: formatTime(t)}
	if err := db.insertNote(ctx, plainTable, r); err != nil {
		return err
	}
	n.ID, n.Version, n.CreatedAt, n.UpdatedAt = id, 1, t, t
	return nil
}

// findPlain is FindNoteByID without the barrier.
func findPlain(ctx context.Context, db *DB, workspaceID, id string) (*quire.Note, error) {
	r, err := db.selectNote(ctx, plainTable, workspaceID, id)
	if err != nil {
		return nil, err
	}
	n := &quire.Note{ID: r.id, WorkspaceID: r.workspaceID, Title: string(r.title), Content: string(r.content),
		FolderID: r.folderID.String, Pinned: r.pinned, Public: r.public, Version: r.version}
	var errC, errU error
	n.CreatedAt, errC = parseTime(r.created)
	n.UpdatedAt, errU = parseTime(r.updated)
	return n, errors.Join(errC, errU)
}

func BenchmarkNoteCreate(b *testing.B) {
	ctx := context.Background()
	s, ws := newBenchStore(b)
	create := map[string]func(n *quire.Note) error{
		"encrypted":          func(n *quire.Note) error { return s.notes.CreateNote(ctx, n) },
		"plaintext-baseline": func(n *quire.Note) error { return createPlain(ctx, s.db, n) },
	}
	for _, name := range []string{"encrypted", "plaintext-baseline"} {
		b.Run(name, func(b *testing.B) {
			b.SetBytes(int64(len(benchTitle) + len(benchContent)))
			for b.Loop() {
				if err := create[name](&quire.Note{WorkspaceID: ws.ID, Title: benchTitle, Content: benchContent}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	b.Run("paired", func(b *testing.B) {
		storetest.Paired(b, func() error {
			return create["encrypted"](&quire.Note{WorkspaceID: ws.ID, Title: benchTitle, Content: benchContent})
		}, func() error {
			return create["plaintext-baseline"](&quire.Note{WorkspaceID: ws.ID, Title: benchTitle, Content: benchContent})
		})
	})
}

func BenchmarkNoteRead(b *testing.B) {
	ctx := context.Background()
	s, ws := newBenchStore(b)
	const notes = 500
	var encIDs, plainIDs []string
	for range notes {
		n := &quire.Note{WorkspaceID: ws.ID, Title: benchTitle, Content: benchContent}
		if err := s.notes.CreateNote(ctx, n); err != nil {
			b.Fatal(err)
		}
		p := &quire.Note{WorkspaceID: ws.ID, Title: benchTitle, Content: benchContent}
		if err := createPlain(ctx, s.db, p); err != nil {
			b.Fatal(err)
		}
		encIDs, plainIDs = append(encIDs, n.ID), append(plainIDs, p.ID)
	}
	read := map[string]func(i int) (*quire.Note, error){
		"encrypted":          func(i int) (*quire.Note, error) { return s.notes.FindNoteByID(ctx, ws.ID, encIDs[i%notes]) },
		"plaintext-baseline": func(i int) (*quire.Note, error) { return findPlain(ctx, s.db, ws.ID, plainIDs[i%notes]) },
	}
	for _, name := range []string{"encrypted", "plaintext-baseline"} {
		b.Run(name, func(b *testing.B) {
			b.SetBytes(int64(len(benchTitle) + len(benchContent)))
			i := 0
			for b.Loop() {
				n, err := read[name](i)
				if err != nil || n.Content != benchContent {
					b.Fatalf("read: %v", err)
				}
				i++
			}
		})
	}
	b.Run("paired", func(b *testing.B) {
		i := 0
		check := func(n *quire.Note, err error) error {
			if err == nil && n.Content != benchContent {
				err = errors.New("read back other content")
			}
			return err
		}
		storetest.Paired(b, func() error { return check(read["encrypted"](i)) }, func() error {
			i++
			return check(read["plaintext-baseline"](i - 1))
		})
	})
}
