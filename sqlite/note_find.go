package sqlite

import (
	"context"
	"database/sql"
	"strings"

	"github.com/quirehq/quire"
	"github.com/quirehq/quire/barrier"
)

// FindNotes implements quire.NoteService: pinned notes first, then the most
// recently updated. The count and the page come from one snapshot, and rows
// are read before any is decrypted, so that no read connection is held while
// the barrier may need one to load keys.
func (s *NoteService) FindNotes(ctx context.Context, f quire.NoteFilter) ([]*quire.Note, int, error) {
	where, args, err := noteFilter(f)
	if err != nil {
		return nil, 0, err
	}
	limit := f.Limit
	if limit == 0 {
		limit = -1 // SQLite: no limit
	}
	var total int
	var raw []*noteRow
	err = s.db.read(ctx, func(tx *sql.Tx) error {
		if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM notes WHERE "+where, args...).Scan(&total); err != nil {
			return err
		}
		rows, err := tx.QueryContext(ctx, "SELECT "+noteColumns+" FROM notes WHERE "+where+
			" ORDER BY pinned DESC, updated_at DESC, id LIMIT ? OFFSET ?", append(args, limit, f.Offset)...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			r, err := scanNote(rows)
			if err != nil {
				return err
			}
			raw = append(raw, r)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, 0, internal("find notes", err)
	}
	out := make([]*quire.Note, 0, len(raw))
	for _, r := range raw {
		n, err := s.decode(ctx, r)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, n)
	}
	return out, total, nil
}

// noteFilter validates f and returns its WHERE clause and arguments.
func noteFilter(f quire.NoteFilter) (string, []any, error) {
	if err := f.Validate(); err != nil {
		return "", nil, err
	}
	where, args := []string{"workspace_id = ?"}, []any{f.WorkspaceID}
	if f.FolderID != nil {
		if *f.FolderID == "" {
			where = append(where, "folder_id IS NULL")
		} else {
			where, args = append(where, "folder_id = ?"), append(args, *f.FolderID)
		}
	}
	if f.PinnedOnly {
		where = append(where, "pinned = 1")
	}
	return strings.Join(where, " AND "), args, nil
}

// maxUpdateAttempts bounds how often an unconditional update retries when
// other writers keep changing the note between its read and its write.
const maxUpdateAttempts = 10

// UpdateNote implements quire.NoteService. The write is a compare-and-swap
// on the version read, so concurrent updates never overwrite each other
// unseen: with IfVersion a lost race is ECONFLICT, without it the update is
// applied again on the newer note.
func (s *NoteService) UpdateNote(ctx context.Context, workspaceID, id string, upd quire.NoteUpdate) (*quire.Note, error) {
	if err := upd.Validate(); err != nil {
		return nil, err
	}
	for range maxUpdateAttempts {
		cur, err := s.FindNoteByID(ctx, workspaceID, id)
		if err != nil {
			return nil, err
		}
		if upd.IfVersion != 0 && cur.Version != upd.IfVersion {
			return nil, errVersionConflict()
		}
		next, ok, err := s.swap(ctx, cur, upd)
		if err != nil || ok {
			return next, err
		}
	}
	return nil, quire.Errorf(quire.ECONFLICT, "The note is changing too often; try again.")
}

func errVersionConflict() error {
	return quire.Errorf(quire.ECONFLICT, "The note was changed by someone else; reload it and try again.")
}

// textChanges reports whether upd changes n's title or content, which
// keeps the state it replaces as a version.
func textChanges(n *quire.Note, upd quire.NoteUpdate) bool {
	return upd.Title != nil && *upd.Title != n.Title || upd.Content != nil && *upd.Content != n.Content
}

// swap writes upd applied to cur if the stored note is still at cur's
// version, and reports whether it was. A changed title or content keeps
// cur's as a version, in the same transaction. When it was not, the caller reads the
// note again: it is gone (ENOTFOUND), at another version (ECONFLICT under
// IfVersion), or simply newer (retry).
func (s *NoteService) swap(ctx context.Context, cur *quire.Note, upd quire.NoteUpdate) (*quire.Note, bool, error) {
	next := *cur
	upd.Apply(&next)
	next.Version, next.UpdatedAt = cur.Version+1, after(cur.UpdatedAt)
	scope := barrier.WorkspaceScope(cur.WorkspaceID)
	sets := []string{"pinned = ?", "public = ?", "version = ?", "updated_at = ?"}
	args := []any{next.Pinned, next.Public, next.Version, formatTime(next.UpdatedAt)}
	if upd.FolderID != nil { // else left alone: a folder deleted meanwhile has unfiled the note
		sets, args = append(sets, "folder_id = ?"), append(args, nullFolder(next.FolderID))
	}
	for _, f := range []struct {
		set   *string
		field string
	}{{upd.Title, fieldTitle}, {upd.Content, fieldContent}} {
		if f.set == nil {
			continue
		}
		ct, err := seal(ctx, s.b, scope, tableNotes, cur.ID, f.field, *f.set)
		if err != nil {
			return nil, false, err
		}
		sets, args = append(sets, f.field+"_enc = ?"), append(args, ct)
	}
	var kept *versionRow
	if textChanges(cur, upd) {
		var err error
		if kept, err = s.sealVersion(ctx, cur); err != nil {
			return nil, false, err
		}
	}
	swapped := false
	err := s.db.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, "UPDATE notes SET "+strings.Join(sets, ", ")+
			" WHERE id = ? AND workspace_id = ? AND version = ?", append(args, cur.ID, cur.WorkspaceID, cur.Version)...)
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		if err != nil || n != 1 {
			return err
		}
		swapped = true
		return s.keepVersion(ctx, tx, kept)
	})
	if isFolderMissing(err) {
		return nil, false, quire.ErrFolderNotFound()
	} else if err != nil {
		return nil, false, internal("update note", err)
	}
	return &next, swapped, nil
}
