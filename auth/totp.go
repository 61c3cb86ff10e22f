package auth

import (
	"context"

	"github.com/quirehq/quire"
	"github.com/quirehq/quire/mfa"
)

// TOTPEnrolment is what a user needs to add Quire to an authenticator app.
type TOTPEnrolment struct {
	URI string
	PNG []byte
}

// BeginTOTP creates a new, unconfirmed TOTP secret for the user, after
// checking the password (and that the address is verified). It takes
// effect only once ConfirmTOTP sees a code from it.
func (s *Service) BeginTOTP(ctx context.Context, u *quire.User, pw string) (*TOTPEnrolment, error) {
	if err := s.guardNewCredential(ctx, u.ID, pw); err != nil {
		return nil, err
	}
	if _, enabled, err := s.store.FindTOTP(ctx, u.ID); err != nil && quire.ErrorCode(err) != quire.ENOTFOUND {
		return nil, err
	} else if enabled {
		return nil, quire.Errorf(quire.ECONFLICT, "Two-factor authentication is already on. Turn it off first to enrol a new app.")
	}
	secret, uri, err := mfa.NewTOTP("Quire", u.Email)
	if err != nil {
		return nil, err
	}
	png, err := mfa.QRPNG(uri)
	if err != nil {
		return nil, err
	}
	if err := s.store.SetTOTP(ctx, u.ID, secret); err != nil {
		return nil, err
	}
	return &TOTPEnrolment{URI: uri, PNG: png}, nil
}

// ConfirmTOTP turns TOTP on once code matches the pending secret. It
// returns the ten recovery codes (shown once) and a new session: enabling
// a factor is a privilege change.
func (s *Service) ConfirmTOTP(ctx context.Context, sess *quire.Session, code string, c Client) ([]string, *Login, error) {
	secret, enabled, err := s.store.FindTOTP(ctx, sess.UserID)
	if quire.ErrorCode(err) == quire.ENOTFOUND || err == nil && secret == nil {
		return nil, nil, quire.Errorf(quire.ECONFLICT, "Start the enrolment first.")
	} else if err != nil {
		return nil, nil, err
	}
	if enabled {
		return nil, nil, quire.Errorf(quire.ECONFLICT, "Two-factor authentication is already on.")
	}
	if ok, err := s.useTOTP(ctx, sess.UserID, secret, code); err != nil {
		return nil, nil, err
	} else if !ok {
		return nil, nil, quire.Errorf(quire.EINVALIDCREDENTIALS, "That code is not right. Check the time on your device and try again.")
	}
	codes, hashes := mfa.NewRecoveryCodes()
	if err := s.store.EnableTOTP(ctx, sess.UserID, s.recoveryIndexes(hashes)); err != nil {
		return nil, nil, err
	}
	if err := s.dropEmailChange(ctx, sess.UserID); err != nil {
		return nil, nil, err
	}
	_ = s.audit(ctx, EventMFAEnabled, sess.UserID, map[string]string{"method": "totp"})
	s.notifyChange(ctx, sess.UserID, "Two-factor authentication with an authenticator app was turned on.")
	login, err := s.rotate(ctx, sess, c)
	return codes, login, err
}

// DisableTOTP turns TOTP off after checking the password again.
func (s *Service) DisableTOTP(ctx context.Context, sess *quire.Session, pw string, c Client) (*Login, error) {
	if err := s.reauthenticate(ctx, sess.UserID, pw); err != nil {
		return nil, err
	}
	if err := s.store.DisableTOTP(ctx, sess.UserID); err != nil {
		return nil, err
	}
	if err := s.dropEmailChange(ctx, sess.UserID); err != nil {
		return nil, err
	}
	_ = s.audit(ctx, EventMFADisabled, sess.UserID, map[string]string{"method": "totp"})
	s.notifyChange(ctx, sess.UserID, "Two-factor authentication with an authenticator app was turned off.")
	return s.rotate(ctx, sess, c)
}

