package postgres

import (
	"context"
	"sort"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/quirehq/quire"
	"github.com/quirehq/quire/barrier"
)

// RetentionService deletes what has outlived its retention period
// (quire.RetentionStore). Each call deletes at most limit rows; tenant
// tables are visited one workspace at a time, each in a transaction bound
// to it, so row-level security holds for the janitor too, and at most
// maxWorkspaceVisits workspaces per call.
type RetentionService struct {
	db *DB
	b  *barrier.Barrier

	mu     sync.Mutex        // guards cursor; serialises rules across workspaces
	cursor map[string]string // per rule, the last workspace it finished
}

var _ quire.RetentionStore = (*RetentionService)(nil)

// NewRetentionService returns the retention store of db; b authenticates
// the audit log's anchor.
func NewRetentionService(db *DB, b *barrier.Barrier) *RetentionService {
	return &RetentionService{db: db, b: b}
}

func checkLimit(limit int) error {
	if limit <= 0 {
		return quire.Errorf(quire.EINVALID, "A retention batch must allow at least one row.")
	}
	return nil
}

// deleteBatch runs query, a DELETE of at most limit rows, outside any
// tenant binding (for tables that belong to no workspace).
func (s *RetentionService) deleteBatch(ctx context.Context, what, query string, limit int, args ...any) (int, error) {
	if err := checkLimit(limit); err != nil {
		return 0, err
	}
	tag, err := s.db.pool.Exec(ctx, query, append(args, limit)...)
	if err != nil {
		return 0, internal(what, err)
	}
	return int(tag.RowsAffected()), nil
}

// maxWorkspaceVisits bounds how many workspaces one call of a rule that
// spans them visits (each visit is a transaction bound to the workspace,
// needed whether or not it has anything to delete). The next call goes on
// after the last workspace visited, so every workspace is reached, over
// several calls (or runs) when there are many.
var maxWorkspaceVisits = 100

