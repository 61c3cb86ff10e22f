package config

import (
	"net/mail"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// maxEmailBytes is the longest account address (RFC 5321 path limit), as
// in auth.NormaliseEmail.
const maxEmailBytes = 254

// maxFromBytes bounds mail.from, display name included.
const maxFromBytes = 320

// normaliseEmail returns the form accounts are stored and found by, as
// auth.NormaliseEmail does: NFKC, lower case, no surrounding space. Invalid
// UTF-8 is left alone for validEmail to refuse.
func normaliseEmail(s string) string {
	if !utf8.ValidString(s) {
		return s
	}
	return strings.ToLower(norm.NFKC.String(strings.TrimSpace(s)))
}

// validEmail reports whether s is one plain, normalised address (no display
// name, comments or line breaks) with a dotted domain or "localhost": what
// auth.NormaliseEmail accepts.
func validEmail(s string) bool {
	if s == "" || len(s) > maxEmailBytes || !utf8.ValidString(s) || s != normaliseEmail(s) ||
		strings.ContainsAny(s, "\r\n\t\x00<>\"(), ;:\\[]") {
		return false
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s || a.Name != "" {
		return false
	}
	at := strings.LastIndexByte(s, '@')
	domain := s[at+1:]
	return at > 0 && domain != "" && (strings.Contains(domain, ".") || domain == "localhost")
}

// validFrom reports whether s is one sender address, optionally with a
// display name, that is safe in a header and in the SMTP envelope: no
// control characters (CR and LF above all), no list, nothing net/mail
// refuses.
func validFrom(s string) bool {
	if s == "" || len(s) > maxFromBytes || !utf8.ValidString(s) || strings.ContainsFunc(s, unicode.IsControl) {
		return false
	}
	a, err := mail.ParseAddress(s)
	if err != nil {
		return false
	}
	at := strings.LastIndexByte(a.Address, '@')
	return at > 0 && at < len(a.Address)-1 && !strings.ContainsFunc(a.Address, func(r rune) bool {
		return unicode.IsSpace(r) || r == '<' || r == '>' || r == '"' || r == '\\'
	})
}
