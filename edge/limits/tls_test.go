package limits

import (
	"crypto/tls"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// TestLimitListenerUnderTLSAndHTTP puts the listener where the server puts
// it, below TLS and net/http, and checks that the cap holds for TLS
// connections, that an over-cap peer fails before its handshake completes,
// and that the server's own closing of conns gives every slot back.
func TestLimitListenerUnderTLSAndHTTP(t *testing.T) {
	const perIP = 2
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, "ok")
	}))
	ln := LimitListener(srv.Listener, perIP, nil)
	srv.Listener = ln
	srv.StartTLS()
	defer srv.Close()
	cfg := srv.Client().Transport.(*http.Transport).TLSClientConfig
	addr := srv.Listener.Addr().String()

	for range perIP {
		c, err := tls.Dial("tcp", addr, cfg)
		if err != nil {
			t.Fatalf("TLS dial within the cap: %v", err)
		}
		defer c.Close()
		_ = c.SetDeadline(time.Now().Add(failsafe))
		if _, err := io.WriteString(c, "GET / HTTP/1.1\r\nHost: x\r\n\r\n"); err != nil {
			t.Fatal(err)
		}
		resp, err := io.ReadAll(io.LimitReader(c, 12))
		if err != nil || string(resp) != "HTTP/1.1 200" {
			t.Fatalf("response within the cap: %q, %v", resp, err)
		}
	}
	d := &tls.Dialer{Config: cfg}
	c, err := d.Dial("tcp", addr)
	if err == nil {
		_ = c.Close()
		t.Fatal("TLS handshake over the cap succeeded")
	}
	if got := ln.Stats(); got != (ConnStats{Open: perIP, Peers: 1, Refused: 1}) {
		t.Fatalf("Stats() at the cap = %+v", got)
	}
	srv.Close() // returns once every connection is closed
	if got := ln.Stats(); got.Open != 0 || got.Peers != 0 {
		t.Fatalf("Stats() after the server closed = %+v, want no open conns", got)
	}
}
