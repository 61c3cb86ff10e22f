package sqlite

import (
	"context"
	"database/sql"

	"github.com/quirehq/quire"
	"github.com/quirehq/quire/barrier"
)

// DeleteWorkspace implements quire.WorkspaceService. The workspace's data
// keys, notes, note links, files, ideas, folder shares, folders,
// embeddings, AI policy, memberships and row are deleted in one
// transaction, so its content is unrecoverable with the live key store
// from that moment (a backup of the database made before keeps its own
// copy of the wrapped keys), and an interrupted delete leaves nothing
// half-gone. Shred then removes any key that a concurrent write made
// meanwhile and clears the key cache.
func (s *WorkspaceService) DeleteWorkspace(ctx context.Context, id string) error {
	if err := s.exists(ctx, id); err != nil {
		return err
	}
	scope := barrier.WorkspaceScope(id)
	err := s.db.write(ctx, func(tx *sql.Tx) error {
		for _, q := range []struct{ sql, arg string }{
			{"DELETE FROM data_keys WHERE scope = ?", string(scope)},
			{"DELETE FROM chat_messages WHERE workspace_id = ?", id},
			{"DELETE FROM conversations WHERE workspace_id = ?", id},
			{"DELETE FROM note_versions WHERE workspace_id = ?", id},
			{"DELETE FROM files WHERE workspace_id = ?", id},
			{"DELETE FROM embeddings WHERE workspace_id = ?", id},
			{"DELETE FROM note_links WHERE workspace_id = ?", id},
			{"DELETE FROM notes WHERE workspace_id = ?", id},
			{"DELETE FROM ideas WHERE workspace_id = ?", id},
			{"DELETE FROM folder_shares WHERE workspace_id = ?", id},
			{"DELETE FROM folders WHERE workspace_id = ?", id},
			{"DELETE FROM ai_policies WHERE workspace_id = ?", id},
			{"DELETE FROM memberships WHERE workspace_id = ?", id},
			{"DELETE FROM workspaces WHERE id = ?", id},
		} {
			if _, err := tx.ExecContext(ctx, q.sql, q.arg); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return internal("delete workspace", err)
	}
	if err := s.b.Shred(ctx, scope); err != nil {
		return internal("shred workspace keys", err)
	}
	return nil
}

// exists returns ENOTFOUND unless workspace id exists.
func (s *WorkspaceService) exists(ctx context.Context, id string) error {
	return workspaceExists(ctx, s.db, id)
}

func workspaceExists(ctx context.Context, db *DB, id string) error {
	var n int
	if err := db.reader.QueryRowContext(ctx, "SELECT count(*) FROM workspaces WHERE id = ?", id).Scan(&n); err != nil {
		return internal("check workspace", err)
	}
	if n == 0 {
		return errWorkspaceNotFound()
	}
	return nil
}

// AddMember implements quire.WorkspaceService. It sets m.CreatedAt.
func (s *WorkspaceService) AddMember(ctx context.Context, m *quire.Membership) error {
	if !m.Role.Valid() {
		return quire.Errorf(quire.EINVALID, "Role must be %q, %q or %q.", quire.RoleOwner, quire.RoleEditor, quire.RoleViewer)
	}
	t := now()
	_, err := s.db.writer.ExecContext(ctx, "INSERT INTO memberships (workspace_id, user_id, role, created_at) VALUES (?, ?, ?, ?)",
		m.WorkspaceID, m.UserID, string(m.Role), formatTime(t))
	switch {
	case isUniqueViolation(err):
		return quire.Errorf(quire.ECONFLICT, "The user is already a member of this workspace.")
	case isForeignKeyViolation(err):
		return quire.Errorf(quire.ENOTFOUND, "Workspace or user not found.")
	case err != nil:
		return internal("add member", err)
	}
	m.CreatedAt = t
	return nil
}

// RemoveMember implements quire.WorkspaceService.
func (s *WorkspaceService) RemoveMember(ctx context.Context, workspaceID, userID string) error {
	res, err := s.db.writer.ExecContext(ctx, "DELETE FROM memberships WHERE workspace_id = ? AND user_id = ?", workspaceID, userID)
	if err != nil {
		return internal("remove member", err)
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return quire.Errorf(quire.ENOTFOUND, "Membership not found.")
	}
	return nil
}

// FindMembers implements quire.WorkspaceService, oldest membership first.
func (s *WorkspaceService) FindMembers(ctx context.Context, workspaceID string) ([]*quire.Membership, error) {
	var out []*quire.Membership
	err := s.db.read(ctx, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM workspaces WHERE id = ?", workspaceID).Scan(&n); err != nil {
			return internal("check workspace", err)
		} else if n == 0 {
			return errWorkspaceNotFound()
		}
		rows, err := tx.QueryContext(ctx, "SELECT user_id, role, created_at FROM memberships WHERE workspace_id = ? ORDER BY created_at, user_id", workspaceID)
		if err != nil {
			return internal("find members", err)
		}
		defer rows.Close()
		for rows.Next() {
			m := &quire.Membership{WorkspaceID: workspaceID}
			var role, created string
			if err := rows.Scan(&m.UserID, &role, &created); err != nil {
				return internal("find members", err)
			}
			if m.CreatedAt, err = parseTime(created); err != nil {
				return internal("find members", err)
			}
			m.Role = quire.Role(role)
			out = append(out, m)
		}
		if err := rows.Err(); err != nil {
			return internal("find members", err)
		}
		return nil
	})
	return out, err
}
