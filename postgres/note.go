package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/quirehq/quire"
	"github.com/quirehq/quire/barrier"
)

// NoteService stores notes, their title and content encrypted under their
// workspace's scope, each transaction bound to that workspace.
type NoteService struct {
	db       *DB
	b        *barrier.Barrier
	versions quire.VersionPolicy
}

var _ quire.NoteService = (*NoteService)(nil)

// NewNoteService returns a note service over db that encrypts with b.
func NewNoteService(db *DB, b *barrier.Barrier) *NoteService { return &NoteService{db: db, b: b} }

// noteRow is a notes row as stored.
type noteRow struct {
	id, workspace, folder string
	title, content        []byte
	pinned, public        bool
	version               int
	created, updated      time.Time
}

const noteColumns = "id, workspace_id, title_enc, content_enc, folder_id, pinned, public, version, created_at, updated_at"

func scanNote(row pgx.Row) (*noteRow, error) {
	var r noteRow
	err := row.Scan(&r.id, &r.workspace, &r.title, &r.content, &r.folder, &r.pinned, &r.public, &r.version, &r.created, &r.updated)
	if err != nil {
		return nil, err
	}
	return &r, nil
}

var errNoteNotFound = quire.Errorf(quire.ENOTFOUND, "Note not found.")

func (s *NoteService) seal(ctx context.Context, wsID, id, field, plaintext string) ([]byte, error) {
	ct, err := s.b.Encrypt(ctx, barrier.WorkspaceScope(wsID), barrier.AD("notes", id, field), []byte(plaintext))
	return ct, internal("encrypt note", err)
}

func (s *NoteService) decrypt(ctx context.Context, r *noteRow) (*quire.Note, error) {
	scope := barrier.WorkspaceScope(r.workspace)
	title, err := s.b.Decrypt(ctx, scope, barrier.AD("notes", r.id, "title"), r.title)
	if err != nil {
		return nil, internal("decrypt note", err)
	}
	content, err := s.b.Decrypt(ctx, scope, barrier.AD("notes", r.id, "content"), r.content)
	if err != nil {
		return nil, internal("decrypt note", err)
	}
	return &quire.Note{ID: r.id, WorkspaceID: r.workspace, Title: string(title), Content: string(content),
		FolderID: r.folder, Pinned: r.pinned, Public: r.public, Version: r.version,
		CreatedAt: r.created.UTC(), UpdatedAt: r.updated.UTC()}, nil
}

// CreateNote implements quire.NoteService.
func (s *NoteService) CreateNote(ctx context.Context, n *quire.Note) error {
	if err := n.Validate(); err != nil {
		return err
	}
	id, t := quire.NewID(), now()
	title, err := s.seal(ctx, n.WorkspaceID, id, "title", n.Title)
	if err != nil {
		return err
	}
	content, err := s.seal(ctx, n.WorkspaceID, id, "content", n.Content)
	if err != nil {
		return err
	}
	err = s.db.inTx(ctx, tenant(n.WorkspaceID), func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, "INSERT INTO notes ("+noteColumns+") VALUES ($1, $2, $3, $4, $5, $6, $7, 1, $8, $8)",
			id, n.WorkspaceID, title, content, n.FolderID, n.Pinned, n.Public, t)
		if isFolderViolation(err) { // checked by a foreign key in the insert itself
			return quire.ErrFolderNotFound()
		} else if pgCode(err) == codeForeignKeyViolation {
			return quire.Errorf(quire.ENOTFOUND, "Workspace not found.")
		}
		return internal("create note", err)
	})
	if quire.ErrorCode(err) == quire.ENOTFOUND {
		// Encrypting made a data key for a workspace that does not exist.
		_ = s.b.Shred(context.WithoutCancel(ctx), barrier.WorkspaceScope(n.WorkspaceID))
	}
	if err != nil {
		return err
	}
	n.ID, n.Version, n.CreatedAt, n.UpdatedAt = id, 1, t, t
	return nil
}

// findRow reads one note in a transaction bound to its workspace.
func (s *NoteService) findRow(ctx context.Context, workspaceID, id string) (*noteRow, error) {
	var r *noteRow
	err := s.db.inTx(ctx, tenant(workspaceID), func(tx pgx.Tx) error {
		var err error
		r, err = scanNote(tx.QueryRow(ctx, "SELECT "+noteColumns+" FROM notes WHERE id = $1 AND workspace_id = $2", id, workspaceID))
		if notFound(err) {
			return errNoteNotFound
		}
		return internal("find note", err)
	})
	return r, err
}

// FindNoteByID implements quire.NoteService.
func (s *NoteService) FindNoteByID(ctx context.Context, workspaceID, id string) (*quire.Note, error) {
	r, err := s.findRow(ctx, workspaceID, id)
	if err != nil {
		return nil, err
	}
	return s.decrypt(ctx, r)
}

// DeleteNote implements quire.NoteService.
func (s *NoteService) DeleteNote(ctx context.Context, workspaceID, id string) error {
	return s.db.inTx(ctx, tenant(workspaceID), func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, "DELETE FROM notes WHERE id = $1 AND workspace_id = $2", id, workspaceID)
		if err != nil {
			return internal("delete note", err)
		}
		if tag.RowsAffected() == 0 {
			return errNoteNotFound
		}
		return nil
	})
}
