package http_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/quirehq/quire/edge/shield"
	quirehttp "github.com/quirehq/quire/http"
	"github.com/quirehq/quire/internal/authtest"
	"github.com/quirehq/quire/metrics"
)

func shieldServer(t *testing.T, cfg shield.Config) (*quirehttp.Server, *logBuffer) {
	t.Helper()
	sh, err := shield.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	svc, _ := authtest.New(t)
	logger, logs := newLogger()
	return quirehttp.NewServer(quirehttp.Config{Logger: logger, Auth: svc, AuthBurst: 1000, Shield: sh,
		Metrics: metrics.New(), MetricsToken: metricsToken}), logs
}

// attack sends GET target from addr with a browser's headers.
func attack(s *quirehttp.Server, addr, target string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodGet, "https://quire.test"+target, nil)
	req.RemoteAddr = addr + ":4000"
	req.Header.Set("User-Agent", chromeUA)
	req.Header.Set("Accept", "text/html,*/*;q=0.8")
	req.Header.Set("Accept-Language", "en")
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, req)
	return rec
}

func TestShieldRefusesAttacks(t *testing.T) {
	s, logs := shieldServer(t, shield.Config{})
	const marker = "canary7f3a"
	for _, tc := range []struct {
		name, target string
		blocked      bool
	}{
		{"sign-in page", "/login", false},
		{"an API call", "/api/v1/me", false},
		{"SQL injection", "/api/v1/me?id=1%27%20OR%20%271%27%3D%271%27--" + marker, true},
		{"XSS", "/login?next=%3Cscript%3Ealert(%27" + marker + "%27)%3C/script%3E", true},
		{"path traversal", "/static/x?f=../../../../etc/passwd&" + marker, true},
		{"health check with an attack", "/healthz?id=1%27%20OR%201=1--", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := attack(s, "192.0.2.30", tc.target)
			blocked := rec.Code == http.StatusForbidden && strings.Contains(rec.Body.String(), `"shield_blocked"`)
			if blocked != tc.blocked {
				t.Fatalf("status %d body %s, want blocked=%v", rec.Code, rec.Body, tc.blocked)
			}
			if rec.Header().Get("Content-Security-Policy") == "" {
				t.Fatal("no security headers")
			}
		})
	}
	out := scrape(s)
	for _, want := range []string{`layer="shield",reason="sqli"`, `layer="shield",reason="xss"`, `layer="shield",reason="lfi"`} {
		if !strings.Contains(out, want) {
			t.Errorf("scrape lacks %s", want)
		}
	}
	if strings.Contains(logs.String(), marker) {
		t.Fatalf("the log holds request content:\n%s", logs)
	}
}

// TestShieldPenaltyBox trips the shield until the client is refused even
// an ordinary page, with Retry-After, while another client is not.
func TestShieldPenaltyBox(t *testing.T) {
	s, _ := shieldServer(t, shield.Config{Penalty: shield.PenaltyConfig{Trips: 3, Window: time.Minute, BlockFor: time.Minute}})
	for range 3 {
		if rec := attack(s, "192.0.2.31", "/login?id=1%27%20OR%20%271%27%3D%271%27--"); rec.Code != http.StatusForbidden {
			t.Fatalf("attack: %d", rec.Code)
		}
	}
	rec := attack(s, "192.0.2.31", "/login")
	if rec.Code != http.StatusForbidden || rec.Header().Get("Retry-After") == "" {
		t.Fatalf("ordinary page from a boxed client: %d, Retry-After %q", rec.Code, rec.Header().Get("Retry-After"))
	}
	if rec := attack(s, "192.0.2.32", "/login"); rec.Code != http.StatusOK {
		t.Fatalf("another client: %d", rec.Code)
	}
	if !strings.Contains(scrape(s), `layer="shield",reason="penalty"`) {
		t.Fatal("the penalty refusal was not counted")
	}
}

func TestShieldDryRun(t *testing.T) {
	s, logs := shieldServer(t, shield.Config{Mode: shield.ModeDryRun})
	if rec := attack(s, "192.0.2.33", "/login?id=1%27%20OR%20%271%27%3D%271%27--"); rec.Code != http.StatusOK {
		t.Fatalf("dry run refused: %d", rec.Code)
	}
	if !strings.Contains(scrape(s), `action="dry_run",layer="shield",reason="sqli"`) {
		t.Fatal("the dry-run decision was not counted")
	}
	if !strings.Contains(logs.String(), "request would be refused (dry run)") {
		t.Fatal("the dry-run decision was not logged")
	}
}
