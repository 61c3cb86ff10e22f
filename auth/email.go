package auth

import (
	"net/mail"
	"strings"
	"unicode/utf8"

	"github.com/quirehq/quire"
	"golang.org/x/text/unicode/norm"
)

// maxEmailBytes is the longest address accepted (RFC 5321 path limit).
const maxEmailBytes = 254

// NormaliseEmail returns the form of an address that accounts are stored
// and found by: Unicode NFKC, lower case, surrounding space removed. It
// refuses anything that is not one plain address (no display name, no
// comments, no line breaks), so the result is safe in a mail header.
func NormaliseEmail(s string) (string, error) {
	if len(s) > 4*maxEmailBytes || !utf8.ValidString(s) {
		return "", invalidEmail()
	}
	e := strings.ToLower(norm.NFKC.String(strings.TrimSpace(s)))
	if e == "" {
		return "", quire.Errorf(quire.EINVALID, "Email is required.")
	}
	if len(e) > maxEmailBytes || strings.ContainsAny(e, "\r\n\t\x00<>\"(), ;:\\[]") {
		return "", invalidEmail()
	}
	a, err := mail.ParseAddress(e)
	if err != nil || a.Address != e || a.Name != "" {
		return "", invalidEmail()
	}
	at := strings.LastIndexByte(e, '@')
	if at < 1 || at == len(e)-1 || !strings.Contains(e[at+1:], ".") && e[at+1:] != "localhost" {
		return "", invalidEmail()
	}
	return e, nil
}

func invalidEmail() error {
	return quire.Errorf(quire.EINVALID, "Email is not a valid address.")
}
