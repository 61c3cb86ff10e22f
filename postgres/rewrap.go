package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/quirehq/quire/barrier"
)

// rewrapPage is how many notes, or records of one user, Rewrap reads at a
// time.
const rewrapPage = 200

// Rewrap re-encrypts every stored value that is not under its scope's newest
// data key (see barrier.Reencrypt): users and their records (credentials,
// sessions, API keys, passkeys, AI usage) and the vulnerability reports
// (system scope) unbound, then each workspace's
// name, AI policy and notes in transactions bound to that workspace. Each record is
// read and written in its own short transaction, and written only if it has not
// changed since it was read, so Rewrap can run beside live traffic. It is
// resumable: values already under the newest key are skipped, so a run that
// was interrupted is finished by the next. progress, if not nil, is called
// after each record with the records done and the total.
func (db *DB) Rewrap(ctx context.Context, b *barrier.Barrier, progress func(done, total int)) error {
	newest, err := b.NewestDataKeyVersions(ctx)
	if err != nil {
		return fmt.Errorf("postgres: rewrap: %w", err)
	}
	users, err := db.userIDs(ctx)
	if err != nil {
		return err
	}
	workspaces, err := db.workspaceIDs(ctx)
	if err != nil {
		return err
	}
	records, err := db.countUserRecords(ctx)
	if err != nil {
		return err
	}
	reports, err := db.countSecurityReports(ctx)
	if err != nil {
		return err
	}
	total := len(users) + records + reports + len(workspaces)
	for _, ws := range workspaces {
		n, err := db.countWorkspaceRecords(ctx, ws)
		if err != nil {
			return err
		}
		total += n
	}
	r := &rewrapper{db: db, b: b, newest: newest, total: total, progress: progress}
	for _, id := range users {
		if err := r.user(ctx, id); err != nil {
			return err
		}
	}
	if err := r.securityReports(ctx); err != nil {
		return err
	}
	for _, ws := range workspaces {
		if err := r.workspace(ctx, ws); err != nil {
			return err
		}
	}
	if r.done != r.total && progress != nil { // records were deleted meanwhile
		progress(r.total, r.total)
	}
	return nil
}

func (db *DB) userIDs(ctx context.Context) ([]string, error) {
	rows, err := db.pool.Query(ctx, "SELECT id FROM users ORDER BY id")
	if err != nil {
		return nil, fmt.Errorf("postgres: list users: %w", err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("postgres: list users: %w", err)
	}
	return ids, nil
}

// workspaceIDs lists every workspace through quire_workspace_ids, the one
// cross-tenant read of workspaces.
func (db *DB) workspaceIDs(ctx context.Context) ([]string, error) {
	rows, err := db.pool.Query(ctx, "SELECT id FROM quire_workspace_ids() AS id")
	if err != nil {
		return nil, fmt.Errorf("postgres: list workspaces: %w", err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("postgres: list workspaces: %w", err)
	}
	return ids, nil
}

// countWorkspaceRecords counts a workspace's encrypted records besides its
// name: its notes, their versions, its folders, its ideas, its folder
// shares and its AI policy, if set.
func (db *DB) countWorkspaceRecords(ctx context.Context, ws string) (int, error) {
	var n int
	err := db.inTx(ctx, tenant(ws), func(tx pgx.Tx) error {
		return tx.QueryRow(ctx, `SELECT (SELECT count(*) FROM notes WHERE workspace_id = $1)
			+ (SELECT count(*) FROM note_versions WHERE workspace_id = $1)
			+ (SELECT count(*) FROM ai_policies WHERE workspace_id = $1)
			+ (SELECT count(*) FROM conversations WHERE workspace_id = $1)
			+ (SELECT count(*) FROM chat_messages WHERE workspace_id = $1)
			+ (SELECT count(*) FROM folders WHERE workspace_id = $1)
			+ (SELECT count(*) FROM ideas WHERE workspace_id = $1)
			+ (SELECT count(*) FROM files WHERE workspace_id = $1)
			+ (SELECT count(*) FROM embeddings WHERE workspace_id = $1)
			+ (SELECT count(*) FROM folder_shares WHERE workspace_id = $1)`, ws).Scan(&n)
	})
	if err != nil {
		return 0, fmt.Errorf("postgres: count workspace records: %w", err)
	}
	return n, nil
}

// rewrapper carries one Rewrap run's state.
type rewrapper struct {
	db          *DB
	b           *barrier.Barrier
	newest      map[barrier.Scope]uint32
	done, total int
	progress    func(done, total int)
}

// step counts one record done.
func (r *rewrapper) step() {
	r.done++
	r.total = max(r.total, r.done)
	if r.progress != nil {
		r.progress(r.done, r.total)
	}
}

// stale reports whether any of cts is not under scope's newest data key.
func (r *rewrapper) stale(scope barrier.Scope, cts ...[]byte) bool {
	newest, ok := r.newest[scope]
	if !ok {
		return false // no keys: shredded, nothing can be re-encrypted
	}
	for _, ct := range cts {
		if v, err := barrier.KeyVersion(ct); err == nil && v != newest {
			return true
		}
	}
	return false
}

// field is one encrypted column of a record.
type field struct {
	name string
	ct   []byte
}

// reencrypt returns the fields under scope's newest key and whether any changed.
func (r *rewrapper) reencrypt(ctx context.Context, scope barrier.Scope, table, id string, fs []field) ([][]byte, bool, error) {
	out := make([][]byte, len(fs))
	anyChanged := false
	for i, f := range fs {
		ct, changed, err := r.b.Reencrypt(ctx, scope, barrier.AD(table, id, f.name), f.ct)
		if err != nil {
			return nil, false, fmt.Errorf("postgres: rewrap %s %s: %w", table, f.name, err)
		}
		out[i], anyChanged = ct, anyChanged || changed
	}
	return out, anyChanged, nil
}
