package auth

import (
	"context"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/quirehq/quire"
	"github.com/quirehq/quire/mail"
)

// Audit events of the data rights (claims GDPR-2 and GDPR-3).
const (
	EventNameChanged           = "name_changed"
	EventEmailChangeRequested  = "email_change_requested"
	EventEmailChanged          = "email_changed"
	EventAccountDeletionQueued = "account_deletion_requested"
)

// ConfirmIdentity checks the password again and, if the account has a
// second factor (an authenticator app or a passkey, as at sign-in), a TOTP
// code or a recovery code: the re-authentication before an act that
// cannot be undone (deleting the account). A recovery code may come in
// either argument; one given as code is told apart from a TOTP code by not
// being six digits. A missing second factor is EMFAREQUIRED; a wrong one is
// EINVALIDCREDENTIALS.
//
// Each call counts one attempt toward the lockout before anything is
// checked, as a sign-in does, and the count is cleared only once every
// factor has passed: a right password does not reset the count for
// guesses at the second factor.
//
// The passkey ceremony is not repeated here, and a passkey alone does not
// stand in for the second factor: an account whose only second factor is
// a passkey has no recovery codes, so it is refused with EMFAREQUIRED and
// told to turn on an authenticator app first.
func (s *Service) ConfirmIdentity(ctx context.Context, userID, pw, code, recovery string) error {
	if pw == "" {
		return quire.Errorf(quire.EINVALID, "Give your password to confirm that it is you.")
	}
	u, err := s.users.FindUserByID(ctx, userID)
	if err != nil {
		return err
	}
	gate, err := s.reserve(ctx, u.Email)
	if err != nil {
		return err
	}
	cred, err := s.store.FindCredential(ctx, userID)
	if err != nil {
		return err
	}
	if len(pw) > maxPasswordBytes {
		return s.failed(ctx, u, gate, "password")
	}
	ok, _, err := s.hasher.Verify(ctx, cred.PasswordHash, pw)
	if err != nil {
		return err
	}
	if !ok {
		return s.failed(ctx, u, gate, "password")
	}
	need, err := s.needsSecondFactor(ctx, cred)
	if err != nil {
		return err
	}
	if need {
		if err := s.confirmSecondFactor(ctx, u, gate, cred.TOTPEnabled, code, recovery); err != nil {
			return err
		}
	}
	return s.store.ClearLoginAttempts(ctx, u.Email)
}

// confirmSecondFactor is ConfirmIdentity's check of the second factor,
// under the attempt it already reserved (gate). Without TOTP (a passkey
// only) a recovery code is still tried, should the account have any.
func (s *Service) confirmSecondFactor(ctx context.Context, u *quire.User, gate quire.LoginGate, totpOn bool, code, recovery string) error {
	code, recovery = strings.TrimSpace(code), strings.TrimSpace(recovery)
	if recovery == "" && code != "" && (!totpOn || !sixDigits(code)) {
		code, recovery = "", code
	}
	if code == "" && recovery == "" {
		if !gate.LockedUntil.IsZero() {
			return s.failed(ctx, u, gate, "second_factor") // this attempt reached the limit
		}
		if !totpOn {
			return quire.Errorf(quire.EMFAREQUIRED, "This account's second factor is a passkey, which cannot confirm this here. Turn on two-factor authentication with an authenticator app, then confirm with a code from it or a recovery code.")
		}
		return quire.Errorf(quire.EMFAREQUIRED, "Give a code from your authenticator app or a recovery code.")
	}
	method, ok, err := s.checkSecondFactor(ctx, u.ID, code, recovery)
	if err != nil {
		return err
	}
	if !ok {
		return s.failed(ctx, u, gate, method)
	}
	return nil
}

