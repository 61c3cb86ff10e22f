package retention

import (
	"context"
	"fmt"
	"time"

	"github.com/quirehq/quire"
)

// Batch bounds of Batched: one call deletes at most BatchSize rows in one
// short transaction, and one run of a rule makes at most MaxBatches
// calls; what is left waits for the next run.
const (
	BatchSize  = 500
	MaxBatches = 200
)

// Batched turns a store call that deletes at most limit rows into a
// rule's Run: it calls del with BatchSize until a call deletes fewer, ctx
// ends or MaxBatches calls were made, so no run holds a lock for long or
// works without bound.
func Batched(del func(ctx context.Context, now time.Time, limit int) (int, error)) func(context.Context, time.Time) (int, error) {
	return func(ctx context.Context, now time.Time) (int, error) {
		total := 0
		for range MaxBatches {
			if err := ctx.Err(); err != nil {
				return total, err
			}
			n, err := del(ctx, now, BatchSize)
			total += n
			if err != nil || n < BatchSize {
				return total, err
			}
		}
		return total, nil
	}
}

// Periods are the configured retention periods the store rules use.
type Periods struct {
	// SessionIdle is how long an unused session lasts; sessions idle
	// longer, or past their lifetime, are deleted.
	SessionIdle time.Duration
	// Invitations is how long an expired, unaccepted folder invitation is
	// kept after it expired (so that its link can still say "expired").
	Invitations time.Duration
	// Versions is the note history policy.
	Versions quire.VersionPolicy
	// Usage is how long AI usage records are kept.
	Usage time.Duration
	// Audit is how long audit log entries are kept (at least
	// quire.MinAuditRetention).
	Audit time.Duration
}

// StoreRules returns the rules that st enforces, with the periods p.
func StoreRules(st quire.RetentionStore, p Periods) []Rule {
	return []Rule{
		{Name: "sessions", Keep: p.SessionIdle,
			Description: sessionsText(p.SessionIdle),
			Run: Batched(func(ctx context.Context, now time.Time, n int) (int, error) {
				return st.DeleteExpiredSessions(ctx, now, p.SessionIdle, n)
			})},
		{Name: "one-time tokens",
			Description: "Password-reset and email-verification links are deleted once they expire (or at once, when used).",
			Run:         Batched(st.DeleteExpiredTokens)},
		{Name: "email changes",
			Description: "Pending changes of email address, with the new address, are deleted once their confirmation link expires.",
			Run:         Batched(st.DeleteExpiredEmailChanges)},
		{Name: "folder invitations", Keep: p.Invitations,
			Description: "Folder invitations never accepted, with the invited address, are deleted " + afterExpiry(p.Invitations) +
				". A revoked share or invitation is deleted at once, so none is kept.",
			Run: Batched(func(ctx context.Context, now time.Time, n int) (int, error) {
				return st.DeleteExpiredInvitations(ctx, now.Add(-p.Invitations), n)
			})},
		{Name: "note versions", Keep: p.Versions.MaxAge,
			Description: versionsText(p.Versions),
			Run: Batched(func(ctx context.Context, now time.Time, n int) (int, error) {
				return st.TrimNoteVersions(ctx, p.Versions, now, n)
			})},
		{Name: "AI usage records", Keep: p.Usage,
			Description: fmt.Sprintf("Records of AI calls (metadata only: model, tokens, cost, never a prompt or an answer) are deleted after %s.", human(p.Usage)),
			Run: Batched(func(ctx context.Context, now time.Time, n int) (int, error) {
				return st.DeleteUsageBefore(ctx, now.Add(-p.Usage), n)
			})},
		{Name: "audit log", Keep: p.Audit,
			Description: fmt.Sprintf("Security audit log entries (events and identifiers, no content) are deleted after %s, oldest first; the hash chain is verified from an authenticated anchor at the last entry deleted.", human(p.Audit)),
			Run: Batched(func(ctx context.Context, now time.Time, n int) (int, error) {
				return st.TrimAudit(ctx, now.Add(-p.Audit), n)
			})},
	}
}

