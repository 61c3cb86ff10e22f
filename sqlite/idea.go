package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"strings"

	"github.com/quirehq/quire"
	"github.com/quirehq/quire/barrier"
)

// IdeaService stores ideas, each text encrypted under its workspace's
// scope and bound to its row. Every query is bound to the workspace named
// in the call.
type IdeaService struct {
	db *DB
	b  *barrier.Barrier
}

// NewIdeaService returns an IdeaService on db that encrypts through b.
func NewIdeaService(db *DB, b *barrier.Barrier) *IdeaService { return &IdeaService{db: db, b: b} }

var _ quire.IdeaService = (*IdeaService)(nil)

// ideaRow is an ideas row as stored: the text is ciphertext.
type ideaRow struct {
	id, workspaceID  string
	text             []byte
	folderID         sql.NullString
	created, updated string
}

const ideaColumns = "id, workspace_id, text_enc, folder_id, created_at, updated_at"

func scanIdea(row interface{ Scan(...any) error }) (*ideaRow, error) {
	var r ideaRow
	err := row.Scan(&r.id, &r.workspaceID, &r.text, &r.folderID, &r.created, &r.updated)
	return &r, err
}

// decode decrypts a stored row into a quire.Idea.
func (s *IdeaService) decode(ctx context.Context, r *ideaRow) (*quire.Idea, error) {
	i := &quire.Idea{ID: r.id, WorkspaceID: r.workspaceID, FolderID: r.folderID.String}
	var err error
	if i.Text, err = unseal(ctx, s.b, barrier.WorkspaceScope(r.workspaceID), tableIdeas, r.id, fieldText, r.text); err != nil {
		return nil, err
	}
	if i.CreatedAt, err = parseTime(r.created); err != nil {
		return nil, internal("read idea", err)
	}
	if i.UpdatedAt, err = parseTime(r.updated); err != nil {
		return nil, internal("read idea", err)
	}
	return i, nil
}

func errNoIdea() error { return quire.Errorf(quire.ENOTFOUND, "Idea not found.") }

// CreateIdea implements quire.IdeaService. The folder is checked in the
// transaction that inserts the idea.
func (s *IdeaService) CreateIdea(ctx context.Context, i *quire.Idea) error {
	if err := i.Validate(); err != nil {
		return err
	}
	if err := workspaceExists(ctx, s.db, i.WorkspaceID); err != nil {
		return err
	}
	id, t := quire.NewID(), now()
	scope := barrier.WorkspaceScope(i.WorkspaceID)
	text, err := seal(ctx, s.b, scope, tableIdeas, id, fieldText, i.Text)
	if err != nil {
		return err
	}
	err = s.db.write(ctx, func(tx *sql.Tx) error {
		if i.FolderID != "" {
			if err := folderExists(ctx, tx, i.WorkspaceID, i.FolderID); err != nil {
				return err
			}
		}
		_, err := tx.ExecContext(ctx, "INSERT INTO ideas ("+ideaColumns+") VALUES (?, ?, ?, ?, ?, ?)",
			id, i.WorkspaceID, text, nullFolder(i.FolderID), formatTime(t), formatTime(t))
		if isForeignKeyViolation(err) {
			return errWorkspaceNotFound()
		}
		return internalIf("insert idea", err)
	})
	if quire.ErrorCode(err) == quire.ENOTFOUND {
		shredQuietly(ctx, s.b, scope) // the workspace was deleted meanwhile
	}
	if err != nil {
		return err
	}
	i.ID, i.CreatedAt, i.UpdatedAt = id, t, t
	return nil
}

// FindIdeaByID implements quire.IdeaService.
func (s *IdeaService) FindIdeaByID(ctx context.Context, workspaceID, id string) (*quire.Idea, error) {
	r, err := scanIdea(s.db.reader.QueryRowContext(ctx, "SELECT "+ideaColumns+" FROM ideas WHERE id = ? AND workspace_id = ?", id, workspaceID))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errNoIdea()
	} else if err != nil {
		return nil, internal("find idea", err)
	}
	return s.decode(ctx, r)
}

// UpdateIdea implements quire.IdeaService. Only the fields set are
// written, so concurrent updates of different fields both apply; a new
// folder is checked in the transaction that writes it.
func (s *IdeaService) UpdateIdea(ctx context.Context, workspaceID, id string, upd quire.IdeaUpdate) (*quire.Idea, error) {
	if err := upd.Validate(); err != nil {
		return nil, err
	}
	cur, err := s.FindIdeaByID(ctx, workspaceID, id)
	if err != nil {
		return nil, err
	}
	sets, args := []string{"updated_at = ?"}, []any{formatTime(after(cur.UpdatedAt))}
	if upd.Text != nil {
		ct, err := seal(ctx, s.b, barrier.WorkspaceScope(workspaceID), tableIdeas, id, fieldText, *upd.Text)
		if err != nil {
			return nil, err
		}
		sets, args = append(sets, "text_enc = ?"), append(args, ct)
	}
	if upd.FolderID != nil {
		sets, args = append(sets, "folder_id = ?"), append(args, nullFolder(*upd.FolderID))
	}
	var r *ideaRow
	err = s.db.write(ctx, func(tx *sql.Tx) error {
		if upd.FolderID != nil && *upd.FolderID != "" {
			if err := folderExists(ctx, tx, workspaceID, *upd.FolderID); err != nil {
				return err
			}
		}
		res, err := tx.ExecContext(ctx, "UPDATE ideas SET "+strings.Join(sets, ", ")+" WHERE id = ? AND workspace_id = ?",
			append(args, id, workspaceID)...)
		if err != nil {
			return internal("update idea", err)
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return errNoIdea() // deleted meanwhile
		}
		r, err = scanIdea(tx.QueryRowContext(ctx, "SELECT "+ideaColumns+" FROM ideas WHERE id = ?", id))
		return internalIf("update idea", err)
	})
	if err != nil {
		return nil, err
	}
	return s.decode(ctx, r)
}

// DeleteIdea implements quire.IdeaService.
func (s *IdeaService) DeleteIdea(ctx context.Context, workspaceID, id string) error {
	res, err := s.db.writer.ExecContext(ctx, "DELETE FROM ideas WHERE id = ? AND workspace_id = ?", id, workspaceID)
	if err != nil {
		return internal("delete idea", err)
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return errNoIdea()
	}
	return nil
}
