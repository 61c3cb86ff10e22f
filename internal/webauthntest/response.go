package webauthntest

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
)

// ceremonyOptions is the part of the options the authenticator reads.
type ceremonyOptions struct {
	PublicKey struct {
		Challenge string `json:"challenge"`
		User      struct {
			ID string `json:"id"`
		} `json:"user"`
	} `json:"publicKey"`
}

// readOptions decodes the options; the test fails without a challenge.
func (a *Authenticator) readOptions(opts []byte) ceremonyOptions {
	a.t.Helper()
	var o ceremonyOptions
	if err := json.Unmarshal(opts, &o); err != nil || o.PublicKey.Challenge == "" {
		a.t.Fatalf("webauthntest: options %s: %v", opts, err)
	}
	return o
}

// clientData is the clientDataJSON a browser builds for the ceremony of
// type typ.
func (a *Authenticator) clientData(typ, challenge string) []byte {
	if a.Challenge != "" {
		challenge = a.Challenge
	}
	b, err := json.Marshal(map[string]any{"type": typ, "challenge": challenge, "origin": a.Origin, "crossOrigin": false})
	if err != nil {
		a.t.Fatalf("webauthntest: client data: %v", err)
	}
	return b
}

// authData is rpIdHash ‖ flags ‖ signCount, then the attested credential
// data if any (WebAuthn §6.1).
func (a *Authenticator) authData(flags byte, attested []byte) []byte {
	h := sha256.Sum256([]byte(a.RPID))
	out := append(h[:], flags)
	out = binary.BigEndian.AppendUint32(out, a.SignCount)
	return append(out, attested...)
}

// marshal wraps an authenticator response as the PublicKeyCredential JSON.
func (a *Authenticator) marshal(response map[string]any) []byte {
	a.t.Helper()
	b, err := json.Marshal(map[string]any{
		"id": b64.EncodeToString(a.credID), "rawId": b64.EncodeToString(a.credID),
		"type": "public-key", "authenticatorAttachment": "platform",
		"response": response, "clientExtensionResults": map[string]any{},
	})
	if err != nil {
		a.t.Fatalf("webauthntest: encode credential: %v", err)
	}
	return b
}

// coseKey is the credential public key as a COSE_Key (RFC 9053 §7.1):
// kty EC2, alg ES256, crv P-256, x, y.
func (a *Authenticator) coseKey() []byte {
	a.t.Helper()
	pub, err := a.key.PublicKey.Bytes() // 0x04 ‖ x ‖ y
	if err != nil {
		a.t.Fatalf("webauthntest: public key: %v", err)
	}
	return cborMap(
		cborInt(1), cborInt(2), // kty: EC2
		cborInt(3), cborInt(-7), // alg: ES256
		cborInt(-1), cborInt(1), // crv: P-256
		cborInt(-2), cborBytes(pub[1:33]),
		cborInt(-3), cborBytes(pub[33:65]),
	)
}
