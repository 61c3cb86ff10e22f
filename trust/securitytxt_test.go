package trust

import (
	"net/url"
	"strings"
	"testing"
	"time"
)

// goodTxt is a valid security.txt served from https://quire.example.com,
// expiring 30 days after txtNow.
const goodTxt = "# comment\r\nContact: mailto:security@example.com\nContact: https://quire.example.com/security/report\n\n" +
	"Expires: 2026-04-03T05:06:07Z\nPreferred-Languages: en, de\ncanonical: https://quire.example.com/.well-known/security.txt\n" +
	"Policy: https://quire.example.com/security/report\n"

var (
	txtNow     = time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)
	txtFetched = &url.URL{Scheme: "https", Host: "quire.example.com", Path: "/.well-known/security.txt"}
)

func TestParseSecurityTxt(t *testing.T) {
	s, err := ParseSecurityTxt([]byte(goodTxt))
	if err != nil {
		t.Fatal(err)
	}
	if got := s.Values("contact"); len(got) != 2 || got[1] != "https://quire.example.com/security/report" {
		t.Fatalf("contacts %q", got)
	}
	if got := s.Values("CANONICAL"); len(got) != 1 {
		t.Fatalf("field names must be case-insensitive: %q", got)
	}
	problems, exp := s.Problems(txtNow, txtFetched, "")
	if len(problems) != 0 || !exp.Equal(txtNow.Add(30*24*time.Hour)) {
		t.Fatalf("problems %q, expires %v", problems, exp)
	}
	// url.JoinPath leaves the leading slash off a URL that had no path.
	joined := (&url.URL{Scheme: "https", Host: "quire.example.com"}).JoinPath("/.well-known/security.txt")
	if problems, _ := s.Problems(txtNow, joined); len(problems) != 0 {
		t.Fatalf("joined URL %q: %q", joined.Path, problems)
	}
	// A server reached at a local address under its public name.
	local := &url.URL{Scheme: "https", Host: "127.0.0.1:8443", Path: "/.well-known/security.txt"}
	if problems, _ := s.Problems(txtNow, local, "", "quire.example.com"); len(problems) != 0 {
		t.Fatalf("public name: %q", problems)
	}
	if problems, _ := s.Problems(txtNow, local, "quire.example.com:8443"); len(problems) != 1 || !strings.Contains(problems[0], "Canonical") {
		t.Fatalf("local address without the public name: %q", problems)
	}
}

func TestParseSecurityTxtRefuses(t *testing.T) {
	for name, src := range map[string]string{
		"not a field":       "Contact mailto:a@example.com\n",
		"empty value":       "Contact:   \n",
		"bad name":          "Con tact: x\n",
		"control character": "Contact: https://a.example/\x1b[31m\n",
		"bare CR":           "Contact: https://a.example/\rExpires: x\n",
		"signed":            "-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA256\n\nContact: x\n",
		"not UTF-8":         "Contact: \xff\n",
		"too large":         "# " + strings.Repeat("x", MaxSecurityTxt) + "\n",
	} {
		if _, err := ParseSecurityTxt([]byte(src)); err == nil {
			t.Errorf("%s: parsed", name)
		} else if strings.Contains(err.Error(), "mailto") || strings.Contains(err.Error(), "\x1b") {
			t.Errorf("%s: the error quotes the file: %v", name, err)
		}
	}
}

func TestSecurityTxtProblems(t *testing.T) {
	replace := func(old, new string) string { return strings.Replace(goodTxt, old, new, 1) }
	tests := []struct {
		name, src, want string
	}{
		{"no contact", strings.NewReplacer("Contact: mailto:security@example.com\n", "", "Contact: https://quire.example.com/security/report\n", "").Replace(goodTxt), "no Contact"},
		{"http contact", replace("mailto:security@example.com", "http://example.com"), "not a mailto:, https: or tel: URI"},
		{"no expires", replace("Expires: 2026-04-03T05:06:07Z\n", ""), "Expires appears 0 times"},
		{"two expires", replace("Expires: 2026-04-03T05:06:07Z\n", "Expires: 2026-04-03T05:06:07Z\nExpires: 2026-04-04T05:06:07Z\n"), "Expires appears 2 times"},
		{"expired", replace("2026-04-03T05:06:07Z", "2026-03-04T05:06:07Z"), "Expires has passed"},
		{"a year ahead", replace("2026-04-03T05:06:07Z", "2027-03-04T05:06:07Z"), "a year or more ahead"},
		{"not RFC 3339", replace("2026-04-03T05:06:07Z", "Fri, 3 Apr 2026 05:06:07 GMT"), "not an RFC 3339"},
		{"no canonical", replace("canonical: https://quire.example.com/.well-known/security.txt\n", ""), "no Canonical field"},
		{"other host", replace("https://quire.example.com/.well-known", "https://evil.example/.well-known"), "no Canonical names the URL"},
		{"other path", replace("/.well-known/security.txt", "/security.txt"), "no Canonical names the URL"},
		{"http canonical", replace("https://quire.example.com/.well-known", "http://quire.example.com/.well-known"), "not an https:// URI"},
		{"two languages fields", goodTxt + "Preferred-Languages: fr\n", "Preferred-Languages appears 2 times"},
	}
	for _, tt := range tests {
		s, err := ParseSecurityTxt([]byte(tt.src))
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		problems, _ := s.Problems(txtNow, txtFetched)
		if !strings.Contains(strings.Join(problems, "\n"), tt.want) {
			t.Errorf("%s: problems %q, want one with %q", tt.name, problems, tt.want)
		}
	}
}

// FuzzParseSecurityTxt feeds the parser arbitrary files: it never panics,
// and what it accepts holds only field names that are tokens and values
// without line breaks or surrounding space, which Problems then judges
// without panicking either.
func FuzzParseSecurityTxt(f *testing.F) {
	f.Add([]byte(goodTxt))
	f.Add([]byte("Contact: tel:+1-201-555-0123\r\nExpires: 2026-04-03T05:06:07+02:00\r\n"))
	f.Add([]byte("#\n\n\t\nA:b:c\n"))
	f.Add([]byte("-----BEGIN PGP SIGNED MESSAGE-----\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		s, err := ParseSecurityTxt(b)
		if err != nil {
			return
		}
		for name, values := range s.Fields {
			if !fieldName(name) || name != strings.ToLower(name) || len(values) == 0 {
				t.Fatalf("field %q with %d values", name, len(values))
			}
			for _, v := range values {
				if v == "" || strings.ContainsAny(v, "\r\n") || strings.Trim(v, " \t") != v {
					t.Fatalf("value %q of %s", v, name)
				}
			}
		}
		s.Problems(txtNow, txtFetched, "quire.example.com")
	})
}
