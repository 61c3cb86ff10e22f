package webauthntest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"encoding/binary"
	"testing"
)

// register runs Create on a and returns the public key it attested, read
// back from the attestation object.
func register(t *testing.T, a *Authenticator) *ecdsa.PublicKey {
	t.Helper()
	c, cd := decodeCredential(t, a, a.Create(ceremony(t, "create", "user-1")))
	if cd.Type != "webauthn.create" || cd.Challenge != b64.EncodeToString([]byte("create")) || cd.Origin != a.Origin {
		t.Fatalf("client data %+v", cd)
	}
	wantBytes(t, "user handle", a.UserHandle, []byte("user-1"))
	obj, rest, err := cborDecode(unb64(t, c.Response.AttestationObject))
	if err != nil || len(rest) != 0 {
		t.Fatalf("attestation object: %v, %d bytes left", err, len(rest))
	}
	v := wantPairs(t, obj, "fmt", "attStmt", "authData")
	wantPairs(t, v[1])
	authData, ok := v[2].([]byte)
	if v[0] != "none" || !ok {
		t.Fatalf("attestation object %#v", obj)
	}
	d := decodeAuthData(t, authData)
	wantRelyingParty(t, d, a.RPID, flagUP|flagUV|flagAT, 0)
	return attestedKey(t, a, d.attested)
}

// attestedKey checks the attested credential data (WebAuthn §6.5.1) and
// returns its COSE key.
func attestedKey(t *testing.T, a *Authenticator, b []byte) *ecdsa.PublicKey {
	t.Helper()
	id := a.CredentialID()
	if len(b) < 18+len(id) {
		t.Fatalf("attested credential data of %d bytes", len(b))
	}
	wantBytes(t, "AAGUID", b[:16], make([]byte, 16))
	if n := binary.BigEndian.Uint16(b[16:18]); int(n) != len(id) {
		t.Fatalf("credential ID length %d, want %d", n, len(id))
	}
	wantBytes(t, "credential ID", b[18:18+len(id)], id)
	cose, rest, err := cborDecode(b[18+len(id):])
	if err != nil || len(rest) != 0 {
		t.Fatalf("COSE key: %v, %d bytes left", err, len(rest))
	}
	v := wantPairs(t, cose, int64(1), int64(3), int64(-1), int64(-2), int64(-3))
	x, okX := v[3].([]byte)
	y, okY := v[4].([]byte)
	if v[0] != int64(2) || v[1] != int64(-7) || v[2] != int64(1) || !okX || !okY {
		t.Fatalf("COSE key %#v, want EC2 ES256 P-256", cose)
	}
	key, err := ecdsa.ParseUncompressedPublicKey(elliptic.P256(), append(append([]byte{4}, x...), y...))
	if err != nil {
		t.Fatalf("COSE key point: %v", err)
	}
	return key
}

// assertion is what a relying party reads from an answer to Get.
type assertion struct {
	client     clientData
	authData   authenticatorData
	signed     bool // the signature verifies with the registered key
	userHandle []byte
}

// get runs Get on a and reads the answer, checking the signature with key.
func get(t *testing.T, a *Authenticator, key *ecdsa.PublicKey) assertion {
	t.Helper()
	c, cd := decodeCredential(t, a, a.Get(ceremony(t, "get", "")))
	if cd.Type != "webauthn.get" {
		t.Fatalf("client data type %q", cd.Type)
	}
	ad := unb64(t, c.Response.AuthenticatorData)
	return assertion{
		client: cd, authData: decodeAuthData(t, ad), userHandle: unb64(t, c.Response.UserHandle),
		signed: verify(key, ad, unb64(t, c.Response.ClientDataJSON), unb64(t, c.Response.Signature)),
	}
}

// TestRoundTrip reads back a registration and two assertions, and checks
// them as a relying party would: the key attested at registration
// verifies each signature, and the counter grows.
func TestRoundTrip(t *testing.T) {
	a := New(t, "quire.test")
	if a.Origin != "https://quire.test" || a.RPID != "quire.test" || len(a.CredentialID()) != 16 {
		t.Fatalf("New: origin %q, RP ID %q, credential ID %x", a.Origin, a.RPID, a.CredentialID())
	}
	key := register(t, a)
	for want := uint32(1); want <= 2; want++ {
		got := get(t, a, key)
		if !got.signed || got.client.Origin != a.Origin || got.client.Challenge != b64.EncodeToString([]byte("get")) {
			t.Fatalf("assertion %d: %+v", want, got)
		}
		wantRelyingParty(t, got.authData, a.RPID, flagUP|flagUV, want)
		wantBytes(t, "user handle", got.userHandle, []byte("user-1"))
		if len(got.authData.attested) != 0 {
			t.Fatalf("assertion %d carries attested data", want)
		}
	}
	if string(New(t, "quire.test").CredentialID()) == string(a.CredentialID()) {
		t.Fatal("two authenticators share a credential ID")
	}
}
