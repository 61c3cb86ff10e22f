package http_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"

	"github.com/quirehq/quire/edge/bot"
	quirehttp "github.com/quirehq/quire/http"
	"github.com/quirehq/quire/internal/authtest"
	"github.com/quirehq/quire/metrics"
)

// googleDNS answers for one genuine Googlebot address only.
type googleDNS struct{}

const genuineGooglebot = "66.249.66.1"

func (googleDNS) LookupAddr(_ context.Context, addr string) ([]string, error) {
	if addr == genuineGooglebot {
		return []string{"crawl-66-249-66-1.googlebot.com."}, nil
	}
	return nil, errors.New("no PTR record")
}

func (googleDNS) LookupNetIP(_ context.Context, _, host string) ([]netip.Addr, error) {
	if host == "crawl-66-249-66-1.googlebot.com." || host == "crawl-66-249-66-1.googlebot.com" {
		return []netip.Addr{netip.MustParseAddr(genuineGooglebot)}, nil
	}
	return nil, errors.New("no such host")
}

const (
	chromeUA    = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"
	googlebotUA = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"
)

func botServer(t *testing.T, cfg bot.Config) (*quirehttp.Server, *metrics.Registry) {
	t.Helper()
	d, err := bot.New(cfg, bot.WithResolver(googleDNS{}))
	if err != nil {
		t.Fatal(err)
	}
	svc, _ := authtest.New(t)
	reg := metrics.New()
	return quirehttp.NewServer(quirehttp.Config{Auth: svc, AuthBurst: 1000, Bots: d, Metrics: reg, MetricsToken: metricsToken}), reg
}

// visit sends GET path from addr with a User-Agent and, for a browser,
// the headers a browser sends.
func visit(s *quirehttp.Server, addr, ua, path string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodGet, "https://quire.test"+path, nil)
	req.RemoteAddr = addr + ":4000"
	if ua != "" {
		req.Header.Set("User-Agent", ua)
	}
	switch {
	case ua == chromeUA:
		req.Header.Set("Accept", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8")
		req.Header.Set("Accept-Language", "en-GB,en;q=0.9")
		req.Header.Set("Accept-Encoding", "gzip, deflate, br")
	case strings.HasPrefix(ua, "Quire-Trust/"): // the headers trust's probes send
		req.Header.Set("Accept", "*/*")
		req.Header.Set("Accept-Language", "en")
	}
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, req)
	return rec
}

func TestBotPolicy(t *testing.T) {
	s, _ := botServer(t, bot.DefaultConfig())
	for _, tc := range []struct {
		name, addr, ua, path string
		denied               bool
	}{
		{"browser on the sign-in page", "192.0.2.1", chromeUA, "/login", false},
		{"curl on the sign-in page", "192.0.2.1", "curl/8.5.0", "/login", true},
		{"python on the sign-in API", "192.0.2.1", "python-requests/2.32.3", "/api/v1/auth/login", true},
		{"no user agent on a page", "192.0.2.1", "", "/", true},
		{"AI crawler on a page", "192.0.2.1", "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; GPTBot/1.2; +https://openai.com/gptbot)", "/", true},
		{"scanner on a page", "192.0.2.1", "sqlmap/1.8#stable (https://sqlmap.org)", "/", true},
		{"the trust checks on the sign-in page", "192.0.2.1", "Quire-Trust/1 (+/trust)", "/login", false},
		{"curl on the API (judged by its key)", "192.0.2.1", "curl/8.5.0", "/api/v1/me", false},
		{"curl on the health check", "192.0.2.1", "curl/8.5.0", "/healthz", false},
		{"curl on a static file", "192.0.2.1", "curl/8.5.0", "/static/strength.js", false},
		{"curl on the trust report", "192.0.2.1", "curl/8.5.0", "/trust.json", false},
		{"verified Googlebot on a public link", genuineGooglebot, googlebotUA, "/s/abc", false},
		{"fake Googlebot on a public link", "203.0.113.9", googlebotUA, "/s/abc", true},
		{"verified Googlebot on the sign-in page", genuineGooglebot, googlebotUA, "/login", true},
		{"scraper on a public link", "192.0.2.1", "Scrapy/2.11 (+https://scrapy.org)", "/s/abc", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := visit(s, tc.addr, tc.ua, tc.path)
			var body struct {
				Error struct{ Code string } `json:"error"`
			}
			_ = json.Unmarshal(rec.Body.Bytes(), &body)
			denied := rec.Code == http.StatusForbidden && body.Error.Code == "bot_denied"
			if denied != tc.denied {
				t.Fatalf("status %d code %q, want denied=%v", rec.Code, body.Error.Code, tc.denied)
			}
			if rec.Header().Get("Content-Security-Policy") == "" {
				t.Fatal("no security headers")
			}
		})
	}
	out := scrape(s)
	for _, want := range []string{
		`quire_edge_decisions_total{action="deny",layer="bot",reason="spoofed"} 1`,
		`quire_edge_decisions_total{action="deny",layer="bot",reason="scraper"}`,
		`quire_edge_decisions_total{action="deny",layer="bot",reason="security_scanner"} 1`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("scrape lacks %q", want)
		}
	}
}

func TestBotPolicyDryRun(t *testing.T) {
	cfg := bot.DefaultConfig()
	cfg.DryRun = true
	s, reg := botServer(t, cfg)
	_ = reg
	if rec := visit(s, "192.0.2.1", "curl/8.5.0", "/login"); rec.Code != http.StatusOK {
		t.Fatalf("dry run refused: %d", rec.Code)
	}
	out := scrape(s)
	if !strings.Contains(out, `quire_edge_decisions_total{action="dry_run",layer="bot",reason="scraper"} 1`) {
		t.Fatal("the dry-run decision was not counted")
	}
}