// deleteEachWorkspace runs query, a DELETE of at most $1 rows of the
// bound workspace ($2), in the workspaces in turn until limit rows are
// gone or maxWorkspaceVisits were visited, starting after where the
// previous call of the same rule (what) stopped.
func (s *RetentionService) deleteEachWorkspace(ctx context.Context, what, query string, limit int, args ...any) (int, error) {
	if err := checkLimit(limit); err != nil {
		return 0, err
	}
	ids, err := s.db.workspaceIDs(ctx) // in id order
	if err != nil || len(ids) == 0 {
		return 0, internal(what, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cursor == nil {
		s.cursor = map[string]string{}
	}
	start := sort.SearchStrings(ids, s.cursor[what]+"\x00") // the first id after the cursor
	n := 0
	for k := 0; k < min(len(ids), maxWorkspaceVisits) && n < limit; k++ {
		ws := ids[(start+k)%len(ids)]
		want, got := limit-n, 0
		err := s.db.inTx(ctx, tenant(ws), func(tx pgx.Tx) error {
			tag, err := tx.Exec(ctx, query, append([]any{want, ws}, args...)...)
			got = int(tag.RowsAffected())
			return internal(what, err)
		})
		if err != nil {
			return n, err
		}
		n += got // committed
		if got < want {
			s.cursor[what] = ws // done with ws; a full batch may have left more in it
		}
	}
	return n, nil
}

// DeleteExpiredSessions implements quire.RetentionStore.
func (s *RetentionService) DeleteExpiredSessions(ctx context.Context, now time.Time, idle time.Duration, limit int) (int, error) {
	var idleBefore any // NULL: idleness is ignored
	if idle > 0 {
		idleBefore = now.Add(-idle)
	}
	return s.deleteBatch(ctx, "delete expired sessions", `DELETE FROM sessions WHERE id IN (
		SELECT id FROM sessions WHERE expires_at <= $1 OR last_seen_at <= $2::timestamptz LIMIT $3)`, limit, now, idleBefore)
}

// DeleteExpiredTokens implements quire.RetentionStore.
func (s *RetentionService) DeleteExpiredTokens(ctx context.Context, now time.Time, limit int) (int, error) {
	return s.deleteBatch(ctx, "delete expired tokens", `DELETE FROM tokens WHERE hash IN (
		SELECT hash FROM tokens WHERE expires_at <= $1 LIMIT $2)`, limit, now)
}

// DeleteExpiredEmailChanges implements quire.RetentionStore.
func (s *RetentionService) DeleteExpiredEmailChanges(ctx context.Context, now time.Time, limit int) (int, error) {
	return s.deleteBatch(ctx, "delete expired email changes", `DELETE FROM email_changes WHERE user_id IN (
		SELECT user_id FROM email_changes WHERE expires_at <= $1 LIMIT $2)`, limit, now)
}

// DeleteUsageBefore implements quire.RetentionStore.
func (s *RetentionService) DeleteUsageBefore(ctx context.Context, before time.Time, limit int) (int, error) {
	return s.deleteBatch(ctx, "delete old usage records", `DELETE FROM ai_usage WHERE id IN (
		SELECT id FROM ai_usage WHERE created_at < $1 LIMIT $2)`, limit, before)
}

// DeleteExpiredInvitations implements quire.RetentionStore. Only pending
// invitations (no grantee) are candidates.
func (s *RetentionService) DeleteExpiredInvitations(ctx context.Context, before time.Time, limit int) (int, error) {
	return s.deleteEachWorkspace(ctx, "delete expired invitations", `DELETE FROM folder_shares WHERE id IN (
		SELECT id FROM folder_shares WHERE workspace_id = $2 AND grantee_id IS NULL AND expires_at <= $3 LIMIT $1)`, limit, before)
}

// TrimNoteVersions implements quire.RetentionStore.
func (s *RetentionService) TrimNoteVersions(ctx context.Context, p quire.VersionPolicy, now time.Time, limit int) (int, error) {
	var cutoff any // NULL: every age is kept
	if c := p.Cutoff(now); !c.IsZero() {
		cutoff = c
	}
	return s.deleteEachWorkspace(ctx, "trim note versions", `DELETE FROM note_versions WHERE id IN (
		SELECT id FROM (SELECT id, saved_at, row_number() OVER (PARTITION BY note_id ORDER BY version DESC) AS n
			FROM note_versions WHERE workspace_id = $2) v
		WHERE n > $3 OR saved_at < $4::timestamptz LIMIT $1)`, limit, p.Limit(), cutoff)
}

// TrimAudit implements quire.RetentionStore. The application role cannot
// delete from the audit log: it reads which entry the trim ends at,
// computes the anchor's MAC, and has quire_trim_audit delete the prefix
// and record the anchor, which refuses the newest entry and any dated or
// written in the last 30 days. All of it is one transaction under the
// lock that serialises appends, so concurrent trims (several servers, or
// quire admin retention beside quire serve) take turns, each reading the
// log as the one before left it.
func (s *RetentionService) TrimAudit(ctx context.Context, before time.Time, limit int) (int, error) {
	if err := checkLimit(limit); err != nil {
		return 0, err
	}
	if now().Sub(before) < quire.MinAuditRetention {
		return 0, quire.Errorf(quire.EINVALID, "Audit log entries are kept at least 30 days.")
	}
	var n int
	err := s.db.inTx(ctx, binding{}, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock($1)", auditLockKey); err != nil {
			return err
		}
		// The first entry kept: dated at or after before, or written in
		// the last 720 hours (quire_trim_audit refuses both).
		var lo, hi, firstKept *int64
		err := tx.QueryRow(ctx, `SELECT min(seq), max(seq), (SELECT min(seq) FROM audit_log
			WHERE at >= $1 OR recorded_at > now() - interval '720 hours') FROM audit_log`, before).Scan(&lo, &hi, &firstKept)
		if err != nil || lo == nil {
			return err
		}
		last := min(*hi-1, *lo+int64(limit)-1)
		if firstKept != nil {
			last = min(last, *firstKept-1)
		}
		if last < *lo {
			return nil
		}
		a := quire.AuditAnchor{Seq: last}
		if err := tx.QueryRow(ctx, "SELECT hash, at FROM audit_log WHERE seq = $1", last).Scan(&a.Hash, &a.At); err != nil {
			return err
		}
		a.MAC = s.b.BlindIndex(quire.AuditAnchorPurpose, a.Canonical())
		return tx.QueryRow(ctx, "SELECT quire_trim_audit($1, $2)", last, a.MAC).Scan(&n)
	})
	if err != nil {
		return 0, internal("trim audit log", err)
	}
	return n, nil
}

// auditAnchor reads the audit log's anchor; nil if the log was never
// trimmed.
func (s *AuthService) auditAnchor(ctx context.Context, q pgx.Tx) (*quire.AuditAnchor, error) {
	var a quire.AuditAnchor
	err := q.QueryRow(ctx, "SELECT seq, hash, at, mac FROM audit_anchor WHERE id = 1").Scan(&a.Seq, &a.Hash, &a.At, &a.MAC)
	if notFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	a.At = a.At.UTC()
	return &a, nil
}
