package webauthntest

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"testing"
)

// credential is the PublicKeyCredential JSON, decoded.
type credential struct {
	ID, RawID, Type string
	Response        struct {
		ClientDataJSON, AttestationObject, AuthenticatorData, Signature, UserHandle string
	}
}

// clientData is clientDataJSON, decoded.
type clientData struct {
	Type, Challenge, Origin string
	CrossOrigin             bool
}

// authenticatorData is the fixed start of the authenticator data.
type authenticatorData struct {
	rpIDHash  [32]byte
	flags     byte
	signCount uint32
	attested  []byte
}

// ceremony returns options with challenge and, for a registration, user.
func ceremony(t *testing.T, challenge, user string) []byte {
	t.Helper()
	pk := map[string]any{"challenge": b64.EncodeToString([]byte(challenge))}
	if user != "" {
		pk["user"] = map[string]string{"id": b64.EncodeToString([]byte(user))}
	}
	b, err := json.Marshal(map[string]any{"publicKey": pk})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// decodeCredential decodes b and checks the fields every answer has.
func decodeCredential(t *testing.T, a *Authenticator, b []byte) (credential, clientData) {
	t.Helper()
	var c credential
	if err := json.Unmarshal(b, &c); err != nil {
		t.Fatalf("credential %s: %v", b, err)
	}
	id := b64.EncodeToString(a.CredentialID())
	if c.ID != id || c.RawID != id || c.Type != "public-key" {
		t.Fatalf("credential %s, want ID %s", b, id)
	}
	var cd clientData
	if err := json.Unmarshal(unb64(t, c.Response.ClientDataJSON), &cd); err != nil || cd.CrossOrigin {
		t.Fatalf("client data %s: %v", c.Response.ClientDataJSON, err)
	}
	return c, cd
}

// decodeAuthData splits the authenticator data.
func decodeAuthData(t *testing.T, b []byte) authenticatorData {
	t.Helper()
	if len(b) < 37 {
		t.Fatalf("authenticator data of %d bytes", len(b))
	}
	d := authenticatorData{flags: b[32], signCount: binary.BigEndian.Uint32(b[33:37]), attested: b[37:]}
	copy(d.rpIDHash[:], b[:32])
	return d
}

func unb64(t *testing.T, s string) []byte {
	t.Helper()
	b, err := b64.DecodeString(s)
	if err != nil {
		t.Fatalf("%q: %v", s, err)
	}
	return b
}

// wantPairs checks that v is a map and returns its value for each key.
func wantPairs(t *testing.T, v any, keys ...any) []any {
	t.Helper()
	pairs, ok := v.([]cborPair)
	if !ok || len(pairs) != len(keys) {
		t.Fatalf("%#v, want a map with keys %v", v, keys)
	}
	out := make([]any, len(keys))
	for i, p := range pairs {
		if p.key != keys[i] {
			t.Fatalf("key %d is %#v, want %#v", i, p.key, keys[i])
		}
		out[i] = p.value
	}
	return out
}

// verify reports whether sig is key's ES256 signature of the assertion.
func verify(key *ecdsa.PublicKey, authData, clientDataJSON, sig []byte) bool {
	h := sha256.Sum256(clientDataJSON)
	digest := sha256.Sum256(append(append([]byte{}, authData...), h[:]...))
	return ecdsa.VerifyASN1(key, digest[:], sig)
}

// wantRelyingParty checks the start of the authenticator data.
func wantRelyingParty(t *testing.T, d authenticatorData, rpID string, flags byte, count uint32) {
	t.Helper()
	if d.rpIDHash != sha256.Sum256([]byte(rpID)) || d.flags != flags || d.signCount != count {
		t.Fatalf("authenticator data: flags %#x, count %d; want rpIdHash of %q, flags %#x, count %d",
			d.flags, d.signCount, rpID, flags, count)
	}
}

// wantBytes fails the test if got is not want.
func wantBytes(t *testing.T, what string, got, want []byte) {
	t.Helper()
	if !bytes.Equal(got, want) {
		t.Fatalf("%s %x, want %x", what, got, want)
	}
}
