package postgres

import (
	"context"

	"github.com/jackc/pgx/v5"
	"github.com/quirehq/quire"
)

// AddMember implements quire.WorkspaceService.
func (s *WorkspaceService) AddMember(ctx context.Context, m *quire.Membership) error {
	if !m.Role.Valid() {
		return quire.Errorf(quire.EINVALID, "Role must be %q, %q or %q.", quire.RoleOwner, quire.RoleEditor, quire.RoleViewer)
	}
	if m.WorkspaceID == "" || m.UserID == "" {
		return quire.Errorf(quire.EINVALID, "Membership workspace and user are required.")
	}
	t := now()
	err := s.db.inTx(ctx, tenant(m.WorkspaceID), func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, "INSERT INTO memberships (workspace_id, user_id, role, created_at) VALUES ($1, $2, $3, $4)",
			m.WorkspaceID, m.UserID, string(m.Role), t)
		switch pgCode(err) {
		case codeUniqueViolation:
			return quire.Errorf(quire.ECONFLICT, "The user is already a member of this workspace.")
		case codeForeignKeyViolation:
			return quire.Errorf(quire.ENOTFOUND, "Workspace or user not found.")
		}
		return internal("add member", err)
	})
	if err != nil {
		return err
	}
	m.CreatedAt = t
	return nil
}

// RemoveMember implements quire.WorkspaceService.
func (s *WorkspaceService) RemoveMember(ctx context.Context, workspaceID, userID string) error {
	return s.db.inTx(ctx, tenant(workspaceID), func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, "DELETE FROM memberships WHERE workspace_id = $1 AND user_id = $2", workspaceID, userID)
		if err != nil {
			return internal("remove member", err)
		}
		if tag.RowsAffected() == 0 {
			return quire.Errorf(quire.ENOTFOUND, "Membership not found.")
		}
		return nil
	})
}

// FindMembers implements quire.WorkspaceService. Members come in the order
// they joined.
func (s *WorkspaceService) FindMembers(ctx context.Context, workspaceID string) ([]*quire.Membership, error) {
	var out []*quire.Membership
	err := s.db.inTx(ctx, tenant(workspaceID), func(tx pgx.Tx) error {
		var exists bool
		if err := tx.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM workspaces WHERE id = $1)", workspaceID).Scan(&exists); err != nil {
			return internal("find members", err)
		}
		if !exists {
			return errWorkspaceNotFound
		}
		rows, err := tx.Query(ctx, `SELECT workspace_id, user_id, role, created_at FROM memberships
			WHERE workspace_id = $1 ORDER BY created_at, user_id`, workspaceID)
		if err != nil {
			return internal("find members", err)
		}
		out, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (*quire.Membership, error) {
			var m quire.Membership
			err := r.Scan(&m.WorkspaceID, &m.UserID, &m.Role, &m.CreatedAt)
			m.CreatedAt = m.CreatedAt.UTC()
			return &m, err
		})
		return internal("find members", err)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
