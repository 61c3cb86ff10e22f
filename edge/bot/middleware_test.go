package bot

import (
	"bytes"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync"
	"testing"
)

// serve runs one request through the middleware and returns the status,
// the decisions observed and the one the next handler saw in its context.
func serve(t *testing.T, d *Detector, path, ua string) (int, []Decision, *Decision) {
	t.Helper()
	var mu sync.Mutex
	var observed []Decision
	var seen *Decision
	classify := func(r *http.Request) RouteClass {
		switch {
		case strings.HasPrefix(path, "/static/"):
			return Static
		case path == "/healthz":
			return Health
		case strings.HasPrefix(path, "/s/"):
			return Public
		}
		return Page
	}
	clientIP := func(r *http.Request) netip.Addr { return netip.MustParseAddr("198.51.100.7") }
	deny := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if dec, ok := DecisionFrom(r.Context()); !ok || !dec.Blocked() {
			t.Errorf("deny handler without a blocking decision: %+v", dec)
		}
		http.Error(w, "bot_denied", http.StatusForbidden)
	})
	observe := func(dec Decision) { mu.Lock(); observed = append(observed, dec); mu.Unlock() }
	next := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if dec, ok := DecisionFrom(r.Context()); ok {
			seen = &dec
		}
		w.WriteHeader(http.StatusNoContent)
	})
	h := d.Middleware(classify, clientIP, deny, observe)(next)
	req := httptest.NewRequest("GET", path, nil)
	req.Header = uaRequest(ua).Header
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec.Code, observed, seen
}

func TestMiddleware(t *testing.T) {
	d := mustNew(t, DefaultConfig(), WithResolver(newFakeDNS()))
	cases := []struct {
		name, path, ua string
		status         int
		observed       int
	}{
		{"browser page", "/notes", browserUAs[0], http.StatusNoContent, 1},
		{"scanner page", "/notes", "sqlmap/1.7", http.StatusForbidden, 1},
		{"scanner static", "/static/app.css", "sqlmap/1.7", http.StatusNoContent, 0},
		{"scanner health", "/healthz", "sqlmap/1.7", http.StatusNoContent, 0},
		{"gptbot public", "/s/abc", "GPTBot/1.2", http.StatusForbidden, 1},
		{"twitterbot public", "/s/abc", "Twitterbot/1.0", http.StatusNoContent, 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			status, observed, seen := serve(t, d, c.path, c.ua)
			if status != c.status || len(observed) != c.observed {
				t.Fatalf("status %d, %d observed; want %d, %d", status, len(observed), c.status, c.observed)
			}
			if c.observed > 0 && status == http.StatusNoContent {
				human := observed[0].Category == Human
				if human && seen != nil || !human && (seen == nil || *seen != observed[0]) {
					t.Errorf("next saw %+v, observed %+v", seen, observed[0])
				}
			}
		})
	}
}

func TestMiddlewareDryRunAndDisabled(t *testing.T) {
	cfg := DefaultConfig()
	cfg.DryRun = true
	status, observed, seen := serve(t, mustNew(t, cfg), "/notes", "sqlmap/1.7")
	if status != http.StatusNoContent || len(observed) != 1 || observed[0].Action != Deny || !observed[0].DryRun || seen == nil {
		t.Errorf("dry run: %d %+v", status, observed)
	}
	cfg = DefaultConfig()
	cfg.Enabled = false
	status, observed, seen = serve(t, mustNew(t, cfg), "/notes", "sqlmap/1.7")
	if status != http.StatusNoContent || len(observed) != 0 || seen != nil {
		t.Errorf("disabled: %d %+v", status, observed)
	}
}

// TestDecisionCarriesNoRequestContent sends a User-Agent full of canary
// text and checks that neither the decision nor its log line holds any.
func TestDecisionCarriesNoRequestContent(t *testing.T) {
	const canary = "CANARY7f3a"
	d := mustNew(t, DefaultConfig(), WithResolver(newFakeDNS()))
	for _, ua := range []string{
		"sqlmap/1.7 " + canary,
		canary + " Googlebot/2.1 " + canary,
		"Mozilla/5.0 " + canary,
		canary,
	} {
		_, observed, _ := serve(t, d, "/notes", ua)
		if len(observed) != 1 {
			t.Fatalf("%q: %d decisions", ua, len(observed))
		}
		var buf bytes.Buffer
		slog.New(slog.NewJSONHandler(&buf, nil)).Info("bot", "decision", observed[0])
		if strings.Contains(buf.String(), canary) || strings.Contains(strings.ToLower(buf.String()), strings.ToLower(canary)) {
			t.Errorf("request content in the decision log: %s", buf.String())
		}
		if !strings.Contains(buf.String(), `"category"`) {
			t.Errorf("log line lacks the decision: %s", buf.String())
		}
	}
}
