package erase

import (
	"context"
	"slices"
	"strconv"
	"time"

	"github.com/quirehq/quire"
	"github.com/quirehq/quire/auth"
	"github.com/quirehq/quire/barrier"
	"github.com/quirehq/quire/mail"
)

// Request deletes the account of userID once the user has confirmed who
// they are (password; code or recovery code if they have two-factor
// authentication), in the order the package documentation gives, and
// returns the queue entry: DeletionShredded when the keys are gone, or
// DeletionPending if shredding failed and is left to the purge (the
// account is closed either way). The caller makes sure the request comes
// from a signed-in browser, never from an API key alone.
func (s *Service) Request(ctx context.Context, userID, password, code, recovery string) (*quire.AccountDeletion, error) {
	if err := s.cfg.Identity.ConfirmIdentity(ctx, userID, password, code, recovery); err != nil {
		return nil, err
	}
	u, err := s.cfg.Users.FindUserByID(ctx, userID)
	if err != nil {
		return nil, err
	}
	ids, err := s.cfg.Deletions.OwnedWorkspaceIDs(ctx, userID)
	if err != nil {
		return nil, err
	}
	if err := s.cfg.Accounts.ClearLoginAttempts(ctx, u.Email); err != nil {
		return nil, err
	}
	at := s.now()
	d := &quire.AccountDeletion{UserID: userID, RequestedAt: at, Deadline: at.Add(quire.DeletionDeadline), WorkspaceIDs: ids}
	if err := s.cfg.Deletions.RequestDeletion(ctx, d); err != nil {
		return nil, err
	}
	// From here on the deletion is recorded and will finish: nothing
	// below may undo it, and a failure is left to the purge.
	ctx = context.WithoutCancel(ctx)
	// A workspace the user created after the first listing, before the
	// deletion committed, is shredded too (the purge lists them again).
	if again, err := s.cfg.Deletions.OwnedWorkspaceIDs(ctx, userID); err != nil {
		s.log.ErrorContext(ctx, "owned workspaces not listed again; left to the purge", "user", userID, "code", quire.ErrorCode(err))
	} else {
		d.WorkspaceIDs = slices.Compact(slices.Sorted(slices.Values(append(slices.Clone(d.WorkspaceIDs), again...))))
	}
	if took, err := s.shredAndMark(ctx, d); err != nil {
		s.log.ErrorContext(ctx, "account keys not shredded; left to the purge", "user", userID, "code", quire.ErrorCode(err))
	} else {
		s.log.InfoContext(ctx, "account keys shredded", "user", userID, "workspaces", len(d.WorkspaceIDs), "ms", took.Milliseconds())
	}
	s.audit(ctx, auth.EventAccountDeletionQueued, userID, map[string]string{"workspaces": strconv.Itoa(len(d.WorkspaceIDs))})
	if s.cfg.Mail != nil {
		if err := s.cfg.Mail.Send(ctx, mail.AccountDeleted(u.Email, d.RequestedAt, d.Deadline, d.Status == quire.DeletionShredded)); err != nil {
			s.log.ErrorContext(ctx, "deletion receipt not sent", "code", quire.ErrorCode(err))
		}
	}
	s.Wake()
	return d, nil
}

// shredAndMark shreds the keys of deletion d and marks it shredded,
// returning how long the shredding took.
func (s *Service) shredAndMark(ctx context.Context, d *quire.AccountDeletion) (time.Duration, error) {
	start := time.Now()
	if err := s.shred(ctx, d.UserID, d.WorkspaceIDs); err != nil {
		return 0, err
	}
	took := time.Since(start)
	at := s.now()
	if err := s.cfg.Deletions.MarkDeletion(ctx, d.UserID, quire.DeletionShredded, at); err != nil {
		return took, err
	}
	if d.Status == quire.DeletionPending {
		d.Status, d.ShreddedAt = quire.DeletionShredded, at.Truncate(time.Microsecond)
	}
	return took, nil
}

// revokeShares deletes every share of the folders of workspace ws, if
// Config.Shares is set. A workspace already gone has none. It never stops
// the shred: the share store has no bulk delete, so listing the shares
// decrypts them, and one that fails to (or a delete that fails) is logged,
// without content, and left for the purge, which deletes every share row
// with its workspace.
func (s *Service) revokeShares(ctx context.Context, ws string) {
	if s.cfg.Shares == nil {
		return
	}
	list, err := s.cfg.Shares.FindShares(ctx, ws, "")
	if err != nil {
		s.log.ErrorContext(ctx, "shares not listed before the shred; left to the purge", "workspace", ws, "code", quire.ErrorCode(err))
		return
	}
	for _, sh := range list {
		if err := s.cfg.Shares.DeleteShare(ctx, ws, sh.ID); err != nil && quire.ErrorCode(err) != quire.ENOTFOUND {
			s.log.ErrorContext(ctx, "share not revoked before the shred; left to the purge", "workspace", ws, "share", sh.ID, "code", quire.ErrorCode(err))
		}
	}
}

// shred deletes the data keys of every workspace in ids and of the user,
// and drops those workspaces' in-memory indexes: from then on nothing of
// theirs decrypts. Deleting keys already gone is not an error.
func (s *Service) shred(ctx context.Context, userID string, ids []string) error {
	for _, ws := range ids {
		s.revokeShares(ctx, ws)
		s.forget(ws)
		if err := s.cfg.Shred(ctx, barrier.WorkspaceScope(ws)); err != nil {
			return err
		}
		s.forget(ws) // an index rebuilt meanwhile held what the old keys opened
	}
	return s.cfg.Shred(ctx, barrier.UserScope(userID))
}
