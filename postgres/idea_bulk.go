package postgres

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5"
	"github.com/quirehq/quire"
)

// errSomeIdeas is a bulk operation that named an idea the workspace does
// not have: it changed nothing.
var errSomeIdeas = quire.Errorf(quire.ENOTFOUND, "One or more of the ideas were not found; nothing was changed.")

// bulk runs stmt, an UPDATE or DELETE of the ideas whose IDs are $1 in
// workspace $2, in tx, all or nothing: unless it affected every one of
// ids, it fails and the transaction rolls back.
func bulk(ctx context.Context, tx pgx.Tx, stmt string, ids []string, args ...any) error {
	tag, err := tx.Exec(ctx, stmt+" WHERE id = ANY($1) AND workspace_id = $2", args...)
	if err != nil {
		return internal("bulk ideas", err)
	}
	if tag.RowsAffected() != int64(len(ids)) {
		return errSomeIdeas
	}
	return nil
}

// MoveIdeas implements quire.IdeaService. The folder is checked and
// locked, and the ideas moved, in one transaction.
func (s *IdeaService) MoveIdeas(ctx context.Context, workspaceID string, ids []string, folderID string) error {
	if err := quire.ValidateIdeaIDs(ids); err != nil {
		return err
	}
	if err := (quire.IdeaUpdate{FolderID: &folderID}).Validate(); err != nil {
		return err
	}
	return s.db.inTx(ctx, tenant(workspaceID), func(tx pgx.Tx) error {
		if folderID != "" {
			if err := lockFolder(ctx, tx, workspaceID, folderID); err != nil {
				return err
			}
		}
		return bulk(ctx, tx, "UPDATE ideas SET folder_id = $3, updated_at = $4", ids, ids, workspaceID, folderArg(folderID), now())
	})
}

// DeleteIdeas implements quire.IdeaService.
func (s *IdeaService) DeleteIdeas(ctx context.Context, workspaceID string, ids []string) error {
	if err := quire.ValidateIdeaIDs(ids); err != nil {
		return err
	}
	return s.db.inTx(ctx, tenant(workspaceID), func(tx pgx.Tx) error {
		return bulk(ctx, tx, "DELETE FROM ideas", ids, ids, workspaceID)
	})
}

// maxPromoteAttempts bounds how often PromoteIdea reads an idea again
// that others keep changing.
const maxPromoteAttempts = 10

// errIdeaChanged ends a promotion attempt whose idea changed between its
// read and the transaction; the caller reads it again.
var errIdeaChanged = errors.New("postgres: the idea changed during its promotion")

// PromoteIdea implements quire.IdeaService. The note is sealed from the
// idea as read, outside any transaction. The transaction then locks the
// idea's folder (before the idea, the order DeleteFolder takes them in),
// deletes the idea only if its text and folder are still what was read,
// and inserts the note into that folder. An idea changed meanwhile is read
// and sealed again.
func (s *IdeaService) PromoteIdea(ctx context.Context, workspaceID, id string) (*quire.Note, error) {
	for range maxPromoteAttempts {
		n, err := s.promote(ctx, workspaceID, id)
		if !errors.Is(err, errIdeaChanged) {
			return n, err
		}
	}
	return nil, quire.Errorf(quire.ECONFLICT, "The idea is changing too often; try again.")
}

func (s *IdeaService) promote(ctx context.Context, workspaceID, id string) (*quire.Note, error) {
	r, err := s.findRow(ctx, workspaceID, id)
	if err != nil {
		return nil, err
	}
	idea, err := s.decrypt(ctx, r)
	if err != nil {
		return nil, err
	}
	t := now()
	n := &quire.Note{ID: quire.NewID(), WorkspaceID: workspaceID, Title: quire.PromotedTitle(idea.Text), Content: idea.Text,
		FolderID: idea.FolderID, Version: 1, CreatedAt: t, UpdatedAt: t}
	title, err := sealField(ctx, s.b, workspaceID, "notes", n.ID, "title", n.Title)
	if err != nil {
		return nil, err
	}
	content, err := sealField(ctx, s.b, workspaceID, "notes", n.ID, "content", n.Content)
	if err != nil {
		return nil, err
	}
	err = s.db.inTx(ctx, tenant(workspaceID), func(tx pgx.Tx) error {
		if n.FolderID != "" {
			if err := lockFolder(ctx, tx, workspaceID, n.FolderID); quire.ErrorCode(err) == quire.EFOLDERNOTFOUND {
				return errIdeaChanged // the folder is gone, so the idea moved out of it
			} else if err != nil {
				return err
			}
		}
		tag, err := tx.Exec(ctx, "DELETE FROM ideas WHERE id = $1 AND workspace_id = $2 AND text_enc = $3 AND folder_id IS NOT DISTINCT FROM $4",
			id, workspaceID, r.text, folderArg(n.FolderID))
		if err != nil {
			return internal("promote idea", err)
		} else if tag.RowsAffected() == 0 {
			return errIdeaChanged // edited, moved or deleted: the next read tells
		}
		_, err = tx.Exec(ctx, `INSERT INTO notes (id, workspace_id, title_enc, content_enc, folder_id, pinned, public, version, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, false, false, 1, $6, $6)`, n.ID, workspaceID, title, content, n.FolderID, t)
		return internal("promote idea", err)
	})
	if err != nil {
		return nil, err
	}
	return n, nil
}