func sessionsText(idle time.Duration) string {
	if idle <= 0 {
		return "Sign-in sessions are deleted once they expire, at the end of their lifetime."
	}
	return fmt.Sprintf("Sign-in sessions are deleted once they expire: at the end of their lifetime, or after %s without use.", human(idle))
}

// afterExpiry says when something is deleted that is kept d after it
// expires.
func afterExpiry(d time.Duration) string {
	if d <= 0 {
		return "as soon as they expire"
	}
	return human(d) + " after they expire"
}

func versionsText(v quire.VersionPolicy) string {
	var keep string
	switch n := v.Limit(); n {
	case 0:
		keep = "No earlier versions of notes are kept"
	default:
		keep = fmt.Sprintf("The newest %d earlier versions of each note are kept", n)
	}
	if v.MaxAge > 0 && v.Limit() > 0 {
		keep += fmt.Sprintf(", none older than %s", human(v.MaxAge))
	}
	return keep + ". Each save already trims its note's history; this sweep deletes what a save has not reached (versions that aged out, or a lowered limit)."
}

// LogRule is the rule of the diagnostic log files (claim AI-5): sweep
// deletes the files older than keep.
func LogRule(keep time.Duration, sweep func() (int, error)) Rule {
	return Rule{Name: "diagnostic logs", Keep: keep,
		Description: fmt.Sprintf("Diagnostic log files (no content) are deleted %s after the day they cover.", human(keep)),
		Run:         func(context.Context, time.Time) (int, error) { return sweep() }}
}

// FileRuleName names the rule of FileRule.
const FileRuleName = "orphaned files"

// FileRule is the rule of orphaned file bytes: sweep deletes the stored
// bytes of files whose record is gone and were seen so at least grace
// earlier.
func FileRule(grace time.Duration, sweep func(ctx context.Context) (int, error)) Rule {
	return Rule{Name: FileRuleName, Keep: grace,
		Description: fmt.Sprintf("Stored file contents whose file was deleted (an upload or deletion cut short, a deleted workspace) are deleted once two sweeps at least %s apart find them orphaned.", human(grace)),
		Run:         func(ctx context.Context, _ time.Time) (int, error) { return sweep(ctx) }}
}

// KeptRules lists what is deliberately not deleted on a schedule, so that
// the list of rules is complete.
func KeptRules() []Rule {
	return []Rule{
		{Name: "security reports",
			Description: "Vulnerability reports sent through the disclosure intake are kept, encrypted, after they are closed: a report is answered, never made to disappear (claim VDP-1)."},
		{Name: "account deletion records",
			Description: "The record that an account was deleted (identifiers and times, nothing personal) is kept as proof of the deletion; the account's data is purged within 30 days of the request (claim GDPR-3)."},
	}
}

// human writes d in days when it is a whole number of them, else as Go
// does.
func human(d time.Duration) string {
	const day = 24 * time.Hour
	switch {
	case d <= 0:
		return "no delay"
	case d%day == 0 && d == day:
		return "1 day"
	case d%day == 0:
		return fmt.Sprintf("%d days", d/day)
	case d%time.Hour == 0 && d == time.Hour:
		return "1 hour"
	case d%time.Hour == 0:
		return fmt.Sprintf("%d hours", d/time.Hour)
	}
	return d.String()
}

// ExportRule is the rule of data export archives (claim GDPR-1): sweep
// deletes the archives past their expiry ttl, and those already
// downloaded, and returns how many exports it expired.
func ExportRule(ttl time.Duration, sweep func(ctx context.Context) (int, error)) Rule {
	return Rule{Name: "data exports", Keep: ttl,
		Description: fmt.Sprintf("Data export archives are deleted once downloaded, or %s after they are ready if never downloaded.", human(ttl)),
		Run:         func(ctx context.Context, _ time.Time) (int, error) { return sweep(ctx) }}
}