// SecondFactor finishes a sign-in that owes a second factor, with a TOTP
// code or a recovery code. Failures count toward the lockout like wrong
// passwords.
func (s *Service) SecondFactor(ctx context.Context, sess *quire.Session, code, recovery string, c Client) (*Login, error) {
	if sess.Stage != quire.SessionMFA {
		return nil, quire.Errorf(quire.ECONFLICT, "This session does not need a second factor.")
	}
	u, err := s.users.FindUserByID(ctx, sess.UserID)
	if err != nil {
		return nil, err
	}
	gate, err := s.reserve(ctx, u.Email)
	if err != nil {
		return nil, err
	}
	method, ok, err := s.checkSecondFactor(ctx, u.ID, code, recovery)
	if err != nil {
		return nil, err
	}
	if !ok {
		err := s.failed(ctx, u, gate, method)
		if quire.ErrorCode(err) == quire.ELOCKED {
			_ = s.store.DeleteSession(ctx, u.ID, sess.ID)
		}
		return nil, err
	}
	return s.completeSecondFactor(ctx, u, sess, method, c)
}

// completeSecondFactor replaces the pending session with a full one.
func (s *Service) completeSecondFactor(ctx context.Context, u *quire.User, sess *quire.Session, method string, c Client) (*Login, error) {
	if err := s.store.DeleteSession(ctx, u.ID, sess.ID); err != nil {
		return nil, err // already used: a pending session completes once
	}
	cred, err := s.store.FindCredential(ctx, u.ID)
	if err != nil {
		return nil, err
	}
	return s.finishLogin(ctx, u, cred.MustReset, method, c)
}

// checkSecondFactor verifies a TOTP code or consumes a recovery code.
func (s *Service) checkSecondFactor(ctx context.Context, userID, code, recovery string) (string, bool, error) {
	if recovery != "" {
		ok, err := s.store.UseRecoveryCode(ctx, userID, s.index(recoveryIndexPurpose, mfa.HashRecoveryCode(recovery)))
		if ok {
			_ = s.audit(ctx, EventRecoveryUsed, userID, nil)
		}
		return "recovery_code", ok, err
	}
	secret, enabled, err := s.store.FindTOTP(ctx, userID)
	if err != nil && quire.ErrorCode(err) != quire.ENOTFOUND {
		return "totp", false, err
	}
	if !enabled {
		return "totp", false, nil
	}
	ok, err := s.useTOTP(ctx, userID, secret, code)
	return "totp", ok, err
}

// RecoveryCodes replaces the user's recovery codes after checking the
// password, and returns the new ones (shown once).
func (s *Service) RecoveryCodes(ctx context.Context, userID, pw string) ([]string, error) {
	if err := s.reauthenticate(ctx, userID, pw); err != nil {
		return nil, err
	}
	if _, enabled, err := s.store.FindTOTP(ctx, userID); err != nil || !enabled {
		return nil, quire.Errorf(quire.ECONFLICT, "Turn on two-factor authentication first.")
	}
	codes, hashes := mfa.NewRecoveryCodes()
	if err := s.store.EnableTOTP(ctx, userID, s.recoveryIndexes(hashes)); err != nil {
		return nil, err
	}
	s.notifyChange(ctx, userID, "New recovery codes were made; the old ones no longer work.")
	return codes, nil
}

// useTOTP verifies code against secret and spends its time step in the
// store, so that a code works once, across instances too.
func (s *Service) useTOTP(ctx context.Context, userID string, secret []byte, code string) (bool, error) {
	step, ok := mfa.VerifyTOTP(secret, code, s.now(), 0)
	if !ok {
		return false, nil
	}
	return s.store.UseTOTPStep(ctx, userID, step)
}

// recoveryIndexPurpose keys the stored form of recovery codes: a keyed
// hash, so that a copy of the database alone does not allow searching the
// 2^50 possible codes offline.
const recoveryIndexPurpose = "recovery_codes.code"

// recoveryIndexes maps the codes' hashes to their keyed stored form.
func (s *Service) recoveryIndexes(hashes [][]byte) [][]byte {
	out := make([][]byte, len(hashes))
	for i, h := range hashes {
		out[i] = s.index(recoveryIndexPurpose, h)
	}
	return out
}
