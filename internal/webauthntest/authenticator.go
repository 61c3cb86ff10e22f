package webauthntest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"testing"
)

// Authenticator data flags (WebAuthn §6.1).
const (
	flagUP = 0x01 // user present
	flagUV = 0x04 // user verified
	flagAT = 0x40 // attested credential data included
)

// b64 is the encoding of binary values in WebAuthn JSON.
var b64 = base64.RawURLEncoding

// Authenticator is a software passkey authenticator with one credential,
// as a platform authenticator is. Its zero value is not usable; call New.
// It is not safe for concurrent use.
type Authenticator struct {
	// Origin is what the client writes into clientDataJSON. New sets
	// "https://" + the relying party ID.
	Origin string
	// RPID is the relying party ID whose SHA-256 starts the authenticator
	// data.
	RPID string
	// Challenge, when not empty, replaces the challenge of the options in
	// clientDataJSON, as in a replayed or forged response.
	Challenge string
	// SignCount is the signature counter: Get adds one, then signs it, so
	// a test that sets it to n sends n+1 next.
	SignCount uint32
	// UserHandle is the user ID Create read from the options; Get sends it
	// back as the userHandle, which passwordless sign-in relies on.
	UserHandle []byte

	t      testing.TB
	key    *ecdsa.PrivateKey
	credID []byte
}

// New returns an authenticator with a new key and a random 16-byte
// credential ID, for the relying party rpID at origin https://rpID.
func New(t testing.TB, rpID string) *Authenticator {
	t.Helper()
	id := make([]byte, 16)
	_, _ = rand.Read(id) // never fails (crypto/rand)
	return &Authenticator{Origin: "https://" + rpID, RPID: rpID, t: t, key: newKey(t), credID: id}
}

// newKey returns a new P-256 private key.
func newKey(t testing.TB) *ecdsa.PrivateKey {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatalf("webauthntest: new key: %v", err)
	}
	return key
}

// CredentialID returns a copy of the credential ID.
func (a *Authenticator) CredentialID() []byte { return append([]byte(nil), a.credID...) }

// ReplaceKey gives the credential a new private key under the same
// credential ID: what it signs next is a bad signature for the public key
// the relying party registered, as from a forged or cloned credential.
func (a *Authenticator) ReplaceKey() {
	a.t.Helper()
	a.key = newKey(a.t)
}

// Create answers navigator.credentials.create with the creation options:
// a "none" attestation of the credential, user present and verified. It
// remembers the user ID of the options as UserHandle.
func (a *Authenticator) Create(options []byte) []byte {
	a.t.Helper()
	o := a.readOptions(options)
	user, err := b64.DecodeString(o.PublicKey.User.ID)
	if err != nil {
		a.t.Fatalf("webauthntest: user ID in the options: %v", err)
	}
	a.UserHandle = user
	attested := make([]byte, 16) // AAGUID: zero, as with "none" attestation.
	attested = binary.BigEndian.AppendUint16(attested, uint16(len(a.credID)))
	attested = append(attested, a.credID...)
	attested = append(attested, a.coseKey()...)
	attObj := cborMap(
		cborText("fmt"), cborText("none"),
		cborText("attStmt"), cborMap(),
		cborText("authData"), cborBytes(a.authData(flagUP|flagUV|flagAT, attested)),
	)
	return a.marshal(map[string]any{
		"clientDataJSON":    b64.EncodeToString(a.clientData("webauthn.create", o.PublicKey.Challenge)),
		"attestationObject": b64.EncodeToString(attObj),
		"transports":        []string{"internal"},
	})
}

// Get answers navigator.credentials.get with the request options: an
// assertion, user present and verified, with the next SignCount and the
// UserHandle, signed by the credential's key.
func (a *Authenticator) Get(options []byte) []byte {
	a.t.Helper()
	o := a.readOptions(options)
	a.SignCount++
	cd := a.clientData("webauthn.get", o.PublicKey.Challenge)
	ad := a.authData(flagUP|flagUV, nil)
	// ES256 signs SHA-256(authenticatorData ‖ SHA-256(clientDataJSON)).
	cdHash := sha256.Sum256(cd)
	digest := sha256.Sum256(append(append([]byte{}, ad...), cdHash[:]...))
	sig, err := ecdsa.SignASN1(rand.Reader, a.key, digest[:])
	if err != nil {
		a.t.Fatalf("webauthntest: sign assertion: %v", err)
	}
	return a.marshal(map[string]any{
		"clientDataJSON":    b64.EncodeToString(cd),
		"authenticatorData": b64.EncodeToString(ad),
		"signature":         b64.EncodeToString(sig),
		"userHandle":        b64.EncodeToString(a.UserHandle),
	})
}
