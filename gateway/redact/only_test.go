package redact

import (
	"strings"
	"testing"
)

func TestOnly(t *testing.T) {
	r := mustRedactor(t)
	text := "Mail ada@example.com or call +44 20 7946 0958."
	only := r.Only([]Kind{Email})
	got := only.Session().Redact(text)
	if strings.Contains(got, "ada@example.com") || !strings.Contains(got, "+44 20 7946 0958") {
		t.Fatalf("email only: %q", got)
	}
	if !only.Enabled(Email) || only.Enabled(Phone) || only.Enabled(Secret) {
		t.Fatal("Only enabled the wrong kinds")
	}
	if r.Only(nil) != r {
		t.Fatal("Only(nil) is not the redactor itself")
	}
	narrow, err := New(Options{Kinds: []Kind{Phone}})
	if err != nil {
		t.Fatal(err)
	}
	if narrow.Only([]Kind{Email}).Enabled(Email) {
		t.Fatal("Only widened a redactor beyond its own kinds")
	}
	if got := r.Session().Redact(text); strings.Contains(got, "+44 20 7946 0958") {
		t.Fatalf("Only changed the original: %q", got)
	}
}
