package sqlite

import (
	"context"
	"database/sql"
	"errors"

	"github.com/quirehq/quire"
	"github.com/quirehq/quire/barrier"
)

// RenameFolder implements quire.FolderService. The new name is sealed
// before the transaction, bound to the folder's row as before.
func (s *FolderService) RenameFolder(ctx context.Context, workspaceID, id, name string) (*quire.Folder, error) {
	name, err := quire.CleanFolderName(name)
	if err != nil {
		return nil, err
	}
	// Checked first so that sealing never makes a key for a workspace
	// that does not exist.
	if err := s.exists(ctx, workspaceID, id); err != nil {
		return nil, err
	}
	ct, err := seal(ctx, s.b, barrier.WorkspaceScope(workspaceID), tableFolders, id, fieldName, name)
	if err != nil {
		return nil, err
	}
	var r *folderRow
	err = s.db.write(ctx, func(tx *sql.Tx) error {
		var prev string
		err := tx.QueryRowContext(ctx, "SELECT updated_at FROM folders WHERE id = ? AND workspace_id = ?", id, workspaceID).Scan(&prev)
		if errors.Is(err, sql.ErrNoRows) {
			return errNoFolder() // deleted meanwhile
		} else if err != nil {
			return internal("rename folder", err)
		}
		t, err := parseTime(prev)
		if err != nil {
			return internal("rename folder", err)
		}
		if _, err := tx.ExecContext(ctx, "UPDATE folders SET name_enc = ?, updated_at = ? WHERE id = ? AND workspace_id = ?",
			ct, formatTime(after(t)), id, workspaceID); err != nil {
			return internal("rename folder", err)
		}
		r, err = scanFolder(tx.QueryRowContext(ctx, folderSelect+" WHERE f.id = ? AND f.workspace_id = ?", id, workspaceID))
		return internalIf("rename folder", err)
	})
	if err != nil {
		return nil, err
	}
	return s.decode(ctx, r)
}

// exists returns ENOTFOUND unless workspace ws has folder id.
func (s *FolderService) exists(ctx context.Context, ws, id string) error {
	var n int
	if err := s.db.reader.QueryRowContext(ctx, "SELECT count(*) FROM folders WHERE id = ? AND workspace_id = ?", id, ws).Scan(&n); err != nil {
		return internal("check folder", err)
	} else if n == 0 {
		return errNoFolder()
	}
	return nil
}

// internalIf is internal for a non-nil err, and nil otherwise.
func internalIf(what string, err error) error {
	if err == nil {
		return nil
	}
	return internal(what, err)
}

// DeleteFolder implements quire.FolderService. In one transaction it moves
// the folder's notes and ideas out of any folder (their other fields,
// version and updatedAt included, stay as they are) or deletes them (a
// note's kept versions go with it), then deletes the folder. A note or
// idea written into the folder meanwhile waits for the transaction and
// then finds the folder gone (EFOLDERNOTFOUND), so none is left behind.
func (s *FolderService) DeleteFolder(ctx context.Context, workspaceID, id string, contents quire.FolderContents) (*quire.FolderDeletion, error) {
	if contents == "" {
		contents = quire.UnfileContents
	}
	if !contents.Valid() {
		return nil, quire.Errorf(quire.EINVALID, "Contents must be %q or %q.", quire.UnfileContents, quire.DeleteContents)
	}
	out := &quire.FolderDeletion{Contents: contents}
	err := s.db.write(ctx, func(tx *sql.Tx) error {
		if err := folderExists(ctx, tx, workspaceID, id); quire.ErrorCode(err) == quire.EFOLDERNOTFOUND {
			return errNoFolder()
		} else if err != nil {
			return err
		}
		stmts := []string{"UPDATE notes SET folder_id = NULL", "UPDATE ideas SET folder_id = NULL"}
		if contents == quire.DeleteContents {
			stmts = []string{"DELETE FROM notes", "DELETE FROM ideas"}
		}
		counts := []*int{&out.Notes, &out.Ideas}
		for i, q := range stmts {
			res, err := tx.ExecContext(ctx, q+" WHERE workspace_id = ? AND folder_id = ?", workspaceID, id)
			if err != nil {
				return internal("empty folder", err)
			}
			n, err := res.RowsAffected()
			if err != nil {
				return internal("empty folder", err)
			}
			*counts[i] = int(n)
		}
		_, err := tx.ExecContext(ctx, "DELETE FROM folders WHERE id = ? AND workspace_id = ?", id, workspaceID)
		return internalIf("delete folder", err)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
