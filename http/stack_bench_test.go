package http_test

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/quirehq/quire/edge/ratelimit"
	quirehttp "github.com/quirehq/quire/http"
)

// BenchmarkStack measures what the request path adds to a handler: the
// security headers, in-flight limit, body limit, panic recovery, client
// address and per-address rate limit (in process), against the same
// handler served bare. "x-bare" is the ratio; "µs-added" the difference.
func BenchmarkStack(b *testing.B) {
	ok := func(w http.ResponseWriter, r *http.Request) error {
		_, err := w.Write([]byte("ok"))
		return err
	}
	bare := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _ = ok(w, r) })
	l := ratelimit.Limit{Rate: 1 << 30, Period: time.Second}
	s := quirehttp.NewServer(quirehttp.Config{RateLimit: &quirehttp.RateLimits{
		Limiter: ratelimit.NewMemory(ratelimit.MemoryOptions{}), PerIP: l, PerUser: l, PerKey: l}})
	s.Handle("GET /bench", ok)
	run := func(b *testing.B, h http.Handler) float64 {
		req := httptest.NewRequest(http.MethodGet, "https://quire.test/bench", nil)
		req.RemoteAddr = "192.0.2.1:1234"
		for b.Loop() {
			h.ServeHTTP(httptest.NewRecorder(), req)
		}
		return float64(b.Elapsed().Nanoseconds()) / float64(b.N)
	}
	var base float64
	b.Run("bare", func(b *testing.B) { base = run(b, bare) })
	b.Run("stack", func(b *testing.B) {
		per := run(b, s)
		if base > 0 {
			b.ReportMetric(per/base, "x-bare")
			b.ReportMetric((per-base)/1000, "µs-added")
		}
	})
}
