// Package mfa holds the second factors of Quire accounts (claim ACC-5):
// TOTP codes from an authenticator app (RFC 6238), one-time recovery codes,
// and passkeys (WebAuthn).
//
// The package keeps no state. Secrets, recovery-code hashes, passkey records
// and ceremony state go to the caller, which stores them encrypted (the
// AuthStore and the barrier) and passes them back. TOTP codes are compared
// in constant time; recovery codes are looked up by hash; passkeys are
// checked by signature. Every failure is a *quire.Error whose message names
// no secret and no user content; its cause, for the log, is the reason.
package mfa
