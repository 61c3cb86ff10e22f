package sqlite

import (
	"context"
	"database/sql"
	"time"

	"github.com/quirehq/quire"
	"github.com/quirehq/quire/barrier"
)

// RetentionService deletes what has outlived its retention period
// (quire.RetentionStore). Each call is one short write transaction that
// deletes at most limit rows.
type RetentionService struct {
	db *DB
	b  *barrier.Barrier
}

var _ quire.RetentionStore = (*RetentionService)(nil)

// NewRetentionService returns the retention store of db; b authenticates
// the audit log's anchor.
func NewRetentionService(db *DB, b *barrier.Barrier) *RetentionService {
	return &RetentionService{db: db, b: b}
}

// deleteBatch runs query, a DELETE whose last parameter is the batch
// limit, and returns how many rows it deleted.
func (s *RetentionService) deleteBatch(ctx context.Context, what, query string, args ...any) (int, error) {
	if err := checkLimit(args[len(args)-1].(int)); err != nil {
		return 0, err
	}
	res, err := s.db.writer.ExecContext(ctx, query, args...)
	if err != nil {
		return 0, internal(what, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, internal(what, err)
	}
	return int(n), nil
}

func checkLimit(limit int) error {
	if limit <= 0 {
		return quire.Errorf(quire.EINVALID, "A retention batch must allow at least one row.")
	}
	return nil
}

// DeleteExpiredSessions implements quire.RetentionStore.
func (s *RetentionService) DeleteExpiredSessions(ctx context.Context, now time.Time, idle time.Duration, limit int) (int, error) {
	idleBefore := "" // no last_seen_at is before ""
	if idle > 0 {
		idleBefore = formatTime(now.Add(-idle))
	}
	return s.deleteBatch(ctx, "delete expired sessions", `DELETE FROM sessions WHERE id IN (
		SELECT id FROM sessions WHERE expires_at <= ? OR last_seen_at <= ? LIMIT ?)`,
		formatTime(now), idleBefore, limit)
}

// DeleteExpiredTokens implements quire.RetentionStore.
func (s *RetentionService) DeleteExpiredTokens(ctx context.Context, now time.Time, limit int) (int, error) {
	return s.deleteBatch(ctx, "delete expired tokens", `DELETE FROM tokens WHERE hash IN (
		SELECT hash FROM tokens WHERE expires_at <= ? LIMIT ?)`, formatTime(now), limit)
}

// DeleteExpiredEmailChanges implements quire.RetentionStore.
func (s *RetentionService) DeleteExpiredEmailChanges(ctx context.Context, now time.Time, limit int) (int, error) {
	return s.deleteBatch(ctx, "delete expired email changes", `DELETE FROM email_changes WHERE user_id IN (
		SELECT user_id FROM email_changes WHERE expires_at <= ? LIMIT ?)`, formatTime(now), limit)
}

// DeleteExpiredInvitations implements quire.RetentionStore. Only pending
// invitations (no grantee) are candidates.
func (s *RetentionService) DeleteExpiredInvitations(ctx context.Context, before time.Time, limit int) (int, error) {
	return s.deleteBatch(ctx, "delete expired invitations", `DELETE FROM folder_shares WHERE id IN (
		SELECT id FROM folder_shares WHERE grantee_id IS NULL AND expires_at <= ? LIMIT ?)`, formatTime(before), limit)
}

// versionTrimmed is the condition under which the note version v is no
// longer kept: saved before the cutoff (parameter 1; "" for none), or
// older than its note's newest keep versions (parameter 2, keep). Both
// sides use an index: note_versions_saved, and (note_id, version).
const versionTrimmed = `(v.saved_at < ? OR v.version <= (SELECT n.version FROM note_versions n
	WHERE n.note_id = v.note_id ORDER BY n.version DESC LIMIT 1 OFFSET ?))`

// TrimNoteVersions implements quire.RetentionStore. The versions to
// delete are found on a reader connection, so that the search does not
// hold the single writer; the writer then deletes them by id, each only if
// the policy still does not keep it.
func (s *RetentionService) TrimNoteVersions(ctx context.Context, p quire.VersionPolicy, now time.Time, limit int) (int, error) {
	if err := checkLimit(limit); err != nil {
		return 0, err
	}
	cutoff := "" // no saved_at is before ""
	if c := p.Cutoff(now); !c.IsZero() {
		cutoff = formatTime(c)
	}
	ids, err := s.versionCandidates(ctx, cutoff, p.Limit(), limit)
	if err != nil || len(ids) == 0 {
		return 0, internalIf("trim note versions", err)
	}
	n, err := s.deleteVersions(ctx, ids, cutoff, p.Limit())
	return n, internalIf("trim note versions", err)
}

// versionCandidates returns up to limit ids of note versions that a
// policy of cutoff and keep (see versionTrimmed) no longer keeps: those
// aged out first, by the index on saved_at, then those beyond keep.
func (s *RetentionService) versionCandidates(ctx context.Context, cutoff string, keep, limit int) ([]string, error) {
	var ids []string
	err := s.db.read(ctx, func(tx *sql.Tx) error {
		ids = ids[:0]
		collect := func(query string, args ...any) error {
			rows, err := tx.QueryContext(ctx, query, args...)
			if err != nil {
				return err
			}
			defer rows.Close()
			for rows.Next() {
				var id string
				if err := rows.Scan(&id); err != nil {
					return err
				}
				ids = append(ids, id)
			}
			return rows.Err()
		}
		if cutoff != "" {
			if err := collect("SELECT id FROM note_versions WHERE saved_at < ? LIMIT ?", cutoff, limit); err != nil {
				return err
			}
		}
		if len(ids) >= limit {
			return nil
		}
		return collect(`SELECT v.id FROM note_versions v WHERE v.saved_at >= ? AND `+versionTrimmed+` LIMIT ?`,
			cutoff, cutoff, keep, limit-len(ids))
	})
	return ids, err
}

// deleteVersions deletes the note versions ids in one write transaction,
// each only if the policy of cutoff and keep still does not keep it (a
// save may have come between), and returns how many it deleted.
func (s *RetentionService) deleteVersions(ctx context.Context, ids []string, cutoff string, keep int) (int, error) {
	n := 0
	err := s.db.write(ctx, func(tx *sql.Tx) error {
		n = 0
		stmt, err := tx.PrepareContext(ctx, "DELETE FROM note_versions AS v WHERE v.id = ? AND "+versionTrimmed)
		if err != nil {
			return err
		}
		defer stmt.Close()
		for _, id := range ids {
			res, err := stmt.ExecContext(ctx, id, cutoff, keep)
			if err != nil {
				return err
			}
			k, err := res.RowsAffected()
			if err != nil {
				return err
			}
			n += int(k)
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	return n, nil
}

// DeleteUsageBefore implements quire.RetentionStore.
func (s *RetentionService) DeleteUsageBefore(ctx context.Context, before time.Time, limit int) (int, error) {
	return s.deleteBatch(ctx, "delete old usage records", `DELETE FROM ai_usage WHERE id IN (
		SELECT id FROM ai_usage WHERE created_at < ? LIMIT ?)`, formatTime(before), limit)
}

// TrimAudit implements quire.RetentionStore. The trim and the new anchor
// are one transaction of the single writer, so appends (which also write
// through it) chain on after it.
func (s *RetentionService) TrimAudit(ctx context.Context, before time.Time, limit int) (int, error) {
	if err := checkLimit(limit); err != nil {
		return 0, err
	}
	if now().Sub(before) < quire.MinAuditRetention {
		return 0, quire.Errorf(quire.EINVALID, "Audit log entries are kept at least 30 days.")
	}
	var n int
	err := s.db.write(ctx, func(tx *sql.Tx) error {
		var lo, hi, firstKept sql.NullInt64
		err := tx.QueryRowContext(ctx, `SELECT min(seq), max(seq), (SELECT min(seq) FROM audit_log WHERE at >= ?) FROM audit_log`,
			formatTime(before)).Scan(&lo, &hi, &firstKept)
		if err != nil || !lo.Valid {
			return err
		}
		last := min(hi.Int64-1, lo.Int64+int64(limit)-1)
		if firstKept.Valid {
			last = min(last, firstKept.Int64-1)
		}
		if last < lo.Int64 {
			return nil
		}
		a := quire.AuditAnchor{Seq: last}
		var at string
		if err := tx.QueryRowContext(ctx, "SELECT hash, at FROM audit_log WHERE seq = ?", last).Scan(&a.Hash, &at); err != nil {
			return err
		}
		if a.At, err = parseTime(at); err != nil {
			return err
		}
		a.MAC = s.b.BlindIndex(quire.AuditAnchorPurpose, a.Canonical())
		res, err := tx.ExecContext(ctx, "DELETE FROM audit_log WHERE seq <= ?", last)
		if err != nil {
			return err
		}
		deleted, err := res.RowsAffected()
		if err != nil {
			return err
		}
		n = int(deleted)
		_, err = tx.ExecContext(ctx, `INSERT INTO audit_anchor (id, seq, hash, at, mac) VALUES (1, ?, ?, ?, ?)
			ON CONFLICT (id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash, at = excluded.at, mac = excluded.mac`,
			a.Seq, a.Hash, formatTime(a.At), a.MAC)
		return err
	})
	if err != nil {
		return 0, internal("trim audit log", err)
	}
	return n, nil
}

// auditAnchor reads the audit log's anchor in tx; nil if the log was
// never trimmed.
func auditAnchor(ctx context.Context, tx *sql.Tx) (*quire.AuditAnchor, error) {
	var a quire.AuditAnchor
	var at string
	err := tx.QueryRowContext(ctx, "SELECT seq, hash, at, mac FROM audit_anchor WHERE id = 1").Scan(&a.Seq, &a.Hash, &at, &a.MAC)
	if err == sql.ErrNoRows {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if a.At, err = parseTime(at); err != nil {
		return nil, err
	}
	return &a, nil
}
