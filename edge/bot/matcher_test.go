package bot

import (
	"math/bits"
	"math/rand/v2"
	"regexp"
	"regexp/syntax"
	"slices"
	"strings"
	"testing"
)

// TestMatcherAgreesOnInstances runs every example of every signature
// through the matcher and through the naive loop: the prefilter must keep
// every signature that matches, the example's own signature must be among
// them, and the matcher's choices (the first match; the first verifiable
// claim, else the first match) must be the naive loop's.
// It is the slowest test (about 0.3 s, 30 s under -race), so it runs in
// parallel with the others.
func TestMatcherAgreesOnInstances(t *testing.T) {
	t.Parallel()
	m := mustMatcher(t)
	claimers := &mustNew(t, DefaultConfig()).claimers
	es, err := parseEntries(vendoredJSON)
	if err != nil {
		t.Fatal(err)
	}
	es = append(es, supplement...)
	n := 0
	for _, e := range es {
		for _, ua := range e.Instances {
			n++
			want := naiveMatches(m.res, ua)
			cand := candidates(m, ua)
			for _, i := range want {
				if !cand.has(i) {
					t.Errorf("%q: prefilter drops matching %q", ua, m.sigs[i].Pattern)
				}
			}
			if !slices.ContainsFunc(want, func(i int32) bool { return m.sigs[i].Pattern == e.Pattern }) {
				t.Errorf("%q: own pattern %q not matched", ua, e.Pattern)
			}
			if s, ok := m.Match(ua); !ok || s.Pattern != m.sigs[want[0]].Pattern {
				t.Errorf("Match(%q) = %q, %v; want %q", ua, s.Pattern, ok, m.sigs[want[0]].Pattern)
			}
			if got, want := m.first(ua, claimers), naivePreferred(m.res, ua, claimers); got != want {
				t.Errorf("first(%q, claimers) = %d, want %d", ua, got, want)
			}
		}
	}
	if n < 1000 {
		t.Fatalf("only %d examples checked", n)
	}
	t.Logf("%d examples agree", n)
}

// moreBrowserUAs are real browser User-Agents beyond browserUAs, which
// the matcher never saw when it chose its factors.
var moreBrowserUAs = []string{
	"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36",
	"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4.1 Safari/605.1.15",
	"Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:125.0) Gecko/20100101 Firefox/125.0",
	"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36 Edg/124.0.2478.80",
	"Mozilla/5.0 (iPhone; CPU iPhone OS 16_7_8 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/16.6 Mobile/15E148 Safari/604.1",
	"Mozilla/5.0 (Linux; Android 13; SM-A536B) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.6367.113 Mobile Safari/537.36",
	"Mozilla/5.0 (Linux; Android 12; moto g(60)) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/123.0.0.0 Mobile Safari/537.36",
	"Mozilla/5.0 (Linux; U; Android 13; en-us; Redmi Note 12 Build/TKQ1.221114.001) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/112.0.5615.136 Mobile Safari/537.36 XiaoMi/MiuiBrowser/14.9.1-gn",
	"Mozilla/5.0 (Linux; Android 14; Pixel 7 Build/AP1A.240405.002; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/124.0.6367.82 Mobile Safari/537.36",
	"Mozilla/5.0 (X11; Fedora; Linux x86_64; rv:124.0) Gecko/20100101 Firefox/124.0",
	"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36 Edg/124.0.0.0",
	"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Brave Chrome/124.0.0.0 Safari/537.36",
	"Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) EdgiOS/124.0.2478.50 Version/17.0 Mobile/15E148 Safari/604.1",
	"Mozilla/5.0 (Linux; Android 14; SAMSUNG SM-S911B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/25.0 Chrome/121.0.0.0 Mobile Safari/537.36",
	"Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Mobile Safari/537.36 OPR/81.1.4292.78446",
	"Mozilla/5.0 (X11; Linux aarch64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36",
	"Mozilla/5.0 (iPad; CPU OS 16_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/124.0.6367.88 Mobile/15E148 Safari/604.1",
	"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36 Avast/124.0.0.0",
}

