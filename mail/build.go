package mail

import (
	"crypto/rand"
	"net/mail"
	"strings"
	"time"

	gomail "github.com/wneessen/go-mail"

	"github.com/quirehq/quire"
)

// maxLine is the longest line a part may carry unencoded (RFC 5322 2.1.1).
const maxLine = 998

// parseFrom validates a configured sender address; "" means DefaultFrom.
func parseFrom(s string) (*mail.Address, error) {
	if s == "" {
		s = DefaultFrom
	}
	a, err := parseAddress(s)
	if err != nil {
		return nil, quire.Errorf(quire.EINVALID, "The email sender address is not valid.")
	}
	return a, nil
}

// build validates m and returns it as a go-mail message from from, dated
// now: a text part and an HTML alternative, no User-Agent header.
func build(from *mail.Address, m Message, now time.Time) (*gomail.Msg, error) {
	to, err := validateMessage(m)
	if err != nil {
		return nil, err
	}
	r, err := render(m)
	if err != nil {
		return nil, quire.WrapError(quire.EINTERNAL, "The email could not be built.", err)
	}
	msg := gomail.NewMsg(gomail.WithNoDefaultUserAgent())
	msg.FromMailAddress(from)
	msg.ToMailAddress(to)
	msg.Subject(r.subject)
	msg.SetDateWithValue(now)
	msg.SetMessageIDWithValue(rand.Text() + "@" + domainOf(from.Address))
	// RFC 3834: no vacation or out-of-office replies to a notice.
	msg.SetGenHeader(gomail.Header("Auto-Submitted"), "auto-generated")
	msg.SetBodyString(gomail.TypeTextPlain, r.text, gomail.WithPartEncoding(textEncoding(r.text)))
	msg.AddAlternativeString(gomail.TypeTextHTML, r.html)
	return msg, nil
}

// domainOf returns the part of addr after its last "@".
func domainOf(addr string) string {
	return addr[strings.LastIndexByte(addr, '@')+1:]
}

// textEncoding keeps the text part as it is when it is short-lined ASCII,
// so that a link stays whole on its own line (quoted-printable would
// break long lines and turn "=" into "=3D"); anything else is encoded.
func textEncoding(text string) gomail.Encoding {
	for _, line := range strings.Split(text, "\r\n") {
		if len(line) > maxLine || strings.ContainsFunc(line, func(r rune) bool { return r >= 0x80 }) {
			return gomail.EncodingQP
		}
	}
	return gomail.NoEncoding
}
