package breach

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

// rare is a password that is in no offline list.
const rare = "vellum orchid tangent quarry 47"

func TestSplitHash(t *testing.T) {
	p, s := splitHash("password")
	if p != "5BAA6" || s != "1E4C9B93F3F0682250B6CF8331B7EE68FD8" {
		t.Fatalf("splitHash(password) = %s, %s", p, s)
	}
}

func TestRangeFound(t *testing.T) {
	f := &fakeHIBP{breached: map[string]int{rare: 42, "another one": 7}}
	_, o := serve(t, f, nil)
	c := mustNew(t, o)
	r, err := c.Lookup(context.Background(), rare)
	if err != nil || !r.Breached || r.Offline || r.Count != 42 || r.RangeErr != nil {
		t.Fatalf("Lookup = %+v, %v; want breached by the range API with count 42", r, err)
	}
	if s := c.Stats(); s.RangeHits != 1 || s.Checks != 1 || s.RangeFailures != 0 {
		t.Fatalf("Stats = %+v", s)
	}
}

func TestRangeNotFound(t *testing.T) {
	_, o := serve(t, &fakeHIBP{breached: map[string]int{"another one": 7}}, nil)
	if ok, err := mustNew(t, o).Check(context.Background(), rare); ok || err != nil {
		t.Fatalf("Check = %v, %v; want false, nil", ok, err)
	}
}

func TestRangePaddingNeverMatches(t *testing.T) {
	f := &fakeHIBP{decoys: []string{sha1Hex(rare)[5:]}}
	_, o := serve(t, f, nil)
	if ok, err := mustNew(t, o).Check(context.Background(), rare); ok || err != nil {
		t.Fatalf("Check with our suffix as a count-0 decoy = %v, %v; want false, nil", ok, err)
	}
}

func TestRangeFormats(t *testing.T) {
	for name, f := range map[string]*fakeHIBP{
		"lower-case suffixes": {breached: map[string]int{rare: 3}, lower: true},
		"LF line endings":     {breached: map[string]int{rare: 3}, newline: "\n"},
	} {
		_, o := serve(t, f, nil)
		if ok, err := mustNew(t, o).Check(context.Background(), rare); !ok || err != nil {
			t.Errorf("%s: Check = %v, %v; want true, nil", name, ok, err)
		}
	}
}

// TestRangeRequestCarriesOnlyPrefix checks the request on the wire.
func TestRangeRequestCarriesOnlyPrefix(t *testing.T) {
	f := &fakeHIBP{}
	_, o := serve(t, f, nil)
	if _, err := mustNew(t, o).Check(context.Background(), rare); err != nil {
		t.Fatal(err)
	}
	reqs := f.requests()
	if len(reqs) != 1 {
		t.Fatalf("%d requests, want 1", len(reqs))
	}
	dump, full := reqs[0], sha1Hex(rare)
	for _, want := range []string{"GET /range/" + full[:5] + " HTTP/", "Add-Padding: true\r\n", "User-Agent: Quire\r\n"} {
		if !bytes.Contains(dump, []byte(want)) {
			t.Errorf("request lacks %q:\n%s", want, dump)
		}
	}
	low := bytes.ToLower(dump)
	for _, secret := range []string{rare, full[5:], full[5:15], full[30:]} {
		if bytes.Contains(low, []byte(strings.ToLower(secret))) {
			t.Errorf("request carries %q (password or hash suffix):\n%s", secret, dump)
		}
	}
}
