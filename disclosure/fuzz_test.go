package disclosure_test

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/quirehq/quire/disclosure"
	"github.com/quirehq/quire/trust"
)

// FuzzSecurityTxtRoundTrip renders security.txt from arbitrary
// configuration values: the file always parses as RFC 9116, holds one
// Expires and one Canonical and at least one Contact, and every value it
// holds is one that was configured (or the intake), unchanged but for the
// blanks around it.
func FuzzSecurityTxtRoundTrip(f *testing.F) {
	f.Add("mailto:security@example.com", "https://example.com/security", "https://example.com/policy", "en", "https://example.com/thanks", "https://example.com/jobs", "openpgp4fpr:5f2d", int64(30*24*time.Hour))
	f.Add("https://x/\r\nHiring: evil", " tel:+1-201-555-0123 ", "", "en, de", "\u2028", "\xff", "#", int64(-1))
	f.Add("", "", "  ", "\x85", "a\tb", "Contact: x", "x\u0085y", int64(1<<62))
	f.Fuzz(func(t *testing.T, c1, c2, policy, lang, ack, hiring, enc string, after int64) {
		for _, v := range []string{c1, c2, policy, lang, ack, hiring, enc} {
			if len(v) > 500 { // configuration refuses longer values
				t.Skip()
			}
		}
		cfg := disclosure.TxtConfig{Contacts: []string{c1, c2}, Policy: policy, PreferredLanguages: []string{lang},
			Acknowledgments: ack, Hiring: hiring, Encryption: enc, ExpiresAfter: time.Duration(after)}
		const base = "https://quire.test"
		body := cfg.Render(base, time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC))
		txt, err := trust.ParseSecurityTxt(body)
		if err != nil {
			t.Fatalf("the file does not parse: %v\n%q", err, body)
		}
		if len(txt.Values("Expires")) != 1 || len(txt.Values("Contact")) == 0 {
			t.Fatalf("Expires %q, Contact %q", txt.Values("Expires"), txt.Values("Contact"))
		}
		if got := txt.Values("Canonical"); len(got) != 1 || got[0] != base+disclosure.WellKnownPath {
			t.Fatalf("Canonical %q", got)
		}
		allowed := map[string]bool{base + disclosure.IntakePath: true}
		for _, v := range []string{c1, c2, policy, lang, ack, hiring, enc} {
			allowed[strings.Trim(v, " \t")] = true
		}
		for name, values := range txt.Fields {
			if name == "expires" || name == "canonical" {
				continue
			}
			for _, v := range values {
				if !allowed[v] {
					t.Fatalf("%s: %q was not configured\n%q", name, v, body)
				}
			}
		}
	})
}

// FuzzSubmissionCheck feeds the intake's validation arbitrary fields: it
// never panics, and what it accepts is a report every store accepts, with
// a one-line title and details without CR.
func FuzzSubmissionCheck(f *testing.F) {
	f.Add("a@example.com", "t", "d")
	f.Add(" Reporter+tag@Example.COM ", " title ", "line\r\nline\rline")
	f.Add("a@b@c", "one\ntwo", "\xff")
	f.Add("Eve <eve@example.com>", "\u2028", strings.Repeat("x\r\n", 10001))
	f.Fuzz(func(t *testing.T, email, title, details string) {
		r, err := disclosure.Prepare(disclosure.Submission{Email: email, Title: title, Details: details})
		if err != nil {
			return
		}
		if verr := r.Validate(); verr != nil {
			t.Fatalf("prepared a report that does not validate: %v", verr)
		}
		if strings.ContainsAny(r.Details, "\r") || strings.ContainsAny(r.Title, "\r\n") || strings.TrimSpace(r.Title) != r.Title {
			t.Fatalf("title %q or details keep a line break they should not", r.Title)
		}
		if !utf8.ValidString(r.Email) || strings.ContainsAny(r.Email, " \r\n<>") || strings.Count(r.Email, "@") < 1 {
			t.Fatalf("accepted address %q", r.Email)
		}
	})
}
