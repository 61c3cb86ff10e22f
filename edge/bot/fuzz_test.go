package bot

import (
	"context"
	"net/http"
	"net/netip"
	"regexp"
	"regexp/syntax"
	"slices"
	"strings"
	"testing"
)

// FuzzMatch checks that the matcher never panics and answers as the naive
// loop does, for any User-Agent: the prefilter keeps every signature that
// matches, Match is the first match, and the first verifiable claim is
// preferred when asked.
func FuzzMatch(f *testing.F) {
	for _, s := range append(slices.Clone(browserUAs[:4]),
		googlebotUA, "curl/8", "", "\xff\xfe", "GOOGLEBOT/", "ClAuDeBoT", "AdsBot-Google-", "AdsBot-Google",
		"x SSL Labs", " sentry/1", strings.Repeat("bot", 700)) {
		f.Add(s)
	}
	f.Add(packedUA(f, MaxUserAgent))
	m := mustMatcher(f)
	claimers := &mustNew(f, DefaultConfig()).claimers
	f.Fuzz(func(t *testing.T, ua string) {
		want := naiveMatches(m.res, ua)
		cand := candidates(m, ua)
		for _, i := range want {
			if !cand.has(i) {
				t.Fatalf("%q: prefilter drops matching %q", ua, m.sigs[i].Pattern)
			}
		}
		if got, want := m.first(ua, claimers), naivePreferred(m.res, ua, claimers); got != want {
			t.Fatalf("%q: first(claimers) %d, naive %d", ua, got, want)
		}
		s, ok := m.Match(ua)
		if ok != (len(want) > 0) || ok && s.Pattern != m.sigs[want[0]].Pattern {
			t.Fatalf("Match(%q) = %q, %v; naive %v", ua, s.Pattern, ok, want)
		}
	})
}

// FuzzFactors checks the literal analysis on arbitrary patterns: when a
// pattern matches a text, one of its factors occurs in the lower-cased
// text; and a literal set matches exactly when the regexp does.
func FuzzFactors(f *testing.F) {
	seeds := [][2]string{
		{`Googlebot\/`, "x Googlebot/2.1"},
		{`[cC]laude[bB]ot`, "CLAUDEBOT claudeBot"},
		{`(?i)kbot`, "\u212abot"},
		{`(?i)sbot`, "\u017fbot"},
		{`Ahrefs(Bot|SiteAudit)?`, "Ahrefs"},
		{`^a|b$`, "ab"},
		{`[\x{fff0}-\x{ffff}]x`, "\xffx"},
		{`\x{fffd}`, "\x80"},
		{`a{2,3}b+`, "aaabb"},
		{`(?:foo)+bar`, "foofoobar"},
		{`[a-c][d-f]g`, "beg"},
	}
	for _, s := range seeds {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, pattern, text string) {
		if len(pattern) > 64 || len(text) > 256 {
			return
		}
		re, err := regexp.Compile(pattern)
		if err != nil {
			return
		}
		parsed, err := syntax.Parse(pattern, syntax.Perl)
		if err != nil {
			return
		}
		parsed = parsed.Simplify()
		matched := re.MatchString(text)
		if fs, ok := factors(parsed); ok && matched {
			low := lowerASCII(text)
			if !slices.ContainsFunc(fs, func(f string) bool { return strings.Contains(low, window(f, nil)) }) {
				t.Fatalf("%q matches %q but no factor of %q occurs", pattern, text, fs)
			}
		}
		if lits, ok := literalSet(parsed); ok {
			has := slices.ContainsFunc(lits, func(l string) bool { return strings.Contains(text, l) })
			if has != matched {
				t.Fatalf("%q on %q: literal set %q says %v, regexp %v", pattern, text, lits, has, matched)
			}
		}
	})
}

// FuzzClassify sends arbitrary headers through the heuristics and the
// whole classification: no panic, a known category, and a name that comes
// from the tables, never from the request.
func FuzzClassify(f *testing.F) {
	f.Add("GET", browserUAs[0], "text/html", "en", "")
	f.Add("GET", "", "", "", `"HeadlessChrome";v="1"`)
	f.Add("HEAD", "Mozilla/5.0", "", "", "")
	f.Add("GET", googlebotUA, "*/*", "", "")
	f.Add("POST", "sqlmap/1.7 evil", "", "", "\xff")
	dns := newFakeDNS()
	d := mustNew(f, DefaultConfig(), WithResolver(dns))
	names := map[string]bool{"": true, "HeadlessChrome": true}
	for _, s := range d.Matcher().Signatures() {
		names[s.Name] = true
	}
	for _, h := range headerSignatures {
		names[h.name] = true
	}
	f.Fuzz(func(t *testing.T, method, ua, accept, lang, hint string) {
		h := http.Header{}
		for k, v := range map[string]string{"User-Agent": ua, "Accept": accept, "Accept-Language": lang, "Sec-Ch-Ua": hint} {
			if v != "" {
				h.Set(k, v)
			}
		}
		r := &http.Request{Method: method, Header: h}
		sig, _, _ := readSignals(r)
		if (sig&NoUserAgent != 0) != (strings.TrimSpace(ua) == "") {
			t.Fatalf("ua %q: signals %s", ua, sig)
		}
		if sig&BareBrowser != 0 && (!strings.HasPrefix(ua, "Mozilla/") || accept != "" || lang != "") {
			t.Fatalf("bare_browser for ua %q accept %q lang %q", ua, accept, lang)
		}
		res := d.Classify(context.Background(), r, netip.MustParseAddr("192.0.2.1"))
		if !res.Category.Valid() || !names[res.Name] || res.Verified() {
			t.Fatalf("Classify = %+v", res)
		}
		if res.Category == Human && sig&^ToolHeader != 0 {
			t.Fatalf("human despite signals %s", sig)
		}
		dec := d.Policy().Decide(Page, res)
		if res.Category != Human && dec.Action != Deny {
			t.Fatalf("default page policy allowed %+v", dec)
		}
		// On pages, which deny every bot, Decide asks no DNS and agrees.
		before := dns.ptrCalls.Load()
		if dd := d.Decide(context.Background(), Page, r, netip.MustParseAddr("192.0.2.1")); dd.Action != dec.Action || dns.ptrCalls.Load() != before {
			t.Fatalf("Decide(page) = %+v after %d lookups; policy on Classify says %s", dd, dns.ptrCalls.Load()-before, dec.Action)
		}
	})
}
