package http_test

import (
	"crypto/tls"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	quirehttp "github.com/quirehq/quire/http"
)

func TestTLSVersionsAndSuites(t *testing.T) {
	s := openServer(t, quirehttp.Config{}, nil)
	addr := strings.TrimPrefix(s.URL(), "https://")
	tests := []struct {
		name        string
		min, max    uint16
		suites      []uint16
		wantVersion uint16 // 0: the handshake must fail
	}{
		{"TLS 1.0 refused", tls.VersionTLS10, tls.VersionTLS10, nil, 0},
		{"TLS 1.1 refused", tls.VersionTLS11, tls.VersionTLS11, nil, 0},
		{"TLS 1.2 accepted", tls.VersionTLS12, tls.VersionTLS12, nil, tls.VersionTLS12},
		{"TLS 1.3 accepted", tls.VersionTLS13, tls.VersionTLS13, nil, tls.VersionTLS13},
		{"TLS 1.3 preferred", tls.VersionTLS10, 0, nil, tls.VersionTLS13},
		{"TLS 1.2 CBC only refused", tls.VersionTLS12, tls.VersionTLS12, []uint16{
			tls.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA,
			tls.TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA,
			tls.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256,
		}, 0},
		{"TLS 1.2 static RSA key exchange refused", tls.VersionTLS12, tls.VersionTLS12, []uint16{
			tls.TLS_RSA_WITH_AES_128_GCM_SHA256,
			tls.TLS_RSA_WITH_AES_256_GCM_SHA384,
		}, 0},
		{"TLS 1.2 ChaCha20-Poly1305 accepted", tls.VersionTLS12, tls.VersionTLS12, []uint16{
			tls.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
		}, tls.VersionTLS12},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tc := clientTLS(t)
			tc.MinVersion, tc.MaxVersion, tc.CipherSuites = tt.min, tt.max, tt.suites
			conn, err := tls.DialWithDialer(&net.Dialer{Timeout: 5 * time.Second}, "tcp", addr, tc)
			if tt.wantVersion == 0 {
				if err == nil {
					conn.Close()
					t.Fatal("handshake succeeded")
				}
				// A remote alert proves the server refused, not the client.
				if !strings.Contains(err.Error(), "remote error") {
					t.Errorf("handshake failed on the client side: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("handshake: %v", err)
			}
			defer conn.Close()
			if got := conn.ConnectionState().Version; got != tt.wantVersion {
				t.Errorf("version = %s, want %s", tls.VersionName(got), tls.VersionName(tt.wantVersion))
			}
		})
	}
	// Refused handshakes are routine on a public port: logged at debug only.
	if e := findContaining(t, s.logs, "TLS handshake error"); e == nil || e["level"] != "DEBUG" {
		t.Errorf("handshake failure log record = %v, want a DEBUG record", e)
	}
}

func TestHTTP2AndHeadersOverTLS(t *testing.T) {
	s := openServer(t, quirehttp.Config{}, nil)
	for _, path := range []string{"/healthz", "/no-such-route"} {
		resp, _ := do(t, s.client, http.MethodGet, s.URL()+path, nil)
		if resp.ProtoMajor != 2 {
			t.Errorf("%s: protocol %s, want HTTP/2", path, resp.Proto)
		}
		if resp.TLS == nil || resp.TLS.NegotiatedProtocol != "h2" {
			t.Errorf("%s: ALPN did not negotiate h2", path)
		}
		assertSecurityHeaders(t, resp.Header, hstsWant)
	}
}

func TestHTTP1OverTLS(t *testing.T) {
	s := openServer(t, quirehttp.Config{}, nil)
	tc := clientTLS(t)
	tc.NextProtos = []string{"http/1.1"}
	c := newClient(t, tc)
	c.Transport.(*http.Transport).ForceAttemptHTTP2 = false
	resp, body := do(t, c, http.MethodGet, s.URL()+"/healthz", nil)
	if resp.ProtoMajor != 1 || resp.StatusCode != http.StatusOK {
		t.Fatalf("%s %d %s", resp.Proto, resp.StatusCode, body)
	}
	assertSecurityHeaders(t, resp.Header, hstsWant)
}

// findContaining returns the first log record whose message contains s.
func findContaining(t *testing.T, logs *logBuffer, s string) map[string]any {
	t.Helper()
	for _, e := range logs.entries(t) {
		if msg, _ := e["msg"].(string); strings.Contains(msg, s) {
			return e
		}
	}
	return nil
}
