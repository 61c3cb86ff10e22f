package quire

import (
	"context"
	"encoding/binary"
	"time"
)

// RetentionStore deletes what has outlived its retention period, for the
// retention janitor. Every method deletes at most limit rows (limit > 0)
// in one short transaction and returns how many it deleted, so that the
// caller works in batches and no call holds a long lock: a result equal
// to limit means there may be more. Rows still in their period are never
// touched, and rules that span workspaces visit each workspace under its
// own tenant binding (claim ISO-1).
type RetentionStore interface {
	// DeleteExpiredSessions deletes the sessions whose lifetime ended at
	// or before now, or that have been idle for idle or longer (idle <= 0
	// ignores idleness).
	DeleteExpiredSessions(ctx context.Context, now time.Time, idle time.Duration, limit int) (int, error)
	// DeleteExpiredTokens deletes the one-time tokens (password reset,
	// email verification) that expired at or before now.
	DeleteExpiredTokens(ctx context.Context, now time.Time, limit int) (int, error)
	// DeleteExpiredEmailChanges deletes the pending email changes whose
	// link expired at or before now.
	DeleteExpiredEmailChanges(ctx context.Context, now time.Time, limit int) (int, error)
	// DeleteExpiredInvitations deletes the folder invitations never
	// accepted that expired at or before before. Accepted shares are
	// never touched.
	DeleteExpiredInvitations(ctx context.Context, before time.Time, limit int) (int, error)
	// TrimNoteVersions deletes the note versions that p no longer keeps
	// at now: beyond the newest p.Limit() of each note, or saved before
	// p.Cutoff(now).
	TrimNoteVersions(ctx context.Context, p VersionPolicy, now time.Time, limit int) (int, error)
	// DeleteUsageBefore deletes the AI usage records made before before.
	DeleteUsageBefore(ctx context.Context, before time.Time, limit int) (int, error)
	// TrimAudit deletes the oldest audit log entries written before
	// before, always keeping the newest entry, and records the last one
	// deleted as the log's AuditAnchor, so that VerifyAudit still checks
	// the chain from there. Only a prefix of the log is ever deleted.
	TrimAudit(ctx context.Context, before time.Time, limit int) (int, error)
}

// AuditAnchor is where a trimmed audit log's chain starts: the sequence
// number, hash and time of the last entry deleted. MAC authenticates it
// (BlindIndex(AuditAnchorPurpose, Canonical())), so that whoever can
// write to the database but does not hold the key cannot move it forward
// to hide the deletion of newer entries.
type AuditAnchor struct {
	Seq  int64
	Hash []byte
	At   time.Time
	MAC  []byte
}

// AuditAnchorPurpose is the blind-index purpose whose key authenticates
// the audit log's anchor.
const AuditAnchorPurpose = "audit.anchor"

// MinAuditRetention is the shortest audit log retention a store accepts:
// even a compromised application cannot trim recent history.
const MinAuditRetention = 30 * 24 * time.Hour

// Canonical returns the bytes of a that its MAC covers.
func (a *AuditAnchor) Canonical() []byte {
	b := binary.BigEndian.AppendUint64(nil, uint64(a.Seq))
	b = binary.BigEndian.AppendUint64(b, uint64(a.At.UTC().UnixMicro()))
	return append(b, a.Hash...)
}
