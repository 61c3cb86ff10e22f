package mfa

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"testing"
)

// This file is a software authenticator: an ECDSA P-256 key, "none"
// attestation and a hand-written CBOR encoder, so that the ceremonies are
// checked against bytes the library under test did not produce.

// Authenticator data flags (WebAuthn §6.1).
const (
	flagUP = 0x01
	flagUV = 0x04
	flagAT = 0x40
)

var b64 = base64.RawURLEncoding

// softAuthenticator holds one credential, as a platform authenticator does.
type softAuthenticator struct {
	t      testing.TB
	key    *ecdsa.PrivateKey
	credID []byte
	user   []byte
	count  uint32
	// origin is what the client writes into clientDataJSON.
	origin string
	// challenge, when set, replaces the challenge from the options.
	challenge string
	// rpID is the relying party ID hashed into the authenticator data.
	rpID string
}

func newSoftAuthenticator(t testing.TB) *softAuthenticator {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	id := make([]byte, 16)
	_, _ = rand.Read(id)
	return &softAuthenticator{t: t, key: key, credID: id, origin: testOrigin, rpID: testRPID}
}

// options is the part of the browser options the authenticator reads.
type options struct {
	PublicKey struct {
		Challenge string `json:"challenge"`
		User      struct {
			ID string `json:"id"`
		} `json:"user"`
	} `json:"publicKey"`
}

func (a *softAuthenticator) readOptions(opts []byte) options {
	a.t.Helper()
	var o options
	if err := json.Unmarshal(opts, &o); err != nil || o.PublicKey.Challenge == "" {
		a.t.Fatalf("options %s: %v", opts, err)
	}
	return o
}

// clientData is the clientDataJSON a browser builds for the ceremony.
func (a *softAuthenticator) clientData(typ, challenge string) []byte {
	if a.challenge != "" {
		challenge = a.challenge
	}
	b, _ := json.Marshal(map[string]any{"type": typ, "challenge": challenge, "origin": a.origin, "crossOrigin": false})
	return b
}

// authData is rpIdHash ‖ flags ‖ signCount, plus attested data if any.
func (a *softAuthenticator) authData(flags byte, attested []byte) []byte {
	h := sha256.Sum256([]byte(a.rpID))
	out := append(h[:], flags)
	out = binary.BigEndian.AppendUint32(out, a.count)
	return append(out, attested...)
}

// create answers navigator.credentials.create with the options.
func (a *softAuthenticator) create(opts []byte) []byte {
	o := a.readOptions(opts)
	user, err := b64.DecodeString(o.PublicKey.User.ID)
	if err != nil {
		a.t.Fatal(err)
	}
	a.user = user
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

// get answers navigator.credentials.get with the options.
func (a *softAuthenticator) get(opts []byte) []byte {
	o := a.readOptions(opts)
	a.count++
	cd := a.clientData("webauthn.get", o.PublicKey.Challenge)
	ad := a.authData(flagUP|flagUV, nil)
	// ES256 signs SHA-256(authenticatorData ‖ SHA-256(clientDataJSON)).
	cdHash := sha256.Sum256(cd)
	digest := sha256.Sum256(append(append([]byte{}, ad...), cdHash[:]...))
	sig, err := ecdsa.SignASN1(rand.Reader, a.key, digest[:])
	if err != nil {
		a.t.Fatal(err)
	}
	return a.marshal(map[string]any{
		"clientDataJSON":    b64.EncodeToString(cd),
		"authenticatorData": b64.EncodeToString(ad),
		"signature":         b64.EncodeToString(sig),
		"userHandle":        b64.EncodeToString(a.user),
	})
}

// marshal wraps an authenticator response as the PublicKeyCredential JSON.
func (a *softAuthenticator) marshal(response map[string]any) []byte {
	b, err := json.Marshal(map[string]any{
		"id": b64.EncodeToString(a.credID), "rawId": b64.EncodeToString(a.credID),
		"type": "public-key", "authenticatorAttachment": "platform",
		"response": response, "clientExtensionResults": map[string]any{},
	})
	if err != nil {
		a.t.Fatal(err)
	}
	return b
}

// coseKey is the credential public key as a COSE_Key (RFC 9053): EC2,
// ES256, P-256, x, y.
func (a *softAuthenticator) coseKey() []byte {
	pub, err := a.key.PublicKey.Bytes() // 0x04 ‖ x ‖ y
	if err != nil {
		a.t.Fatal(err)
	}
	return cborMap(
		cborInt(1), cborInt(2),
		cborInt(3), cborInt(-7),
		cborInt(-1), cborInt(1),
		cborInt(-2), cborBytes(pub[1:33]),
		cborInt(-3), cborBytes(pub[33:65]),
	)
}

// cborHead encodes a CBOR major type and argument (RFC 8949 §3).
func cborHead(major byte, n uint64) []byte {
	m := major << 5
	switch {
	case n < 24:
		return []byte{m | byte(n)}
	case n <= 0xff:
		return []byte{m | 24, byte(n)}
	case n <= 0xffff:
		return binary.BigEndian.AppendUint16([]byte{m | 25}, uint16(n))
	default:
		return binary.BigEndian.AppendUint32([]byte{m | 26}, uint32(n))
	}
}

func cborInt(i int64) []byte {
	if i < 0 {
		return cborHead(1, uint64(-1-i))
	}
	return cborHead(0, uint64(i))
}

func cborBytes(b []byte) []byte { return append(cborHead(2, uint64(len(b))), b...) }

func cborText(s string) []byte { return append(cborHead(3, uint64(len(s))), s...) }

// cborMap encodes alternating keys and values, in the order given.
func cborMap(kv ...[]byte) []byte {
	out := cborHead(5, uint64(len(kv)/2))
	for _, item := range kv {
		out = append(out, item...)
	}
	return out
}

func TestCBOREncoder(t *testing.T) {
	// Examples from RFC 8949 Appendix A.
	cases := []struct {
		got  []byte
		want string
	}{
		{cborInt(0), "00"}, {cborInt(23), "17"}, {cborInt(24), "1818"},
		{cborInt(1000), "1903e8"}, {cborInt(1000000), "1a000f4240"},
		{cborInt(-1), "20"}, {cborInt(-100), "3863"},
		{cborText("a"), "6161"}, {cborBytes([]byte{1, 2, 3, 4}), "4401020304"},
		{cborMap(cborInt(1), cborInt(2), cborInt(3), cborInt(4)), "a201020304"},
	}
	for _, c := range cases {
		if got := hex.EncodeToString(c.got); got != c.want {
			t.Errorf("got %s, want %s", got, c.want)
		}
	}
}
