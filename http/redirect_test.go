package http_test

import (
	"bufio"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	quirehttp "github.com/quirehq/quire/http"
)

func TestPlainHTTPRedirects(t *testing.T) {
	s := openServer(t, quirehttp.Config{HTTPAddr: "127.0.0.1:0"}, nil)
	httpsPort := mustPort(t, s.URL())
	for _, method := range []string{"GET", "POST", "HEAD"} {
		resp, body := do(t, s.client, method, s.HTTPURL()+"/api/v1/notes?folderId=abc&pinnedOnly=true", nil)
		if resp.StatusCode != http.StatusPermanentRedirect {
			t.Fatalf("%s: status %d", method, resp.StatusCode)
		}
		want := "https://127.0.0.1:" + httpsPort + "/api/v1/notes?folderId=abc&pinnedOnly=true"
		if got := resp.Header.Get("Location"); got != want {
			t.Errorf("%s: Location = %q, want %q", method, got, want)
		}
		if resp.Header.Get("Strict-Transport-Security") != "" {
			t.Errorf("%s: HSTS sent over plain HTTP", method)
		}
		if body != "" {
			t.Errorf("%s: body %q", method, body)
		}
	}
	// Following the redirect reaches the HTTPS server.
	c := newClient(t, nil)
	c.CheckRedirect = nil
	resp, body := do(t, c, "GET", s.HTTPURL()+"/healthz", nil)
	if resp.StatusCode != http.StatusOK || resp.TLS == nil || !strings.Contains(body, `"ok"`) {
		t.Errorf("followed redirect: %d tls=%v %q", resp.StatusCode, resp.TLS != nil, body)
	}
}

func TestPlainHTTPRedirectHost(t *testing.T) {
	s := openServer(t, quirehttp.Config{HTTPAddr: "127.0.0.1:0", RedirectPort: 443}, nil)
	tests := []struct {
		host       string
		wantStatus int
		wantLoc    string
	}{
		{"quire.example:8080", 308, "https://quire.example/x?y=1"},
		{"QUIRE.example", 308, "https://quire.example/x?y=1"},
		{"evil.com@quire.example", 400, ""},
		{"quire.example/evil.com", 400, ""},
		{"", 400, ""},
	}
	for _, tt := range tests {
		t.Run(tt.host, func(t *testing.T) {
			status, loc := rawRequest(t, s.HTTPURL(), "GET /x?y=1 HTTP/1.1\r\nHost: "+tt.host+"\r\nConnection: close\r\n\r\n")
			if status != tt.wantStatus || loc != tt.wantLoc {
				t.Errorf("status %d Location %q; want %d %q", status, loc, tt.wantStatus, tt.wantLoc)
			}
		})
	}
}

// rawRequest sends a hand-written request, so that the Host header can be
// anything, and returns the status and Location.
func rawRequest(t *testing.T, base, req string) (int, string) {
	t.Helper()
	conn, err := net.DialTimeout("tcp", strings.TrimPrefix(base, "http://"), 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := fmt.Fprint(conn, req); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	return resp.StatusCode, resp.Header.Get("Location")
}

func mustPort(t *testing.T, rawURL string) string {
	t.Helper()
	u, err := url.Parse(rawURL)
	if err != nil {
		t.Fatal(err)
	}
	return u.Port()
}
