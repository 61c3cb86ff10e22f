package http_test

import (
	"context"
	"crypto/tls"
	"io"
	"net"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	quirehttp "github.com/quirehq/quire/http"
	"github.com/quirehq/quire/tlscert"
)

func TestOpenURLs(t *testing.T) {
	s := openServer(t, quirehttp.Config{HTTPAddr: "127.0.0.1:0"}, nil)
	if !regexp.MustCompile(`^https://127\.0\.0\.1:[1-9][0-9]*$`).MatchString(s.URL()) {
		t.Errorf("URL() = %q", s.URL())
	}
	if !regexp.MustCompile(`^http://127\.0\.0\.1:[1-9][0-9]*$`).MatchString(s.HTTPURL()) {
		t.Errorf("HTTPURL() = %q", s.HTTPURL())
	}
	if err := s.Open(); err == nil {
		t.Error("second Open succeeded")
	}

	noRedirect := openServer(t, quirehttp.Config{}, nil)
	if noRedirect.HTTPURL() != "" {
		t.Errorf("HTTPURL() = %q without a plain-HTTP listener", noRedirect.HTTPURL())
	}
	if quirehttp.NewServer(quirehttp.Config{}).URL() != "" {
		t.Error("URL() before Open is not empty")
	}
}

func TestOpenWildcardURL(t *testing.T) {
	s := openServer(t, quirehttp.Config{Addr: ":0"}, nil)
	if !strings.HasPrefix(s.URL(), "https://127.0.0.1:") {
		t.Errorf("URL() = %q", s.URL())
	}
}

func TestOpenErrors(t *testing.T) {
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	tlsConfig := tlscert.ServerConfig(testCert(t))
	tests := []struct {
		name    string
		cfg     quirehttp.Config
		wantErr string
	}{
		{"no TLS config", quirehttp.Config{Addr: "127.0.0.1:0"}, "no TLS certificate"},
		{"TLS config without certificate", quirehttp.Config{Addr: "127.0.0.1:0", TLSConfig: &tlsConfigEmpty}, "no TLS certificate"},
		{"HTTPS port busy", quirehttp.Config{Addr: busy.Addr().String(), TLSConfig: tlsConfig}, busy.Addr().String()},
		{"HTTP port busy", quirehttp.Config{Addr: "127.0.0.1:0", HTTPAddr: busy.Addr().String(), TLSConfig: tlsConfig}, busy.Addr().String()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := quirehttp.NewServer(tt.cfg)
			err := s.Open()
			if err == nil {
				_ = s.Shutdown(context.Background())
				t.Fatal("Open succeeded")
			}
			if !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("error %q does not mention %q", err, tt.wantErr)
			}
			if s.URL() != "" {
				t.Error("a failed Open left a listener behind")
			}
		})
	}
}

func TestReadHeaderTimeoutDropsSilentClients(t *testing.T) {
	s := openServer(t, quirehttp.Config{HTTPAddr: "127.0.0.1:0", ReadHeaderTimeout: 100 * time.Millisecond}, nil)
	for _, base := range []string{s.URL(), s.HTTPURL()} {
		addr := base[strings.Index(base, "://")+3:]
		conn, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		_ = conn.SetReadDeadline(time.Now().Add(5 * time.Second))
		start := time.Now()
		// Send nothing (no ClientHello, no request line): the server must hang up.
		_, err = io.ReadAll(conn)
		conn.Close()
		if err != nil {
			t.Errorf("%s: connection not closed by the server: %v", base, err)
		}
		if waited := time.Since(start); waited > 4*time.Second {
			t.Errorf("%s: server waited %v", base, waited)
		}
	}
}

func TestResponseControllerThroughStack(t *testing.T) {
	s := openServer(t, quirehttp.Config{}, func(s *quirehttp.Server) {
		s.Handle("GET /stream", func(w http.ResponseWriter, r *http.Request) error {
			rc := http.NewResponseController(w)
			if err := rc.SetWriteDeadline(time.Now().Add(time.Minute)); err != nil {
				return err
			}
			if _, err := io.WriteString(w, "chunk"); err != nil {
				return err
			}
			return rc.Flush()
		})
	})
	resp, body := do(t, s.client, "GET", s.URL()+"/stream", nil)
	if resp.StatusCode != http.StatusOK || body != "chunk" {
		t.Errorf("%d %q", resp.StatusCode, body)
	}
}

// tlsConfigEmpty is a TLS configuration that provides no certificate.
var tlsConfigEmpty = tls.Config{}
