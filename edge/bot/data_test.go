package bot

import (
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// knownIncompatible lists the vendored patterns that Go's RE2 syntax
// rejects (lookarounds, backreferences, possessive quantifiers). For
// version 1.60.0 there are none. A refresh that brings one fails this
// test: add it here (it is skipped at load time) and check that its bot
// is still covered, or write an RE2 equivalent into the supplement.
var knownIncompatible = []string{}

func TestIncompatiblePatterns(t *testing.T) {
	es, err := parseEntries(vendoredJSON)
	if err != nil {
		t.Fatal(err)
	}
	var bad []string
	for _, e := range es {
		if _, err := regexp.Compile(e.Pattern); err != nil {
			bad = append(bad, e.Pattern)
			t.Logf("does not compile under RE2: %q: %v", e.Pattern, err)
		}
	}
	if !slices.Equal(bad, knownIncompatible) {
		t.Errorf("incompatible patterns = %q, want %q", bad, knownIncompatible)
	}
	m := mustMatcher(t)
	var skipped []string
	for _, b := range m.Incompatible() {
		skipped = append(skipped, b.Pattern)
	}
	if !slices.Equal(skipped, bad) {
		t.Errorf("matcher skipped %q, want %q", skipped, bad)
	}
	if got, want := len(m.Signatures()), len(es)-len(bad)+len(supplement); got != want {
		t.Errorf("matcher has %d signatures, want %d", got, want)
	}
}

// TestSignatureCount checks the figure of claim BOT-1 and logs the count
// per category.
func TestSignatureCount(t *testing.T) {
	m := mustMatcher(t)
	sigs := m.Signatures()
	if len(sigs) < 600 {
		t.Fatalf("%d compiled signatures, claim BOT-1 says 600+", len(sigs))
	}
	counts := map[Category]int{}
	for _, s := range sigs {
		counts[s.Category]++
	}
	var parts []string
	for _, c := range SignatureCategories {
		if counts[c] == 0 {
			t.Errorf("no signature in category %s", c)
		}
		parts = append(parts, string(c)+"="+strconv.Itoa(counts[c]))
	}
	if len(counts) != len(SignatureCategories) {
		t.Errorf("signatures use %d categories, want %d: %v", len(counts), len(SignatureCategories), counts)
	}
	t.Logf("%d signatures (crawler-user-agents %s + %d of our own): %s",
		len(sigs), DataVersion(), len(supplement), strings.Join(parts, " "))
}

func TestSignatureNames(t *testing.T) {
	for _, s := range mustMatcher(t).Signatures() {
		if s.Name == "" || len(s.Name) > maxName || quote(s.Name) == "(unprintable value)" {
			t.Errorf("signature %q: bad name %q", s.Pattern, s.Name)
		}
	}
}

// TestSupplementNotVendored keeps the supplement minimal: each of its
// examples must be missed by the vendored data (else drop the entry) and
// caught by its own pattern.
func TestSupplementNotVendored(t *testing.T) {
	m := mustMatcher(t)
	nv := len(m.sigs) - len(supplement)
	for _, e := range supplement {
		if len(e.Instances) == 0 {
			t.Errorf("supplement %q has no example", e.Pattern)
		}
		for _, ua := range e.Instances {
			if got := naiveMatches(m.res[:nv], ua); len(got) > 0 {
				t.Errorf("supplement %q: %q is already matched by vendored %q; remove the entry", e.Pattern, ua, m.sigs[got[0]].Pattern)
			}
			if !regexp.MustCompile(e.Pattern).MatchString(ua) {
				t.Errorf("supplement %q does not match its example %q", e.Pattern, ua)
			}
		}
		if c := categorize(e.Pattern, e.Tags); c != SecurityScanner {
			t.Errorf("supplement %q is %s, want security_scanner", e.Pattern, c)
		}
	}
	for _, s := range m.sigs[nv:] {
		if s.Source != sourceSupplement {
			t.Errorf("%q: source %q", s.Pattern, s.Source)
		}
	}
	if m.sigs[0].Source != sourceVendored {
		t.Errorf("first signature source %q", m.sigs[0].Source)
	}
}

func TestDataVersion(t *testing.T) {
	if !regexp.MustCompile(`^\d+\.\d+\.\d+$`).MatchString(DataVersion()) {
		t.Errorf("DataVersion() = %q, want x.y.z", DataVersion())
	}
}
