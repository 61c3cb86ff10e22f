package sharing

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"strings"
	"time"

	"github.com/quirehq/quire"
	"github.com/quirehq/quire/auth"
	"github.com/quirehq/quire/mail"
)

// DefaultInviteTTL is how long an invitation link works when Config sets
// no other time.
const DefaultInviteTTL = 7 * 24 * time.Hour

// Credentials finds a user's credential: whether their address is verified.
type Credentials interface {
	FindCredential(ctx context.Context, userID string) (*quire.Credential, error)
}

// Config wires a Service. Every field but InviteTTL and Now is required.
type Config struct {
	Shares     quire.ShareService
	Folders    quire.FolderService
	Workspaces quire.WorkspaceService
	Users      quire.UserService
	// Credentials tells whether an accepting user's address is verified.
	Credentials Credentials
	// Mail sends invitations.
	Mail mail.Sender
	// Index computes keyed blind indexes (barrier.Barrier.BlindIndex).
	Index auth.Indexer
	// InviteTTL is how long an invitation link works.
	InviteTTL time.Duration
	// Now is the clock; tests move it.
	Now func() time.Time
}

// Service shares folders between accounts. Every method takes the acting
// user's ID and authorises from it: an owner manages the shares of the
// folders of their own workspace (quire.OwnWorkspace), an invitee accepts
// an invitation sent to their own address, and a grantee reaches the
// folders shared with them, nothing else (claim ISO-1).
type Service struct{ c Config }

