package http

import (
	"encoding/base64"
	"strings"
	"testing"
)

// FuzzValidLinkToken: a token is accepted only if it is the canonical
// base64url (no padding) of exactly 32 bytes, so one token has one spelling.
func FuzzValidLinkToken(f *testing.F) {
	f.Add(newLinkToken())
	f.Add(strings.Repeat("A", 43))
	f.Add(strings.Repeat("A", 42) + "B") // non-zero trailing bits
	f.Add(strings.Repeat("A", 42) + "=")
	f.Add("")
	f.Add(strings.Repeat("/", 43))
	f.Fuzz(func(t *testing.T, token string) {
		if !validLinkToken(token) {
			return
		}
		b, err := base64.RawURLEncoding.DecodeString(token)
		if err != nil || len(b) != 32 || base64.RawURLEncoding.EncodeToString(b) != token {
			t.Fatalf("accepted %q, which is not the canonical encoding of 32 bytes", token)
		}
	})
}

func TestValidLinkToken(t *testing.T) {
	for token, want := range map[string]bool{
		newLinkToken():                true,
		strings.Repeat("A", 43):       true,
		strings.Repeat("A", 42) + "B": false,
		strings.Repeat("A", 42) + "=": false,
		strings.Repeat("A", 44):       false,
		strings.Repeat("+", 43):       false,
		"":                            false,
	} {
		if got := validLinkToken(token); got != want {
			t.Errorf("validLinkToken(%q) = %v, want %v", token, got, want)
		}
	}
}
