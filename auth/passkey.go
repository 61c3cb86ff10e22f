package auth

import (
	"context"
	"strings"
	"unicode/utf8"

	"github.com/quirehq/quire"
	"github.com/quirehq/quire/mfa"
)

// Ceremony kinds.
const (
	kindRegister     = "register"
	kindSecondFactor = "second_factor"
	kindPasswordless = "passwordless"
)

// PasskeyChallenge is a started ceremony: Options go to the browser, and
// the browser sends ID back with its answer.
type PasskeyChallenge struct {
	ID      string
	Options []byte
}

func (s *Service) passkeysOn() error {
	if s.passkeys == nil {
		return quire.Errorf(quire.ENOTIMPLEMENTED, "Passkeys are not configured.")
	}
	return nil
}

// passkeyUser loads the user with their stored passkeys.
func (s *Service) passkeyUser(ctx context.Context, userID string) (*mfa.PasskeyUser, error) {
	u, err := s.users.FindUserByID(ctx, userID)
	if err != nil {
		return nil, err
	}
	keys, err := s.store.FindPasskeysByUser(ctx, userID)
	if err != nil {
		return nil, err
	}
	creds := make([][]byte, 0, len(keys))
	for _, k := range keys {
		creds = append(creds, k.Data)
	}
	return mfa.NewPasskeyUser(u.ID, u.Email, creds)
}

// BeginPasskeyRegistration starts adding a passkey to the session's user,
// after checking the password (and that the address is verified).
func (s *Service) BeginPasskeyRegistration(ctx context.Context, sess *quire.Session, pw string) (*PasskeyChallenge, error) {
	if err := s.passkeysOn(); err != nil {
		return nil, err
	}
	if err := s.guardNewCredential(ctx, sess.UserID, pw); err != nil {
		return nil, err
	}
	pu, err := s.passkeyUser(ctx, sess.UserID)
	if err != nil {
		return nil, err
	}
	options, state, err := s.passkeys.BeginRegistration(pu)
	if err != nil {
		return nil, err
	}
	id, err := s.ceremony.put(&ceremony{kind: kindRegister, userID: sess.UserID, session: sess.ID, state: state}, s.now())
	return &PasskeyChallenge{ID: id, Options: options}, err
}

// FinishPasskeyRegistration stores the new passkey under name. Adding a
// factor is a privilege change: the session gets a new token.
func (s *Service) FinishPasskeyRegistration(ctx context.Context, sess *quire.Session, id, name string, body []byte, c Client) (*quire.Passkey, *Login, error) {
	name = strings.TrimSpace(name)
	if name == "" {
		name = "Passkey"
	}
	if len(name) > 100 || !utf8.ValidString(name) {
		return nil, nil, quire.Errorf(quire.EINVALID, "Passkey name must be at most 100 bytes of text.")
	}
	cer, err := s.ceremony.take(id, kindRegister, sess.ID, s.now())
	if err != nil {
		return nil, nil, err
	}
	pu, err := s.passkeyUser(ctx, cer.userID)
	if err != nil {
		return nil, nil, err
	}
	data, credID, err := s.passkeys.FinishRegistration(pu, cer.state, body)
	if err != nil {
		return nil, nil, err
	}
	pk := &quire.Passkey{ID: quire.NewID(), UserID: cer.userID, CredentialID: credID, Name: name, Data: data, CreatedAt: s.now().UTC()}
	if err := s.store.CreatePasskey(ctx, pk); err != nil {
		return nil, nil, err
	}
	if err := s.dropEmailChange(ctx, pk.UserID); err != nil {
		return nil, nil, err
	}
	_ = s.audit(ctx, EventPasskeyAdded, pk.UserID, map[string]string{"passkey": pk.ID})
	s.notifyChange(ctx, pk.UserID, "A passkey was added.")
	login, err := s.rotate(ctx, sess, c)
	return pk, login, err
}

// Passkeys lists the user's passkeys.
func (s *Service) Passkeys(ctx context.Context, userID string) ([]*quire.Passkey, error) {
	return s.store.FindPasskeysByUser(ctx, userID)
}

// RemovePasskey deletes one of the user's passkeys after checking the
// password.
func (s *Service) RemovePasskey(ctx context.Context, userID, id, pw string) error {
	if !quire.ValidID(id) {
		return quire.Errorf(quire.ENOTFOUND, "Passkey not found.")
	}
	if err := s.reauthenticate(ctx, userID, pw); err != nil {
		return err
	}
	if err := s.store.DeletePasskey(ctx, userID, id); err != nil {
		return err
	}
	if err := s.dropEmailChange(ctx, userID); err != nil {
		return err
	}
	s.notifyChange(ctx, userID, "A passkey was removed.")
	return s.audit(ctx, EventPasskeyRemoved, userID, map[string]string{"passkey": id})
}

