package quire

import (
	"context"
	"time"
)

// Statuses of an account deletion (claim GDPR-3), in the order it moves
// through them.
const (
	// DeletionPending is a deletion recorded and the account closed (signed
	// out everywhere, keys revoked); its data keys may not be shredded yet.
	DeletionPending = "pending"
	// DeletionShredded is a deletion whose data keys are gone from the live
	// database: nothing of the user's decrypts there any more (a backup made
	// before holds its own copy of the keys); the rows wait for the purge.
	DeletionShredded = "shredded"
	// DeletionDone is a deletion whose rows and files are purged too.
	DeletionDone = "done"
)

// DeletionDeadline is how long a deletion's purge may take at most after it
// was requested (claim GDPR-3: within 30 days).
const DeletionDeadline = 30 * 24 * time.Hour

// AccountDeletion is one entry of the durable deletion queue. It holds
// identifiers and times only: the queue outlives the account and must not
// keep anything personal of it.
type AccountDeletion struct {
	UserID      string    `json:"userId"`
	RequestedAt time.Time `json:"requestedAt"`
	// Deadline is when the purge must be done by (RequestedAt plus
	// DeletionDeadline).
	Deadline time.Time `json:"deadline"`
	Status   string    `json:"status"`
	// WorkspaceIDs are the workspaces the user owned when the deletion was
	// requested, so that a purge resumed after a crash still finds each,
	// its files included, once its row is gone.
	WorkspaceIDs []string `json:"workspaceIds,omitempty"`
	// ShreddedAt and PurgedAt are zero until the step is done.
	ShreddedAt time.Time `json:"shreddedAt"`
	PurgedAt   time.Time `json:"purgedAt"`
}

// Overdue reports whether the deletion is not done at its deadline.
func (d *AccountDeletion) Overdue(now time.Time) bool {
	return d.Status != DeletionDone && !now.Before(d.Deadline)
}

// AccountDeletionService is the durable deletion queue. Its methods read
// and write identifiers only, never a sealed value, so they work once the
// user's keys are shredded.
type AccountDeletionService interface {
	// RequestDeletion records d as DeletionPending and, in the same
	// transaction, closes the account: every session, API key and passkey
	// of the user, their one-time tokens and any pending email change are
	// deleted, and their email's blind index is replaced by a random value,
	// so that the address finds no account from then on (a new sign-up may
	// take it). Unknown user: ENOTFOUND; a deletion already recorded:
	// ECONFLICT.
	RequestDeletion(ctx context.Context, d *AccountDeletion) error
	// OwnedWorkspaceIDs lists the workspaces userID owns, by ID only.
	OwnedWorkspaceIDs(ctx context.Context, userID string) ([]string, error)
	// MarkDeletion moves the deletion of userID to status at time at:
	// DeletionShredded (from pending only) or DeletionDone. Unknown:
	// ENOTFOUND.
	MarkDeletion(ctx context.Context, userID, status string, at time.Time) error
	// FindDeletion returns the deletion of userID, or ENOTFOUND.
	FindDeletion(ctx context.Context, userID string) (*AccountDeletion, error)
	// FindDeletions lists every deletion, oldest request first.
	FindDeletions(ctx context.Context) ([]*AccountDeletion, error)
}

// EmailChange is a change of a user's address waiting for the new address
// to confirm it (claim GDPR-2). Email is personal data, sealed at rest under
// the user's scope; the store keeps only the hash of the link's token.
type EmailChange struct {
	UserID    string
	Email     string
	TokenHash []byte
	ExpiresAt time.Time
}

// EmailChangeStore keeps pending email changes, at most one per user. The
// account stores implement it beside quire.AuthStore.
type EmailChangeStore interface {
	// PutEmailChange stores c, replacing the user's pending change, whose
	// link stops working. Unknown user: ENOTFOUND.
	PutEmailChange(ctx context.Context, c *EmailChange) error
	// ConsumeEmailChange deletes and returns the change whose token hashes
	// to tokenHash, once, if it has not expired at now; otherwise
	// ETOKENINVALID.
	ConsumeEmailChange(ctx context.Context, tokenHash []byte, now time.Time) (*EmailChange, error)
	// DeleteEmailChange deletes the user's pending change, if any, so that
	// its link stops working: done when the password or the second factors
	// change, or other sessions are signed out. None pending is no error.
	DeleteEmailChange(ctx context.Context, userID string) error
}
