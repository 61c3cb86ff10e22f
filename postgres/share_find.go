package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/quirehq/quire"
)

// FindShares implements quire.ShareService. A folder the workspace does
// not have has no shares. The addresses are decrypted after the
// transaction.
func (s *ShareService) FindShares(ctx context.Context, workspaceID, folderID string) ([]*quire.FolderShare, error) {
	q, args := "SELECT "+shareColumns+" FROM folder_shares WHERE workspace_id = $1", []any{workspaceID}
	if folderID != "" {
		q, args = q+" AND folder_id = $2", append(args, folderID)
	}
	var rows []*shareRow
	err := s.db.inTx(ctx, tenant(workspaceID), func(tx pgx.Tx) error {
		rs, err := tx.Query(ctx, q+" ORDER BY created_at, id", args...)
		if err != nil {
			return internal("find shares", err)
		}
		rows, err = pgx.CollectRows(rs, func(r pgx.CollectableRow) (*shareRow, error) { return scanShare(r) })
		return internal("find shares", err)
	})
	if err != nil {
		return nil, err
	}
	out := make([]*quire.FolderShare, 0, len(rows))
	for _, r := range rows {
		sh, err := s.decrypt(ctx, r)
		if err != nil {
			return nil, err
		}
		out = append(out, sh)
	}
	return out, nil
}

// FindShareByID implements quire.ShareService.
func (s *ShareService) FindShareByID(ctx context.Context, workspaceID, id string) (*quire.FolderShare, error) {
	var r *shareRow
	err := s.db.inTx(ctx, tenant(workspaceID), func(tx pgx.Tx) error {
		var err error
		r, err = scanShare(tx.QueryRow(ctx, "SELECT "+shareColumns+" FROM folder_shares WHERE id = $1 AND workspace_id = $2", id, workspaceID))
		if notFound(err) {
			return quire.ErrShareNotFound()
		}
		return internal("find share", err)
	})
	if err != nil {
		return nil, err
	}
	return s.decrypt(ctx, r)
}

// ResolveShareInvite implements quire.ShareService through
// quire_share_invite (migration 0013), in a transaction bound to no
// workspace: the request that opens an invitation has none yet.
func (s *ShareService) ResolveShareInvite(ctx context.Context, tokenIndex []byte) (*quire.ShareInvite, error) {
	if !quire.ValidShareIndex(tokenIndex) {
		return nil, quire.ErrShareNotFound()
	}
	inv := &quire.ShareInvite{}
	var perm string
	err := s.db.inTx(ctx, binding{}, func(tx pgx.Tx) error {
		err := tx.QueryRow(ctx, `SELECT id, workspace_id, folder_id, permission, invited_by, email_index, expires_at
			FROM quire_share_invite($1)`, tokenIndex).Scan(
			&inv.ShareID, &inv.WorkspaceID, &inv.FolderID, &perm, &inv.InvitedBy, &inv.EmailIndex, &inv.ExpiresAt)
		if notFound(err) {
			return quire.ErrShareNotFound()
		}
		return internal("resolve share invite", err)
	})
	if err != nil {
		return nil, err
	}
	inv.Permission, inv.ExpiresAt = quire.SharePermission(perm), inv.ExpiresAt.UTC()
	return inv, nil
}

// SharesForUser implements quire.ShareService through
// quire_shares_for_user (migration 0013), in a transaction bound to no
// workspace: a user's grants span workspaces.
func (s *ShareService) SharesForUser(ctx context.Context, userID string) ([]*quire.ShareGrant, error) {
	var out []*quire.ShareGrant
	err := s.db.inTx(ctx, binding{}, func(tx pgx.Tx) error {
		rs, err := tx.Query(ctx, `SELECT id, workspace_id, folder_id, permission, invited_by, accepted_at
			FROM quire_shares_for_user($1) ORDER BY accepted_at, id`, userID)
		if err != nil {
			return internal("find shares for user", err)
		}
		out, err = pgx.CollectRows(rs, func(r pgx.CollectableRow) (*quire.ShareGrant, error) {
			g := &quire.ShareGrant{}
			var perm string
			var accepted time.Time
			if err := r.Scan(&g.ShareID, &g.WorkspaceID, &g.FolderID, &perm, &g.InvitedBy, &accepted); err != nil {
				return nil, err
			}
			g.Permission, g.AcceptedAt = quire.SharePermission(perm), accepted.UTC()
			return g, nil
		})
		return internal("find shares for user", err)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
