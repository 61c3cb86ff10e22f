package http_test

import (
	"bufio"
	"crypto/tls"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/quirehq/quire/edge/clientip"
	quirehttp "github.com/quirehq/quire/http"
)

// rawExchange sends raw bytes over a fresh TLS connection (HTTP/1.1) and
// returns the status of the response, or 0 when the server closed the
// connection without one, and how long that took.
func rawExchange(t *testing.T, s *testServer, raw string, then func(*tls.Conn)) (int, time.Duration) {
	t.Helper()
	tc := clientTLS(t)
	tc.NextProtos = []string{"http/1.1"}
	conn, err := tls.Dial("tcp", strings.TrimPrefix(s.URL(), "https://"), tc)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	start := time.Now()
	_ = conn.SetDeadline(start.Add(10 * time.Second))
	if _, err := io.WriteString(conn, raw); err != nil {
		t.Fatalf("write: %v", err)
	}
	if then != nil {
		then(conn)
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		return 0, time.Since(start)
	}
	resp.Body.Close()
	return resp.StatusCode, time.Since(start)
}

// TestBadInputIsRefusedQuickly sends the malformed requests of the
// issue's bad-input list through the whole stack: each gets the right 4xx
// (never a 5xx), quickly, and the server stays healthy.
func TestBadInputIsRefusedQuickly(t *testing.T) {
	proxies, err := clientip.New(clientip.Options{TrustedProxies: []string{"127.0.0.1"}})
	if err != nil {
		t.Fatal(err)
	}
	s := openServer(t, quirehttp.Config{ClientIP: proxies, MaxHeaderBytes: 16 << 10, MaxBodyBytes: 64 << 10,
		ReadTimeout: 2 * time.Second}, func(s *quirehttp.Server) {
		s.Handle("POST /echo", func(w http.ResponseWriter, r *http.Request) error {
			n, err := io.Copy(io.Discard, r.Body)
			if err != nil {
				return err
			}
			fmt.Fprintf(w, "%d", n)
			return nil
		})
	})
	host := strings.TrimPrefix(s.URL(), "https://")
	get := func(target, headers string) string {
		return "GET " + target + " HTTP/1.1\r\nHost: " + host + "\r\n" + headers + "\r\n"
	}
	for _, tc := range []struct {
		name string
		raw  string
		then func(*tls.Conn)
		want []int // acceptable statuses; 0 = closed without a response
	}{
		{"invalid UTF-8 in the path, encoded", get("/%ff%fe%fd", ""), nil, []int{404}},
		{"invalid UTF-8 in the path, raw", get("/\xff\xfe", ""), nil, []int{404}},
		{"invalid UTF-8 in a header", get("/healthz", "X-Name: \xff\xfe\xfd\r\n"), nil, []int{200}},
		{"a control character in a header", get("/healthz", "X-Name: a\x01b\r\n"), nil, []int{400}},
		{"huge header", get("/healthz", "X-Big: "+strings.Repeat("a", 64<<10)+"\r\n"), nil, []int{431}},
		{"many headers", get("/healthz", strings.Repeat("X-A: b\r\n", 8000)), nil, []int{431}},
		{"malformed X-Forwarded-For from a trusted proxy", get("/healthz", "X-Forwarded-For: ,,%%, [::1, 999.1.1.1, \xff\r\n"), nil, []int{200}},
		{"IPv6 zone in X-Forwarded-For", get("/healthz", "X-Forwarded-For: fe80::1%eth0, [fe80::2%25lo]:80\r\n"), nil, []int{200}},
		{"Content-Length not a number", "POST /echo HTTP/1.1\r\nHost: " + host + "\r\nContent-Length: 99999999999999999999999\r\n\r\n", nil, []int{400}},
		{"absurd Content-Length", "POST /echo HTTP/1.1\r\nHost: " + host + "\r\nContent-Length: 10000000000\r\n\r\n", nil, []int{413}},
		{"two Content-Lengths", "POST /echo HTTP/1.1\r\nHost: " + host + "\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab", nil, []int{400}},
		{"chunked body that never ends", "POST /echo HTTP/1.1\r\nHost: " + host + "\r\nTransfer-Encoding: chunked\r\n\r\n", func(c *tls.Conn) {
			chunk := "1000\r\n" + strings.Repeat("x", 0x1000) + "\r\n"
			for range 64 { // 256 KiB, four times the body limit, and no end
				if _, err := io.WriteString(c, chunk); err != nil {
					return // the server has answered and closed: fine
				}
			}
		}, []int{413}},
		{"chunked body that trickles", "POST /echo HTTP/1.1\r\nHost: " + host + "\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nx\r\n", nil, []int{0, 400, 408}},
		{"bad chunk size", "POST /echo HTTP/1.1\r\nHost: " + host + "\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", nil, []int{400}},
		// RFC 9112 §6.3: Transfer-Encoding overrides Content-Length, which
		// net/http drops; the origin cannot disagree with itself about
		// where the body ends.
		{"Transfer-Encoding and Content-Length (smuggling)", "POST /echo HTTP/1.1\r\nHost: " + host + "\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", nil, []int{200}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, took := rawExchange(t, s, tc.raw, tc.then)
			ok := false
			for _, w := range tc.want {
				ok = ok || status == w
			}
			if !ok {
				t.Fatalf("status %d, want one of %v", status, tc.want)
			}
			// Quickly: well inside the 2s read timeout, except for the
			// trickle, which that timeout ends.
			limit := time.Second
			if status == 0 || status == 408 {
				limit = 5 * time.Second
			}
			if took > limit {
				t.Fatalf("took %v", took)
			}
			if r, _ := do(t, s.client, http.MethodGet, s.URL()+"/healthz", nil); r.StatusCode != http.StatusOK {
				t.Fatalf("server unhealthy afterwards: %d", r.StatusCode)
			}
		})
	}
	if strings.Contains(s.logs.String(), `"level":"ERROR"`) {
		t.Fatalf("bad input caused server errors:\n%s", s.logs)
	}
}
