package mfa

import (
	"bytes"
	"encoding/json"
	"time"

	"github.com/go-webauthn/webauthn/protocol"
	"github.com/go-webauthn/webauthn/webauthn"

	"github.com/quirehq/quire"
)

// maxResponseLen bounds the browser response a Finish parses. Real
// responses are a few KiB; the HTTP layer should cap the body too.
const maxResponseLen = 64 << 10

// Passkeys runs WebAuthn registration and login ceremonies for one relying
// party. It keeps no state between Begin and Finish: the caller stores the
// returned state server-side (never in the client) and passes it back.
type Passkeys struct {
	wa *webauthn.WebAuthn
	// now is the clock for state expiry; tests leave it as time.Now.
	now func() time.Time
}

// NewPasskeys returns Passkeys for the relying party rpID (the site's
// domain, e.g. "quire.example"), shown to users as rpName, that accepts
// responses from the given origins (e.g. "https://quire.example").
//
// User verification and resident keys are "preferred": an authenticator
// that can verify the user (PIN, biometrics) and store a discoverable
// credential does, which passwordless sign-in needs; one that cannot is
// still accepted as a second factor. Attestation is "none": Quire does not
// restrict authenticator models, so it asks for no identifying data.
func NewPasskeys(rpID, rpName string, origins []string) (*Passkeys, error) {
	wa, err := webauthn.New(&webauthn.Config{
		RPID:                  rpID,
		RPDisplayName:         rpName,
		RPOrigins:             origins,
		AttestationPreference: protocol.PreferNoAttestation,
		AuthenticatorSelection: protocol.AuthenticatorSelection{
			RequireResidentKey: protocol.ResidentKeyNotRequired(),
			ResidentKey:        protocol.ResidentKeyRequirementPreferred,
			UserVerification:   protocol.VerificationPreferred,
		},
		Timeouts: webauthn.TimeoutsConfig{Login: ceremonyTimeout(), Registration: ceremonyTimeout()},
	})
	if err != nil || rpID == "" || rpName == "" {
		return nil, quire.WrapError(quire.EINVALID, "The passkey relying party ID, name or origins are not valid.", err)
	}
	return &Passkeys{wa: wa, now: time.Now}, nil
}

// ceremonyTimeout tells the browser CeremonyTimeout and has the library
// enforce it too (Finish also checks it, against the state).
func ceremonyTimeout() webauthn.TimeoutConfig {
	return webauthn.TimeoutConfig{Enforce: true, Timeout: CeremonyTimeout, TimeoutUVD: CeremonyTimeout}
}

// BeginRegistration starts adding a passkey to user. options is the JSON
// for the browser ({"publicKey": …}, for
// PublicKeyCredential.parseCreationOptionsFromJSON); state is for the
// caller to keep until FinishRegistration, at most CeremonyTimeout.
func (p *Passkeys) BeginRegistration(user *PasskeyUser) (options, state []byte, err error) {
	creation, session, err := p.wa.BeginRegistration(user, webauthn.WithExclusions(user.descriptors()))
	if err != nil {
		return nil, nil, quire.WrapError(quire.EINTERNAL, "Could not start the passkey request.", err)
	}
	return encodeCeremony(creation, kindRegister, session)
}

// encodeCeremony serialises the options for the browser and the state.
func encodeCeremony(options any, kind string, session *webauthn.SessionData) ([]byte, []byte, error) {
	opts, err := json.Marshal(options)
	if err != nil {
		return nil, nil, quire.WrapError(quire.EINTERNAL, "Could not start the passkey request.", err)
	}
	state, err := encodeState(kind, session)
	if err != nil {
		return nil, nil, err
	}
	return opts, state, nil
}

// FinishRegistration verifies the browser's response (the JSON of the
// PublicKeyCredential from navigator.credentials.create) against state
// and returns the credential to store as quire.Passkey.Data and its ID
// (quire.Passkey.CredentialID). The caller must refuse a credential ID
// that is already stored, for this user or another.
func (p *Passkeys) FinishRegistration(user *PasskeyUser, state, body []byte) (data, credentialID []byte, err error) {
	session, err := decodeState(state, kindRegister, p.now())
	if err != nil {
		return nil, nil, err
	}
	if len(body) > maxResponseLen {
		return nil, nil, errRegistration(nil)
	}
	parsed, err := protocol.ParseCredentialCreationResponseBytes(body)
	if err != nil {
		return nil, nil, errRegistration(err)
	}
	cred, err := p.wa.CreateCredential(user, session, parsed)
	if err != nil {
		return nil, nil, errRegistration(err)
	}
	if user.has(cred.ID) {
		return nil, nil, quire.Errorf(quire.ECONFLICT, "This passkey is already registered.")
	}
	if data, err = json.Marshal(cred); err != nil {
		return nil, nil, quire.WrapError(quire.EINTERNAL, "Could not save the passkey.", err)
	}
	return data, cred.ID, nil
}

// errRegistration is the answer to a registration response that does not
// verify; the cause (which check failed) is for the log only.
func errRegistration(cause error) error {
	return quire.WrapError(quire.EINVALID, "The passkey could not be verified.", cause)
}

// has reports whether the user already has the credential ID.
func (u *PasskeyUser) has(id []byte) bool {
	for _, c := range u.creds {
		if bytes.Equal(c.ID, id) {
			return true
		}
	}
	return false
}
