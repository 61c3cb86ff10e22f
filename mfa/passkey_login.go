package mfa

import (
	"encoding/json"
	"errors"

	"github.com/go-webauthn/webauthn/protocol"
	"github.com/go-webauthn/webauthn/webauthn"

	"github.com/quirehq/quire"
)

// ErrSignCount is the cause of a refused login whose authenticator counter
// did not increase: two copies of the credential's key may exist (a cloned
// authenticator). Callers may test for it with errors.Is to audit it.
var ErrSignCount = errors.New("mfa: passkey sign count did not increase")

// PasskeyLogin is a verified passkey assertion.
type PasskeyLogin struct {
	// UserID is the user the passkey belongs to.
	UserID string
	// CredentialID identifies the passkey used (quire.Passkey.CredentialID).
	CredentialID []byte
	// Data is the credential with its new sign count and flags; the caller
	// stores it (AuthStore.UpdatePasskey) before it trusts the login.
	Data []byte
}

// PasskeyUserFinder returns the user whose user handle an authenticator
// presented in a passwordless login. userID comes from the client and is
// untrusted: validate it, and return an ENOTFOUND error for no such user.
type PasskeyUserFinder func(userID string) (*PasskeyUser, error)

// BeginLogin starts a passkey login. With a user (a second factor after
// the password), only that user's passkeys are allowed; with nil, the
// browser offers any discoverable passkey for this site (passwordless).
// options is the JSON for the browser ({"publicKey": …}); the caller keeps
// state until FinishLogin, at most CeremonyTimeout.
func (p *Passkeys) BeginLogin(user *PasskeyUser) (options, state []byte, err error) {
	var assertion *protocol.CredentialAssertion
	var session *webauthn.SessionData
	if user == nil {
		// Passwordless: the passkey is both factors only with user
		// verification (PIN or biometric), so require it.
		assertion, session, err = p.wa.BeginDiscoverableLogin(webauthn.WithUserVerification(protocol.VerificationRequired))
	} else if len(user.creds) == 0 {
		return nil, nil, quire.Errorf(quire.ENOTFOUND, "No passkey is registered.")
	} else {
		assertion, session, err = p.wa.BeginLogin(user)
	}
	if err != nil {
		return nil, nil, quire.WrapError(quire.EINTERNAL, "Could not start the passkey request.", err)
	}
	return encodeCeremony(assertion, kindLogin, session)
}

// FinishLogin verifies the browser's response (the JSON of the
// PublicKeyCredential from navigator.credentials.get) for a login begun
// with BeginLogin(user).
func (p *Passkeys) FinishLogin(user *PasskeyUser, state, body []byte) (*PasskeyLogin, error) {
	if user == nil {
		return nil, errLogin(errors.New("no user given to FinishLogin"))
	}
	session, parsed, err := p.parseLogin(state, body)
	if err != nil {
		return nil, err
	}
	if len(session.UserID) == 0 {
		return nil, errState(errors.New("passwordless state given to FinishLogin"))
	}
	cred, err := p.wa.ValidateLogin(user, session, parsed)
	if err != nil {
		return nil, errLogin(err)
	}
	return loginResult(user, cred)
}

// FinishPasswordlessLogin verifies the browser's response for a login begun
// with BeginLogin(nil); find loads the user the passkey names.
func (p *Passkeys) FinishPasswordlessLogin(find PasskeyUserFinder, state, body []byte) (*PasskeyLogin, error) {
	session, parsed, err := p.parseLogin(state, body)
	if err != nil {
		return nil, err
	}
	var findErr error
	handler := func(_, userHandle []byte) (webauthn.User, error) {
		u, err := find(string(userHandle))
		if err == nil && u == nil {
			err = quire.Errorf(quire.ENOTFOUND, "No such user.")
		}
		findErr = err
		return u, err
	}
	user, cred, err := p.wa.ValidatePasskeyLogin(handler, session, parsed)
	if findErr != nil && quire.ErrorCode(findErr) != quire.ENOTFOUND {
		return nil, findErr // A store failure is not a wrong passkey.
	}
	if err != nil {
		return nil, errLogin(err)
	}
	return loginResult(user.(*PasskeyUser), cred)
}

// parseLogin decodes the login state and the browser's response.
func (p *Passkeys) parseLogin(state, body []byte) (webauthn.SessionData, *protocol.ParsedCredentialAssertionData, error) {
	session, err := decodeState(state, kindLogin, p.now())
	if err != nil {
		return session, nil, err
	}
	if len(body) > maxResponseLen {
		return session, nil, errLogin(nil)
	}
	parsed, err := protocol.ParseCredentialRequestResponseBytes(body)
	if err != nil {
		return session, nil, errLogin(err)
	}
	return session, parsed, nil
}

// loginResult refuses a regressed sign count and serialises the updated
// credential.
func loginResult(user *PasskeyUser, cred *webauthn.Credential) (*PasskeyLogin, error) {
	if cred.Authenticator.CloneWarning {
		return nil, errLogin(ErrSignCount)
	}
	data, err := json.Marshal(cred)
	if err != nil {
		return nil, quire.WrapError(quire.EINTERNAL, "Could not save the passkey.", err)
	}
	return &PasskeyLogin{UserID: user.id, CredentialID: cred.ID, Data: data}, nil
}

// errLogin is the answer to an assertion that does not verify. It is the
// same as for a wrong password; the cause is for the log only.
func errLogin(cause error) error {
	return quire.WrapError(quire.EINVALIDCREDENTIALS, "The sign-in details are not valid.", cause)
}