func TestBrowsersDoNotMatch(t *testing.T) {
	m := mustMatcher(t)
	cands := 0
	for _, ua := range append(slices.Clone(browserUAs), moreBrowserUAs...) {
		if got := naiveMatches(m.res, ua); len(got) > 0 {
			t.Errorf("browser %q matches signature %q", ua, m.sigs[got[0]].Pattern)
		}
		if s, ok := m.Match(ua); ok {
			t.Errorf("browser %q: Match = %q", ua, s.Pattern)
		}
		cand := candidates(m, ua)
		for _, w := range cand {
			for ; w != 0; w &= w - 1 {
				cands++
			}
		}
	}
	// The fast path: browsers should leave (almost) no regexp to run.
	if n := len(browserUAs) + len(moreBrowserUAs); cands > n/4 {
		t.Errorf("%d prefilter candidates over %d browser User-Agents; the fast path is lost", cands, n)
	}
}

func TestFactors(t *testing.T) {
	cases := []struct {
		pattern string
		want    []string // nil: no usable factor
	}{
		{`Googlebot\/`, []string{"googlebot/"}},
		{`[cC]laude[bB]ot`, []string{"claudebot"}},
		{`Ahrefs(Bot|SiteAudit)`, []string{"ahrefsbot", "ahrefssiteaudit"}},
		{`^curl`, []string{"curl"}},
		{`AdsBot-Google([^-]|$)`, []string{"adsbot-google"}},
		{`ContextualBot[\s\S]*outcomes\.net`, []string{"contextualbot"}},
		{`Yandex(Bot|Images)?\/`, []string{"yandexbot/", "yandeximages/", "yandex/"}},
		{`(?i)kbot`, []string{"kbot", "\u212abot"}},
		{`a|b+`, []string{"a", "b"}},
		{`.*`, nil},
		{`[a-z]+bot`, []string{"bot"}},
		{`x?`, nil},
		{`(?:foo)+bar`, []string{"foo"}}, // foobar is required too; either is sound
		{`[0-9]{3}`, []string{"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"}},
		{`[0-9a-z]{3}`, nil}, // 36 strings: too many
	}
	for _, c := range cases {
		re, err := syntax.Parse(c.pattern, syntax.Perl)
		if err != nil {
			t.Fatal(err)
		}
		got, ok := factors(re.Simplify())
		if ok != (c.want != nil) || !sameSet(got, c.want) {
			t.Errorf("factors(%q) = %q, %v; want %q", c.pattern, got, ok, c.want)
		}
	}
}

func TestLiteralSet(t *testing.T) {
	cases := []struct {
		pattern string
		want    []string
	}{
		{`Googlebot\/`, []string{"Googlebot/"}},
		{`[cC]laude[bB]ot`, []string{"claudebot", "claudeBot", "Claudebot", "ClaudeBot"}},
		{`S[eE][mM]rushBot`, []string{"SemrushBot", "SeMrushBot", "SEmrushBot", "SEMrushBot"}},
		{`^curl`, nil},    // anchored
		{`a\b`, nil},      // assertion
		{`(?i)kbot`, nil}, // Kelvin sign: not ASCII
		{`é`, nil},        // not ASCII
		{`x.y`, nil},      // any char
		{`[wW]get`, []string{"wget", "Wget"}},
	}
	for _, c := range cases {
		re, _ := syntax.Parse(c.pattern, syntax.Perl)
		got, ok := literalSet(re.Simplify())
		if ok != (c.want != nil) || !sameSet(got, c.want) {
			t.Errorf("literalSet(%q) = %q, %v; want %q", c.pattern, got, ok, c.want)
		}
	}
}

// TestAutomaton compares the automaton with strings.Contains on random
// texts over a small alphabet, where overlaps and shared suffixes abound.
func TestAutomaton(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	word := func(n int) string {
		b := make([]byte, n)
		for i := range b {
			b[i] = "abcAB-"[rng.IntN(6)]
		}
		return string(b)
	}
	for range 200 {
		var strs []string
		for range 1 + rng.IntN(20) {
			strs = append(strs, lowerASCII(word(1+rng.IntN(5))))
		}
		a, err := newAutomaton(strs)
		if err != nil {
			t.Fatal(err)
		}
		m := &Matcher{ac: a, owners: make([][]int32, len(strs))}
		for i := range strs {
			m.owners[i] = []int32{int32(i)}
		}
		text := word(rng.IntN(40))
		var cand sigSet
		m.prefilter(&cand, text)
		for i, s := range strs {
			got := cand[0]&(1<<i) != 0
			if want := strings.Contains(lowerASCII(text), s); got != want {
				t.Fatalf("strings %q, text %q: %q found=%v, want %v", strs, text, s, got, want)
			}
		}
	}
}

