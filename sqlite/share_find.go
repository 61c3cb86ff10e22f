package sqlite

import (
	"context"
	"database/sql"
	"errors"

	"github.com/quirehq/quire"
)

// FindShares implements quire.ShareService. A folder the workspace does
// not have has no shares. Rows are read in full before any is decrypted,
// so no read connection is held while the barrier may need one.
func (s *ShareService) FindShares(ctx context.Context, workspaceID, folderID string) ([]*quire.FolderShare, error) {
	q, args := "SELECT "+shareColumns+" FROM folder_shares WHERE workspace_id = ?", []any{workspaceID}
	if folderID != "" {
		q, args = q+" AND folder_id = ?", append(args, folderID)
	}
	var raw []*shareRow
	err := s.db.read(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, q+" ORDER BY created_at, id", args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			r, err := scanShare(rows)
			if err != nil {
				return err
			}
			raw = append(raw, r)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, internal("find shares", err)
	}
	out := make([]*quire.FolderShare, 0, len(raw))
	for _, r := range raw {
		sh, err := s.decode(ctx, r)
		if err != nil {
			return nil, err
		}
		out = append(out, sh)
	}
	return out, nil
}

// FindShareByID implements quire.ShareService.
func (s *ShareService) FindShareByID(ctx context.Context, workspaceID, id string) (*quire.FolderShare, error) {
	r, err := scanShare(s.db.reader.QueryRowContext(ctx, "SELECT "+shareColumns+" FROM folder_shares WHERE id = ? AND workspace_id = ?",
		id, workspaceID))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, quire.ErrShareNotFound()
	} else if err != nil {
		return nil, internal("find share", err)
	}
	return s.decode(ctx, r)
}

// ResolveShareInvite implements quire.ShareService. Only a pending share
// has a token index, so an accepted or revoked token finds nothing.
func (s *ShareService) ResolveShareInvite(ctx context.Context, tokenIndex []byte) (*quire.ShareInvite, error) {
	if !quire.ValidShareIndex(tokenIndex) {
		return nil, quire.ErrShareNotFound()
	}
	inv := &quire.ShareInvite{}
	var perm, expires string
	err := s.db.reader.QueryRowContext(ctx, `SELECT id, workspace_id, folder_id, permission, invited_by, email_index, expires_at
		FROM folder_shares WHERE token_index = ? AND grantee_id IS NULL`, tokenIndex).Scan(
		&inv.ShareID, &inv.WorkspaceID, &inv.FolderID, &perm, &inv.InvitedBy, &inv.EmailIndex, &expires)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, quire.ErrShareNotFound()
	} else if err != nil {
		return nil, internal("resolve share invite", err)
	}
	inv.Permission = quire.SharePermission(perm)
	if inv.ExpiresAt, err = parseTime(expires); err != nil {
		return nil, internal("resolve share invite", err)
	}
	return inv, nil
}

// SharesForUser implements quire.ShareService, in order of acceptance.
func (s *ShareService) SharesForUser(ctx context.Context, userID string) ([]*quire.ShareGrant, error) {
	out := []*quire.ShareGrant{}
	err := s.db.read(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT id, workspace_id, folder_id, permission, invited_by, accepted_at
			FROM folder_shares WHERE grantee_id = ? ORDER BY accepted_at, id`, userID)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			g := &quire.ShareGrant{}
			var perm, accepted string
			if err := rows.Scan(&g.ShareID, &g.WorkspaceID, &g.FolderID, &perm, &g.InvitedBy, &accepted); err != nil {
				return err
			}
			g.Permission = quire.SharePermission(perm)
			if g.AcceptedAt, err = parseTime(accepted); err != nil {
				return err
			}
			out = append(out, g)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, internal("find shares for user", err)
	}
	return out, nil
}
