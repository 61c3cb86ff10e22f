package mail

import (
	"strings"
	"testing"
	"time"
)

func TestValidateAddress(t *testing.T) {
	good := []string{
		"alice@example.com",
		"Alice <alice@example.com>",
		`"Alice, the first" <alice@example.com>`,
		"<alice@example.com>",
		"élise@exemple.fr",
		"Élise <elise@example.com>",
	}
	for _, s := range good {
		if err := ValidateAddress(s); err != nil {
			t.Errorf("ValidateAddress(%q) = %v, want nil", s, err)
		}
	}
	bad := []string{
		"",
		"alice",
		"alice@",
		"@example.com",
		"alice@example.com\r\nBcc: evil@example.com",
		"alice@example.com\nBcc: evil@example.com",
		"alice@example.com\r",
		"alice@example.com\x00",
		"Alice\u2028 <alice@example.com>",
		"alice@example.com, bob@example.com",
		"alice@example.com; bob@example.com",
		"Alice <alice@example.com> Bob <bob@example.com>",
		`"a b"@example.com`,
		"=?utf-8?q?A=0D=0ABcc:_b@example.com?= <a@example.com>", // CRLF hidden in an encoded word
		`"a>b"@example.com`,
		"a\xffb@example.com",
		strings.Repeat("a", 310) + "@example.com",
	}
	for _, s := range bad {
		err := ValidateAddress(s)
		wantCode(t, err, "invalid_input")
		if strings.Contains(err.Error(), "example.com") {
			t.Errorf("error for %q names the address: %v", s, err)
		}
	}
}

func TestValidateHeaderValue(t *testing.T) {
	if err := ValidateHeaderValue("Confirm your email — Quire"); err != nil {
		t.Errorf("plain subject refused: %v", err)
	}
	for _, s := range []string{"a\r\nBcc: x@example.com", "a\nb", "a\rb", "a\x00", "a\u0085b", "a\u2029b", "\xff"} {
		wantCode(t, ValidateHeaderValue(s), "invalid_input")
	}
}

func TestValidateLink(t *testing.T) {
	for _, s := range []string{"https://quire.example/verify?t=abc&x=1", "http://127.0.0.1:8080/r#x"} {
		if err := validateLink(s); err != nil {
			t.Errorf("validateLink(%q) = %v", s, err)
		}
	}
	for _, s := range []string{"", "ftp://a.example/x", "data:text/html,x", "https://", "https://a.example/é",
		"https://a.example/\tx", "//a.example/x", "https://u@a.example/", strings.Repeat("x", 2000)} {
		wantCode(t, validateLink(s), "invalid_input")
	}
}

func TestNewSignInCleansDevice(t *testing.T) {
	tests := map[string]string{
		"Firefox\r\nBcc: x@example.com": "Firefox  Bcc: x@example.com",
		"  \x00 ":                       "unknown device",
		"a\xffb":                        "a\uFFFDb",
		strings.Repeat("é", 150):        strings.Repeat("é", 100),
	}
	for in, want := range tests {
		m := NewSignIn("a@example.com", time.Now(), in)
		if got := m.Data["device"]; got != want {
			t.Errorf("device(%q) = %q, want %q", in, got, want)
		}
		if _, err := validateMessage(m); err != nil {
			t.Errorf("cleaned device %q refused: %v", m.Data["device"], err)
		}
	}
}

func TestTextEncoding(t *testing.T) {
	if got := textEncoding("Hello\r\n" + testLink + "\r\n"); got != "8bit" {
		t.Errorf("ASCII text encoded as %q, want it unencoded", got)
	}
	if got := textEncoding("Grüße\r\n"); got != "quoted-printable" {
		t.Errorf("non-ASCII text encoded as %q", got)
	}
	if got := textEncoding(strings.Repeat("a", 999)); got != "quoted-printable" {
		t.Errorf("overlong line encoded as %q", got)
	}
}
