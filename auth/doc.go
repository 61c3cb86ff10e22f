// Package auth is Quire's identity system: sign-up, sign-in with lockout,
// sessions, email verification, password reset, API keys, TOTP and passkeys,
// and the audit log of every security event (claims ACC-2 … ACC-5).
//
// It holds the rules and the order of the checks; the pieces it composes
// live in their own packages (password hashing, the breach check, email,
// MFA primitives) and reach it as the small interfaces in deps.go, wired in
// cmd/quire. Everything it stores goes through a quire.AuthStore.
package auth
