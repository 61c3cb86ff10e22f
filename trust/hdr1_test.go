package trust

import (
	"context"
	"crypto/x509"
	"io"
	"log/slog"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	quirehttp "github.com/quirehq/quire/http"
	"github.com/quirehq/quire/tlscert"
)

// goodHeaders is a header set that passes HDR-1: Quire's own.
var goodHeaders = map[string]string{
	"Strict-Transport-Security":         "max-age=31536000; includeSubDomains",
	"Content-Security-Policy":           quirehttp.ContentSecurityPolicy,
	"X-Frame-Options":                   "DENY",
	"Referrer-Policy":                   "no-referrer",
	"X-Content-Type-Options":            "nosniff",
	"Cross-Origin-Opener-Policy":        "same-origin",
	"Cross-Origin-Resource-Policy":      "same-origin",
	"Origin-Agent-Cluster":              "?1",
	"X-DNS-Prefetch-Control":            "off",
	"X-Permitted-Cross-Domain-Policies": "none",
	"Permissions-Policy":                quirehttp.PermissionsPolicy,
}

// withHeaders sets headers (minus those named in drop, plus set) on every
// response of h.
func withHeaders(h http.Handler, set map[string]string, drop ...string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		for k, v := range goodHeaders {
			w.Header().Set(k, v)
		}
		for k, v := range set {
			w.Header().Set(k, v)
		}
		for _, k := range drop {
			w.Header().Del(k)
		}
		h.ServeHTTP(w, r)
	})
}

// TestCheckHDR1Quire runs the check against Quire's real HTTPS server and
// redirect listener.
func TestCheckHDR1Quire(t *testing.T) {
	cert, err := tlscert.LoadOrCreate(filepath.Join(t.TempDir(), "tls"), "", "")
	if err != nil {
		t.Fatal(err)
	}
	s := quirehttp.NewServer(quirehttp.Config{Addr: "127.0.0.1:0", HTTPAddr: "127.0.0.1:0", TLSConfig: tlscert.ServerConfig(cert),
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	s.Mount("GET /trust", Handler(func(context.Context) *Report { return &Report{Passed: true} }))
	if err := s.Open(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		s.Shutdown(ctx)
	})
	pool := x509.NewCertPool()
	pool.AddCert(cert.Leaf)
	st, ev := checkHDR1(context.Background(), &Env{URL: s.URL(), HTTPURL: s.HTTPURL(), RootCAs: pool})
	joined := strings.Join(ev, "\n")
	if st != StatusPass || strings.Count(joined, "CSP without unsafe-inline") != 4 {
		t.Fatalf("HDR-1 on Quire's server: %s\n%s", st, joined)
	}
}

func TestCheckHDR1Fails(t *testing.T) {
	ok := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte("ok")) })
	for _, tc := range []struct {
		name string
		set  map[string]string
		drop []string
		want string
	}{
		{"no CSP", nil, []string{"Content-Security-Policy"}, "Content-Security-Policy missing"},
		{"unsafe-inline", map[string]string{"Content-Security-Policy": "default-src 'self'; script-src 'self' 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'; form-action 'self'"}, nil, "CSP script-src allows 'unsafe-inline'"},
		{"unsafe-eval", map[string]string{"Content-Security-Policy": "default-src 'self' 'unsafe-eval'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'; form-action 'self'"}, nil, "CSP default-src allows 'unsafe-eval'"},
		{"wildcard scripts", map[string]string{"Content-Security-Policy": "default-src 'none'; script-src https:; frame-ancestors 'none'; base-uri 'none'; object-src 'none'; form-action 'self'"}, nil, "CSP lets scripts load from https:"},
		{"no frame-ancestors", map[string]string{"Content-Security-Policy": "default-src 'none'; base-uri 'none'; object-src 'none'; form-action 'self'"}, nil, "CSP frame-ancestors"},
		{"no object-src", map[string]string{"Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"}, nil, "CSP object-src"},
		{"framing allowed", map[string]string{"X-Frame-Options": "ALLOW-FROM https://x.example"}, nil, "X-Frame-Options"},
		{"referrer leaks", map[string]string{"Referrer-Policy": "unsafe-url"}, nil, "Referrer-Policy"},
		{"no nosniff", nil, []string{"X-Content-Type-Options"}, "X-Content-Type-Options"},
		{"no COOP", nil, []string{"Cross-Origin-Opener-Policy"}, "Cross-Origin-Opener-Policy"},
		{"no CORP", nil, []string{"Cross-Origin-Resource-Policy"}, "Cross-Origin-Resource-Policy"},
		{"no Permissions-Policy", nil, []string{"Permissions-Policy"}, "Permissions-Policy missing"},
		{"server banner", map[string]string{"X-Powered-By": "PHP/5.6"}, nil, "X-Powered-By header reveals"},
		{"no HSTS", nil, []string{"Strict-Transport-Security"}, "Strict-Transport-Security missing"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv, pool := startTLS(t, goodTLS(), withHeaders(ok, tc.set, tc.drop...))
			st, ev := checkHDR1(context.Background(), &Env{URL: srv.URL, RootCAs: pool})
			if joined := strings.Join(ev, "\n"); st != StatusFail || !strings.Contains(joined, tc.want) {
				t.Fatalf("status %s, want fail with %q; evidence:\n%s", st, tc.want, joined)
			}
		})
	}
	// Headers only on success responses are not enough.
	onlyOK := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/healthz" {
			http.NotFound(w, r)
			return
		}
		withHeaders(ok, nil).ServeHTTP(w, r)
	})
	srv, pool := startTLS(t, goodTLS(), onlyOK)
	if st, ev := checkHDR1(context.Background(), &Env{URL: srv.URL, RootCAs: pool}); st != StatusFail || !strings.Contains(strings.Join(ev, "\n"), "a missing page (status 404)") {
		t.Fatalf("headers missing on 404 not caught: %s %v", st, ev)
	}
	if st, _ := checkHDR1(context.Background(), &Env{}); st != StatusFail {
		t.Fatal("no URL must fail")
	}
}
