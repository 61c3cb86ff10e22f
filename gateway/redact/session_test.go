package redact

import (
	"errors"
	"maps"
	"strings"
	"testing"
	"unsafe"
)

func TestKinds(t *testing.T) {
	for _, k := range AllKinds() {
		got, ok := ParseKind(k.String())
		if !ok || got != k {
			t.Errorf("ParseKind(%q) = %v, %v", k.String(), got, ok)
		}
	}
	want := []string{"email", "phone", "card", "iban", "national_id", "ip", "secret"}
	for i, k := range AllKinds() {
		if k.String() != want[i] {
			t.Errorf("kind %d is %q, want %q", k, k, want[i])
		}
	}
	for _, s := range []string{"", "Email", "ssn", "unknown"} {
		if _, ok := ParseKind(s); ok {
			t.Errorf("ParseKind(%q) succeeded", s)
		}
	}
	if Kind(0).String() != "unknown" || Kind(99).String() != "unknown" {
		t.Error("invalid kinds have a name")
	}
	if _, err := New(Options{Kinds: []Kind{Email, 42}}); !errors.Is(err, ErrUnknownKind) {
		t.Errorf("New with kind 42: %v", err)
	}
}

func TestRedactRestore(t *testing.T) {
	s := mustRedactor(t).Session()
	in := "Mail bob@example.com or call +44 20 7946 0958; bob@example.com again, then alice@example.org."
	want := "Mail [EMAIL_1] or call [PHONE_1]; [EMAIL_1] again, then [EMAIL_2]."
	got := s.Redact(in)
	if got != want {
		t.Fatalf("Redact:\n got %q\nwant %q", got, want)
	}
	if back := s.Restore(got); back != in {
		t.Errorf("Restore: %q", back)
	}
	// The model's own wording around placeholders survives, unknown
	// placeholders stay, and the same session keeps its numbering.
	if got := s.Restore("Wrote to [EMAIL_2], not [EMAIL_3] nor [PHONE_9]."); got != "Wrote to alice@example.org, not [EMAIL_3] nor [PHONE_9]." {
		t.Errorf("Restore answer: %q", got)
	}
	if got := s.Redact("cc alice@example.org and carol@example.net"); got != "cc [EMAIL_2] and [EMAIL_3]" {
		t.Errorf("second Redact: %q", got)
	}
	if got, want := s.Counts(), map[Kind]int{Email: 5, Phone: 1}; !maps.Equal(got, want) {
		t.Errorf("Counts = %v, want %v", got, want)
	}
}

// TestStableNumbering: numbering follows first appearance, so a
// conversation sent again (one session per request) keeps its
// placeholders, with new values numbered after the old.
func TestStableNumbering(t *testing.T) {
	r := mustRedactor(t)
	turn1 := []string{"I am dana@example.com", "Card 4111 1111 1111 1111"}
	turn2 := append(turn1, "Also erin@example.com and dana@example.com")
	a := r.Session().RedactTexts(turn1)
	b := r.Session().RedactTexts(turn2)
	for i := range a {
		if a[i] != b[i] {
			t.Errorf("turn %d: %q then %q", i, a[i], b[i])
		}
	}
	if b[2] != "Also [EMAIL_2] and [EMAIL_1]" {
		t.Errorf("new turn: %q", b[2])
	}
	if r.Session().RedactTexts(nil) != nil {
		t.Error("RedactTexts(nil) != nil")
	}
}

// TestPlaceholderCollision: text the client wrote that looks like a
// placeholder is replaced like an entity, so Restore gives it back as
// written and never turns it into someone's address.
func TestPlaceholderCollision(t *testing.T) {
	s := mustRedactor(t).Session()
	in := "Template: Dear [EMAIL_1], reply to frank@example.com. [PHONE_1] is a field."
	red := s.Redact(in)
	if want := "Template: Dear [EMAIL_1], reply to [EMAIL_2]. [PHONE_1] is a field."; red != want {
		t.Fatalf("Redact:\n got %q\nwant %q", red, want)
	}
	if back := s.Restore(red); back != in {
		t.Errorf("Restore: %q", back)
	}
	// The model quotes the client's literal and uses the real placeholder.
	if got := s.Restore("Use [EMAIL_1] for the name; send to [EMAIL_2]."); got != "Use [EMAIL_1] for the name; send to frank@example.com." {
		t.Errorf("answer: %q", got)
	}
	// The literal comes first here, so the address is EMAIL_2; in the
	// other order the address is EMAIL_1 and the literal EMAIL_2.
	s2 := mustRedactor(t).Session()
	in2 := "frank@example.com wrote [EMAIL_1] in his template"
	red2 := s2.Redact(in2)
	if red2 != "[EMAIL_1] wrote [EMAIL_2] in his template" {
		t.Errorf("Redact: %q", red2)
	}
	if got := s2.Restore("[EMAIL_2] belongs to [EMAIL_1]"); got != "[EMAIL_1] belongs to frank@example.com" {
		t.Errorf("answer: %q", got)
	}
	if c := s2.Counts(); c[Email] != 1 {
		t.Errorf("literals counted: %v", c)
	}
	// A literal in a later text of the same session does not reuse the
	// number of a real value.
	if got := s2.Redact("see [EMAIL_1]"); got != "see [EMAIL_2]" {
		t.Errorf("later literal: %q", got)
	}
}

