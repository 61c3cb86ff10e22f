package trust

import (
	"bytes"
	"context"
	"crypto/tls"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/quirehq/quire/barrier"
	qhttp "github.com/quirehq/quire/http"
	"github.com/quirehq/quire/internal/authtest"
)

// liveEnv is a complete local deployment: a real SQLite store, a real TLS
// listener with its redirect listener, and a log directory.
func liveEnv(t *testing.T, cfg *tls.Config) *Env {
	t.Helper()
	env, db := mustOpenSQLite(t, barrier.Options{})
	accounts, _ := authtest.OnStore(t, db, env.Barrier, env.DataDir, authtest.Options{})
	env.Accounts = accounts
	api := qhttp.NewServer(qhttp.Config{Auth: accounts, AuthBurst: 1000})
	mux := http.NewServeMux()
	mux.Handle("/api/", api)
	mux.Handle("/logout", api)
	mux.Handle("/", withHeaders(hstsHandler("max-age=63072000; includeSubDomains", true), nil))
	srv, pool := startTLS(t, cfg, mux)
	env.URL, env.RootCAs = srv.URL, pool
	redirect := httptest.NewServer(withHeaders(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Del("Strict-Transport-Security")
		http.Redirect(w, r, srv.URL+r.URL.RequestURI(), http.StatusPermanentRedirect)
	}), nil))
	t.Cleanup(redirect.Close)
	env.HTTPURL = redirect.URL
	env.Logs = LogInfo{Dir: logDir(t, 0o700, map[string]logFile{"quire-today.log": {0o600, time.Hour}}), Retention: 7 * 24 * time.Hour, NewLogger: maskingLogger}
	return env
}

func TestRunLive(t *testing.T) {
	rep := Run(context.Background(), liveEnv(t, goodTLS()))
	if !rep.Passed {
		var buf bytes.Buffer
		_ = rep.WriteText(&buf)
		t.Fatalf("a correct deployment failed:\n%s", buf.String())
	}
	c := rep.Counts()
	if c[StatusPass] != 11 || c[StatusNotImplemented] != len(registry)-11 || c[StatusFail] != 0 {
		t.Fatalf("counts %v, want the 11 implemented checks passing and the rest not implemented", c)
	}
	for _, res := range rep.Results {
		if res.Status == StatusPass && (len(res.Evidence) == 0 || res.Duration <= 0) {
			t.Errorf("%s passed without evidence or duration", res.ID)
		}
		if strings.HasPrefix(res.ID, "ACC-") && !strings.Contains(strings.Join(res.Evidence, "\n"), "throwaway account was deleted") {
			t.Errorf("%s did not delete its throwaway account: %q", res.ID, res.Evidence)
		}
	}
	var buf bytes.Buffer
	if err := rep.WriteText(&buf); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), "Result: PASS (11 pass, 0 fail, 0 not applicable, 20 not implemented") {
		t.Fatalf("text summary:\n%s", buf.String())
	}
}

func TestRunLiveFailsOnBadTLS(t *testing.T) {
	rep := Run(context.Background(), liveEnv(t, &tls.Config{MinVersion: tls.VersionTLS10}))
	if rep.Passed {
		t.Fatal("a server that accepts TLS 1.0 passed")
	}
	for _, res := range rep.Results {
		want := res.ID == "TLS-1"
		if got := res.Status == StatusFail; got != want {
			t.Errorf("%s: %s; only TLS-1 should fail", res.ID, res.Status)
		}
	}
}

func TestHandlerLive(t *testing.T) {
	env := liveEnv(t, goodTLS())
	var runs atomic.Int32
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	get, stop := Schedule(ctx, func(ctx context.Context) *Report { runs.Add(1); return Run(ctx, env) }, time.Hour)
	defer stop()
	for get(ctx) == nil {
		time.Sleep(10 * time.Millisecond)
	}
	h := Handler(get)
	page := serve(t, h, http.MethodGet, "/trust")
	js := serve(t, h, http.MethodGet, "/trust.json")
	if page.Code != http.StatusOK || js.Code != http.StatusOK || runs.Load() != 1 {
		t.Fatalf("page %d, json %d, %d runs; want 200, 200 and the one scheduled run", page.Code, js.Code, runs.Load())
	}
	assertJSONShape(t, js.Body.Bytes())
	if !strings.Contains(page.Body.String(), "Overall: pass") || !strings.Contains(js.Body.String(), `"passed": true`) {
		t.Fatal("the live page or JSON does not show the passing result")
	}
}