// sixDigits reports whether code has the shape of a TOTP code.
func sixDigits(code string) bool {
	if len(code) != 6 {
		return false
	}
	for _, c := range code {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// maxName is the longest display name, in bytes (as quire.User allows).
const maxName = 200

// CleanName returns name trimmed, or EINVALID unless it is then 1 to 200
// bytes of text without control characters.
func CleanName(name string) (string, error) {
	name = strings.TrimSpace(name)
	if name == "" || len(name) > maxName || !utf8.ValidString(name) || strings.IndexFunc(name, unicode.IsControl) >= 0 {
		return "", quire.Errorf(quire.EINVALID, "Name must be 1 to 200 bytes of text, without control characters.")
	}
	return name, nil
}

// ChangeName sets the user's display name at once (claim GDPR-2), as
// CleanName leaves it.
func (s *Service) ChangeName(ctx context.Context, userID, name string) (*quire.User, error) {
	name, err := CleanName(name)
	if err != nil {
		return nil, err
	}
	u, err := s.users.UpdateUser(ctx, userID, quire.UserUpdate{Name: &name})
	if err != nil {
		return nil, err
	}
	_ = s.audit(ctx, EventNameChanged, userID, nil)
	return u, nil
}

// RequestEmailChange starts changing the user's address to email (claim
// GDPR-2), after checking the password: the new address gets a link that
// makes the change (the same /verify-email link as a verification; the
// previous pending change's link stops working), the current address a
// notice, and nothing changes until the link is opened. It answers the
// same whether or not another account has the new address, so that it
// cannot be used to find out who has an account; whoever opens the link
// controls that address and is told then (see VerifyEmail). It returns
// false, without asking for the password, if email is already the user's.
func (s *Service) RequestEmailChange(ctx context.Context, userID, email, pw string) (bool, error) {
	email, err := NormaliseEmail(email)
	if err != nil {
		return false, err
	}
	store, ok := s.store.(quire.EmailChangeStore)
	if !ok {
		return false, quire.Errorf(quire.ENOTIMPLEMENTED, "Email changes are not available.")
	}
	u, err := s.users.FindUserByID(ctx, userID)
	if err != nil {
		return false, err
	}
	if email == u.Email {
		return false, nil
	}
	if pw == "" {
		return false, quire.Errorf(quire.EINVALID, "Give your current password to change your email address.")
	}
	if err := s.reauthenticate(ctx, userID, pw); err != nil {
		return false, err
	}
	token := newSecret()
	c := &quire.EmailChange{UserID: userID, Email: email, TokenHash: hashToken(token), ExpiresAt: s.now().Add(verifyLifetime)}
	if err := store.PutEmailChange(ctx, c); err != nil {
		return false, err
	}
	_ = s.audit(ctx, EventEmailChangeRequested, userID, nil)
	s.send(ctx, mail.EmailChangeConfirm(email, s.link("/verify-email", token)))
	s.send(ctx, mail.EmailChangeNotice(u.Email, s.now()))
	return true, nil
}

// confirmEmailChange makes the pending change whose link carries token:
// the address and its blind index change together (UpdateUser), the new
// address counts as verified, since the link proved control of it, and
// links mailed to the old one (password reset, verification) stop working. It
// reports false if token is no email change's. An address another account
// took meanwhile is ECONFLICT: the one who opened the link controls that
// address, so saying so tells them nothing new.
func (s *Service) confirmEmailChange(ctx context.Context, token string) (bool, error) {
	store, ok := s.store.(quire.EmailChangeStore)
	if !ok || token == "" || len(token) > 128 {
		return false, nil
	}
	c, err := store.ConsumeEmailChange(ctx, hashToken(token), s.now().UTC())
	if quire.ErrorCode(err) == quire.ETOKENINVALID {
		return false, nil
	} else if err != nil {
		return true, err
	}
	if other, err := s.users.FindUserByEmail(ctx, c.Email); err == nil && other.ID != c.UserID {
		return true, emailTaken()
	}
	old, err := s.users.FindUserByID(ctx, c.UserID)
	if err != nil {
		return true, err
	}
	if _, err := s.users.UpdateUser(ctx, c.UserID, quire.UserUpdate{Email: &c.Email}); quire.ErrorCode(err) == quire.ECONFLICT {
		return true, emailTaken()
	} else if err != nil {
		return true, err
	}
	if err := s.store.MarkEmailVerified(ctx, c.UserID, s.now().UTC()); err != nil {
		return true, err
	}
	// Links mailed to the old address must not act on the account any more.
	for _, purpose := range []string{quire.TokenResetPassword, quire.TokenVerifyEmail} {
		if err := s.store.DeleteTokens(ctx, c.UserID, purpose); err != nil {
			return true, err
		}
	}
	_ = s.audit(ctx, EventEmailChanged, c.UserID, nil)
	s.send(ctx, mail.SecurityChange(old.Email, s.now(), "The account's email address was changed to another address, which now signs in; this one no longer does."))
	return true, nil
}

// dropEmailChange voids the user's pending email change, if any: after
// the password, the second factors or the sessions change, a link asked
// for before (perhaps by someone who should not have been signed in) must
// not move the account to another address.
func (s *Service) dropEmailChange(ctx context.Context, userID string) error {
	store, ok := s.store.(quire.EmailChangeStore)
	if !ok {
		return nil
	}
	return store.DeleteEmailChange(ctx, userID)
}

// emailTaken refuses a new address that another account has.
func emailTaken() error {
	return quire.Errorf(quire.ECONFLICT, "Another account already uses this email address, so it cannot become yours. Sign in to that account, or choose another address.")
}