func TestMatcherTruncates(t *testing.T) {
	m := mustMatcher(t)
	tail := strings.Repeat("x", MatchWindow-len("Googlebot/")+1) + "Googlebot/2.1"
	if s, ok := m.Match(tail); ok {
		t.Errorf("signature %q found past MatchWindow", s.Pattern)
	}
	edge := strings.Repeat("x", MatchWindow-len("Googlebot/")) + "Googlebot/2.1"
	if s, ok := m.Match(edge); !ok || s.Name != "Googlebot" {
		t.Errorf("Match(Googlebot ending at MatchWindow) = %q, %v", s.Name, ok)
	}
	head := "Googlebot/2.1 " + strings.Repeat("x", 4*MaxUserAgent)
	if s, ok := m.Match(head); !ok || s.Name != "Googlebot" {
		t.Errorf("Match(long Googlebot) = %q, %v", s.Name, ok)
	}
}

// TestInstancesFitMatchWindow checks that cutting the User-Agent to
// MatchWindow bytes loses no example of the signature data.
func TestInstancesFitMatchWindow(t *testing.T) {
	m := mustMatcher(t)
	es, err := parseEntries(vendoredJSON)
	if err != nil {
		t.Fatal(err)
	}
	for i, e := range append(es, supplement...) {
		for _, ua := range e.Instances {
			if loc := m.res[i].FindStringIndex(ua); loc == nil || loc[1] > MatchWindow {
				t.Errorf("%q: %q matches at %v, past MatchWindow", e.Pattern, ua, loc)
			}
		}
	}
}

// TestFirstOnPackedUA runs a User-Agent packed with the examples of
// every signature, which leaves many candidates: the matcher must still
// give the naive loop's answer, with and without preferred claims (what
// it saves, BenchmarkClassify measures).
func TestFirstOnPackedUA(t *testing.T) {
	m := mustMatcher(t)
	claimers := &mustNew(t, DefaultConfig()).claimers
	for _, ua := range []string{packedUA(t, MaxUserAgent), packedUA(t, MaxUserAgent)[len(googlebotUA):]} {
		cand := candidates(m, ua)
		n := 0
		for _, w := range cand {
			n += bits.OnesCount64(w)
		}
		if n < 10 {
			t.Fatalf("packed UA leaves only %d candidates; the test proves nothing", n)
		}
		if got, want := m.first(ua, claimers), naivePreferred(m.res, ua, claimers); got != want || want < 0 {
			t.Errorf("first(packed, claimers) = %d, want %d", got, want)
		}
		if got, want := m.first(ua, nil), naiveFirst(m.res, ua); got != want {
			t.Errorf("first(packed, nil) = %d, want %d", got, want)
		}
	}
}

// candidates returns the signatures the prefilter keeps for ua (cut to
// MatchWindow bytes), with those that always run.
func candidates(m *Matcher, ua string) sigSet {
	if len(ua) > MatchWindow {
		ua = ua[:MatchWindow]
	}
	var cand sigSet
	for _, i := range m.always {
		cand.add(i)
	}
	m.prefilter(&cand, ua)
	return cand
}

// TestNewMatcherBounds checks that a table over the limit is refused.
func TestNewMatcherBounds(t *testing.T) {
	sigs := make([]Signature, maxSignatures+1)
	res := make([]*regexp.Regexp, len(sigs))
	if _, err := newMatcher(sigs, res); err == nil {
		t.Error("newMatcher accepted more than maxSignatures")
	}
}

func sameSet(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for _, x := range a {
		if !slices.Contains(b, x) {
			return false
		}
	}
	return true
}
