package sqlite

import (
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"strings"
	"time"

	"github.com/quirehq/quire"
)

// DeletionService is the durable queue of account deletions (claim
// GDPR-3). It reads and writes identifiers and times only, never a sealed
// value, so it works once the user's keys are shredded.
type DeletionService struct {
	db *DB
}

var _ quire.AccountDeletionService = (*DeletionService)(nil)

// NewDeletionService returns the deletion queue on db.
func NewDeletionService(db *DB) *DeletionService { return &DeletionService{db: db} }

const deletionColumns = "user_id, requested_at, deadline, status, workspace_ids, shredded_at, purged_at"

func errDeletionNotFound() error { return quire.Errorf(quire.ENOTFOUND, "Deletion not found.") }

// RequestDeletion implements quire.AccountDeletionService. The entry and
// the closing of the account are one transaction: from its commit on, no
// session, key or link of the user works and the address finds no account.
func (s *DeletionService) RequestDeletion(ctx context.Context, d *quire.AccountDeletion) error {
	if !quire.ValidID(d.UserID) {
		return quire.Errorf(quire.ENOTFOUND, "User not found.")
	}
	d.RequestedAt = d.RequestedAt.UTC().Truncate(time.Microsecond)
	d.Deadline = d.Deadline.UTC().Truncate(time.Microsecond)
	d.Status, d.ShreddedAt, d.PurgedAt = quire.DeletionPending, time.Time{}, time.Time{}
	unlinked := make([]byte, 32) // random: it matches no address's blind index
	_, _ = rand.Read(unlinked)
	err := s.db.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, "UPDATE users SET email_index = ? WHERE id = ?", unlinked, d.UserID)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return quire.Errorf(quire.ENOTFOUND, "User not found.")
		}
		if _, err := tx.ExecContext(ctx, "INSERT INTO account_deletions (user_id, requested_at, deadline, status, workspace_ids) VALUES (?, ?, ?, ?, ?)",
			d.UserID, formatTime(d.RequestedAt), formatTime(d.Deadline), d.Status, strings.Join(d.WorkspaceIDs, " ")); err != nil {
			return err
		}
		for _, table := range []string{"sessions", "api_keys", "passkeys", "tokens", "email_changes"} {
			if _, err := tx.ExecContext(ctx, "DELETE FROM "+table+" WHERE user_id = ?", d.UserID); err != nil {
				return err
			}
		}
		return nil
	})
	switch {
	case isUniqueViolation(err):
		return quire.Errorf(quire.ECONFLICT, "The account's deletion is already under way.")
	case quire.ErrorCode(err) == quire.ENOTFOUND:
		return err
	case err != nil:
		return internal("request deletion", err)
	}
	return nil
}

// OwnedWorkspaceIDs implements quire.AccountDeletionService.
func (s *DeletionService) OwnedWorkspaceIDs(ctx context.Context, userID string) ([]string, error) {
	rows, err := s.db.reader.QueryContext(ctx, "SELECT id FROM workspaces WHERE owner_id = ? ORDER BY id", userID)
	if err != nil {
		return nil, internal("find owned workspaces", err)
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, internal("find owned workspaces", err)
		}
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil {
		return nil, internal("find owned workspaces", err)
	}
	return ids, nil
}

// MarkDeletion implements quire.AccountDeletionService.
func (s *DeletionService) MarkDeletion(ctx context.Context, userID, status string, at time.Time) error {
	var q string
	switch status {
	case quire.DeletionShredded:
		q = "UPDATE account_deletions SET status = ?, shredded_at = ? WHERE user_id = ? AND status = 'pending'"
	case quire.DeletionDone:
		q = "UPDATE account_deletions SET status = ?, purged_at = coalesce(purged_at, ?) WHERE user_id = ?"
	default:
		return quire.Errorf(quire.EINVALID, "A deletion can only be marked shredded or done.")
	}
	if _, err := s.db.writer.ExecContext(ctx, q, status, formatTime(at), userID); err != nil {
		return internal("mark deletion", err)
	}
	_, err := s.FindDeletion(ctx, userID)
	return err
}

// FindDeletion implements quire.AccountDeletionService.
func (s *DeletionService) FindDeletion(ctx context.Context, userID string) (*quire.AccountDeletion, error) {
	d, err := scanDeletion(s.db.reader.QueryRowContext(ctx, "SELECT "+deletionColumns+" FROM account_deletions WHERE user_id = ?", userID))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errDeletionNotFound()
	} else if err != nil {
		return nil, internal("find deletion", err)
	}
	return d, nil
}

// FindDeletions implements quire.AccountDeletionService.
func (s *DeletionService) FindDeletions(ctx context.Context) ([]*quire.AccountDeletion, error) {
	rows, err := s.db.reader.QueryContext(ctx, "SELECT "+deletionColumns+" FROM account_deletions ORDER BY requested_at, user_id")
	if err != nil {
		return nil, internal("find deletions", err)
	}
	defer rows.Close()
	var out []*quire.AccountDeletion
	for rows.Next() {
		d, err := scanDeletion(rows)
		if err != nil {
			return nil, internal("find deletions", err)
		}
		out = append(out, d)
	}
	if err := rows.Err(); err != nil {
		return nil, internal("find deletions", err)
	}
	return out, nil
}

// scanDeletion reads one account_deletions row.
func scanDeletion(row interface{ Scan(...any) error }) (*quire.AccountDeletion, error) {
	var (
		d                quire.AccountDeletion
		requested, due   string
		ids              string
		shredded, purged sql.NullString
	)
	if err := row.Scan(&d.UserID, &requested, &due, &d.Status, &ids, &shredded, &purged); err != nil {
		return nil, err
	}
	var err error
	if d.RequestedAt, err = parseTime(requested); err != nil {
		return nil, err
	}
	if d.Deadline, err = parseTime(due); err != nil {
		return nil, err
	}
	if shredded.Valid {
		if d.ShreddedAt, err = parseTime(shredded.String); err != nil {
			return nil, err
		}
	}
	if purged.Valid {
		if d.PurgedAt, err = parseTime(purged.String); err != nil {
			return nil, err
		}
	}
	if ids != "" {
		d.WorkspaceIDs = strings.Fields(ids)
	}
	return &d, nil
}
