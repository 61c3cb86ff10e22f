package quire

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"
)

// SharePermission is what a folder share lets its grantee do with the
// folder's notes and ideas.
type SharePermission string

// Share permissions.
const (
	// ShareRead lets the grantee list and read the folder's notes and ideas.
	ShareRead SharePermission = "read"
	// ShareWrite adds creating, changing and deleting them, inside the folder.
	ShareWrite SharePermission = "write"
)

// Valid reports whether p is a known permission.
func (p SharePermission) Valid() bool { return p == ShareRead || p == ShareWrite }

// Blind-index purposes and size of folder shares: a store keeps only these
// keyed indexes of an invitation's token and of the invited address.
const (
	ShareTokenIndexPurpose = "share_invites"
	ShareEmailIndexPurpose = "share_emails"
	ShareIndexSize         = 32
)

// MaxFolderShares is how many shares one folder may have.
const MaxFolderShares = 100

// FolderShare is one folder of a workspace shared with one person: first
// an invitation to an email address, then, once that person accepts it, a
// grant to their account. Email is personal data, sealed at rest under the
// workspace's key; the store finds shares by blind indexes only.
type FolderShare struct {
	ID          string          `json:"shareId"`
	WorkspaceID string          `json:"workspaceId"`
	FolderID    string          `json:"folderId"`
	Email       string          `json:"email"`
	Permission  SharePermission `json:"permission"`
	// InvitedBy is the user who sent the invitation.
	InvitedBy string `json:"invitedBy"`
	// GranteeID is the user who accepted it; "" while it is pending.
	GranteeID string    `json:"granteeId,omitempty"`
	CreatedAt time.Time `json:"createdAt"`
	// ExpiresAt ends a pending invitation; an accepted share does not expire.
	ExpiresAt time.Time `json:"expiresAt"`
	// AcceptedAt is when it was accepted; zero while pending.
	AcceptedAt time.Time `json:"acceptedAt"`
}

// Pending reports whether the share is an invitation not yet accepted.
func (s *FolderShare) Pending() bool { return s.GranteeID == "" }

// Validate reports whether a new share is acceptable to store.
func (s *FolderShare) Validate() error {
	if s.WorkspaceID == "" || s.InvitedBy == "" {
		return Errorf(EINVALID, "Share workspace and inviter are required.")
	}
	if err := validateFolderID(s.FolderID); err != nil {
		return err
	}
	if s.FolderID == "" {
		return Errorf(EINVALID, "A share names a folder.")
	}
	if s.Email == "" || len(s.Email) > 320 || !strings.Contains(s.Email, "@") || !utf8.ValidString(s.Email) {
		return Errorf(EINVALID, "Share email is not a valid address.")
	}
	if !s.Permission.Valid() {
		return Errorf(EINVALID, "Share permission must be %q or %q.", ShareRead, ShareWrite)
	}
	if s.GranteeID != "" {
		return Errorf(EINVALID, "A new share is an invitation: it has no grantee yet.")
	}
	if s.ExpiresAt.IsZero() {
		return Errorf(EINVALID, "An invitation needs an expiry time.")
	}
	return nil
}

// ShareInvite is a pending invitation found by its token across
// workspaces: enough to check it and to accept it, and no personal data.
type ShareInvite struct {
	ShareID     string
	WorkspaceID string
	FolderID    string
	Permission  SharePermission
	InvitedBy   string
	// EmailIndex is the blind index of the invited address, to compare
	// with the accepting user's.
	EmailIndex []byte
	ExpiresAt  time.Time
}

// ShareGrant is an accepted share as its grantee's requests find it, across
// workspaces.
type ShareGrant struct {
	ShareID     string
	WorkspaceID string
	FolderID    string
	Permission  SharePermission
	InvitedBy   string
	AcceptedAt  time.Time
}

// ShareService stores folder shares. Every call but ResolveShareInvite and
// SharesForUser names the workspace, and a share, folder or invitation of
// another workspace is not found (claim ISO-1).
type ShareService interface {
	// CreateShare stores the invitation s, whose address has the blind
	// index emailIndex and whose token has tokenIndex (ShareIndexSize bytes
	// each), and sets s.ID and s.CreatedAt. The folder must be the
	// workspace's (else EFOLDERNOTFOUND). If the address is already invited
	// to the folder and has not accepted, that invitation is renewed in
	// place: same ID, the new permission, expiry and token; the old token
	// stops working. If it has accepted: ECONFLICT. A new invitation first
	// deletes the folder's invitations that expired unaccepted; a folder
	// that still has MaxFolderShares shares takes no more: ECONFLICT.
	CreateShare(ctx context.Context, s *FolderShare, emailIndex, tokenIndex []byte) error
	// FindShares lists the shares of one folder of the workspace, or of
	// all its folders for folderID "", oldest first.
	FindShares(ctx context.Context, workspaceID, folderID string) ([]*FolderShare, error)
	// FindShareByID returns one share of the workspace.
	FindShareByID(ctx context.Context, workspaceID, id string) (*FolderShare, error)
	// SetSharePermission changes a share's permission, pending or not.
	SetSharePermission(ctx context.Context, workspaceID, id string, p SharePermission) (*FolderShare, error)
	// DeleteShare revokes a share: a pending invitation's token stops
	// working, a grantee loses access at once.
	DeleteShare(ctx context.Context, workspaceID, id string) error
	// ResolveShareInvite finds the pending invitation whose token has the
	// blind index tokenIndex, across workspaces. An unknown, accepted or
	// revoked token is ENOTFOUND; an expired one is returned, for the
	// caller to say so.
	ResolveShareInvite(ctx context.Context, tokenIndex []byte) (*ShareInvite, error)
	// AcceptShare turns the pending invitation id of the workspace, whose
	// token has the blind index tokenIndex, into a grant to userID, once:
	// the token stops working. A share that is not pending, has another
	// token or expired before now is ENOTFOUND; a user who already holds a
	// share of the folder is ECONFLICT.
	AcceptShare(ctx context.Context, workspaceID, id string, tokenIndex []byte, userID string) (*FolderShare, error)
	// SharesForUser lists the accepted shares granted to userID, across
	// workspaces, oldest first.
	SharesForUser(ctx context.Context, userID string) ([]*ShareGrant, error)
}

// ErrShareNotFound is the error for a missing share or invitation,
// whatever the reason.
func ErrShareNotFound() error { return Errorf(ENOTFOUND, "Share not found.") }

// ValidShareIndex reports whether b can be a share blind index.
func ValidShareIndex(b []byte) bool { return len(b) == ShareIndexSize }
