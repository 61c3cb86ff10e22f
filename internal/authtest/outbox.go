package authtest

import (
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// linkLine finds a link on a line of its own, as the text part of every
// message carries it.
var linkLine = regexp.MustCompile(`(?m)^(https?://[^\s<>"]+)\r?$`)

// Files returns the outbox's .eml files of a kind ("verify_email",
// "reset_password", …; "" for all), oldest first.
func Files(t testing.TB, outbox, kind string) []string {
	t.Helper()
	entries, err := os.ReadDir(outbox)
	if err != nil && !os.IsNotExist(err) {
		t.Fatalf("authtest: read outbox: %v", err)
	}
	var out []string
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".eml") && strings.Contains(e.Name(), "-"+kind) {
			out = append(out, filepath.Join(outbox, e.Name()))
		}
	}
	slices.Sort(out) // names start with a UTC timestamp
	return out
}

// Link returns the link in the newest message of the kind, or fails the
// test if there is none.
func Link(t testing.TB, outbox, kind string) *url.URL {
	t.Helper()
	files := Files(t, outbox, kind)
	if len(files) == 0 {
		t.Fatalf("authtest: no %s email in the outbox", kind)
	}
	b, err := os.ReadFile(files[len(files)-1])
	if err != nil {
		t.Fatalf("authtest: read email: %v", err)
	}
	m := linkLine.FindSubmatch(b)
	if m == nil {
		t.Fatalf("authtest: no link on a line of its own in the %s email", kind)
	}
	u, err := url.Parse(string(m[1]))
	if err != nil {
		t.Fatalf("authtest: link in the %s email: %v", kind, err)
	}
	return u
}

// Token returns the token of the link in the newest message of the kind.
func Token(t testing.TB, outbox, kind string) string {
	t.Helper()
	tok := Link(t, outbox, kind).Query().Get("token")
	if tok == "" {
		t.Fatalf("authtest: the %s link has no token", kind)
	}
	return tok
}
