package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/quirehq/quire"
)

// RenameFolder implements quire.FolderService. The folder is read first,
// so that sealing never makes a key for a workspace that does not exist;
// the new name, bound to the folder's row as before, is sealed outside the
// transaction.
func (s *FolderService) RenameFolder(ctx context.Context, workspaceID, id, name string) (*quire.Folder, error) {
	name, err := quire.CleanFolderName(name)
	if err != nil {
		return nil, err
	}
	if _, err := s.findRow(ctx, workspaceID, id); err != nil {
		return nil, err
	}
	ct, err := sealField(ctx, s.b, workspaceID, "folders", id, "name", name)
	if err != nil {
		return nil, err
	}
	var r *folderRow
	err = s.db.inTx(ctx, tenant(workspaceID), func(tx pgx.Tx) error {
		var prev time.Time
		err := tx.QueryRow(ctx, "SELECT updated_at FROM folders WHERE id = $1 AND workspace_id = $2 FOR NO KEY UPDATE", id, workspaceID).Scan(&prev)
		if notFound(err) {
			return errNoFolder // deleted meanwhile
		} else if err != nil {
			return internal("rename folder", err)
		}
		if _, err := tx.Exec(ctx, "UPDATE folders SET name_enc = $3, updated_at = $4 WHERE id = $1 AND workspace_id = $2",
			id, workspaceID, ct, later(prev)); err != nil {
			return internal("rename folder", err)
		}
		r, err = scanFolder(tx.QueryRow(ctx, folderSelect+" WHERE f.id = $1 AND f.workspace_id = $2", id, workspaceID))
		return internal("rename folder", err)
	})
	if err != nil {
		return nil, err
	}
	return s.decrypt(ctx, r)
}

// DeleteFolder implements quire.FolderService. In one transaction it locks
// the folder for update, moves the folder's notes and ideas out of any
// folder (their other fields, version and updatedAt included, stay as they
// are) or deletes them (a note's kept versions go with it), then deletes
// the folder. The lock comes first: a write into the folder that holds
// its key-share lock is waited for and then moved or deleted too, and one
// that comes later waits and finds the folder gone (EFOLDERNOTFOUND).
func (s *FolderService) DeleteFolder(ctx context.Context, workspaceID, id string, contents quire.FolderContents) (*quire.FolderDeletion, error) {
	if contents == "" {
		contents = quire.UnfileContents
	}
	if !contents.Valid() {
		return nil, quire.Errorf(quire.EINVALID, "Contents must be %q or %q.", quire.UnfileContents, quire.DeleteContents)
	}
	out := &quire.FolderDeletion{Contents: contents}
	err := s.db.inTx(ctx, tenant(workspaceID), func(tx pgx.Tx) error {
		var one int
		err := tx.QueryRow(ctx, "SELECT 1 FROM folders WHERE id = $1 AND workspace_id = $2 FOR UPDATE", id, workspaceID).Scan(&one)
		if notFound(err) {
			return errNoFolder
		} else if err != nil {
			return internal("delete folder", err)
		}
		stmts := []string{"UPDATE notes SET folder_id = '' WHERE folder_ref = $2", "UPDATE ideas SET folder_id = NULL WHERE folder_id = $2"}
		if contents == quire.DeleteContents {
			stmts = []string{"DELETE FROM notes WHERE folder_ref = $2", "DELETE FROM ideas WHERE folder_id = $2"}
		}
		for i, count := range []*int{&out.Notes, &out.Ideas} {
			tag, err := tx.Exec(ctx, stmts[i]+" AND workspace_id = $1", workspaceID, id)
			if err != nil {
				return internal("empty folder", err)
			}
			*count = int(tag.RowsAffected())
		}
		_, err = tx.Exec(ctx, "DELETE FROM folders WHERE id = $1 AND workspace_id = $2", id, workspaceID)
		return internal("delete folder", err)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