// New returns a Service over c, or an error naming a missing dependency.
func New(c Config) (*Service, error) {
	switch {
	case c.Shares == nil, c.Folders == nil, c.Workspaces == nil, c.Users == nil:
		return nil, errors.New("sharing: Shares, Folders, Workspaces and Users are required")
	case c.Credentials == nil || c.Mail == nil || c.Index == nil:
		return nil, errors.New("sharing: Credentials, Mail and Index are required")
	}
	if c.InviteTTL <= 0 {
		c.InviteTTL = DefaultInviteTTL
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	return &Service{c: c}, nil
}

// ownWorkspace returns the workspace whose folders userID shares.
func (s *Service) ownWorkspace(ctx context.Context, userID string) (string, error) {
	w, err := quire.OwnWorkspace(ctx, s.c.Workspaces, userID)
	if err != nil {
		return "", err
	}
	if w == nil {
		return "", quire.Errorf(quire.ENOTFOUND, "You have no workspace of your own to share from.")
	}
	return w.ID, nil
}

// ownFolder returns the caller's workspace after checking that folderID is
// one of its folders: any other is not found.
func (s *Service) ownFolder(ctx context.Context, userID, folderID string) (string, error) {
	ws, err := s.ownWorkspace(ctx, userID)
	if err != nil {
		return "", err
	}
	if !quire.ValidID(folderID) {
		return "", errNoFolder()
	}
	if _, err := s.c.Folders.FindFolderByID(ctx, ws, folderID); quire.ErrorCode(err) == quire.ENOTFOUND {
		return "", errNoFolder()
	} else if err != nil {
		return "", err
	}
	return ws, nil
}

func errNoFolder() error { return quire.Errorf(quire.ENOTFOUND, "Folder not found.") }

// newToken returns an invitation token: 32 random bytes, base64url
// without padding (43 characters).
func newToken() string {
	var b [32]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails on supported platforms.
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// validToken reports whether token has the shape newToken makes, so that
// nothing else is hashed or looked up.
func validToken(token string) bool {
	if len(token) != 43 {
		return false
	}
	_, err := base64.RawURLEncoding.Strict().DecodeString(token)
	return err == nil
}

func (s *Service) tokenIndex(token string) []byte {
	return s.c.Index(quire.ShareTokenIndexPurpose, []byte(token))
}

func (s *Service) emailIndex(email string) []byte {
	return s.c.Index(quire.ShareEmailIndexPurpose, []byte(email))
}

// Invite shares the folder folderID of userID's own workspace with the
// person at email, with permission p: it stores an invitation and emails
// its link, linkBase + "/invite?token=…". Inviting an address again before
// it accepts renews the invitation (a new link; the old one stops
// working); renewed says so. The invitation is stored before the email is
// handed to the mailer; if the mailer refuses it, the invitation is
// revoked again and the error returned. A delivery that fails later (the
// mailer sends in the background) leaves a pending invitation, which the
// owner sees and can renew or revoke.
func (s *Service) Invite(ctx context.Context, userID, folderID, email string, p quire.SharePermission, linkBase string) (sh *quire.FolderShare, renewed bool, err error) {
	if !p.Valid() {
		return nil, false, quire.Errorf(quire.EINVALID, "Permission must be %q or %q.", quire.ShareRead, quire.ShareWrite)
	}
	addr, err := auth.NormaliseEmail(email)
	if err != nil {
		return nil, false, err
	}
	ws, err := s.ownFolder(ctx, userID, folderID)
	if err != nil {
		return nil, false, err
	}
	inviter, err := s.c.Users.FindUserByID(ctx, userID)
	if err != nil {
		return nil, false, err
	}
	if inviter.Email == addr {
		return nil, false, quire.Errorf(quire.EINVALID, "You cannot share a folder with yourself.")
	}
	token := newToken()
	sh = &quire.FolderShare{WorkspaceID: ws, FolderID: folderID, Email: addr, Permission: p,
		InvitedBy: userID, ExpiresAt: s.c.Now().Add(s.c.InviteTTL).UTC().Truncate(time.Second)}
	start := time.Now() // the store's clock, not s.c.Now: a renewal keeps an earlier CreatedAt
	if err := s.c.Shares.CreateShare(ctx, sh, s.emailIndex(addr), s.tokenIndex(token)); err != nil {
		return nil, false, err
	}
	renewed = sh.CreatedAt.Before(start.Truncate(time.Microsecond))
	link := strings.TrimRight(linkBase, "/") + "/invite?token=" + token
	if err := s.c.Mail.Send(ctx, mail.FolderInvite(addr, inviter.Email, string(p), sh.ExpiresAt, link)); err != nil {
		// WithoutCancel: the revocation must run even when ctx is done.
		if derr := s.c.Shares.DeleteShare(context.WithoutCancel(ctx), ws, sh.ID); derr != nil && quire.ErrorCode(derr) != quire.ENOTFOUND {
			return nil, false, derr
		}
		return nil, false, quire.Errorf(quire.EUNAVAILABLE, "The invitation email could not be sent, so nothing was shared. Try again later.")
	}
	return sh, renewed, nil
}

// Shares lists the shares of one folder of userID's own workspace.
func (s *Service) Shares(ctx context.Context, userID, folderID string) ([]*quire.FolderShare, error) {
	ws, err := s.ownFolder(ctx, userID, folderID)
	if err != nil {
		return nil, err
	}
	return s.c.Shares.FindShares(ctx, ws, folderID)
}

// ownShare returns the share id of folder folderID of userID's own
// workspace: one of another folder or workspace is not found.
func (s *Service) ownShare(ctx context.Context, userID, folderID, id string) (*quire.FolderShare, error) {
	ws, err := s.ownFolder(ctx, userID, folderID)
	if err != nil {
		return nil, err
	}
	if !quire.ValidID(id) {
		return nil, quire.ErrShareNotFound()
	}
	sh, err := s.c.Shares.FindShareByID(ctx, ws, id)
	if err != nil {
		return nil, err
	}
	if sh.FolderID != folderID {
		return nil, quire.ErrShareNotFound()
	}
	return sh, nil
}

// Share returns share id of the folder of userID's own workspace.
func (s *Service) Share(ctx context.Context, userID, folderID, id string) (*quire.FolderShare, error) {
	return s.ownShare(ctx, userID, folderID, id)
}

// SetPermission changes the permission of share id of the folder.
func (s *Service) SetPermission(ctx context.Context, userID, folderID, id string, p quire.SharePermission) (*quire.FolderShare, error) {
	if !p.Valid() {
		return nil, quire.Errorf(quire.EINVALID, "Permission must be %q or %q.", quire.ShareRead, quire.ShareWrite)
	}
	sh, err := s.ownShare(ctx, userID, folderID, id)
	if err != nil {
		return nil, err
	}
	return s.c.Shares.SetSharePermission(ctx, sh.WorkspaceID, sh.ID, p)
}

// Revoke deletes share id of the folder: a pending invitation's link stops
// working, a grantee loses access at once.
func (s *Service) Revoke(ctx context.Context, userID, folderID, id string) error {
	sh, err := s.ownShare(ctx, userID, folderID, id)
	if err != nil {
		return err
	}
	return s.c.Shares.DeleteShare(ctx, sh.WorkspaceID, sh.ID)
}

// Invitation is what the invitation page shows before it is accepted: who
// sent it and what it grants. It names no folder, as the email does not:
// the folder's name is shown to the grantee once they accept.
type Invitation struct {
	Inviter    string                `json:"inviter"`
	Permission quire.SharePermission `json:"permission"`
	ExpiresAt  time.Time             `json:"expiresAt"`
	Expired    bool                  `json:"expired"`
}

// Preview describes the pending invitation of token. A malformed,
// unknown, accepted or revoked token is ETOKENINVALID.
func (s *Service) Preview(ctx context.Context, token string) (*Invitation, error) {
	inv, err := s.resolve(ctx, token)
	if err != nil {
		return nil, err
	}
	out := &Invitation{Permission: inv.Permission, ExpiresAt: inv.ExpiresAt, Expired: !s.c.Now().Before(inv.ExpiresAt)}
	if u, err := s.c.Users.FindUserByID(ctx, inv.InvitedBy); err == nil {
		out.Inviter = u.Email
	} else if quire.ErrorCode(err) != quire.ENOTFOUND {
		return nil, err
	}
	return out, nil
}

func errBadInvite() error {
	return quire.Errorf(quire.ETOKENINVALID, "This invitation link is invalid, was already used or was revoked.")
}

func (s *Service) resolve(ctx context.Context, token string) (*quire.ShareInvite, error) {
	if !validToken(token) {
		return nil, errBadInvite()
	}
	inv, err := s.c.Shares.ResolveShareInvite(ctx, s.tokenIndex(token))
	if quire.ErrorCode(err) == quire.ENOTFOUND {
		return nil, errBadInvite()
	}
	return inv, err
}

// Accept accepts the invitation of token for userID, whose account's
// address must be the one invited, and verified: a link forwarded to
// someone else does not work for them. It returns the folder now shared with userID.
func (s *Service) Accept(ctx context.Context, userID, token string) (*SharedFolder, error) {
	inv, err := s.resolve(ctx, token)
	if err != nil {
		return nil, err
	}
	if !s.c.Now().Before(inv.ExpiresAt) {
		return nil, quire.Errorf(quire.ETOKENINVALID, "This invitation has expired. Ask for a new one.")
	}
	u, err := s.c.Users.FindUserByID(ctx, userID)
	if err != nil {
		return nil, err
	}
	if subtle.ConstantTimeCompare(s.emailIndex(u.Email), inv.EmailIndex) != 1 {
		return nil, quire.Errorf(quire.EFORBIDDEN, "This invitation was sent to another email address: sign in with that address to accept it.")
	}
	// Whoever gets hold of a forwarded link could sign up with the invited
	// address before its owner does: the address must be proven first.
	cred, err := s.c.Credentials.FindCredential(ctx, userID)
	if err != nil {
		return nil, err
	}
	if cred.EmailVerifiedAt.IsZero() {
		return nil, quire.Errorf(quire.EEMAILUNVERIFIED, "Confirm your email address first (open the link we emailed you), then accept the invitation.")
	}
	sh, err := s.c.Shares.AcceptShare(ctx, inv.WorkspaceID, inv.ShareID, s.tokenIndex(token), userID)
	if quire.ErrorCode(err) == quire.ENOTFOUND {
		return nil, errBadInvite()
	} else if err != nil {
		return nil, err
	}
	return s.describe(ctx, &quire.ShareGrant{ShareID: sh.ID, WorkspaceID: sh.WorkspaceID, FolderID: sh.FolderID,
		Permission: sh.Permission, InvitedBy: sh.InvitedBy, AcceptedAt: sh.AcceptedAt})
}

// SharedFolder is a folder shared with the caller, as they see it.
type SharedFolder struct {
	ShareID    string                `json:"shareId"`
	FolderID   string                `json:"folderId"`
	Name       string                `json:"name"`
	Permission quire.SharePermission `json:"permission"`
	// Owner is the address of the user who shared it.
	Owner      string    `json:"owner"`
	Notes      int       `json:"noteCount"`
	Ideas      int       `json:"ideaCount"`
	AcceptedAt time.Time `json:"acceptedAt"`
}

// describe adds the folder's name and counts and the inviter's address to
// g. A folder deleted meanwhile is ErrShareNotFound.
func (s *Service) describe(ctx context.Context, g *quire.ShareGrant) (*SharedFolder, error) {
	f, err := s.c.Folders.FindFolderByID(ctx, g.WorkspaceID, g.FolderID)
	if quire.ErrorCode(err) == quire.ENOTFOUND {
		return nil, quire.ErrShareNotFound()
	} else if err != nil {
		return nil, err
	}
	out := &SharedFolder{ShareID: g.ShareID, FolderID: g.FolderID, Name: f.Name, Permission: g.Permission,
		Notes: f.Notes, Ideas: f.Ideas, AcceptedAt: g.AcceptedAt}
	if u, err := s.c.Users.FindUserByID(ctx, g.InvitedBy); err == nil {
		out.Owner = u.Email
	} else if quire.ErrorCode(err) != quire.ENOTFOUND {
		return nil, err
	}
	return out, nil
}

// SharedWithMe lists the folders shared with userID, oldest share first.
func (s *Service) SharedWithMe(ctx context.Context, userID string) ([]*SharedFolder, error) {
	grants, err := s.c.Shares.SharesForUser(ctx, userID)
	if err != nil {
		return nil, err
	}
	out := make([]*SharedFolder, 0, len(grants))
	for _, g := range grants {
		f, err := s.describe(ctx, g)
		if quire.ErrorCode(err) == quire.ENOTFOUND {
			continue // deleted between the two reads
		} else if err != nil {
			return nil, err
		}
		out = append(out, f)
	}
	return out, nil
}

// Grant returns userID's accepted share id: the workspace and folder it
// opens and the permission. Any other ID is ErrShareNotFound.
func (s *Service) Grant(ctx context.Context, userID, id string) (*quire.ShareGrant, error) {
	if !quire.ValidID(id) {
		return nil, quire.ErrShareNotFound()
	}
	grants, err := s.c.Shares.SharesForUser(ctx, userID)
	if err != nil {
		return nil, err
	}
	for _, g := range grants {
		if g.ShareID == id {
			return g, nil
		}
	}
	return nil, quire.ErrShareNotFound()
}

// Notes returns the notes of the folder of userID's share id, restricted
// to what the share allows (FolderNotes), and the grant. Every write
// checks the share again first, so a revocation or a change to read-only
// stops even a request that was already under way.
func (s *Service) Notes(ctx context.Context, userID, id string, notes quire.NoteService) (quire.NoteService, *quire.ShareGrant, error) {
	g, err := s.Grant(ctx, userID, id)
	if err != nil {
		return nil, nil, err
	}
	return &folderNotes{inner: notes, g: g, recheck: s.recheck(userID, g)}, g, nil
}

// Ideas is Notes for the folder's ideas (FolderIdeas).
func (s *Service) Ideas(ctx context.Context, userID, id string, ideas quire.IdeaService) (quire.IdeaService, *quire.ShareGrant, error) {
	g, err := s.Grant(ctx, userID, id)
	if err != nil {
		return nil, nil, err
	}
	return &folderIdeas{inner: ideas, g: g, recheck: s.recheck(userID, g)}, g, nil
}

// recheck returns the check a write makes before it acts: the share still
// exists and still allows writing.
func (s *Service) recheck(userID string, g *quire.ShareGrant) func(ctx context.Context) error {
	return func(ctx context.Context) error {
		now, err := s.Grant(ctx, userID, g.ShareID)
		if err != nil {
			return err
		}
		if now.Permission != quire.ShareWrite {
			return errReadOnly()
		}
		return nil
	}
}

// Folder returns the folder of userID's share id, as SharedWithMe lists it.
func (s *Service) Folder(ctx context.Context, userID, id string) (*SharedFolder, error) {
	g, err := s.Grant(ctx, userID, id)
	if err != nil {
		return nil, err
	}
	return s.describe(ctx, g)
}

// Leave gives up userID's share id: the owner's folder is no longer
// shared with them.
func (s *Service) Leave(ctx context.Context, userID, id string) error {
	g, err := s.Grant(ctx, userID, id)
	if err != nil {
		return err
	}
	return s.c.Shares.DeleteShare(ctx, g.WorkspaceID, g.ShareID)
}
