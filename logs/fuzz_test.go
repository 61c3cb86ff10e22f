package logs

import (
	"regexp"
	"strings"
	"testing"
)

// The oracles below restate the rules independently of the scanners.
var (
	oracleEmail   = regexp.MustCompile(`[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}`)
	oracleDigits  = regexp.MustCompile(`[0-9](?:[ -]?[0-9])*`)
	oracleGroupSp = regexp.MustCompile(`[ -]`)
)

// oracleCard returns a card number found in s: a window of whole digit
// groups, 13–19 digits starting with 2–6, that passes the Luhn check.
func oracleCard(s string) string {
	for _, run := range oracleDigits.FindAllString(s, -1) {
		groups := oracleGroupSp.Split(run, -1)
		for i := range groups {
			digits := ""
			for j := i; j < len(groups); j++ {
				digits += groups[j]
				if len(digits) >= 13 && len(digits) <= 19 && digits[0] >= '2' && digits[0] <= '6' && oracleLuhn(digits) {
					return digits
				}
			}
		}
	}
	return ""
}

func oracleLuhn(digits string) bool {
	sum := 0
	for i := 0; i < len(digits); i++ {
		d := int(digits[len(digits)-1-i] - '0')
		if i%2 == 1 {
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
	}
	return sum%10 == 0
}

func FuzzMask(f *testing.F) {
	for _, s := range []string{
		"alice@example.com", "4111 1111 1111 1111", "20 4111-1111-1111-1111 9",
		"DE89 3704 0044 0532 0130 00", "Bearer abcdefghijklmnop", "sk-abcdefghijklmnopqrstuv",
		"eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig", "postgres://u:p@ss@h/db",
		"password=x&token=y", `{"api_key":"k"}`, "a@b.co4111111111111111@c.de",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := Mask(s)
		for _, e := range oracleEmail.FindAllString(s, -1) {
			if strings.Contains(out, e) {
				t.Fatalf("Mask(%q) = %q keeps the email %q", s, out, e)
			}
		}
		if e := oracleEmail.FindString(out); e != "" {
			t.Fatalf("Mask(%q) = %q holds an email %q", s, out, e)
		}
		if c := oracleCard(out); c != "" {
			t.Fatalf("Mask(%q) = %q holds the card number %q", s, out, c)
		}
		if again := Mask(out); again != out {
			t.Fatalf("Mask is not idempotent on %q: %q then %q", s, out, again)
		}
	})
}
