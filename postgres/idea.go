package postgres

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/quirehq/quire"
	"github.com/quirehq/quire/barrier"
)

// IdeaService stores ideas, each text encrypted under its workspace's
// scope and bound to its row, every transaction bound to that workspace.
type IdeaService struct {
	db *DB
	b  *barrier.Barrier
}

var _ quire.IdeaService = (*IdeaService)(nil)

// NewIdeaService returns an idea service over db that encrypts with b.
func NewIdeaService(db *DB, b *barrier.Barrier) *IdeaService { return &IdeaService{db: db, b: b} }

// ideaRow is an ideas row as stored: the text is ciphertext.
type ideaRow struct {
	id, workspace    string
	text             []byte
	folder           *string
	created, updated time.Time
}

const ideaColumns = "id, workspace_id, text_enc, folder_id, created_at, updated_at"

func scanIdea(row pgx.Row) (*ideaRow, error) {
	var r ideaRow
	if err := row.Scan(&r.id, &r.workspace, &r.text, &r.folder, &r.created, &r.updated); err != nil {
		return nil, err
	}
	return &r, nil
}

func (s *IdeaService) decrypt(ctx context.Context, r *ideaRow) (*quire.Idea, error) {
	text, err := openField(ctx, s.b, r.workspace, "ideas", r.id, "text", r.text)
	if err != nil {
		return nil, err
	}
	i := &quire.Idea{ID: r.id, WorkspaceID: r.workspace, Text: text, CreatedAt: r.created.UTC(), UpdatedAt: r.updated.UTC()}
	if r.folder != nil {
		i.FolderID = *r.folder
	}
	return i, nil
}

var errNoIdea = quire.Errorf(quire.ENOTFOUND, "Idea not found.")

// folderArg is a folder ID as the ideas table stores it: NULL for none.
func folderArg(id string) *string {
	if id == "" {
		return nil
	}
	return &id
}

// CreateIdea implements quire.IdeaService. The folder is checked and
// locked in the transaction that inserts the idea.
func (s *IdeaService) CreateIdea(ctx context.Context, i *quire.Idea) error {
	if err := i.Validate(); err != nil {
		return err
	}
	if err := s.db.workspaceExists(ctx, i.WorkspaceID); err != nil {
		return err // checked first: sealing would make a key for it
	}
	id, t := quire.NewID(), now()
	text, err := sealField(ctx, s.b, i.WorkspaceID, "ideas", id, "text", i.Text)
	if err != nil {
		return err
	}
	err = s.db.inTx(ctx, tenant(i.WorkspaceID), func(tx pgx.Tx) error {
		if i.FolderID != "" {
			if err := lockFolder(ctx, tx, i.WorkspaceID, i.FolderID); err != nil {
				return err
			}
		}
		_, err := tx.Exec(ctx, "INSERT INTO ideas ("+ideaColumns+") VALUES ($1, $2, $3, $4, $5, $5)",
			id, i.WorkspaceID, text, folderArg(i.FolderID), t)
		if isFolderViolation(err) {
			return quire.ErrFolderNotFound()
		} else if pgCode(err) == codeForeignKeyViolation {
			return errWorkspaceNotFound
		}
		return internal("create idea", err)
	})
	if quire.ErrorCode(err) == quire.ENOTFOUND {
		// Deleted meanwhile: encrypting made a data key for it.
		_ = s.b.Shred(context.WithoutCancel(ctx), barrier.WorkspaceScope(i.WorkspaceID))
	}
	if err != nil {
		return err
	}
	i.ID, i.CreatedAt, i.UpdatedAt = id, t, t
	return nil
}

// findRow reads one idea in a transaction bound to its workspace.
func (s *IdeaService) findRow(ctx context.Context, ws, id string) (*ideaRow, error) {
	var r *ideaRow
	err := s.db.inTx(ctx, tenant(ws), func(tx pgx.Tx) error {
		var err error
		r, err = scanIdea(tx.QueryRow(ctx, "SELECT "+ideaColumns+" FROM ideas WHERE id = $1 AND workspace_id = $2", id, ws))
		if notFound(err) {
			return errNoIdea
		}
		return internal("find idea", err)
	})
	return r, err
}

// FindIdeaByID implements quire.IdeaService.
func (s *IdeaService) FindIdeaByID(ctx context.Context, workspaceID, id string) (*quire.Idea, error) {
	r, err := s.findRow(ctx, workspaceID, id)
	if err != nil {
		return nil, err
	}
	return s.decrypt(ctx, r)
}

// UpdateIdea implements quire.IdeaService. Only the fields set are
// written, so concurrent updates of different fields both apply; a new
// folder is checked and locked in the transaction that writes it.
func (s *IdeaService) UpdateIdea(ctx context.Context, workspaceID, id string, upd quire.IdeaUpdate) (*quire.Idea, error) {
	if err := upd.Validate(); err != nil {
		return nil, err
	}
	cur, err := s.findRow(ctx, workspaceID, id)
	if err != nil {
		return nil, err
	}
	sets, args := []string{"updated_at = $3"}, []any{id, workspaceID, later(cur.updated)}
	if upd.Text != nil {
		ct, err := sealField(ctx, s.b, workspaceID, "ideas", id, "text", *upd.Text)
		if err != nil {
			return nil, err
		}
		args = append(args, ct)
		sets = append(sets, "text_enc = $"+strconv.Itoa(len(args)))
	}
	if upd.FolderID != nil {
		args = append(args, folderArg(*upd.FolderID))
		sets = append(sets, "folder_id = $"+strconv.Itoa(len(args)))
	}
	var r *ideaRow
	err = s.db.inTx(ctx, tenant(workspaceID), func(tx pgx.Tx) error {
		if upd.FolderID != nil && *upd.FolderID != "" {
			if err := lockFolder(ctx, tx, workspaceID, *upd.FolderID); err != nil {
				return err
			}
		}
		var err error
		r, err = scanIdea(tx.QueryRow(ctx, "UPDATE ideas SET "+strings.Join(sets, ", ")+
			" WHERE id = $1 AND workspace_id = $2 RETURNING "+ideaColumns, args...))
		if notFound(err) {
			return errNoIdea // deleted meanwhile
		} else if isFolderViolation(err) {
			return quire.ErrFolderNotFound()
		}
		return internal("update idea", err)
	})
	if err != nil {
		return nil, err
	}
	return s.decrypt(ctx, r)
}

// DeleteIdea implements quire.IdeaService.
func (s *IdeaService) DeleteIdea(ctx context.Context, workspaceID, id string) error {
	return s.db.inTx(ctx, tenant(workspaceID), func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, "DELETE FROM ideas WHERE id = $1 AND workspace_id = $2", id, workspaceID)
		if err != nil {
			return internal("delete idea", err)
		}
		if tag.RowsAffected() == 0 {
			return errNoIdea
		}
		return nil
	})
}
