package auth

import (
	"context"

	"github.com/quirehq/quire"
)

// EventAccountDeleted is recorded when an account is deleted.
const EventAccountDeleted = "account_deleted"

// DeleteAccount deletes the user, every workspace they own (shredding
// their data keys) and everything the account system kept for them.
func (s *Service) DeleteAccount(ctx context.Context, userID string) error {
	u, err := s.users.FindUserByID(ctx, userID)
	if err != nil {
		return err
	}
	list, err := s.workspaces.FindWorkspacesByUser(ctx, userID)
	if err != nil {
		return err
	}
	for _, w := range list {
		if w.OwnerID != userID {
			continue
		}
		if err := s.workspaces.DeleteWorkspace(ctx, w.ID); err != nil {
			return err
		}
	}
	if err := s.users.DeleteUser(ctx, userID); err != nil {
		return err
	}
	if err := s.store.ClearLoginAttempts(ctx, u.Email); err != nil {
		return err
	}
	return s.audit(ctx, EventAccountDeleted, userID, nil)
}

// DeleteAccountByEmail deletes the account with the address, if any (the
// trust checks' throwaway accounts).
func (s *Service) DeleteAccountByEmail(ctx context.Context, email string) error {
	u, err := s.findByEmail(ctx, email)
	if err != nil || u == nil {
		return err
	}
	return s.DeleteAccount(ctx, u.ID)
}

// findByEmail normalises the address and returns its user, or nil and no
// error if it has no account.
func (s *Service) findByEmail(ctx context.Context, email string) (*quire.User, error) {
	email, err := NormaliseEmail(email)
	if err != nil {
		return nil, err
	}
	u, err := s.users.FindUserByEmail(ctx, email)
	if quire.ErrorCode(err) == quire.ENOTFOUND {
		return nil, nil
	}
	return u, err
}
