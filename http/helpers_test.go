package http_test

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	quirehttp "github.com/quirehq/quire/http"
	"github.com/quirehq/quire/tlscert"
)

// logBuffer collects JSON log lines from concurrent goroutines.
type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// entries returns the parsed log records.
func (l *logBuffer) entries(t *testing.T) []map[string]any {
	t.Helper()
	var out []map[string]any
	for line := range strings.SplitSeq(strings.TrimSpace(l.String()), "\n") {
		if line == "" {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("log line %q: %v", line, err)
		}
		out = append(out, m)
	}
	return out
}

// find returns the first record whose key has value, or nil.
func (l *logBuffer) find(t *testing.T, key string, value any) map[string]any {
	t.Helper()
	for _, e := range l.entries(t) {
		if e[key] == value {
			return e
		}
	}
	return nil
}

func newLogger() (*slog.Logger, *logBuffer) {
	buf := &logBuffer{}
	return slog.New(slog.NewJSONHandler(buf, &slog.HandlerOptions{Level: slog.LevelDebug})), buf
}

// sharedCert is the self-signed loopback certificate all tests use, made
// once in TestMain.
var sharedCert tls.Certificate

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "quire-http-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	sharedCert, err = tlscert.LoadOrCreate(filepath.Join(dir, "tls"), "", "")
	code := 1
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
	} else {
		code = m.Run()
	}
	_ = os.RemoveAll(dir)
	os.Exit(code)
}

// testCert returns the shared test certificate.
func testCert(t testing.TB) tls.Certificate {
	t.Helper()
	return sharedCert
}

// testServer is a Server listening on 127.0.0.1 with a client that trusts it.
type testServer struct {
	*quirehttp.Server
	logs   *logBuffer
	client *http.Client
}

// openServer starts a server for cfg on loopback ports, with setup
// registering routes first. It is shut down when the test ends.
func openServer(t testing.TB, cfg quirehttp.Config, setup func(*quirehttp.Server)) *testServer {
	t.Helper()
	logger, logs := newLogger()
	cfg.Logger = logger
	if cfg.Addr == "" {
		cfg.Addr = "127.0.0.1:0"
	}
	cfg.TLSConfig = tlscert.ServerConfig(testCert(t))
	s := quirehttp.NewServer(cfg)
	if setup != nil {
		setup(s)
	}
	if err := s.Open(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := s.Shutdown(ctx); err != nil {
			t.Errorf("shutdown: %v", err)
		}
	})
	return &testServer{Server: s, logs: logs, client: newClient(t, nil)}
}

// clientTLS returns a client TLS config that trusts the test certificate.
func clientTLS(t testing.TB) *tls.Config {
	t.Helper()
	pool := x509.NewCertPool()
	pool.AddCert(testCert(t).Leaf)
	return &tls.Config{RootCAs: pool}
}

// newClient returns a client that trusts the test certificate (or uses
// tc), offers HTTP/2 and does not follow redirects.
func newClient(t testing.TB, tc *tls.Config) *http.Client {
	t.Helper()
	if tc == nil {
		tc = clientTLS(t)
	}
	tr := &http.Transport{TLSClientConfig: tc, ForceAttemptHTTP2: true}
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{
		Transport:     tr,
		Timeout:       10 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// do performs a request and returns the response with its body read.
func do(t *testing.T, c *http.Client, method, url string, body io.Reader) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, body)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(b)
}

// errorResponse is the JSON error shape.
type errorResponse struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
		ID      string `json:"id"`
	} `json:"error"`
}

func decodeError(t *testing.T, body string) errorResponse {
	t.Helper()
	var e errorResponse
	dec := json.NewDecoder(strings.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&e); err != nil {
		t.Fatalf("error body %q: %v", body, err)
	}
	return e
}

const hstsWant = "max-age=31536000; includeSubDomains"

// assertSecurityHeaders checks the headers every HTTPS response carries.
func assertSecurityHeaders(t *testing.T, h http.Header, hsts string) {
	t.Helper()
	if got := h.Get("Strict-Transport-Security"); got != hsts {
		t.Errorf("Strict-Transport-Security = %q, want %q", got, hsts)
	}
	for k, want := range map[string]string{
		"Content-Security-Policy":           quirehttp.ContentSecurityPolicy,
		"X-Frame-Options":                   "DENY",
		"Referrer-Policy":                   "no-referrer",
		"X-Content-Type-Options":            "nosniff",
		"Cross-Origin-Opener-Policy":        "same-origin",
		"Cross-Origin-Resource-Policy":      "same-origin",
		"Cross-Origin-Embedder-Policy":      "require-corp",
		"Origin-Agent-Cluster":              "?1",
		"X-DNS-Prefetch-Control":            "off",
		"X-Permitted-Cross-Domain-Policies": "none",
		"Permissions-Policy":                quirehttp.PermissionsPolicy,
	} {
		if got := h.Get(k); got != want {
			t.Errorf("%s = %q, want %q", k, got, want)
		}
	}
	for _, leak := range []string{"Server", "X-Powered-By"} {
		if got, ok := h[leak]; ok {
			t.Errorf("%s header present: %q", leak, got)
		}
	}
}
