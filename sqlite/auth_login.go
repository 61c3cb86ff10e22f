package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/quirehq/quire"
)

// ReserveLoginAttempt implements quire.AuthStore in one write transaction
// (BEGIN IMMEDIATE on the single writer), so parallel attempts are counted
// one after the other and never exceed limit. The address is stored only
// as a blind index.
func (s *AuthService) ReserveLoginAttempt(ctx context.Context, email string, limit int, lockFor time.Duration, at time.Time) (quire.LoginGate, error) {
	if limit < 1 || lockFor < 0 {
		return quire.LoginGate{}, quire.Errorf(quire.EINVALID, "The lockout limit must be positive.")
	}
	index := s.b.BlindIndex(loginIndexPurpose, []byte(email))
	at = at.UTC().Truncate(time.Microsecond)
	var gate quire.LoginGate
	err := s.writeTx(ctx, "reserve login attempt", func(tx *sql.Tx) error {
		failures, locked, err := readLoginAttempts(ctx, tx, index)
		if err != nil {
			return err
		}
		if locked.After(at) {
			gate = quire.LoginGate{Failures: failures, LockedUntil: locked}
			return nil
		}
		if !locked.IsZero() {
			failures = 0 // the lock has ended: count afresh
		}
		gate = quire.LoginGate{Allowed: true, Failures: failures + 1}
		if gate.Failures >= limit {
			gate.LockedUntil = lockEnd(at, lockFor)
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO login_attempts (email_index, failures, locked_until) VALUES (?, ?, ?)
			ON CONFLICT (email_index) DO UPDATE SET failures = excluded.failures, locked_until = excluded.locked_until`,
			index, gate.Failures, nullTime(gate.LockedUntil))
		return err
	})
	if err != nil {
		return quire.LoginGate{}, err
	}
	return gate, nil
}

// lockEnd is when a lock taken at at ends; 0 is an indefinite lock.
func lockEnd(at time.Time, lockFor time.Duration) time.Time {
	if lockFor == 0 {
		return quire.IndefiniteLock
	}
	return at.Add(lockFor).Truncate(time.Microsecond)
}

// readLoginAttempts returns the address's count and lock end (zero if not
// locked); an address never seen has neither.
func readLoginAttempts(ctx context.Context, tx *sql.Tx, index []byte) (int, time.Time, error) {
	var failures int
	var locked sql.NullString
	err := tx.QueryRowContext(ctx, "SELECT failures, locked_until FROM login_attempts WHERE email_index = ?", index).Scan(&failures, &locked)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, time.Time{}, nil
	} else if err != nil {
		return 0, time.Time{}, err
	}
	until, err := parseNullTime(locked)
	return failures, until, err
}

// ClearLoginAttempts implements quire.AuthStore.
func (s *AuthService) ClearLoginAttempts(ctx context.Context, email string) error {
	index := s.b.BlindIndex(loginIndexPurpose, []byte(email))
	if _, err := s.db.writer.ExecContext(ctx, "DELETE FROM login_attempts WHERE email_index = ?", index); err != nil {
		return internal("clear login attempts", err)
	}
	return nil
}
