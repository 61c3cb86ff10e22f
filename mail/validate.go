package mail

import (
	"net/mail"
	"net/url"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/quirehq/quire"
)

// Length limits. An address is at most 320 bytes (as in quire.User); a link
// must fit on one line of a 7-bit text part (998 octets, RFC 5322 2.1.1).
const (
	maxAddress = 320
	maxLink    = 900
	maxValue   = 200
	maxHeader  = 900
)

// invalid returns the EINVALID error for a refused message. The message
// names the field but never its value.
func invalid(field string) error {
	return quire.Errorf(quire.EINVALID, "The email %s is not valid.", field)
}

// ValidateAddress reports whether s is one email address, optionally with a
// display name, that is safe in an address header and in the SMTP envelope.
// It refuses control characters (CR and LF above all: header injection),
// lists of addresses, and anything net/mail.ParseAddress rejects. The error
// is a *quire.Error with code EINVALID.
func ValidateAddress(s string) error {
	_, err := parseAddress(s)
	return err
}

// parseAddress validates s as ValidateAddress does and returns it parsed.
func parseAddress(s string) (*mail.Address, error) {
	if s == "" || len(s) > maxAddress || hasControl(s) {
		return nil, invalid("address")
	}
	a, err := mail.ParseAddress(s)
	if err != nil || !envelopeSafe(a.Address) || hasControl(a.Name) {
		return nil, invalid("address")
	}
	return a, nil
}

// envelopeSafe reports whether addr (the bare addr-spec) can go between
// the angle brackets of MAIL FROM and RCPT TO unchanged: a quoted local
// part may hold spaces or brackets once unquoted, which the envelope cannot.
func envelopeSafe(addr string) bool {
	at := strings.LastIndexByte(addr, '@')
	if at <= 0 || at == len(addr)-1 {
		return false
	}
	return !strings.ContainsFunc(addr, func(r rune) bool {
		return unicode.IsSpace(r) || r == '<' || r == '>' || r == '"' || r == '\\'
	})
}

// ValidateHeaderValue reports whether s can be written as an unstructured
// header value (such as Subject): valid UTF-8 without control characters,
// so that it can never end the header early. The error is a *quire.Error
// with code EINVALID.
func ValidateHeaderValue(s string) error {
	if len(s) > maxHeader || hasControl(s) {
		return invalid("header")
	}
	return nil
}

// hasControl reports whether s is not valid UTF-8 or holds a control or
// line-separator character (CR, LF, NUL, DEL, U+0085, U+2028, U+2029 …).
func hasControl(s string) bool {
	if !utf8.ValidString(s) {
		return true
	}
	return strings.ContainsFunc(s, func(r rune) bool {
		return unicode.IsControl(r) || r == '\u2028' || r == '\u2029'
	})
}

// validateMessage checks m before any rendering: a known kind, a safe
// recipient, exactly the data keys the kind uses, and safe values.
func validateMessage(m Message) (*mail.Address, error) {
	fields, ok := kindFields[m.Kind]
	if !ok {
		return nil, invalid("kind")
	}
	to, err := parseAddress(m.To)
	if err != nil {
		return nil, err
	}
	if len(m.Data) != len(fields) {
		return nil, invalid("data")
	}
	for _, k := range fields {
		if err := validateValue(k, m.Data[k]); err != nil {
			return nil, err
		}
	}
	return to, nil
}

// validateValue checks one data value; a link must also be a safe URL.
func validateValue(key, v string) error {
	if key == "link" {
		return validateLink(v)
	}
	if v == "" || len(v) > maxValue || hasControl(v) {
		return invalid("data")
	}
	return nil
}

// validateLink accepts an absolute http:// or https:// URL (lower-case
// scheme) in printable ASCII, without credentials: it must survive a 7-bit
// text part unencoded and sit alone on its line so that a reader (or a
// test) can take it with a regexp.
func validateLink(v string) error {
	if v == "" || len(v) > maxLink || strings.ContainsFunc(v, func(r rune) bool { return r <= ' ' || r >= 0x7f }) {
		return invalid("link")
	}
	u, err := url.Parse(v)
	// The scheme is matched as written (url.Parse lower-cases it), so that a
	// reader's "https?://" pattern finds the link.
	if err != nil || !strings.HasPrefix(v, "https://") && !strings.HasPrefix(v, "http://") ||
		u.Host == "" || u.User != nil {
		return invalid("link")
	}
	return nil
}

// cleanDevice makes a device description (from the client, such as a
// User-Agent) safe as a data value: control characters become spaces,
// invalid UTF-8 the replacement character, and the result is cut to
// maxValue bytes on a rune boundary. It is shown rather than refused.
func cleanDevice(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == '\u2028' || r == '\u2029' {
			return ' '
		}
		return r
	}, s)
	s = strings.TrimSpace(s)
	for len(s) > maxValue {
		_, size := utf8.DecodeLastRuneInString(s)
		s = s[:len(s)-size]
	}
	if s == "" {
		return "unknown device"
	}
	return s
}
