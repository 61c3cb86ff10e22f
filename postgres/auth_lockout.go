package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/quirehq/quire"
)

// Blind-index purpose of login_attempts.email_index.
const loginAttemptsPurpose = "login_attempts.email"

// ReserveLoginAttempt implements quire.AuthStore (claim ACC-3). The row of
// the address is created if missing and locked by the same upsert, so that
// concurrent attempts on one address are decided one after another and
// never exceed limit. A zero at means now.
func (s *AuthService) ReserveLoginAttempt(ctx context.Context, email string, limit int, lockFor time.Duration, at time.Time) (quire.LoginGate, error) {
	if limit < 1 || lockFor < 0 {
		return quire.LoginGate{}, quire.Errorf(quire.EINVALID, "Lockout limit must be positive and lock duration not negative.")
	}
	at = orNow(at)
	idx := s.b.BlindIndex(loginAttemptsPurpose, []byte(email))
	var g quire.LoginGate
	err := s.db.inTx(ctx, binding{}, func(tx pgx.Tx) error {
		var failures int
		var until *time.Time
		// The no-op update takes the row lock and returns the newest
		// committed state, even if another attempt just changed it.
		err := tx.QueryRow(ctx, `INSERT INTO login_attempts (email_index) VALUES ($1)
			ON CONFLICT (email_index) DO UPDATE SET failures = login_attempts.failures
			RETURNING failures, locked_until`, idx).Scan(&failures, &until)
		if err != nil {
			return internal("reserve login attempt", err)
		}
		var write bool
		g, write = decideAttempt(failures, fromNull(until), limit, lockFor, at)
		if !write {
			return nil
		}
		_, err = tx.Exec(ctx, "UPDATE login_attempts SET failures = $2, locked_until = $3 WHERE email_index = $1",
			idx, g.Failures, nullTime(g.LockedUntil))
		return internal("reserve login attempt", err)
	})
	if err != nil {
		return quire.LoginGate{}, err
	}
	return g, nil
}

// decideAttempt applies one attempt at time at to an address with failures
// counted and a lock until lockedUntil (zero: none). A lock that has not
// expired refuses the attempt and changes nothing; an expired one is
// cleared with its count. Otherwise the attempt is counted, and the one
// that reaches limit locks the address. write reports whether the state
// changed.
func decideAttempt(failures int, lockedUntil time.Time, limit int, lockFor time.Duration, at time.Time) (g quire.LoginGate, write bool) {
	if !lockedUntil.IsZero() {
		if lockedUntil.After(at) {
			return quire.LoginGate{Allowed: false, Failures: failures, LockedUntil: lockedUntil}, false
		}
		failures = 0
	}
	g = quire.LoginGate{Allowed: true, Failures: failures + 1}
	if g.Failures >= limit {
		g.LockedUntil = lockEnd(at, lockFor)
	}
	return g, true
}

// lockEnd is when a lock taken at at for lockFor ends: IndefiniteLock when
// lockFor is 0.
func lockEnd(at time.Time, lockFor time.Duration) time.Time {
	if lockFor == 0 {
		return quire.IndefiniteLock
	}
	return utc(at.Add(lockFor))
}

// ClearLoginAttempts implements quire.AuthStore.
func (s *AuthService) ClearLoginAttempts(ctx context.Context, email string) error {
	idx := s.b.BlindIndex(loginAttemptsPurpose, []byte(email))
	_, err := s.db.pool.Exec(ctx, "DELETE FROM login_attempts WHERE email_index = $1", idx)
	return internal("clear login attempts", err)
}