// BeginPasskeyLogin starts a passkey assertion: as the second factor of a
// session at the MFA stage (sess non-nil), or passwordless (sess nil).
func (s *Service) BeginPasskeyLogin(ctx context.Context, sess *quire.Session) (*PasskeyChallenge, error) {
	if err := s.passkeysOn(); err != nil {
		return nil, err
	}
	c := &ceremony{kind: kindPasswordless}
	var pu *mfa.PasskeyUser
	if sess != nil {
		if sess.Stage != quire.SessionMFA {
			return nil, quire.Errorf(quire.ECONFLICT, "This session does not need a second factor.")
		}
		var err error
		if pu, err = s.passkeyUser(ctx, sess.UserID); err != nil {
			return nil, err
		}
		c = &ceremony{kind: kindSecondFactor, userID: sess.UserID, session: sess.ID}
	}
	options, state, err := s.passkeys.BeginLogin(pu)
	if err != nil {
		return nil, err
	}
	c.state = state
	id, err := s.ceremony.put(c, s.now())
	return &PasskeyChallenge{ID: id, Options: options}, err
}

// FinishPasskeyLogin verifies the assertion and starts a full session. A
// passkey with user verification is both factors; as a second factor it
// completes the pending session. Failures count toward the lockout.
func (s *Service) FinishPasskeyLogin(ctx context.Context, sess *quire.Session, id string, body []byte, c Client) (*Login, error) {
	if err := s.passkeysOn(); err != nil {
		return nil, err
	}
	kind, sessID := kindPasswordless, ""
	if sess != nil {
		kind, sessID = kindSecondFactor, sess.ID
	}
	cer, err := s.ceremony.take(id, kind, sessID, s.now())
	if err != nil {
		return nil, err
	}
	res, err := s.verifyAssertion(ctx, cer, body)
	if err != nil {
		return nil, err
	}
	u, err := s.users.FindUserByID(ctx, res.UserID)
	if err != nil {
		return nil, err
	}
	if sess != nil {
		return s.completeSecondFactor(ctx, u, sess, "passkey", c)
	}
	// A locked account stays locked for passkeys too (an admin-only lock
	// above all); the success below clears the count this adds.
	if _, err := s.reserve(ctx, u.Email); err != nil {
		return nil, err
	}
	cred, err := s.store.FindCredential(ctx, u.ID)
	if err != nil {
		return nil, err
	}
	return s.finishLogin(ctx, u, cred.MustReset, "passkey", c)
}

// verifyAssertion checks the browser's answer and stores the passkey's new
// sign count. A failed second factor counts against the user's lockout.
func (s *Service) verifyAssertion(ctx context.Context, cer *ceremony, body []byte) (*mfa.PasskeyLogin, error) {
	if cer.kind == kindPasswordless {
		res, err := s.passkeys.FinishPasswordlessLogin(func(userID string) (*mfa.PasskeyUser, error) {
			if !quire.ValidID(userID) {
				return nil, quire.Errorf(quire.ENOTFOUND, "No such user.")
			}
			return s.passkeyUser(ctx, userID)
		}, cer.state, body)
		if err != nil {
			return nil, err
		}
		return res, s.savePasskeyUse(ctx, res)
	}
	u, err := s.users.FindUserByID(ctx, cer.userID)
	if err != nil {
		return nil, err
	}
	gate, err := s.reserve(ctx, u.Email)
	if err != nil {
		return nil, err
	}
	pu, err := s.passkeyUser(ctx, u.ID)
	if err != nil {
		return nil, err
	}
	res, err := s.passkeys.FinishLogin(pu, cer.state, body)
	if err != nil {
		if quire.ErrorCode(err) == quire.EINTERNAL {
			return nil, err
		}
		return nil, s.failed(ctx, u, gate, "passkey")
	}
	return res, s.savePasskeyUse(ctx, res)
}

// savePasskeyUse stores the passkey's new sign count before the login is
// trusted.
func (s *Service) savePasskeyUse(ctx context.Context, res *mfa.PasskeyLogin) error {
	pk, err := s.store.FindPasskey(ctx, res.CredentialID)
	if err != nil {
		return err
	}
	return s.store.UpdatePasskey(ctx, pk.ID, res.Data, s.now().UTC())
}
