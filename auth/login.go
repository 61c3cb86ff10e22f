package auth

import (
	"context"
	"time"

	"github.com/quirehq/quire"
	"github.com/quirehq/quire/mail"
)

// Login checks an email and password and starts a session (claim ACC-3).
//
// Every attempt is counted against the address before anything is
// verified, so parallel attempts cannot exceed the lockout limit, and
// unknown addresses are counted and locked the same way: the responses and
// the work done (a password hash) are the same whether the account exists
// or not. The session is full, or owes a second factor (SessionMFA), or
// may only change a breached password (SessionReset).
func (s *Service) Login(ctx context.Context, email, pw string, c Client) (*Login, error) {
	email, err := NormaliseEmail(email)
	if err != nil {
		return nil, err
	}
	if len(pw) > maxPasswordBytes {
		return nil, quire.Errorf(quire.EPASSWORDTOOLONG, "Password is too long.")
	}
	gate, err := s.reserve(ctx, email)
	if err != nil {
		return nil, err
	}
	u, cred, err := s.findAccount(ctx, email)
	if err != nil {
		return nil, err
	}
	if u == nil {
		_ = s.hasher.DummyVerify(ctx, pw)
		return nil, s.failed(ctx, nil, gate, "password")
	}
	ok, rehash, err := s.hasher.Verify(ctx, cred.PasswordHash, pw)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, s.failed(ctx, u, gate, "password")
	}
	mustReset, err := s.afterPassword(ctx, cred, pw, rehash)
	if err != nil {
		return nil, err
	}
	if need, err := s.needsSecondFactor(ctx, cred); err != nil {
		return nil, err
	} else if need {
		return s.startSession(ctx, u.ID, quire.SessionMFA, c)
	}
	return s.finishLogin(ctx, u, mustReset, "password", c)
}

// maxPasswordBytes refuses absurd passwords before any work is done; the
// policy's own limit (in characters) applies to new passwords.
const maxPasswordBytes = 4096

// reserve counts one attempt against the address and refuses it while the
// address is locked.
func (s *Service) reserve(ctx context.Context, email string) (quire.LoginGate, error) {
	gate, err := s.store.ReserveLoginAttempt(ctx, email, s.cfg.LockoutAttempts, s.cfg.lockFor(), s.now().UTC())
	if err != nil {
		return gate, err
	}
	if !gate.Allowed {
		return gate, s.lockedError(gate.LockedUntil)
	}
	return gate, nil
}

// lockedError is the answer while an address is locked, with when to try
// again (none for a lock only an admin lifts).
func (s *Service) lockedError(until time.Time) error {
	e := quire.Errorf(quire.ELOCKED, "Too many failed attempts: this account is locked. Try again later or reset your password.")
	if !until.Equal(quire.IndefiniteLock) {
		e.RetryAfter = until.Sub(s.now())
	}
	return e
}

// findAccount returns the user with the address and its credential, or
// nils if there is none.
func (s *Service) findAccount(ctx context.Context, email string) (*quire.User, *quire.Credential, error) {
	u, err := s.users.FindUserByEmail(ctx, email)
	if quire.ErrorCode(err) == quire.ENOTFOUND {
		return nil, nil, nil
	} else if err != nil {
		return nil, nil, err
	}
	cred, err := s.store.FindCredential(ctx, u.ID)
	if err != nil {
		return nil, nil, err
	}
	return u, cred, nil
}

// failed records a failed attempt. If it was the one that reached the
// limit, the account is now locked: the user is told by email and the
// answer says so; otherwise it is invalid_credentials.
func (s *Service) failed(ctx context.Context, u *quire.User, gate quire.LoginGate, method string) error {
	userID := ""
	if u != nil {
		userID = u.ID
	}
	_ = s.audit(ctx, EventLoginFailure, userID, map[string]string{"method": method})
	if gate.LockedUntil.IsZero() {
		return quire.Errorf(quire.EINVALIDCREDENTIALS, "Email or password is incorrect.")
	}
	if u != nil {
		_ = s.audit(ctx, EventLocked, u.ID, nil)
		s.send(ctx, mail.AccountLocked(u.Email, s.now(), gate.LockedUntil))
	}
	return s.lockedError(gate.LockedUntil)
}

// afterPassword runs once the password is right: it upgrades the hash to
// the current parameters and checks the password against breaches. A
// breached password must be reset before the account can be used.
func (s *Service) afterPassword(ctx context.Context, cred *quire.Credential, pw string, rehash bool) (bool, error) {
	mustReset := cred.MustReset
	breached, err := s.breach.Check(ctx, pw)
	if err != nil {
		return false, err
	}
	if breached && !mustReset {
		mustReset = true
		_ = s.audit(ctx, EventBreachedAtLogin, cred.UserID, nil)
	}
	if !rehash && mustReset == cred.MustReset {
		return mustReset, nil
	}
	hash := cred.PasswordHash
	if rehash {
		if hash, err = s.hasher.Hash(ctx, pw); err != nil {
			return false, err
		}
	}
	return mustReset, s.store.SetPassword(ctx, cred.UserID, hash, mustReset)
}

// needsSecondFactor reports whether the user has TOTP or a passkey.
func (s *Service) needsSecondFactor(ctx context.Context, cred *quire.Credential) (bool, error) {
	if cred.TOTPEnabled {
		return true, nil
	}
	keys, err := s.store.FindPasskeysByUser(ctx, cred.UserID)
	return len(keys) > 0, err
}

// finishLogin clears the failure count, starts the session and records
// the sign-in.
func (s *Service) finishLogin(ctx context.Context, u *quire.User, mustReset bool, method string, c Client) (*Login, error) {
	if err := s.store.ClearLoginAttempts(ctx, u.Email); err != nil {
		return nil, err
	}
	stage := quire.SessionFull
	if mustReset {
		stage = quire.SessionReset
	}
	login, err := s.startSession(ctx, u.ID, stage, c)
	if err != nil {
		return nil, err
	}
	if err := s.audit(ctx, EventLoginSuccess, u.ID, map[string]string{"method": method, "session": login.Session.ID}); err != nil {
		return nil, err
	}
	if !s.cfg.NoSignInNotice {
		s.send(ctx, mail.NewSignIn(u.Email, s.now(), c.UserAgent))
	}
	return login, nil
}
