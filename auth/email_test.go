package auth_test

import (
	"strings"
	"testing"

	"github.com/quirehq/quire/auth"
)

func TestNormaliseEmail(t *testing.T) {
	for in, want := range map[string]string{
		"Ada@Example.com":     "ada@example.com",
		"  ada@example.com\t": "ada@example.com",
		"ＡＤＡ@ｅｘａｍｐｌｅ.com":     "ada@example.com", // full-width forms fold under NFKC
		"dev@localhost":       "dev@localhost",
	} {
		if got, err := auth.NormaliseEmail(in); err != nil || got != want {
			t.Errorf("NormaliseEmail(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{"", "plain", "@example.com", "a@", "a@b", "a@example.com\r\nBcc: x@example.com",
		"A <a@example.com>", "a@example.com, b@example.com", "\xff@example.com", strings.Repeat("a", 250) + "@example.com"} {
		if got, err := auth.NormaliseEmail(in); err == nil {
			t.Errorf("NormaliseEmail(%q) = %q, want an error", in, got)
		}
	}
}

func FuzzNormaliseEmail(f *testing.F) {
	for _, s := range []string{"a@example.com", "A <a@b.c>", "a@b.c\r\nX: y", "ＡＤＡ@ｅｘａｍｐｌｅ.com"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		out, err := auth.NormaliseEmail(in)
		if err != nil {
			return
		}
		if strings.ContainsAny(out, "\r\n<>,") || len(out) > 254 || strings.ToLower(out) != out {
			t.Fatalf("NormaliseEmail(%q) = %q: unsafe in a header or not normal", in, out)
		}
		if again, err := auth.NormaliseEmail(out); err != nil || again != out {
			t.Fatalf("not idempotent: %q → %q → %q (%v)", in, out, again, err)
		}
	})
}
