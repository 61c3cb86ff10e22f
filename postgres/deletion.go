package postgres

import (
	"context"
	"crypto/rand"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/quirehq/quire"
)

// DeletionService is the durable queue of account deletions (claim
// GDPR-3). The queue is not tenant data: it lives outside row-level
// security, like users. It reads and writes identifiers and times only,
// never a sealed value, so it works once the user's keys are shredded.
type DeletionService struct {
	db *DB
}

var _ quire.AccountDeletionService = (*DeletionService)(nil)

// NewDeletionService returns the deletion queue on db.
func NewDeletionService(db *DB) *DeletionService { return &DeletionService{db: db} }

const deletionColumns = "user_id, requested_at, deadline, status, workspace_ids, shredded_at, purged_at"

var errDeletionNotFound = quire.Errorf(quire.ENOTFOUND, "Deletion not found.")

// RequestDeletion implements quire.AccountDeletionService. The entry and
// the closing of the account are one transaction: from its commit on, no
// session, key or link of the user works and the address finds no account.
func (s *DeletionService) RequestDeletion(ctx context.Context, d *quire.AccountDeletion) error {
	d.RequestedAt, d.Deadline = utc(d.RequestedAt), utc(d.Deadline)
	d.Status, d.ShreddedAt, d.PurgedAt = quire.DeletionPending, time.Time{}, time.Time{}
	ids := d.WorkspaceIDs
	if ids == nil {
		ids = []string{}
	}
	unlinked := make([]byte, 32) // random: it matches no address's blind index
	_, _ = rand.Read(unlinked)
	err := s.db.inTx(ctx, binding{}, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, "UPDATE users SET email_index = $2 WHERE id = $1", d.UserID, unlinked)
		if err != nil {
			return internal("request deletion", err)
		} else if tag.RowsAffected() == 0 {
			return errUserNotFound
		}
		_, err = tx.Exec(ctx, "INSERT INTO account_deletions (user_id, requested_at, deadline, status, workspace_ids) VALUES ($1, $2, $3, $4, $5)",
			d.UserID, d.RequestedAt, d.Deadline, d.Status, ids)
		if pgCode(err) == codeUniqueViolation {
			return quire.Errorf(quire.ECONFLICT, "The account's deletion is already under way.")
		} else if err != nil {
			return internal("request deletion", err)
		}
		for _, table := range []string{"sessions", "api_keys", "passkeys", "tokens", "email_changes"} {
			if _, err := tx.Exec(ctx, "DELETE FROM "+table+" WHERE user_id = $1", d.UserID); err != nil {
				return internal("close account", err)
			}
		}
		return nil
	})
	return err
}

// OwnedWorkspaceIDs implements quire.AccountDeletionService. The read is
// bound to the user, so row-level security shows the workspaces they are
// a member of; an owner always is.
func (s *DeletionService) OwnedWorkspaceIDs(ctx context.Context, userID string) ([]string, error) {
	var ids []string
	err := s.db.inTx(ctx, binding{user: userID}, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, "SELECT id FROM workspaces WHERE owner_id = $1 ORDER BY id", userID)
		if err != nil {
			return internal("find owned workspaces", err)
		}
		ids, err = pgx.CollectRows(rows, pgx.RowTo[string])
		return internal("find owned workspaces", err)
	})
	return ids, err
}

// MarkDeletion implements quire.AccountDeletionService.
func (s *DeletionService) MarkDeletion(ctx context.Context, userID, status string, at time.Time) error {
	var q string
	switch status {
	case quire.DeletionShredded:
		q = "UPDATE account_deletions SET status = $2, shredded_at = $3 WHERE user_id = $1 AND status = 'pending'"
	case quire.DeletionDone:
		q = "UPDATE account_deletions SET status = $2, purged_at = coalesce(purged_at, $3) WHERE user_id = $1"
	default:
		return quire.Errorf(quire.EINVALID, "A deletion can only be marked shredded or done.")
	}
	if _, err := s.db.pool.Exec(ctx, q, userID, status, utc(at)); err != nil {
		return internal("mark deletion", err)
	}
	_, err := s.FindDeletion(ctx, userID)
	return err
}

// FindDeletion implements quire.AccountDeletionService.
func (s *DeletionService) FindDeletion(ctx context.Context, userID string) (*quire.AccountDeletion, error) {
	d, err := scanDeletion(s.db.pool.QueryRow(ctx, "SELECT "+deletionColumns+" FROM account_deletions WHERE user_id = $1", userID))
	if notFound(err) {
		return nil, errDeletionNotFound
	} else if err != nil {
		return nil, internal("find deletion", err)
	}
	return d, nil
}

// FindDeletions implements quire.AccountDeletionService.
func (s *DeletionService) FindDeletions(ctx context.Context) ([]*quire.AccountDeletion, error) {
	rows, err := s.db.pool.Query(ctx, "SELECT "+deletionColumns+" FROM account_deletions ORDER BY requested_at, user_id")
	if err != nil {
		return nil, internal("find deletions", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (*quire.AccountDeletion, error) { return scanDeletion(r) })
	if err != nil {
		return nil, internal("find deletions", err)
	}
	return out, nil
}

// scanDeletion reads one account_deletions row.
func scanDeletion(row pgx.Row) (*quire.AccountDeletion, error) {
	var (
		d                quire.AccountDeletion
		shredded, purged *time.Time
	)
	if err := row.Scan(&d.UserID, &d.RequestedAt, &d.Deadline, &d.Status, &d.WorkspaceIDs, &shredded, &purged); err != nil {
		return nil, err
	}
	d.RequestedAt, d.Deadline = d.RequestedAt.UTC(), d.Deadline.UTC()
	if shredded != nil {
		d.ShreddedAt = shredded.UTC()
	}
	if purged != nil {
		d.PurgedAt = purged.UTC()
	}
	if len(d.WorkspaceIDs) == 0 {
		d.WorkspaceIDs = nil
	}
	return &d, nil
}
