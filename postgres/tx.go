package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/quirehq/quire"
)

// binding is what a transaction is bound to for row-level security.
type binding struct {
	workspace string // quire.workspace_id: the tenant whose rows it may see and write
	user      string // quire.user_id: the user whose memberships it may list
}

// tenant binds a transaction to one workspace.
func tenant(workspaceID string) binding { return binding{workspace: workspaceID} }

// inTx runs fn in a transaction bound to b. The settings are transaction-
// local, so they end with it and never reach the pool's next user. Callers
// keep barrier calls out of fn: they may need a connection of their own.
func (db *DB) inTx(ctx context.Context, b binding, fn func(tx pgx.Tx) error) error {
	tx, err := db.pool.Begin(ctx)
	if err != nil {
		return internal("begin transaction", err)
	}
	defer func() { _ = tx.Rollback(context.WithoutCancel(ctx)) }()
	if b != (binding{}) {
		_, err := tx.Exec(ctx, "SELECT set_config('quire.workspace_id', $1, true), set_config('quire.user_id', $2, true)", b.workspace, b.user)
		if err != nil {
			return internal("bind transaction", err)
		}
	}
	if err := fn(tx); err != nil {
		return err
	}
	if err := tx.Commit(ctx); err != nil {
		return internal("commit", err)
	}
	return nil
}

// internal wraps a database failure as EINTERNAL; nil stays nil, and an
// error that already carries a quire code keeps it. The cause goes to logs
// only; the client sees a generic message.
func internal(op string, err error) error {
	if err == nil {
		return nil
	}
	var qe *quire.Error
	if errors.As(err, &qe) {
		return err
	}
	return quire.WrapError(quire.EINTERNAL, "Internal database error.", fmt.Errorf("postgres: %s: %w", op, err))
}

// PostgreSQL error codes the stores map to quire codes.
const (
	codeUniqueViolation     = "23505"
	codeForeignKeyViolation = "23503"
)

// pgCode returns the SQLSTATE of err, or "".
func pgCode(err error) string {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return pgErr.Code
	}
	return ""
}

// now returns the current time as the stores keep it: UTC, in microseconds,
// so that what a Create returns equals what a Find reads back.
func now() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }

// later returns now, or just after prev if the clock has not moved past it,
// so that an update never moves UpdatedAt backwards.
func later(prev time.Time) time.Time {
	t := now()
	if !t.After(prev) {
		t = prev.Add(time.Microsecond)
	}
	return t
}

// notFound reports whether err is pgx's "no rows".
func notFound(err error) bool { return errors.Is(err, pgx.ErrNoRows) }
