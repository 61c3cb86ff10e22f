package quire

import (
	"context"
	"time"
)

// States of a data export (claim GDPR-1), in the order it moves through
// them: queued, running, then ready or failed; a ready export becomes
// downloaded after its first complete download, or expired at its
// deadline. Only a ready export has an archive.
const (
	ExportQueued     = "queued"
	ExportRunning    = "running"
	ExportReady      = "ready"
	ExportFailed     = "failed"
	ExportExpired    = "expired"
	ExportDownloaded = "downloaded"
)

// EEXPORTGONE is the error of a download whose archive is no more: it was
// downloaded already, or it expired (HTTP 410).
const EEXPORTGONE = "export_gone"

// Export is one request of a user for an archive of their data. It holds
// identifiers, counts and times only, never anything of the archive's
// content; the archive itself is stored encrypted beside it while ready.
type Export struct {
	ID     string `json:"exportId"`
	UserID string `json:"userId"`
	State  string `json:"state"`
	// ItemsDone of ItemsTotal items (notes, ideas, files, …) are in the
	// archive so far; ItemsTotal is 0 until the export has counted them.
	ItemsDone  int       `json:"itemsDone"`
	ItemsTotal int       `json:"itemsTotal"`
	CreatedAt  time.Time `json:"createdAt"`
	// FinishedAt is when the archive was ready or the export failed;
	// ExpiresAt when a ready archive is deleted unless downloaded before.
	// Both are zero until then.
	FinishedAt time.Time `json:"finishedAt"`
	ExpiresAt  time.Time `json:"expiresAt"`
	// Size is the archive's size in bytes and SHA256 the hex digest of
	// its bytes, once ready.
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256,omitempty"`
	// FailCode is the error code of a failed export (never a message).
	FailCode string `json:"failCode,omitempty"`
	// Worker is the instance whose lease a running export is built under,
	// and LeaseUntil when that lease ends unless renewed: another instance
	// takes a running export over only once its lease has ended. Set by
	// ClaimExport and RenewExportLease only; never shown.
	Worker     string    `json:"-"`
	LeaseUntil time.Time `json:"-"`
}

// ExportFailAccountDeleted is the fail code of an export cut short by the
// deletion of its user's account.
const ExportFailAccountDeleted = "account_deleted"

// Tables an export pages through by ID (FindExportIDs).
const (
	ExportNotes         = "notes"
	ExportFiles         = "files"
	ExportConversations = "conversations"
)

// ExportMembership is a workspace a user belongs to, as an export lists
// it: identifiers and times only, readable even once the workspace's keys
// are shredded (its owner deleted their account, and its rows wait for
// the purge).
type ExportMembership struct {
	WorkspaceID string
	OwnerID     string
	Role        Role
	CreatedAt   time.Time
}

// Active reports whether the export is still being built.
func (e *Export) Active() bool { return e.State == ExportQueued || e.State == ExportRunning }

// ValidExportState reports whether s is one of the export states.
func ValidExportState(s string) bool {
	switch s {
	case ExportQueued, ExportRunning, ExportReady, ExportFailed, ExportExpired, ExportDownloaded:
		return true
	}
	return false
}

// ExportService stores the exports. Every read of one export names its
// user: another user's export is ENOTFOUND. The rows are not tenant data
// (they belong to a user, like sessions) and go with their user.
type ExportService interface {
	// CreateExport stores e as ExportQueued, setting ID and CreatedAt
	// (and clearing the other fields). Unknown user: ENOTFOUND; the user
	// has an export queued or running already: ECONFLICT.
	CreateExport(ctx context.Context, e *Export) error
	// FindExport returns export id of userID, or ENOTFOUND.
	FindExport(ctx context.Context, userID, id string) (*Export, error)
	// FindExports lists the exports of userID, newest first.
	FindExports(ctx context.Context, userID string) ([]*Export, error)
	// FindExportsByState lists the exports of every user in one of
	// states, oldest first: what the worker resumes or expires.
	FindExportsByState(ctx context.Context, states ...string) ([]*Export, error)
	// UpdateExport writes e's state, progress, times, size, digest and
	// fail code over export e.ID, if its current state is one of from
	// (any state when from is empty) and, when e.Worker is set, it is
	// leased to that worker. An unknown export is ENOTFOUND; one in
	// another state or lease is ECONFLICT and is left unchanged.
	UpdateExport(ctx context.Context, e *Export, from ...string) error
	// ClaimExport makes export id running, progress cleared, under a
	// lease of worker until until: if it is queued, or running under a
	// lease that ended before now (its instance stopped or died). An
	// export claimed otherwise is ECONFLICT; an unknown one ENOTFOUND.
	ClaimExport(ctx context.Context, id, worker string, now, until time.Time) error
	// RenewExportLease moves the end of worker's lease on running export
	// id to until (a time past ends it at once). An export no longer
	// running under worker's lease is ECONFLICT; an unknown one
	// ENOTFOUND.
	RenewExportLease(ctx context.Context, id, worker string, until time.Time) error
	// ClaimExportDownload claims ready export id of userID for one
	// download until until, if no other download's claim lasts past now:
	// two downloads never stream the same archive. Not ready, or claimed:
	// ECONFLICT; unknown (or another user's): ENOTFOUND.
	ClaimExportDownload(ctx context.Context, userID, id string, now, until time.Time) error
	// ReleaseExportDownload ends the download claim on export id, if it is
	// still ready (a download that failed, to be tried again).
	ReleaseExportDownload(ctx context.Context, id string) error
	// FindExportMemberships lists the workspaces userID is a member of,
	// oldest first, without decrypting anything.
	FindExportMemberships(ctx context.Context, userID string) ([]*ExportMembership, error)
	// FindExportIDs lists up to limit IDs of the rows of table (ExportNotes,
	// ExportFiles or ExportConversations) in workspaceID, in ID order,
	// after the ID after ("" from the start): keyset paging, so that rows
	// edited, added or deleted meanwhile never repeat nor push others out.
	// Another table is EINVALID.
	FindExportIDs(ctx context.Context, table, workspaceID, after string, limit int) ([]string, error)
	// SetExportProgress records progress of a running export; a no-op
	// once the export has left ExportRunning.
	SetExportProgress(ctx context.Context, id string, done, total int) error
}
