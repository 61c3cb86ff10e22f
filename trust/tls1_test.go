package trust

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// aeadSuites is the TLS 1.2 suite list a correct server configures.
var aeadSuites = []uint16{
	tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
	tls.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384, tls.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
	tls.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256, tls.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
}

func goodTLS() *tls.Config {
	return &tls.Config{MinVersion: tls.VersionTLS12, CipherSuites: aeadSuites}
}

// hstsHandler serves /healthz and 404s, with hsts (if not empty) on both.
func hstsHandler(hsts string, onErrors bool) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/healthz" {
			if hsts != "" {
				w.Header().Set("Strict-Transport-Security", hsts)
			}
			_, _ = w.Write([]byte(`{"status":"ok"}`))
			return
		}
		if hsts != "" && onErrors {
			w.Header().Set("Strict-Transport-Security", hsts)
		}
		http.NotFound(w, r)
	})
}

// startTLS starts an HTTPS server on 127.0.0.1 and returns it with a pool
// that trusts its certificate.
func startTLS(t *testing.T, cfg *tls.Config, h http.Handler) (*httptest.Server, *x509.CertPool) {
	t.Helper()
	srv := httptest.NewUnstartedServer(h)
	srv.TLS = cfg
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // refused probes are expected
	srv.StartTLS()
	t.Cleanup(srv.Close)
	pool := x509.NewCertPool()
	pool.AddCert(srv.Certificate())
	return srv, pool
}

// startRedirect starts a plain-HTTP server that answers every request with
// status to location(path and query).
func startRedirect(t *testing.T, status int, location func(r *http.Request) string) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, location(r), status)
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

func TestCheckTLS1(t *testing.T) {
	const goodHSTS = "max-age=63072000; includeSubDomains"
	same := func(base string) func(*http.Request) string {
		return func(r *http.Request) string { return base + r.URL.RequestURI() }
	}
	tests := []struct {
		name     string
		cfg      *tls.Config
		hsts     string
		onErrors bool
		redirect func(httpsURL string) (int, func(*http.Request) string) // nil: no HTTP listener
		trust    bool
		want     Status
		evidence string
	}{
		{"good server", goodTLS(), goodHSTS, true,
			func(u string) (int, func(*http.Request) string) { return http.StatusPermanentRedirect, same(u) },
			true, StatusPass, "308 to https://"},
		{"good server without HTTP listener", goodTLS(), goodHSTS, true, nil, true, StatusPass, "no redirect listener configured"},
		{"allows TLS 1.0", &tls.Config{MinVersion: tls.VersionTLS10}, goodHSTS, true, nil, true, StatusFail,
			"FAIL: TLS 1.1 client (versions 1.0 and 1.1): accepted"},
		{"accepts CBC suites (Go's defaults)", &tls.Config{MinVersion: tls.VersionTLS12}, goodHSTS, true, nil, true, StatusFail,
			"FAIL: TLS 1.2 client offering only CBC cipher suites: accepted"},
		{"TLS 1.2 only, no 1.3", &tls.Config{MinVersion: tls.VersionTLS12, MaxVersion: tls.VersionTLS12, CipherSuites: aeadSuites}, goodHSTS, true, nil, true, StatusFail,
			"FAIL: TLS 1.3 client: handshake failed"},
		{"no HSTS", goodTLS(), "", true, nil, true, StatusFail, "FAIL: HSTS on /healthz (status 200): header missing"},
		{"HSTS missing on errors", goodTLS(), goodHSTS, false, nil, true, StatusFail, "FAIL: HSTS on a missing page (status 404): header missing"},
		{"HSTS too short", goodTLS(), "max-age=86400; includeSubDomains", true, nil, true, StatusFail, "want at least 31536000"},
		{"HSTS without subdomains", goodTLS(), "max-age=31536000", true, nil, true, StatusFail, "includeSubDomains missing"},
		{"untrusted certificate", goodTLS(), goodHSTS, true, nil, false, StatusFail, "FAIL: TLS 1.2 client: handshake failed: tls: failed to verify certificate"},
		{"redirect is 301", goodTLS(), goodHSTS, true,
			func(u string) (int, func(*http.Request) string) { return http.StatusMovedPermanently, same(u) },
			true, StatusFail, "status 301, want 308"},
		{"redirect to http", goodTLS(), goodHSTS, true,
			func(string) (int, func(*http.Request) string) {
				return http.StatusPermanentRedirect, same("http://127.0.0.1:1")
			}, true, StatusFail, "without an absolute https:// Location"},
		{"redirect drops the query", goodTLS(), goodHSTS, true,
			func(u string) (int, func(*http.Request) string) {
				return http.StatusPermanentRedirect, func(r *http.Request) string { return u + r.URL.Path }
			}, true, StatusFail, "another path or query"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, pool := startTLS(t, tt.cfg, hstsHandler(tt.hsts, tt.onErrors))
			env := &Env{URL: srv.URL}
			if tt.trust {
				env.RootCAs = pool
			}
			if tt.redirect != nil {
				status, location := tt.redirect(srv.URL)
				env.HTTPURL = startRedirect(t, status, location)
			}
			st, ev := checkTLS1(context.Background(), env)
			joined := strings.Join(ev, "\n")
			if st != tt.want || !strings.Contains(joined, tt.evidence) {
				t.Fatalf("status %s, want %s with %q; evidence:\n%s", st, tt.want, tt.evidence, joined)
			}
			if tt.want == StatusPass && (!strings.Contains(joined, "TLS 1.1 client (versions 1.0 and 1.1): refused") ||
				!strings.Contains(joined, "only CBC cipher suites: refused") || !strings.Contains(joined, "(AEAD)")) {
				t.Fatalf("a passing report must show each probe:\n%s", joined)
			}
		})
	}
}

