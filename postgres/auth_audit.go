package postgres

import (
	"context"
	"crypto/hmac"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
	"github.com/quirehq/quire"
)

// auditLockKey is the advisory lock that serialises appends to the audit
// chain: each entry needs the hash of the one before.
const auditLockKey int64 = 0x71756972_65000002

const auditColumns = "seq, at, event, user_id, meta, hash"

// AppendAudit implements quire.AuthStore. Appends are serialised by a
// transaction-scoped advisory lock, so every entry gets the next sequence
// number and chains to the entry before it. The application role can only
// insert into and read the log.
func (s *AuthService) AppendAudit(ctx context.Context, e *quire.AuditEvent) error {
	if err := validateAudit(e); err != nil {
		return err
	}
	ev := quire.AuditEvent{At: orNow(e.At), Event: e.Event, UserID: e.UserID, Meta: e.Meta}
	meta, err := json.Marshal(ev.Meta)
	if err != nil {
		return internal("append audit", err)
	}
	err = s.db.inTx(ctx, binding{}, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock($1)", auditLockKey); err != nil {
			return internal("lock audit log", err)
		}
		var prev []byte
		err := tx.QueryRow(ctx, "SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1").Scan(&ev.Seq, &prev)
		if err != nil && !notFound(err) {
			return internal("read audit log", err)
		}
		ev.Seq++
		ev.Hash = s.chain(prev, &ev)
		_, err = tx.Exec(ctx, "INSERT INTO audit_log ("+auditColumns+") VALUES ($1, $2, $3, $4, $5::jsonb, $6)",
			ev.Seq, ev.At, ev.Event, ev.UserID, string(meta), ev.Hash)
		return internal("append audit", err)
	})
	if err != nil {
		return err
	}
	e.Seq, e.At, e.Hash = ev.Seq, ev.At, ev.Hash
	return nil
}

// chain returns e's hash: the keyed hash of the previous hash and e.
func (s *AuthService) chain(prev []byte, e *quire.AuditEvent) []byte {
	return s.b.BlindIndex(quire.AuditChainPurpose, slices.Concat(prev, e.Canonical()))
}

// validateAudit refuses what a text or jsonb column cannot hold exactly:
// invalid UTF-8 and NUL would not read back as written, and the chain
// would then fail to verify.
func validateAudit(e *quire.AuditEvent) error {
	if e.Event == "" {
		return quire.Errorf(quire.EINVALID, "Audit event name is required.")
	}
	ok := func(s string) bool { return utf8.ValidString(s) && !strings.ContainsRune(s, 0) }
	valid := ok(e.Event) && ok(e.UserID)
	for k, v := range e.Meta {
		valid = valid && ok(k) && ok(v)
	}
	if !valid {
		return quire.Errorf(quire.EINVALID, "Audit event fields must be valid text.")
	}
	return nil
}

func scanAudit(row pgx.Row) (*quire.AuditEvent, error) {
	var e quire.AuditEvent
	if err := row.Scan(&e.Seq, &e.At, &e.Event, &e.UserID, &e.Meta, &e.Hash); err != nil {
		return nil, err
	}
	e.At = e.At.UTC()
	return &e, nil
}

// FindAudit implements quire.AuthStore: the user's newest limit entries,
// newest first; limit 0 means all.
func (s *AuthService) FindAudit(ctx context.Context, userID string, limit int) ([]*quire.AuditEvent, error) {
	if limit < 0 {
		return nil, quire.Errorf(quire.EINVALID, "Limit must not be negative.")
	}
	var lim any // NULL: LIMIT ALL
	if limit > 0 {
		lim = limit
	}
	rows, err := s.db.pool.Query(ctx, "SELECT "+auditColumns+" FROM audit_log WHERE user_id = $1 ORDER BY seq DESC LIMIT $2", userID, lim)
	if err != nil {
		return nil, internal("find audit", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (*quire.AuditEvent, error) { return scanAudit(r) })
	if err != nil {
		return nil, internal("find audit", err)
	}
	return out, nil
}

// VerifyAudit implements quire.AuthStore. It streams the log in sequence
// order, recomputing each hash from the one before, and stops at the first
// entry that is missing or does not verify. A trimmed log's chain starts
// from its anchor, whose MAC must verify; the anchor and the log are read
// from one snapshot.
func (s *AuthService) VerifyAudit(ctx context.Context) (int64, error) {
	tx, err := s.db.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return 0, internal("verify audit", err)
	}
	defer func() { _ = tx.Rollback(context.WithoutCancel(ctx)) }()
	anchor, err := s.auditAnchor(ctx, tx)
	if err != nil {
		return 0, internal("verify audit", err)
	}
	var n int64
	var prev []byte
	if anchor != nil {
		if !hmac.Equal(anchor.MAC, s.b.BlindIndex(quire.AuditAnchorPurpose, anchor.Canonical())) {
			return 0, fmt.Errorf("postgres: the audit log's anchor (entry %d) does not verify: it was changed after it was written", anchor.Seq)
		}
		n, prev = anchor.Seq, anchor.Hash
	}
	rows, err := tx.Query(ctx, "SELECT "+auditColumns+" FROM audit_log ORDER BY seq")
	if err != nil {
		return 0, internal("verify audit", err)
	}
	defer rows.Close()
	for rows.Next() {
		e, err := scanAudit(rows)
		if err != nil {
			return n, internal("verify audit", err)
		}
		if err := s.verifyEntry(n+1, prev, e); err != nil {
			return n, err
		}
		n, prev = e.Seq, e.Hash
	}
	if err := rows.Err(); err != nil {
		return n, internal("verify audit", err)
	}
	return n, nil
}

// verifyEntry checks that e is entry want and chains to prev.
func (s *AuthService) verifyEntry(want int64, prev []byte, e *quire.AuditEvent) error {
	if e.Seq != want {
		return fmt.Errorf("postgres: audit log entry %d is missing (the next entry is %d)", want, e.Seq)
	}
	if !hmac.Equal(e.Hash, s.chain(prev, e)) {
		return fmt.Errorf("postgres: audit log entry %d (at %s) does not verify: it was changed after it was written", e.Seq, e.At.Format(time.RFC3339Nano))
	}
	return nil
}
