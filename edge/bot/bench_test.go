package bot

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"regexp"
	"runtime"
	"strings"
	"testing"
	"time"
)

var (
	sinkSig  Signature
	sinkBool bool
	sinkInt  int32
	sinkRes  Result
)

// benchUAs are the inputs: the common case (a browser), a bot found early
// in the table, one found late, and a long browser-like string.
var benchUAs = []struct{ name, ua string }{
	{"browser-chrome", browserUAs[0]},
	{"browser-iphone", browserUAs[10]},
	{"bot-googlebot", "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"},
	{"bot-claudebot", "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; ClaudeBot/1.0; +claudebot@anthropic.com)"},
	{"bot-curl", "curl/8.5.0"},
	{"long-1KiB", browserUAs[0] + strings.Repeat(" x/1.0", 150)},
}

// BenchmarkMatch measures a match of one User-Agent against every
// signature. The baseline, each regexp in turn (the obvious loop), runs
// first on the same input in the same process; the matcher reports
// x-baseline (its time over the baseline's) and x-faster (the inverse).
// "alternation" is the other obvious design, all patterns in one RE2
// alternation, for comparison.
func BenchmarkMatch(b *testing.B) {
	m := mustMatcher(b)
	alt := alternation(b, m)
	for _, c := range benchUAs {
		var base float64
		b.Run(c.name+"/baseline-loop", func(b *testing.B) {
			for b.Loop() {
				sinkInt = naiveFirst(m.res, c.ua)
			}
			base = perOp(b)
		})
		b.Run(c.name+"/alternation", func(b *testing.B) {
			for b.Loop() {
				sinkBool = alt.MatchString(c.ua)
			}
			reportRatio(b, base)
		})
		b.Run(c.name+"/matcher", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				sinkSig, sinkBool = m.Match(c.ua)
			}
			reportRatio(b, base)
		})
	}
}

// BenchmarkMatcherSize builds the matcher from the parsed table and reports
// the heap it holds: the regexps, the prefilter (prefilter-B) and both
// together (total-B), next to the size of the vendored JSON (json-B).
func BenchmarkMatcherSize(b *testing.B) {
	for b.Loop() {
		runtime.GC()
		before := heapAlloc()
		sigs, res, _, err := loadSignatures()
		if err != nil {
			b.Fatal(err)
		}
		m, err := newMatcher(sigs, res)
		if err != nil {
			b.Fatal(err)
		}
		runtime.GC()
		used := heapAlloc() - before
		b.ReportMetric(float64(used), "total-B")
		b.ReportMetric(float64(m.PrefilterBytes()), "prefilter-B")
		b.ReportMetric(float64(len(vendoredJSON)), "json-B")
		runtime.KeepAlive(m)
	}
}

// alternation compiles every pattern into one regexp.
func alternation(b *testing.B, m *Matcher) *regexp.Regexp {
	b.Helper()
	parts := make([]string, len(m.sigs))
	for i, s := range m.sigs {
		parts[i] = "(?:" + s.Pattern + ")"
	}
	return regexp.MustCompile(strings.Join(parts, "|"))
}

func reportRatio(b *testing.B, base float64) {
	if op := perOp(b); base > 0 && op > 0 {
		b.ReportMetric(op/base, "x-baseline")
		b.ReportMetric(base/op, "x-faster")
	}
}

// perOp is the mean time of one iteration in nanoseconds.
func perOp(b *testing.B) float64 {
	return float64(b.Elapsed().Nanoseconds()) / float64(max(b.N, 1))
}

func heapAlloc() int64 {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return int64(ms.HeapAlloc)
}

// BenchmarkClassify measures a whole classification, headers and
// signatures, with the Googlebot claim verified once and then served from
// the cache. Besides browsers and bots it sends two hostile User-Agents of
// MaxUserAgent bytes: "packed" carries the example of every signature in
// turn, and "decoy" carries the prefilter factors of as many signatures
// as fit while matching none, so every candidate must run. The baseline,
// each regexp in turn on the same input, runs first in the same process;
// classify reports x-baseline (its time over the baseline's).
func BenchmarkClassify(b *testing.B) {
	dns := newFakeDNS()
	dns.set(googleIP, googlePTR, googleIP)
	d := mustNew(b, DefaultConfig(), WithResolver(dns))
	ip := netip.MustParseAddr(googleIP)
	for _, c := range []struct{ name, ua string }{
		{"browser", browserUAs[0]},
		{"googlebot-verified-cached", googlebotUA},
		{"scanner", "sqlmap/1.7.2#stable (https://sqlmap.org)"},
		{"packed-2KiB", packedUA(b, MaxUserAgent)},
		{"decoy-2KiB", decoyUA(b, d.matcher, MaxUserAgent)},
	} {
		var base float64
		b.Run(c.name+"/baseline-loop", func(b *testing.B) {
			for b.Loop() {
				sinkInt = naiveFirst(d.matcher.res, c.ua)
			}
			base = perOp(b)
		})
		b.Run(c.name+"/classify", func(b *testing.B) {
			r := uaRequest(c.ua)
			b.ReportAllocs()
			for b.Loop() {
				sinkRes = d.Classify(context.Background(), r, ip)
			}
			reportRatio(b, base)
		})
	}
}

// nopWriter is a ResponseWriter that keeps nothing.
type nopWriter struct{ h http.Header }

func (w nopWriter) Header() http.Header         { return w.h }
func (w nopWriter) Write(p []byte) (int, error) { return len(p), nil }
func (w nopWriter) WriteHeader(int)             {}

// BenchmarkDecide measures the bot layer per request, as the server runs
// it: Decide, then the handler, against the bare handler over as many
// requests in the same run (x-bare is their time ratio). On public notes
// the Googlebot claim is verified once and then served from the cache; on
// pages it is not checked at all.
func BenchmarkDecide(b *testing.B) {
	dns := newFakeDNS()
	dns.set(googleIP, googlePTR, googleIP)
	d := mustNew(b, DefaultConfig(), WithResolver(dns))
	var bare http.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write([]byte("ok"))
	})
	ip := netip.MustParseAddr(googleIP)
	for _, c := range []struct {
		name  string
		class RouteClass
		ua    string
	}{
		{"public-browser", Public, browserUAs[0]},
		{"public-googlebot-verified-cached", Public, googlebotUA},
		{"page-googlebot-unchecked", Page, googlebotUA},
		{"page-scanner-denied", Page, "sqlmap/1.7.2#stable (https://sqlmap.org)"},
	} {
		h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if d.Decide(r.Context(), c.class, r, ip).Blocked() {
				w.WriteHeader(http.StatusForbidden)
				return
			}
			bare.ServeHTTP(w, r)
		})
		b.Run(c.name, func(b *testing.B) {
			r := httptest.NewRequest("GET", "/s/note", nil)
			r.Header = uaRequest(c.ua).Header
			w := nopWriter{h: http.Header{}}
			b.ReportAllocs()
			for b.Loop() {
				h.ServeHTTP(w, r)
			}
			elapsed, n := b.Elapsed(), b.N
			start := time.Now()
			for range n {
				bare.ServeHTTP(w, r)
			}
			if base := time.Since(start); base > 0 {
				b.ReportMetric(float64(elapsed)/float64(base), "x-bare")
			}
		})
	}
}
