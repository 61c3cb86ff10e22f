package auth

import (
	"context"
	"slices"

	"github.com/quirehq/quire"
)

// IsAdmin reports whether the user's address is one of the configured
// admins. Profile grants admin rights only once that address is verified,
// so signing up first with an admin's address gains nothing.
func (s *Service) IsAdmin(u *quire.User) bool {
	return slices.Contains(s.cfg.Admins, u.Email)
}

// Unlock lifts a lockout of the address and resets its failure count.
// actorID is the admin who did it ("" for the command line).
func (s *Service) Unlock(ctx context.Context, email, actorID string) error {
	email, err := NormaliseEmail(email)
	if err != nil {
		return err
	}
	if err := s.store.ClearLoginAttempts(ctx, email); err != nil {
		return err
	}
	userID := ""
	if u, err := s.users.FindUserByEmail(ctx, email); err == nil {
		userID = u.ID
	}
	meta := map[string]string{"by": "cli"}
	if actorID != "" {
		meta["by"] = actorID
	}
	return s.audit(ctx, EventUnlocked, userID, meta)
}

// AuditLog returns the newest security events of a user.
func (s *Service) AuditLog(ctx context.Context, userID string, limit int) ([]*quire.AuditEvent, error) {
	return s.store.FindAudit(ctx, userID, limit)
}

// VerifyAudit checks the whole audit chain and returns its length.
func (s *Service) VerifyAudit(ctx context.Context) (int64, error) {
	return s.store.VerifyAudit(ctx)
}

// Profile is what a signed-in user sees of their own account.
type Profile struct {
	User          *quire.User
	EmailVerified bool
	TOTPEnabled   bool
	Passkeys      int
	Admin         bool
}

// Profile returns the user's account and its security settings.
func (s *Service) Profile(ctx context.Context, userID string) (*Profile, error) {
	u, err := s.users.FindUserByID(ctx, userID)
	if err != nil {
		return nil, err
	}
	cred, err := s.store.FindCredential(ctx, userID)
	if err != nil {
		return nil, err
	}
	keys, err := s.store.FindPasskeysByUser(ctx, userID)
	if err != nil {
		return nil, err
	}
	return &Profile{User: u, EmailVerified: !cred.EmailVerifiedAt.IsZero(), TOTPEnabled: cred.TOTPEnabled,
		Passkeys: len(keys), Admin: s.IsAdmin(u) && !cred.EmailVerifiedAt.IsZero()}, nil
}

// ConfirmAddress marks the address of an account verified without the
// email round trip: for operators, and for the trust checks' throwaway
// accounts, whose reserved addresses cannot receive mail.
func (s *Service) ConfirmAddress(ctx context.Context, email string) error {
	u, err := s.findByEmail(ctx, email)
	if err != nil {
		return err
	}
	if u == nil {
		return quire.Errorf(quire.ENOTFOUND, "No account has that address.")
	}
	return s.store.MarkEmailVerified(ctx, u.ID, s.now().UTC())
}
