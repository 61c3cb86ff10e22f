package metrics_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/quirehq/quire/metrics"
)

// scrape returns the text exposition of r.
func scrape(t *testing.T, r *metrics.Registry) string {
	t.Helper()
	rec := httptest.NewRecorder()
	r.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	if rec.Code != http.StatusOK {
		t.Fatalf("scrape: %d", rec.Code)
	}
	b, _ := io.ReadAll(rec.Body)
	return string(b)
}

func TestDecisionsAndRequests(t *testing.T) {
	r := metrics.New()
	r.Decision("ratelimit", metrics.Deny, "ip")
	r.Decision("ratelimit", metrics.Deny, "ip")
	r.Decision("shield", metrics.DryRun, "sqli")
	r.Request("GET /api/v1/me", 404, 3*time.Millisecond)
	r.Request("", 200, time.Millisecond)
	r.Request("GET /healthz", 1000, time.Millisecond)
	var n float64 = 7
	r.CounterFunc("quire_test_total", "A test counter.", func() float64 { return n })
	out := scrape(t, r)
	for _, want := range []string{
		`quire_edge_decisions_total{action="deny",layer="ratelimit",reason="ip"} 2`,
		`quire_edge_decisions_total{action="dry_run",layer="shield",reason="sqli"} 1`,
		`quire_http_request_duration_seconds_count{code="4xx",route="GET /api/v1/me"} 1`,
		`quire_http_request_duration_seconds_count{code="2xx",route="unrouted"} 1`,
		`quire_http_request_duration_seconds_count{code="other",route="GET /healthz"} 1`,
		`quire_test_total 7`,
		`go_goroutines`,
		`process_resident_memory_bytes`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("scrape lacks %q", want)
		}
	}
}

func TestNilRegistryRecordsNothing(t *testing.T) {
	var r *metrics.Registry
	r.Decision("bot", metrics.Deny, "scraper")
	r.Request("GET /", 200, time.Millisecond)
	r.CounterFunc("x_total", "x", func() float64 { return 1 })
	r.GaugeFunc("x", "x", func() float64 { return 1 })
}
