package trust

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"net/http"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/quirehq/quire/barrier"
	"github.com/quirehq/quire/disclosure"
	"github.com/quirehq/quire/edge/bot"
	"github.com/quirehq/quire/edge/ratelimit"
	"github.com/quirehq/quire/edge/shield"
	qhttp "github.com/quirehq/quire/http"
	"github.com/quirehq/quire/internal/authtest"
	"github.com/quirehq/quire/sqlite"
	"github.com/quirehq/quire/tlscert"
)

// liveEnv is a complete local deployment: a real SQLite store and Quire's
// own HTTP server (accounts, limits, the redirect listener) on loopback
// ports with cfg's TLS, and a log directory.
func liveEnv(t *testing.T, cfg *tls.Config) *Env {
	t.Helper()
	return liveEnvWith(t, cfg, true)
}

// liveEnvWith is liveEnv, with the bot policy and the shield on the
// server or not (the Env says they are on either way).
func liveEnvWith(t *testing.T, cfg *tls.Config, edge bool) *Env {
	t.Helper()
	var detector *bot.Detector
	var sh *shield.Shield
	if edge {
		d, err := bot.New(bot.DefaultConfig())
		if err != nil {
			t.Fatal(err)
		}
		detector = d
		if sh, err = shield.New(shield.Config{}); err != nil {
			t.Fatal(err)
		}
	}
	env, db := mustOpenSQLite(t, barrier.Options{})
	accounts, _ := authtest.OnStore(t, db, env.Barrier, env.DataDir, authtest.Options{})
	env.Accounts = accounts
	reports := sqlite.NewSecurityReportService(db, env.Barrier)
	disc, err := disclosure.New(disclosure.Config{Reports: reports, Txt: disclosure.TxtConfig{PreferredLanguages: []string{"en"}}})
	if err != nil {
		t.Fatal(err)
	}
	env.Disclosure = DisclosureInfo{Reports: reports, PublicURL: authtest.BaseURL}
	cert, err := tlscert.LoadOrCreate(filepath.Join(t.TempDir(), "tls"), "", "")
	if err != nil {
		t.Fatal(err)
	}
	cfg.Certificates = []tls.Certificate{cert}
	const perIP, headerTimeout = 8, 2 * time.Second
	perSecond := ratelimit.Limit{Rate: 100, Period: 10 * time.Second, Burst: 40} // refills slower than even a -race run sends
	srv := qhttp.NewServer(qhttp.Config{Addr: "127.0.0.1:0", HTTPAddr: "127.0.0.1:0", TLSConfig: cfg,
		Auth: accounts, AuthBurst: 1000, MaxConnsPerIP: perIP, Disclosure: disc, ReadHeaderTimeout: headerTimeout, Bots: detector, Shield: sh,
		RateLimit: &qhttp.RateLimits{Limiter: ratelimit.NewMemory(ratelimit.MemoryOptions{}), PerIP: perSecond, PerUser: perSecond, PerKey: perSecond}})
	if err := srv.Open(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Shutdown(context.Background()) })
	leaf, err := x509.ParseCertificate(cert.Certificate[0])
	if err != nil {
		t.Fatal(err)
	}
	env.RootCAs = x509.NewCertPool()
	env.RootCAs.AddCert(leaf)
	env.URL, env.HTTPURL = srv.URL(), srv.HTTPURL()
	env.Limits = LimitsInfo{MaxHeaderBytes: qhttp.DefaultMaxHeaderBytes, MaxBodyBytes: qhttp.DefaultMaxBodyBytes,
		ReadHeaderTimeout: headerTimeout, MaxConnsPerIP: perIP, MaxInFlight: 512}
	env.RateLimit = RateLimitInfo{PerIPBurst: perSecond.Burst}
	env.Bots = testBotInfo(t)
	env.Shield = testShieldInfo(t)
	env.AI, env.Outbound = testAIInfo(), testOutbound()
	env.SubProcessors, env.Local = testSubProcessors(), []string{"PostgreSQL on loopback (127.0.0.1:5432)"}
	env.Privacy = sqlite.NewPrivacyService(db)
	env.Deletions = sqlite.NewDeletionService(db)
	env.EmailChanges = sqlite.NewAuthService(db, env.Barrier)
	env.Exports = ExportInfo{Store: sqlite.NewExportService(db), TTL: 7 * 24 * time.Hour, Dir: filepath.Join(t.TempDir(), "exports")}
	// The gateway's endpoint, as far as AI-1 probes it: a call without a
	// key is refused (the real endpoints are tested in gateway/endpoint
	// and through quire serve).
	srv.Mount("POST /v1/chat/completions", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, `{"error":{"code":"missing_api_key"}}`, http.StatusUnauthorized)
	}))
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
	if c[StatusPass] != 26 || c[StatusNotImplemented] != len(registry)-26 || c[StatusFail] != 0 {
		t.Fatalf("counts %v, want the 26 implemented checks passing and the rest not implemented", c)
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
	if !strings.Contains(buf.String(), "Result: PASS (26 pass, 0 fail, 0 not applicable, 5 not implemented") {
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
		var buf bytes.Buffer
		_ = get(ctx).WriteText(&buf)
		t.Fatalf("the live page or JSON does not show the passing result:\n%s", buf.String())
	}
}

func TestDOS1ExemptProberIsNotProbed(t *testing.T) {
	env := liveEnv(t, goodTLS())
	env.Limits.ProberExempt = true
	st, ev := checkDOS1(context.Background(), env)
	if st != StatusPass || !strings.Contains(strings.Join(ev, "\n"), "trusted proxy, which the cap exempts: not probed") {
		t.Fatalf("DOS-1 with an exempt prober: %s %q", st, ev)
	}
}
