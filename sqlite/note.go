package sqlite

import (
	"context"
	"database/sql"
	"errors"

	"github.com/quirehq/quire"
	"github.com/quirehq/quire/barrier"
)

// NoteService stores notes with title and content encrypted under their
// workspace's scope. Every query is bound to the workspace named in the call.
type NoteService struct {
	db       *DB
	b        *barrier.Barrier
	versions quire.VersionPolicy
}

// NewNoteService returns a NoteService on db that encrypts through b.
func NewNoteService(db *DB, b *barrier.Barrier) *NoteService { return &NoteService{db: db, b: b} }

var _ quire.NoteService = (*NoteService)(nil)

// noteRow is a notes row as stored: title and content are ciphertext.
type noteRow struct {
	id, workspaceID  string
	title, content   []byte
	folderID         sql.NullString
	pinned, public   bool
	version          int
	created, updated string
}

const noteColumns = "id, workspace_id, title_enc, content_enc, folder_id, pinned, public, version, created_at, updated_at"

func scanNote(row interface{ Scan(...any) error }) (*noteRow, error) {
	var r noteRow
	err := row.Scan(&r.id, &r.workspaceID, &r.title, &r.content, &r.folderID, &r.pinned, &r.public, &r.version, &r.created, &r.updated)
	return &r, err
}

// insertNote writes r into table (notes, or the benchmarks' plain-text twin).
func (db *DB) insertNote(ctx context.Context, table string, r *noteRow) error {
	_, err := db.writer.ExecContext(ctx, "INSERT INTO "+table+" ("+noteColumns+") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
		r.id, r.workspaceID, r.title, r.content, r.folderID, r.pinned, r.public, r.version, r.created, r.updated)
	return err
}

// selectNote reads one row of table, bound to its workspace.
func (db *DB) selectNote(ctx context.Context, table, workspaceID, id string) (*noteRow, error) {
	return scanNote(db.reader.QueryRowContext(ctx, "SELECT "+noteColumns+" FROM "+table+" WHERE id = ? AND workspace_id = ?", id, workspaceID))
}

// decode decrypts a stored row into a quire.Note.
func (s *NoteService) decode(ctx context.Context, r *noteRow) (*quire.Note, error) {
	scope := barrier.WorkspaceScope(r.workspaceID)
	n := &quire.Note{ID: r.id, WorkspaceID: r.workspaceID, FolderID: r.folderID.String,
		Pinned: r.pinned, Public: r.public, Version: r.version}
	var err error
	if n.Title, err = unseal(ctx, s.b, scope, tableNotes, r.id, fieldTitle, r.title); err != nil {
		return nil, err
	}
	if n.Content, err = unseal(ctx, s.b, scope, tableNotes, r.id, fieldContent, r.content); err != nil {
		return nil, err
	}
	if n.CreatedAt, err = parseTime(r.created); err != nil {
		return nil, internal("read note", err)
	}
	if n.UpdatedAt, err = parseTime(r.updated); err != nil {
		return nil, internal("read note", err)
	}
	return n, nil
}

func errNoteNotFound() error { return quire.Errorf(quire.ENOTFOUND, "Note not found.") }

func nullFolder(folder string) sql.NullString {
	return sql.NullString{String: folder, Valid: folder != ""}
}

// FindNoteByID implements quire.NoteService.
func (s *NoteService) FindNoteByID(ctx context.Context, workspaceID, id string) (*quire.Note, error) {
	r, err := s.db.selectNote(ctx, tableNotes, workspaceID, id)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errNoteNotFound()
	} else if err != nil {
		return nil, internal("find note", err)
	}
	return s.decode(ctx, r)
}

// CreateNote implements quire.NoteService. It sets ID, Version, CreatedAt
// and UpdatedAt.
func (s *NoteService) CreateNote(ctx context.Context, n *quire.Note) error {
	if err := n.Validate(); err != nil {
		return err
	}
	if err := workspaceExists(ctx, s.db, n.WorkspaceID); err != nil {
		return err
	}
	id, t := quire.NewID(), now()
	scope := barrier.WorkspaceScope(n.WorkspaceID)
	r := &noteRow{id: id, workspaceID: n.WorkspaceID, folderID: nullFolder(n.FolderID), pinned: n.Pinned,
		public: n.Public, version: 1, created: formatTime(t), updated: formatTime(t)}
	var err error
	if r.title, err = seal(ctx, s.b, scope, tableNotes, id, fieldTitle, n.Title); err != nil {
		return err
	}
	if r.content, err = seal(ctx, s.b, scope, tableNotes, id, fieldContent, n.Content); err != nil {
		return err
	}
	if err := s.db.insertNote(ctx, tableNotes, r); isFolderMissing(err) {
		return quire.ErrFolderNotFound() // checked by a trigger in the insert itself
	} else if isForeignKeyViolation(err) {
		shredQuietly(ctx, s.b, scope) // the workspace was deleted meanwhile
		return errWorkspaceNotFound()
	} else if err != nil {
		return internal("insert note", err)
	}
	n.ID, n.Version, n.CreatedAt, n.UpdatedAt = id, 1, t, t
	return nil
}

// DeleteNote implements quire.NoteService.
func (s *NoteService) DeleteNote(ctx context.Context, workspaceID, id string) error {
	res, err := s.db.writer.ExecContext(ctx, "DELETE FROM notes WHERE id = ? AND workspace_id = ?", id, workspaceID)
	if err != nil {
		return internal("delete note", err)
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return errNoteNotFound()
	}
	return nil
}
