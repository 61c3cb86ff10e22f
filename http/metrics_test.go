package http_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/quirehq/quire/edge/clientip"
	"github.com/quirehq/quire/edge/ratelimit"
	quirehttp "github.com/quirehq/quire/http"
	"github.com/quirehq/quire/metrics"
)

const metricsToken = "0123456789abcdef0123456789abcdef"

// scrapeFrom requests /metrics from remote with the given headers.
func scrapeFrom(s *quirehttp.Server, remote string, headers map[string]string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodGet, "https://quire.test/metrics", nil)
	req.RemoteAddr = remote
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, req)
	return rec
}

func TestMetricsAccess(t *testing.T) {
	proxies, err := clientip.New(clientip.Options{TrustedProxies: []string{"127.0.0.1"}})
	if err != nil {
		t.Fatal(err)
	}
	s := quirehttp.NewServer(quirehttp.Config{Metrics: metrics.New(), MetricsToken: metricsToken, ClientIP: proxies})
	bearer := map[string]string{"Authorization": "Bearer " + metricsToken}
	for _, tc := range []struct {
		name    string
		remote  string
		headers map[string]string
		want    int
	}{
		{"remote with the token", "203.0.113.9:5000", bearer, http.StatusOK},
		{"loopback with the token", "127.0.0.1:5000", bearer, http.StatusOK},
		{"loopback without the token", "127.0.0.1:5000", nil, http.StatusUnauthorized},
		{"IPv6 loopback without the token", "[::1]:5000", nil, http.StatusUnauthorized},
		{"remote without the token", "203.0.113.9:5000", nil, http.StatusUnauthorized},
		{"a wrong token", "203.0.113.9:5000", map[string]string{"Authorization": "Bearer " + metricsToken[:31] + "0"}, http.StatusUnauthorized},
		{"a token prefix", "203.0.113.9:5000", map[string]string{"Authorization": "Bearer " + metricsToken[:16]}, http.StatusUnauthorized},
		{"the token with another scheme", "203.0.113.9:5000", map[string]string{"Authorization": "Basic " + metricsToken}, http.StatusUnauthorized},
		{"the token as a cookie", "203.0.113.9:5000", map[string]string{"Cookie": "token=" + metricsToken}, http.StatusUnauthorized},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := scrapeFrom(s, tc.remote, tc.headers)
			if rec.Code != tc.want {
				t.Fatalf("status %d, want %d", rec.Code, tc.want)
			}
			if tc.want == http.StatusOK && !strings.Contains(rec.Body.String(), "quire_http_in_flight_requests") {
				t.Fatalf("no Quire metrics in the scrape:\n%.400s", rec.Body.String())
			}
			if tc.want != http.StatusOK && strings.Contains(rec.Body.String(), "quire_") {
				t.Fatal("a refused scrape holds metrics")
			}
			if rec.Header().Get("Content-Security-Policy") == "" {
				t.Fatal("no security headers")
			}
		})
	}
}

// TestNoMetricsRouteWithoutToken: without a token nothing is served, to
// anyone, though the decisions are still counted.
func TestNoMetricsRouteWithoutToken(t *testing.T) {
	for _, cfg := range []quirehttp.Config{{}, {Metrics: metrics.New()}} {
		s := quirehttp.NewServer(cfg)
		for _, remote := range []string{"127.0.0.1:5000", "203.0.113.9:5000"} {
			if rec := scrapeFrom(s, remote, nil); rec.Code != http.StatusNotFound {
				t.Fatalf("%s: status %d, want 404", remote, rec.Code)
			}
		}
	}
}

// scrape reads the metrics with the token.
func scrape(s *quirehttp.Server) string {
	return scrapeFrom(s, "127.0.0.1:1", map[string]string{"Authorization": "Bearer " + metricsToken}).Body.String()
}

// TestRateLimitDecisions checks that refusals are counted and logged without
// the request's path or content, and that dry-run mode refuses nothing but
// still counts and logs.
func TestRateLimitDecisions(t *testing.T) {
	for _, dry := range []bool{false, true} {
		logger, logs := newLogger()
		reg := metrics.New()
		l := ratelimit.Limit{Rate: 2, Period: time.Minute, Burst: 2}
		s := quirehttp.NewServer(quirehttp.Config{Logger: logger, Metrics: reg, MetricsToken: metricsToken,
			RateLimit: &quirehttp.RateLimits{Limiter: ratelimit.NewMemory(ratelimit.MemoryOptions{}), PerIP: l, PerUser: l, PerKey: l, DryRun: dry}})
		const marker = "canary-path-7f3a"
		var last *http.Response
		for range 5 {
			last = hit(s, "192.0.2.7", "/"+marker+"?q="+marker)
		}
		wantStatus, wantAction, wantMsg := http.StatusTooManyRequests, "deny", "request refused"
		if dry {
			wantStatus, wantAction, wantMsg = http.StatusNotFound, "dry_run", "request would be refused (dry run)"
		}
		if last.StatusCode != wantStatus {
			t.Fatalf("dry run %v: status %d, want %d", dry, last.StatusCode, wantStatus)
		}
		out := scrape(s)
		if want := `quire_edge_decisions_total{action="` + wantAction + `",layer="ratelimit",reason="ip"} 3`; !strings.Contains(out, want) {
			t.Fatalf("dry run %v: scrape lacks %q", dry, want)
		}
		if !strings.Contains(out, `quire_http_request_duration_seconds_count{code="4xx",route="unrouted"} 5`) {
			t.Fatalf("dry run %v: request timings not recorded", dry)
		}
		e := logs.find(t, "msg", wantMsg)
		if e == nil || e["layer"] != "ratelimit" || e["reason"] != "ip" || e["client"] != "192.0.2.7" || e["route"] != "unrouted" {
			t.Fatalf("dry run %v: decision log %v", dry, e)
		}
		if strings.Contains(logs.String(), marker) {
			t.Fatalf("dry run %v: the log holds the request path:\n%s", dry, logs)
		}
	}
}

// TestDecisionLogsAreBounded floods the limiter from one address: the
// decision log keeps to its budget and says how many lines it held back.
func TestDecisionLogsAreBounded(t *testing.T) {
	logger, logs := newLogger()
	l := ratelimit.Limit{Rate: 1, Period: time.Hour, Burst: 1}
	s := quirehttp.NewServer(quirehttp.Config{Logger: logger,
		RateLimit: &quirehttp.RateLimits{Limiter: ratelimit.NewMemory(ratelimit.MemoryOptions{}), PerIP: l, PerUser: l, PerKey: l}})
	start := time.Now()
	for range 500 {
		hit(s, "192.0.2.8", "/x")
	}
	n := strings.Count(logs.String(), `"msg":"request refused"`)
	// The loop may straddle a second boundary or two; each second allows 20.
	seconds := int(time.Since(start)/time.Second) + 2
	if n < 20 || n > 20*seconds {
		t.Fatalf("%d decision lines for 499 refusals over at most %d seconds", n, seconds)
	}
	r := hit(s, "192.0.2.8", "/x")
	if r.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("status %d", r.StatusCode)
	}
	_, _ = io.Copy(io.Discard, r.Body)
}
