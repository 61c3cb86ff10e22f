package http_test

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/quirehq/quire/edge/bot"
	"github.com/quirehq/quire/edge/ratelimit"
	"github.com/quirehq/quire/edge/shield"
	quirehttp "github.com/quirehq/quire/http"
	"github.com/quirehq/quire/metrics"
)

// BenchmarkStack measures what the request path adds to a handler: the
// security headers, metrics, in-flight limits, body limit, panic recovery,
// client address, bot policy and per-address rate limit (in process), with
// and without the shield, against the same handler served bare. "x-bare"
// is the ratio; "µs-added" the difference.
func BenchmarkStack(b *testing.B) {
	ok := func(w http.ResponseWriter, r *http.Request) error {
		_, err := w.Write([]byte("ok"))
		return err
	}
	bare := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _ = ok(w, r) })
	l := ratelimit.Limit{Rate: 1 << 30, Period: time.Second}
	bots, err := bot.New(bot.DefaultConfig())
	if err != nil {
		b.Fatal(err)
	}
	sh, err := shield.New(shield.Config{})
	if err != nil {
		b.Fatal(err)
	}
	server := func(withShield bool) *quirehttp.Server {
		cfg := quirehttp.Config{Bots: bots, Metrics: metrics.New(), RateLimit: &quirehttp.RateLimits{
			Limiter: ratelimit.NewMemory(ratelimit.MemoryOptions{}), PerIP: l, PerUser: l, PerKey: l}}
		if withShield {
			cfg.Shield = sh
		}
		s := quirehttp.NewServer(cfg)
		s.Handle("GET /bench", ok)
		return s
	}
	// A page request as a browser sends it, so that the bot policy
	// classifies it (page routes are not exempt).
	run := func(b *testing.B, h http.Handler) float64 {
		req := httptest.NewRequest(http.MethodGet, "https://quire.test/bench", nil)
		req.RemoteAddr = "192.0.2.1:1234"
		req.Header.Set("User-Agent", "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36")
		req.Header.Set("Accept", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8")
		req.Header.Set("Accept-Language", "en-GB,en;q=0.9")
		for b.Loop() {
			h.ServeHTTP(httptest.NewRecorder(), req)
		}
		return float64(b.Elapsed().Nanoseconds()) / float64(b.N)
	}
	var base float64
	b.Run("bare", func(b *testing.B) { base = run(b, bare) })
	for _, tc := range []struct {
		name   string
		shield bool
	}{{"stack", false}, {"stack+shield", true}} {
		b.Run(tc.name, func(b *testing.B) {
			per := run(b, server(tc.shield))
			if base > 0 {
				b.ReportMetric(per/base, "x-bare")
				b.ReportMetric((per-base)/1000, "µs-added")
			}
		})
	}
}