func TestCheckTLS1Unusable(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := l.Addr().String()
	l.Close()
	tests := []struct {
		name, url, evidence string
	}{
		{"no URL", "", "no server URL given; run with --url"},
		{"plain http URL", "http://127.0.0.1:8080", "must be an absolute https:// URL"},
		{"nothing listening", "https://" + closed, "FAIL: could not connect to " + closed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st, ev := checkTLS1(context.Background(), &Env{URL: tt.url})
			if st != StatusFail || !strings.Contains(strings.Join(ev, "\n"), tt.evidence) {
				t.Fatalf("got %s %q, want fail with %q", st, ev, tt.evidence)
			}
		})
	}
}

func TestAEAD(t *testing.T) {
	for id, want := range map[uint16]bool{
		tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256:       true,
		tls.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256: true,
		tls.TLS_AES_256_GCM_SHA384:                      true,
		tls.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA:          false,
		tls.TLS_RSA_WITH_AES_128_CBC_SHA256:             false,
		tls.TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA:         false,
	} {
		if got := aead(tls.CipherSuiteName(id)); got != want {
			t.Errorf("aead(%s) = %t, want %t", tls.CipherSuiteName(id), got, want)
		}
	}
}

// TestServerNameIsVerified checks that the probes verify the certificate
// against Env.ServerName when it is set: a server probing itself on
// 127.0.0.1 under a certificate for its public name.
func TestServerNameIsVerified(t *testing.T) {
	srv, pool := startTLS(t, goodTLS(), withHeaders(hstsHandler("max-age=63072000; includeSubDomains", true), nil))
	for _, tc := range []struct {
		name string
		want Status
	}{
		{"example.com", StatusPass}, // in httptest's certificate
		{"quire.invalid", StatusFail},
	} {
		env := &Env{URL: srv.URL, RootCAs: pool, ServerName: tc.name}
		if st, ev := checkHDR1(context.Background(), env); st != tc.want {
			t.Errorf("ServerName %s: HDR-1 %s, want %s: %v", tc.name, st, tc.want, ev)
		}
	}
}
