package auth

import (
	"context"

	"github.com/quirehq/quire"
	"github.com/quirehq/quire/mail"
)

// reauthenticate checks the user's password again before a sensitive
// change; failures count toward the lockout.
func (s *Service) reauthenticate(ctx context.Context, userID, pw string) error {
	u, err := s.users.FindUserByID(ctx, userID)
	if err != nil {
		return err
	}
	if len(pw) > maxPasswordBytes {
		return quire.Errorf(quire.EINVALIDCREDENTIALS, "Password is incorrect.")
	}
	gate, err := s.reserve(ctx, u.Email)
	if err != nil {
		return err
	}
	cred, err := s.store.FindCredential(ctx, userID)
	if err != nil {
		return err
	}
	ok, _, err := s.hasher.Verify(ctx, cred.PasswordHash, pw)
	if err != nil {
		return err
	}
	if !ok {
		return s.failed(ctx, u, gate, "password")
	}
	return s.store.ClearLoginAttempts(ctx, u.Email)
}

// guardNewCredential is the check before anything that adds a way into
// the account (a second factor, an API key): the password again, so a
// stolen session cannot plant its own, and a verified address, so whoever
// signed up with someone else's address first cannot keep a way in after
// the owner takes the account back by resetting its password.
func (s *Service) guardNewCredential(ctx context.Context, userID, pw string) error {
	cred, err := s.store.FindCredential(ctx, userID)
	if err != nil {
		return err
	}
	if cred.EmailVerifiedAt.IsZero() {
		return quire.Errorf(quire.EEMAILUNVERIFIED, "Verify your email address first: open the link we emailed you.")
	}
	return s.reauthenticate(ctx, userID, pw)
}

// ChangePassword sets a new password after checking the current one. Every
// other session of the user ends, and the current one gets a new token.
func (s *Service) ChangePassword(ctx context.Context, sess *quire.Session, current, next string, c Client) (*Login, error) {
	if err := s.reauthenticate(ctx, sess.UserID, current); err != nil {
		return nil, err
	}
	if err := s.setPassword(ctx, sess.UserID, next); err != nil {
		return nil, err
	}
	if err := s.store.DeleteTokens(ctx, sess.UserID, quire.TokenResetPassword); err != nil {
		return nil, err
	}
	if err := s.store.DeleteSessions(ctx, sess.UserID, sess.ID); err != nil {
		return nil, err
	}
	if err := s.dropEmailChange(ctx, sess.UserID); err != nil {
		return nil, err
	}
	_ = s.audit(ctx, EventPasswordChanged, sess.UserID, nil)
	s.notifyChange(ctx, sess.UserID, "The password was changed, and every other session signed out.")
	return s.rotate(ctx, sess, c)
}

// setPassword checks and stores a new password, clearing MustReset.
func (s *Service) setPassword(ctx context.Context, userID, pw string) error {
	if err := s.checkNewPassword(ctx, pw); err != nil {
		return err
	}
	return s.storePassword(ctx, userID, pw)
}

// storePassword hashes and stores a password already checked.
func (s *Service) storePassword(ctx context.Context, userID, pw string) error {
	hash, err := s.hasher.Hash(ctx, pw)
	if err != nil {
		return err
	}
	return s.store.SetPassword(ctx, userID, hash, false)
}

// RequestReset emails a password-reset link if the address has an
// account. It answers the same either way.
func (s *Service) RequestReset(ctx context.Context, email string) error {
	u, err := s.findByEmail(ctx, email)
	if err != nil || u == nil {
		return err
	}
	token, err := s.newToken(ctx, u.ID, quire.TokenResetPassword, resetLifetime)
	if err != nil {
		return err
	}
	s.send(ctx, mail.ResetPassword(u.Email, s.link("/reset-password", token)))
	return nil
}

// ResetPassword sets a new password with a reset token from email. The
// token works once; every session of the user ends and every API key is
// revoked: a reset is what an owner does who fears someone else got in. A reset does not lift
// a lockout: the lock protects against guessing, not forgetting.
func (s *Service) ResetPassword(ctx context.Context, token, pw string) error {
	if err := s.checkNewPassword(ctx, pw); err != nil {
		return err // before the token is spent, so a weak choice can be retried
	}
	t, err := s.consume(ctx, token, quire.TokenResetPassword)
	if err != nil {
		return err
	}
	if err := s.storePassword(ctx, t.UserID, pw); err != nil {
		return err
	}
	if err := s.store.DeleteSessions(ctx, t.UserID, ""); err != nil {
		return err
	}
	if err := s.store.DeleteTokens(ctx, t.UserID, quire.TokenResetPassword); err != nil {
		return err
	}
	if err := s.revokeAPIKeys(ctx, t.UserID); err != nil {
		return err
	}
	if err := s.dropEmailChange(ctx, t.UserID); err != nil {
		return err
	}
	// The link proved control of the address too.
	if err := s.store.MarkEmailVerified(ctx, t.UserID, s.now().UTC()); err != nil {
		return err
	}
	s.notifyChange(ctx, t.UserID, "The password was reset with an emailed link; every session was signed out and every API key revoked.")
	return s.audit(ctx, EventPasswordReset, t.UserID, nil)
}

// VerifyEmail marks the address verified with the token from email, or,
// for the link of an email change, makes the change (RequestEmailChange).
func (s *Service) VerifyEmail(ctx context.Context, token string) error {
	t, err := s.consume(ctx, token, quire.TokenVerifyEmail)
	if quire.ErrorCode(err) == quire.ETOKENINVALID {
		if changed, cerr := s.confirmEmailChange(ctx, token); changed {
			return cerr
		}
	}
	if err != nil {
		return err
	}
	if err := s.store.MarkEmailVerified(ctx, t.UserID, s.now().UTC()); err != nil {
		return err
	}
	return s.audit(ctx, EventEmailVerified, t.UserID, nil)
}

// consume spends a one-time token of the purpose.
func (s *Service) consume(ctx context.Context, token, purpose string) (*quire.Token, error) {
	if token == "" || len(token) > 128 {
		return nil, quire.Errorf(quire.ETOKENINVALID, "This link is invalid or has expired.")
	}
	t, err := s.store.ConsumeToken(ctx, hashToken(token), purpose, s.now().UTC())
	if quire.ErrorCode(err) == quire.ETOKENINVALID || quire.ErrorCode(err) == quire.ENOTFOUND {
		return nil, quire.Errorf(quire.ETOKENINVALID, "This link is invalid or has expired.")
	}
	return t, err
}
