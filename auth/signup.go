package auth

import (
	"context"
	"strings"
	"time"

	"github.com/quirehq/quire"
	"github.com/quirehq/quire/mail"
)

// Client describes where a request comes from, for session lists and
// notices. It is never used for a security decision.
type Client struct {
	UserAgent string
	IP        string
}

// SignUp creates an account with a personal workspace and signs it in: it
// returns the user and a new session token. The address gets a
// verification email.
func (s *Service) SignUp(ctx context.Context, email, pw string, c Client) (*quire.User, *Login, error) {
	email, err := NormaliseEmail(email)
	if err != nil {
		return nil, nil, err
	}
	if err := s.checkNewPassword(ctx, pw); err != nil {
		return nil, nil, err
	}
	hash, err := s.hasher.Hash(ctx, pw)
	if err != nil {
		return nil, nil, err
	}
	u := &quire.User{Email: email, Name: defaultName(email)}
	if _, err := s.store.CreateAccount(ctx, &quire.Account{User: u, PasswordHash: hash,
		WorkspaceName: "Personal", Region: quire.RegionUS}); err != nil {
		return nil, nil, err
	}
	_ = s.audit(ctx, EventSignUp, u.ID, nil)
	if err := s.SendVerification(ctx, u); err != nil {
		s.logger.ErrorContext(ctx, "verification email not sent", "err", err)
	}
	login, err := s.startSession(ctx, u.ID, quire.SessionFull, c)
	return u, login, err
}

// defaultName is the part of the address before the @, a starting display
// name the user can change.
func defaultName(email string) string {
	name, _, _ := strings.Cut(email, "@")
	return truncate(name, 200)
}

// checkNewPassword applies the length policy and the breach check to a
// password about to be set (claim ACC-2).
func (s *Service) checkNewPassword(ctx context.Context, pw string) error {
	if err := s.policy.Check(pw); err != nil {
		return err
	}
	breached, err := s.breach.Check(ctx, pw)
	if err != nil {
		return err
	}
	if breached {
		return quire.Errorf(quire.EPASSWORDBREACHED,
			"This password has appeared in a data breach. Choose another one.")
	}
	return nil
}

// SendVerification emails the user a new email-verification link.
func (s *Service) SendVerification(ctx context.Context, u *quire.User) error {
	token, err := s.newToken(ctx, u.ID, quire.TokenVerifyEmail, verifyLifetime)
	if err != nil {
		return err
	}
	s.send(ctx, mail.VerifyEmail(u.Email, s.link("/verify-email", token)))
	return nil
}

// newToken stores a one-time token (as its hash) and returns it.
func (s *Service) newToken(ctx context.Context, userID, purpose string, ttl time.Duration) (string, error) {
	token := newSecret()
	t := &quire.Token{Hash: hashToken(token), UserID: userID, Purpose: purpose}
	t.ExpiresAt = s.now().Add(ttl)
	return token, s.store.CreateToken(ctx, t)
}