func TestRoundTripSamples(t *testing.T) {
	s := mustRedactor(t).Session()
	texts := []string{
		readTestdata(t, "prose.txt"),
		entitiesText(t),
		"[[EMAIL_1]] [EMAIL_1][EMAIL_2] [[[ ]]] [EMAIL_" + "1]",
		"",
		"no entities at all",
	}
	for _, v := range sampleSecrets() {
		texts = append(texts, "k="+v+"\n")
	}
	for _, in := range texts {
		if back := s.Restore(s.Redact(in)); back != in {
			t.Errorf("round trip of %.40q… changed it", in)
		}
	}
}

// TestEntitiesFile redacts a prose text seeded with one entity of each
// kind (and a few repeats) and checks what is left.
func TestEntitiesFile(t *testing.T) {
	s := mustRedactor(t).Session()
	in := entitiesText(t)
	out := s.Redact(in)
	for _, leak := range []string{"grace.hopper@example.com", "7946 0958", "4111", "DE89", "536-22", "AB 12", "198.51.100.23", "2001:db8", "ghp_"} {
		if strings.Contains(out, leak) {
			t.Errorf("%q is still in the redacted text", leak)
		}
	}
	want := map[Kind]int{Email: 2, Phone: 2, CardNumber: 1, IBAN: 1, NationalID: 2, IPAddress: 2, Secret: 1}
	if got := s.Counts(); !maps.Equal(got, want) {
		t.Errorf("Counts = %v, want %v", got, want)
	}
	if s.Restore(out) != in {
		t.Error("round trip failed")
	}
}

func TestKindSubset(t *testing.T) {
	r, err := New(Options{Kinds: []Kind{Email, IPAddress}})
	if err != nil {
		t.Fatal(err)
	}
	if !r.Enabled(Email) || r.Enabled(Phone) || r.Enabled(Secret) || r.Enabled(Kind(0)) {
		t.Error("Enabled is wrong")
	}
	s := r.Session()
	in := "bob@example.com +44 20 7946 0958 4111 1111 1111 1111 10.1.2.3 [PHONE_1]"
	got := s.Redact(in)
	if want := "[EMAIL_1] +44 20 7946 0958 4111 1111 1111 1111 [IP_1] [PHONE_1]"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if s.Restore(got) != in {
		t.Error("round trip failed")
	}
}

// TestValuesNotPinned: the session copies what it keeps, so a request's
// text is not held alive by a substring.
func TestValuesNotPinned(t *testing.T) {
	s := mustRedactor(t).Session()
	in := strings.Repeat("x", 1000) + " bob@example.com"
	s.Redact(in)
	for _, v := range s.values {
		if len(v) != len("bob@example.com") {
			t.Fatal("unexpected value")
		}
	}
	// Equal strings, not shared memory.
	if unsafe.StringData(s.values["[EMAIL_1]"]) == unsafe.StringData(in[1001:]) {
		t.Error("value shares memory with the input")
	}
}

// TestConcurrentSessions shares one Redactor between goroutines (run with
// -race).
func TestConcurrentSessions(t *testing.T) {
	r := mustRedactor(t)
	in := entitiesText(t)
	want := r.Session().Redact(in)
	done := make(chan string)
	for range 8 {
		go func() {
			s := r.Session()
			out := s.Redact(in)
			if s.Restore(out) != in {
				out = "round trip failed"
			}
			done <- out
		}()
	}
	for range 8 {
		if got := <-done; got != want {
			t.Errorf("concurrent session: %.60q", got)
		}
	}
}
