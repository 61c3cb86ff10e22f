package sqlite

import (
	"context"
	"crypto/hmac"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/quirehq/quire"
)

const auditColumns = "seq, at, event, user_id, meta, hash"

// AppendAudit implements quire.AuthStore. Reading the last hash and
// writing the entry happen in one write transaction, so concurrent appends
// chain one after the other.
func (s *AuthService) AppendAudit(ctx context.Context, e *quire.AuditEvent) error {
	if e.Event == "" {
		return quire.Errorf(quire.EINVALID, "Audit event name is required.")
	}
	meta, err := json.Marshal(e.Meta)
	if err != nil {
		return internal("encode audit meta", err)
	}
	next := *e
	next.At = stamp(e.At)
	err = s.writeTx(ctx, "append audit", func(tx *sql.Tx) error {
		var prev []byte
		err := tx.QueryRowContext(ctx, "SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1").Scan(&next.Seq, &prev)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		next.Seq++
		next.Hash = s.chainHash(prev, &next)
		_, err = tx.ExecContext(ctx, "INSERT INTO audit_log ("+auditColumns+") VALUES (?, ?, ?, ?, ?, ?)",
			next.Seq, formatTime(next.At), next.Event, next.UserID, string(meta), next.Hash)
		return err
	})
	if err != nil {
		return err
	}
	e.Seq, e.At, e.Hash = next.Seq, next.At, next.Hash
	return nil
}

// chainHash is the entry's link: a keyed hash of the previous entry's hash
// and the entry's canonical bytes.
func (s *AuthService) chainHash(prev []byte, e *quire.AuditEvent) []byte {
	return s.b.BlindIndex(quire.AuditChainPurpose, append(append([]byte(nil), prev...), e.Canonical()...))
}

func scanAudit(row interface{ Scan(...any) error }) (*quire.AuditEvent, error) {
	var e quire.AuditEvent
	var at, meta string
	if err := row.Scan(&e.Seq, &at, &e.Event, &e.UserID, &meta, &e.Hash); err != nil {
		return nil, err
	}
	var err error
	if e.At, err = parseTime(at); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(meta), &e.Meta); err != nil {
		return nil, fmt.Errorf("audit meta: %w", err)
	}
	return &e, nil
}

// FindAudit implements quire.AuthStore: the user's entries, newest first;
// limit 0 means all.
func (s *AuthService) FindAudit(ctx context.Context, userID string, limit int) ([]*quire.AuditEvent, error) {
	if limit < 0 {
		return nil, quire.Errorf(quire.EINVALID, "Limit must not be negative.")
	} else if limit == 0 {
		limit = -1 // SQLite: no limit
	}
	rows, err := s.db.reader.QueryContext(ctx, "SELECT "+auditColumns+" FROM audit_log WHERE user_id = ? ORDER BY seq DESC LIMIT ?", userID, limit)
	return collect(rows, err, "find audit", scanAudit)
}

// VerifyAudit implements quire.AuthStore. It streams the log in order from
// one snapshot, holding one entry at a time, and stops at the first entry
// that is missing, unreadable or whose hash does not match the chain. A
// trimmed log's chain starts from its anchor, whose MAC must verify.
func (s *AuthService) VerifyAudit(ctx context.Context) (int64, error) {
	var n int64
	err := s.db.read(ctx, func(tx *sql.Tx) error {
		anchor, err := auditAnchor(ctx, tx)
		if err != nil {
			return internal("verify audit", err)
		}
		var prev []byte
		if anchor != nil {
			if !hmac.Equal(anchor.MAC, s.b.BlindIndex(quire.AuditAnchorPurpose, anchor.Canonical())) {
				return fmt.Errorf("the audit log's anchor (entry %d) does not verify", anchor.Seq)
			}
			n, prev = anchor.Seq, anchor.Hash
		}
		rows, err := tx.QueryContext(ctx, "SELECT "+auditColumns+" FROM audit_log ORDER BY seq")
		if err != nil {
			return internal("verify audit", err)
		}
		defer rows.Close()
		for rows.Next() {
			e, err := scanAudit(rows)
			if err != nil {
				return fmt.Errorf("audit entry %d is unreadable: %w", n+1, err)
			}
			if e.Seq != n+1 {
				return fmt.Errorf("audit entry %d is missing (the next is %d)", n+1, e.Seq)
			}
			if !hmac.Equal(e.Hash, s.chainHash(prev, e)) {
				return fmt.Errorf("audit entry %d does not verify", e.Seq)
			}
			prev, n = e.Hash, e.Seq
		}
		if err := rows.Err(); err != nil {
			return internal("verify audit", err)
		}
		return nil
	})
	return n, err
}
