package mail

import (
	"bytes"
	"net/mail"
	"strings"
	"testing"
	"time"
)

// allowedHeaders are the only header fields a built message may have; a
// fuzzed address that added another would be header injection.
var allowedHeaders = map[string]bool{
	"Auto-Submitted": true, "Date": true, "Mime-Version": true, "Message-Id": true,
	"Subject": true, "From": true, "To": true, "Content-Type": true,
}

// FuzzAddress checks that whatever ValidateAddress accepts yields exactly
// one recipient, the same one, in a message with no extra header; and that
// whatever it refuses is refused with EINVALID.
func FuzzAddress(f *testing.F) {
	for _, s := range []string{"alice@example.com", "Alice <alice@example.com>", `"A, B" <a@example.com>`,
		"a@example.com\r\nBcc: b@example.com", "=?utf-8?q?A=0D=0ABcc:_b@example.com?= <a@example.com>",
		"a@example.com, b@example.com", "Élise <élise@exemple.fr>", "(comment) a@example.com"} {
		f.Add(s)
	}
	from, err := parseFrom("")
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want, err := parseAddress(s)
		if err != nil {
			wantCode(t, err, "invalid_input")
			return
		}
		if strings.ContainsAny(s, "\r\n") {
			t.Fatalf("accepted %q with CR or LF", s)
		}
		msg, err := build(from, VerifyEmail(s, testLink), time.Unix(0, 0))
		if err != nil {
			t.Fatalf("build with accepted address %q: %v", s, err)
		}
		var raw bytes.Buffer
		if _, err := msg.WriteTo(&raw); err != nil {
			t.Fatal(err)
		}
		checkHeaders(t, s, raw.Bytes(), want.Address)
	})
}

// checkHeaders fails unless raw has only allowedHeaders, each once, and
// one To address equal to addr.
func checkHeaders(t *testing.T, s string, raw []byte, addr string) {
	t.Helper()
	parsed, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("address %q: message does not parse: %v", s, err)
	}
	for k, v := range parsed.Header {
		if !allowedHeaders[k] || len(v) != 1 {
			t.Fatalf("address %q produced header %q %q", s, k, v)
		}
	}
	to, err := parsed.Header.AddressList("To")
	if err != nil || len(to) != 1 || to[0].Address != addr {
		t.Fatalf("address %q: To = %v (%v), want one %q", s, to, err, addr)
	}
}

// FuzzHeaderValue checks that an accepted header value cannot end a header.
func FuzzHeaderValue(f *testing.F) {
	for _, s := range []string{"Subject", "a\r\nBcc: x", "a\u2028b", "é"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if err := ValidateHeaderValue(s); err != nil {
			wantCode(t, err, "invalid_input")
			return
		}
		if strings.ContainsAny(s, "\r\n\x00") {
			t.Fatalf("accepted %q", s)
		}
	})
}

// FuzzLink checks that an accepted link comes out of the text part, by the
// regexp readers use, exactly as it went in, and alone.
func FuzzLink(f *testing.F) {
	for _, s := range []string{testLink, "http://localhost/x", "javascript:alert(1)", "https://a.example/\nhttps://b.example/"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, link string) {
		m := ResetPassword("a@example.com", link)
		if _, err := validateMessage(m); err != nil {
			wantCode(t, err, "invalid_input")
			return
		}
		r, err := render(m)
		if err != nil {
			t.Fatalf("render %q: %v", link, err)
		}
		got := linkLine.FindAllStringSubmatch(r.text, -1)
		if len(got) != 1 || got[0][1] != link {
			t.Fatalf("link %q extracted as %q", link, got)
		}
	})
}
