package postgres

import (
	"context"
	"strconv"

	"github.com/jackc/pgx/v5"
	"github.com/quirehq/quire"
)

// FindNotes implements quire.NoteService: pinned notes first, then the most
// recently updated. Limit 0 means no limit.
func (s *NoteService) FindNotes(ctx context.Context, f quire.NoteFilter) ([]*quire.Note, int, error) {
	if err := f.Validate(); err != nil {
		return nil, 0, err
	}
	where, args := "workspace_id = $1", []any{f.WorkspaceID}
	if f.FolderID != nil {
		args = append(args, *f.FolderID)
		where += " AND folder_id = $" + strconv.Itoa(len(args))
	}
	if f.PinnedOnly {
		where += " AND pinned"
	}
	var limit *int
	if f.Limit > 0 {
		limit = &f.Limit
	}
	var rows []*noteRow
	var total int
	err := s.db.inTx(ctx, tenant(f.WorkspaceID), func(tx pgx.Tx) error {
		if err := tx.QueryRow(ctx, "SELECT count(*) FROM notes WHERE "+where, args...).Scan(&total); err != nil {
			return internal("count notes", err)
		}
		n := len(args)
		rs, err := tx.Query(ctx, "SELECT "+noteColumns+" FROM notes WHERE "+where+
			" ORDER BY pinned DESC, updated_at DESC, id LIMIT $"+strconv.Itoa(n+1)+" OFFSET $"+strconv.Itoa(n+2),
			append(args, limit, f.Offset)...)
		if err != nil {
			return internal("find notes", err)
		}
		rows, err = pgx.CollectRows(rs, func(r pgx.CollectableRow) (*noteRow, error) { return scanNote(r) })
		return internal("find notes", err)
	})
	if err != nil {
		return nil, 0, err
	}
	out := make([]*quire.Note, 0, len(rows))
	for _, r := range rows {
		n, err := s.decrypt(ctx, r)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, n)
	}
	return out, total, nil
}

// UpdateNote implements quire.NoteService. The changed fields are encrypted
// outside any transaction; the write then succeeds only if the note is still
// at the version that was read (compare-and-set), so concurrent updates never
// overwrite each other. Without IfVersion a lost race is retried.
func (s *NoteService) UpdateNote(ctx context.Context, workspaceID, id string, upd quire.NoteUpdate) (*quire.Note, error) {
	if err := upd.Validate(); err != nil {
		return nil, err
	}
	for range maxRetries {
		n, ok, err := s.tryUpdate(ctx, workspaceID, id, upd)
		if err != nil || ok {
			return n, err
		}
	}
	return nil, quire.Errorf(quire.ECONFLICT, "The note was changed concurrently; try again.")
}

func (s *NoteService) tryUpdate(ctx context.Context, workspaceID, id string, upd quire.NoteUpdate) (*quire.Note, bool, error) {
	r, err := s.findRow(ctx, workspaceID, id)
	if err != nil {
		return nil, false, err
	}
	if upd.IfVersion != 0 && r.version != upd.IfVersion {
		return nil, false, quire.Errorf(quire.ECONFLICT, "The note is at version %d, not %d.", r.version, upd.IfVersion)
	}
	n, err := s.decrypt(ctx, r)
	if err != nil {
		return nil, false, err
	}
	var kept *versionRow
	if upd.Title != nil && *upd.Title != n.Title || upd.Content != nil && *upd.Content != n.Content {
		if kept, err = s.sealVersion(ctx, n); err != nil {
			return nil, false, err
		}
	}
	upd.Apply(n)
	title, content := r.title, r.content
	if upd.Title != nil {
		if title, err = s.seal(ctx, workspaceID, id, "title", n.Title); err != nil {
			return nil, false, err
		}
	}
	if upd.Content != nil {
		if content, err = s.seal(ctx, workspaceID, id, "content", n.Content); err != nil {
			return nil, false, err
		}
	}
	n.Version, n.UpdatedAt = r.version+1, later(r.updated)
	var changed int64
	err = s.db.inTx(ctx, tenant(workspaceID), func(tx pgx.Tx) error {
		// The folder is written only when upd moves the note: a folder
		// deleted meanwhile has unfiled it, without a new version.
		tag, err := tx.Exec(ctx, `UPDATE notes SET title_enc = $3, content_enc = $4,
			folder_id = CASE WHEN $11 THEN $5 ELSE folder_id END, pinned = $6, public = $7,
			version = $8, updated_at = $9 WHERE id = $1 AND workspace_id = $2 AND version = $10`,
			id, workspaceID, title, content, n.FolderID, n.Pinned, n.Public, n.Version, n.UpdatedAt, r.version, upd.FolderID != nil)
		if isFolderViolation(err) {
			return quire.ErrFolderNotFound()
		} else if err != nil || tag.RowsAffected() != 1 {
			return internal("update note", err)
		}
		changed = 1
		return internal("keep note version", s.keepVersion(ctx, tx, kept))
	})
	if err != nil {
		return nil, false, err
	} else if changed == 1 {
		return n, true, nil
	}
	if upd.IfVersion != 0 { // someone else moved the note past IfVersion
		if _, err := s.findRow(ctx, workspaceID, id); err != nil {
			return nil, false, err
		}
		return nil, false, quire.Errorf(quire.ECONFLICT, "The note changed while it was being updated.")
	}
	return nil, false, nil
}
