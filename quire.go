// Package quire holds Quire's domain: the types every other package speaks of,
// the service interfaces the stores implement, and the error codes the HTTP
// layer renders. It imports only the standard library; the packages beside it
// (barrier, sqlite, postgres, http, trust, …) each wrap one dependency, and
// cmd/quire is the only place that wires them together.
package quire

import (
	"crypto/rand"
	"encoding/base32"
	"strings"
)

// Build information, set at link time by the Makefile.
var (
	Version = "dev"
	Commit  = ""
)

var idEncoding = base32.StdEncoding.WithPadding(base32.NoPadding)

// NewID returns a random 128-bit identifier as 26 lower-case base32 characters.
// Identifiers are random rather than sequential so that they leak neither
// counts nor creation order across tenants.
func NewID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails on supported platforms.
	return strings.ToLower(idEncoding.EncodeToString(b[:]))
}

// ValidID reports whether s has the shape NewID produces. Callers use it to
// reject malformed identifiers before they reach a store.
func ValidID(s string) bool {
	if len(s) != 26 {
		return false
	}
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= '2' && c <= '7') {
			return false
		}
	}
	return true
}
