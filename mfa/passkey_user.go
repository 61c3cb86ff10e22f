package mfa

import (
	"encoding/json"

	"github.com/go-webauthn/webauthn/protocol"
	"github.com/go-webauthn/webauthn/webauthn"

	"github.com/quirehq/quire"
)

// maxUserHandle is the WebAuthn limit on a user handle.
const maxUserHandle = 64

// PasskeyUser is a user as the WebAuthn ceremonies see it: an opaque user
// handle, a name for the authenticator's account picker, and the passkeys
// already registered. It implements webauthn.User.
type PasskeyUser struct {
	id    string
	name  string
	creds []webauthn.Credential
}

var _ webauthn.User = (*PasskeyUser)(nil)

// NewPasskeyUser builds a PasskeyUser from the user's ID (the user handle:
// a random ID, never an email, since authenticators may show or sync it),
// the name shown in the authenticator (usually the email), and the stored
// quire.Passkey.Data of each registered passkey.
func NewPasskeyUser(userID, name string, credentials [][]byte) (*PasskeyUser, error) {
	if userID == "" || len(userID) > maxUserHandle || name == "" {
		return nil, quire.Errorf(quire.EINVALID, "A passkey user needs an ID of at most 64 bytes and a name.")
	}
	u := &PasskeyUser{id: userID, name: name, creds: make([]webauthn.Credential, 0, len(credentials))}
	for _, data := range credentials {
		c, err := decodeCredential(data)
		if err != nil {
			return nil, err
		}
		u.creds = append(u.creds, c)
	}
	return u, nil
}

// decodeCredential reads one stored credential. A stored clone warning is
// dropped: FinishLogin refuses a regressed counter instead of storing the
// warning, so the flag only ever describes the login in progress.
func decodeCredential(data []byte) (webauthn.Credential, error) {
	var c webauthn.Credential
	if err := json.Unmarshal(data, &c); err != nil {
		return c, quire.WrapError(quire.EINTERNAL, "A stored passkey could not be read.", err)
	}
	if len(c.ID) == 0 || len(c.PublicKey) == 0 {
		return c, quire.Errorf(quire.EINTERNAL, "A stored passkey could not be read.")
	}
	c.Authenticator.CloneWarning = false
	return c, nil
}

// ID returns the user ID the PasskeyUser was built with.
func (u *PasskeyUser) ID() string { return u.id }

// WebAuthnID returns the user handle: the bytes of the user ID.
func (u *PasskeyUser) WebAuthnID() []byte { return []byte(u.id) }

// WebAuthnName returns the account name shown by the authenticator.
func (u *PasskeyUser) WebAuthnName() string { return u.name }

// WebAuthnDisplayName returns the same name as WebAuthnName.
func (u *PasskeyUser) WebAuthnDisplayName() string { return u.name }

// WebAuthnCredentials returns the user's registered passkeys.
func (u *PasskeyUser) WebAuthnCredentials() []webauthn.Credential { return u.creds }

// descriptors lists the registered passkeys for the exclude list of a new
// registration, so an authenticator is not registered twice.
func (u *PasskeyUser) descriptors() []protocol.CredentialDescriptor {
	return webauthn.Credentials(u.creds).CredentialDescriptors()
}
