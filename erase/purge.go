package erase

import (
	"context"
	"errors"
	"slices"

	"github.com/quirehq/quire"
	"github.com/quirehq/quire/auth"
)

// Purge finishes the deletion of userID: it shreds again if the request
// stopped before it did, then deletes every workspace the user owns (its
// notes, versions, folders, ideas, chats, files and their bytes,
// embeddings, shares and links), and the user (sessions, keys, second
// factors, usage records, memberships in others' workspaces, shares
// granted to them), and marks the deletion done. Workspaces the user is
// only a member of stay. Every step may be repeated, so a purge cut short
// is finished by the next one. A deletion already done is left alone.
func (s *Service) Purge(ctx context.Context, userID string) error {
	s.purging.Lock()
	defer s.purging.Unlock()
	d, err := s.cfg.Deletions.FindDeletion(ctx, userID)
	if err != nil || d.Status == quire.DeletionDone {
		return err
	}
	owned, err := s.cfg.Deletions.OwnedWorkspaceIDs(ctx, userID)
	if err != nil {
		return err
	}
	ids := slices.Compact(slices.Sorted(slices.Values(append(slices.Clone(d.WorkspaceIDs), owned...))))
	if d.Status == quire.DeletionPending { // the request stopped before its shred
		if _, err := s.shredAndMark(ctx, &quire.AccountDeletion{UserID: userID, WorkspaceIDs: ids, Status: d.Status}); err != nil {
			return err
		}
	}
	for _, ws := range ids {
		if err := s.purgeWorkspace(ctx, ws); err != nil {
			return err
		}
	}
	if err := s.cfg.Users.DeleteUser(ctx, userID); err != nil && quire.ErrorCode(err) != quire.ENOTFOUND {
		return err
	}
	if err := s.cfg.Deletions.MarkDeletion(ctx, userID, quire.DeletionDone, s.now()); err != nil {
		return err
	}
	s.audit(ctx, auth.EventAccountDeleted, userID, nil)
	s.log.InfoContext(ctx, "account purged", "user", userID, "workspaces", len(ids))
	return nil
}

// purgeWorkspace deletes workspace ws, if it is still there, and its
// files' bytes, which may outlive its rows.
func (s *Service) purgeWorkspace(ctx context.Context, ws string) error {
	s.forget(ws)
	if err := s.cfg.Workspaces.DeleteWorkspace(ctx, ws); err != nil && quire.ErrorCode(err) != quire.ENOTFOUND {
		return err
	}
	s.forget(ws)
	if s.cfg.Blobs != nil {
		return s.cfg.Blobs.DeleteWorkspace(ctx, ws)
	}
	return nil
}

// PurgeAll purges every deletion not yet done, oldest first, and returns
// how many it finished. progress, if not nil, is called after each with
// the deletion (as it was before) and the purge's error. A failed purge
// does not stop the others; the errors are returned joined.
func (s *Service) PurgeAll(ctx context.Context, progress func(d *quire.AccountDeletion, err error)) (int, error) {
	list, err := s.cfg.Deletions.FindDeletions(ctx)
	if err != nil {
		return 0, err
	}
	done := 0
	var errs []error
	for _, d := range list {
		if d.Status == quire.DeletionDone {
			continue
		}
		if err := ctx.Err(); err != nil {
			return done, err
		}
		err := s.Purge(ctx, d.UserID)
		if err == nil {
			done++
		} else {
			errs = append(errs, err)
		}
		if progress != nil {
			progress(d, err)
		}
	}
	return done, errors.Join(errs...)
}
