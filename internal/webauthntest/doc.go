// Package webauthntest is a software WebAuthn authenticator for tests
// that have no browser. It holds one ECDSA P-256 (ES256) credential, makes
// "none" attestations with the user present and verified, and answers the
// options a relying party sends ({"publicKey": …}) with the
// PublicKeyCredential JSON that credential.toJSON() returns in a browser.
//
// Every byte is built by hand here, with a minimal CBOR encoder (RFC 8949)
// for the attestation object and the COSE key, so that the WebAuthn
// library under test is checked against data it did not produce. The
// exported fields are the knobs a test turns to play a misbehaving or
// hostile client: another origin, relying party or challenge, a sign
// count that goes backwards, a user handle that is not its own, a key
// that does not match the registered one.
//
// It imports only the standard library and testing, so any package's
// tests may use it.
package webauthntest
