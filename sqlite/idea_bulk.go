package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"strings"

	"github.com/quirehq/quire"
	"github.com/quirehq/quire/barrier"
)

// errSomeIdeas is a bulk operation that named an idea the workspace does
// not have: it changed nothing.
func errSomeIdeas() error {
	return quire.Errorf(quire.ENOTFOUND, "One or more of the ideas were not found; nothing was changed.")
}

// bulk runs stmt (an UPDATE or DELETE of ideas ending in its WHERE
// clause's workspace and ID list) in tx for ids, all or nothing: unless
// every idea was affected, it fails and the caller's transaction rolls
// back.
func bulk(ctx context.Context, tx *sql.Tx, stmt string, args []any, ws string, ids []string) error {
	args = append(args, ws)
	for _, id := range ids {
		args = append(args, id)
	}
	res, err := tx.ExecContext(ctx, stmt+" WHERE workspace_id = ? AND id IN (?"+strings.Repeat(", ?", len(ids)-1)+")", args...)
	if err != nil {
		return internal("bulk ideas", err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return internal("bulk ideas", err)
	} else if int(n) != len(ids) {
		return errSomeIdeas()
	}
	return nil
}

// MoveIdeas implements quire.IdeaService. The folder is checked and the
// ideas moved in one transaction.
func (s *IdeaService) MoveIdeas(ctx context.Context, workspaceID string, ids []string, folderID string) error {
	if err := quire.ValidateIdeaIDs(ids); err != nil {
		return err
	}
	if err := (quire.IdeaUpdate{FolderID: &folderID}).Validate(); err != nil {
		return err
	}
	return s.db.write(ctx, func(tx *sql.Tx) error {
		if folderID != "" {
			if err := folderExists(ctx, tx, workspaceID, folderID); err != nil {
				return err
			}
		}
		return bulk(ctx, tx, "UPDATE ideas SET folder_id = ?, updated_at = ?", []any{nullFolder(folderID), formatTime(now())}, workspaceID, ids)
	})
}

// DeleteIdeas implements quire.IdeaService.
func (s *IdeaService) DeleteIdeas(ctx context.Context, workspaceID string, ids []string) error {
	if err := quire.ValidateIdeaIDs(ids); err != nil {
		return err
	}
	return s.db.write(ctx, func(tx *sql.Tx) error {
		return bulk(ctx, tx, "DELETE FROM ideas", nil, workspaceID, ids)
	})
}

// maxPromoteAttempts bounds how often PromoteIdea reads an idea again
// that others keep editing.
const maxPromoteAttempts = 10

// errIdeaChanged ends a promotion attempt whose idea changed between its
// read and the transaction; the caller reads it again.
var errIdeaChanged = errors.New("sqlite: the idea changed during its promotion")

// PromoteIdea implements quire.IdeaService. The note is sealed from the
// idea as read; the transaction then deletes the idea only if its text is
// still what was read, and inserts the note into the idea's folder of
// that moment. An idea edited meanwhile is read and sealed again.
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
	r, err := scanIdea(s.db.reader.QueryRowContext(ctx, "SELECT "+ideaColumns+" FROM ideas WHERE id = ? AND workspace_id = ?", id, workspaceID))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errNoIdea()
	} else if err != nil {
		return nil, internal("find idea", err)
	}
	idea, err := s.decode(ctx, r)
	if err != nil {
		return nil, err
	}
	t := now()
	n := &quire.Note{ID: quire.NewID(), WorkspaceID: workspaceID, Title: quire.PromotedTitle(idea.Text), Content: idea.Text,
		Version: 1, CreatedAt: t, UpdatedAt: t}
	row := &noteRow{id: n.ID, workspaceID: workspaceID, version: 1, created: formatTime(t), updated: formatTime(t)}
	scope := barrier.WorkspaceScope(workspaceID)
	if row.title, err = seal(ctx, s.b, scope, tableNotes, n.ID, fieldTitle, n.Title); err != nil {
		return nil, err
	}
	if row.content, err = seal(ctx, s.b, scope, tableNotes, n.ID, fieldContent, n.Content); err != nil {
		return nil, err
	}
	err = s.db.write(ctx, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, "DELETE FROM ideas WHERE id = ? AND workspace_id = ? AND text_enc = ? RETURNING folder_id",
			id, workspaceID, r.text).Scan(&row.folderID)
		if errors.Is(err, sql.ErrNoRows) {
			return errIdeaChanged // edited or deleted: the next read tells
		} else if err != nil {
			return internal("promote idea", err)
		}
		_, err = tx.ExecContext(ctx, "INSERT INTO notes ("+noteColumns+") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
			row.id, row.workspaceID, row.title, row.content, row.folderID, row.pinned, row.public, row.version, row.created, row.updated)
		return internalIf("promote idea", err)
	})
	if err != nil {
		return nil, err
	}
	n.FolderID = row.folderID.String
	return n, nil
}
