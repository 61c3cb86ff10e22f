package limits

import (
	"errors"
	"io"
	"net"
	"net/netip"
	"testing"
	"time"
)

// failsafe bounds every blocking read in these tests; it is never the
// thing a test measures.
const failsafe = 10 * time.Second

// tcpServer accepts from a limited listener on 127.0.0.1 and hands every
// accepted connection to the test.
type tcpServer struct {
	ln       *Listener
	accepted chan net.Conn
}

func startTCP(t *testing.T, perIP int, exempt func(netip.Addr) bool) *tcpServer {
	t.Helper()
	raw, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &tcpServer{ln: LimitListener(raw, perIP, exempt), accepted: make(chan net.Conn, 64)}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			c, err := s.ln.Accept()
			if err != nil {
				return
			}
			s.accepted <- c
		}
	}()
	t.Cleanup(func() {
		_ = s.ln.Close()
		<-done
	})
	return s
}

// dial opens a client connection to s and closes it at the end of the test.
func (s *tcpServer) dial(t *testing.T) net.Conn {
	t.Helper()
	c, err := net.Dial("tcp", s.ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// next returns the next connection the server accepted.
func (s *tcpServer) next(t *testing.T) net.Conn {
	t.Helper()
	select {
	case c := <-s.accepted:
		return c
	case <-time.After(failsafe):
		t.Fatal("no connection accepted")
		return nil
	}
}

// dialRefused dials s expecting the server to refuse the connection: it
// may reset it before the dial even returns, or just after.
func (s *tcpServer) dialRefused(t *testing.T) {
	t.Helper()
	c, err := net.Dial("tcp", s.ln.Addr().String())
	if err != nil {
		return // reset during the handshake: refused
	}
	t.Cleanup(func() { _ = c.Close() })
	mustBeClosedByServer(t, c)
}

// mustBeClosedByServer fails unless the server has closed c: a read ends
// with EOF or a reset rather than waiting for data.
func mustBeClosedByServer(t *testing.T, c net.Conn) {
	t.Helper()
	_ = c.SetReadDeadline(time.Now().Add(failsafe))
	_, err := c.Read(make([]byte, 1))
	var ne net.Error
	if err == nil || errors.As(err, &ne) && ne.Timeout() {
		t.Fatalf("read from refused connection: %v, want EOF or reset", err)
	}
}

// mustBeOpen fails unless c carries a byte from the client side to the
// server side sc.
func mustBeOpen(t *testing.T, c, sc net.Conn) {
	t.Helper()
	if _, err := c.Write([]byte{'x'}); err != nil {
		t.Fatalf("write: %v", err)
	}
	_ = sc.SetReadDeadline(time.Now().Add(failsafe))
	if _, err := io.ReadFull(sc, make([]byte, 1)); err != nil {
		t.Fatalf("server read: %v", err)
	}
}

func TestLimitListenerCapsPeerOverTCP(t *testing.T) {
	const perIP = 3
	s := startTCP(t, perIP, nil)
	var server []net.Conn
	for range perIP {
		c := s.dial(t)
		sc := s.next(t)
		mustBeOpen(t, c, sc)
		server = append(server, sc)
	}
	mustStats(t, s.ln, ConnStats{Open: perIP, Peers: 1})

	s.dialRefused(t)
	mustStats(t, s.ln, ConnStats{Open: perIP, Peers: 1, Refused: 1})

	// Closing one server-side connection frees a slot for a new one.
	if err := server[0].Close(); err != nil {
		t.Fatal(err)
	}
	mustStats(t, s.ln, ConnStats{Open: perIP - 1, Peers: 1, Refused: 1})
	again := s.dial(t)
	sc := s.next(t)
	mustBeOpen(t, again, sc)
	server[0] = sc
	mustStats(t, s.ln, ConnStats{Open: perIP, Peers: 1, Refused: 1})

	for _, c := range server {
		if err := c.Close(); err != nil {
			t.Fatal(err)
		}
	}
	mustStats(t, s.ln, ConnStats{Open: 0, Peers: 0, Refused: 1})
	if len(s.ln.open) != 0 {
		t.Fatalf("peer map holds %d entries after every conn closed", len(s.ln.open))
	}
}

func TestLimitListenerExemptPeerIsUnlimited(t *testing.T) {
	const perIP = 2
	s := startTCP(t, perIP, netip.Addr.IsLoopback)
	for range 5 * perIP {
		c := s.dial(t)
		sc := s.next(t)
		mustBeOpen(t, c, sc)
		t.Cleanup(func() { _ = sc.Close() })
		if _, counted := sc.(*limitedConn); counted {
			t.Fatal("exempt peer's connection was counted")
		}
	}
	mustStats(t, s.ln, ConnStats{})
}

func TestLimitListenerCloseIsIdempotent(t *testing.T) {
	fl := newFakeListener()
	ln := LimitListener(fl, 1, nil)
	raw := newFakeConn("198.51.100.7:4000")
	c := offer(t, ln, fl, raw)
	if c == nil {
		t.Fatal("first connection refused")
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	if err := c.Close(); !errors.Is(err, net.ErrClosed) {
		t.Fatalf("second Close = %v, want the wrapped conn's ErrClosed", err)
	}
	mustStats(t, ln, ConnStats{})
	// A second Close must not have freed a slot it did not hold: the peer
	// still gets exactly one.
	first := offer(t, ln, fl, newFakeConn("198.51.100.7:4001"))
	if first == nil {
		t.Fatal("connection refused after the slot was freed")
	}
	if offer(t, ln, fl, newFakeConn("198.51.100.7:4002")) != nil {
		t.Fatal("second connection accepted over a cap of 1")
	}
	_ = first.Close()
}

func TestLimitListenerRefusedConnIsClosed(t *testing.T) {
	fl := newFakeListener()
	ln := LimitListener(fl, 1, nil)
	held := offer(t, ln, fl, newFakeConn("203.0.113.9:1"))
	refused := newFakeConn("203.0.113.9:2")
	if offer(t, ln, fl, refused) != nil {
		t.Fatal("connection over the cap accepted")
	}
	if n := refused.closeCount(); n != 1 {
		t.Fatalf("refused conn closed %d times, want 1", n)
	}
	mustStats(t, ln, ConnStats{Open: 1, Peers: 1, Refused: 1})
	_ = held.Close()
}

func TestLimitListenerGroupsPeers(t *testing.T) {
	tests := []struct {
		name        string
		first, next string
		sameGroup   bool
	}{
		{"ipv4 same address", "192.0.2.1:1", "192.0.2.1:2", true},
		{"ipv4 neighbours", "192.0.2.1:1", "192.0.2.2:1", false},
		{"ipv6 same /64", "[2001:db8:1:2::1]:1", "[2001:db8:1:2:ffff::9]:1", true},
		{"ipv6 other /64", "[2001:db8:1:2::1]:1", "[2001:db8:1:3::1]:1", false},
		{"ipv4-mapped is ipv4", "[::ffff:192.0.2.1]:1", "192.0.2.1:2", true},
		{"ipv6 zone ignored", "[fe80::1%eth0]:1", "[fe80::2%eth1]:1", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fl := newFakeListener()
			ln := LimitListener(fl, 1, nil)
			held := offer(t, ln, fl, newFakeConn(tt.first))
			if held == nil {
				t.Fatal("first connection refused")
			}
			got := offer(t, ln, fl, newFakeConn(tt.next))
			if refused := got == nil; refused != tt.sameGroup {
				t.Fatalf("second connection refused = %v, want %v", refused, tt.sameGroup)
			}
			if got != nil {
				_ = got.Close()
			}
			_ = held.Close()
			mustStats(t, ln, ConnStats{Refused: ln.Stats().Refused})
		})
	}
}

func TestLimitListenerNonIPPeerPasses(t *testing.T) {
	fl := newFakeListener()
	ln := LimitListener(fl, 1, nil)
	for range 3 {
		c := &fakeConn{remote: fakeAddr("@unix")}
		if got := offer(t, ln, fl, c); got != net.Conn(c) {
			t.Fatalf("non-IP peer: Accept returned %v, want the conn unwrapped", got)
		}
	}
	mustStats(t, ln, ConnStats{})
}

func TestLimitListenerPassesAcceptError(t *testing.T) {
	fl := newFakeListener()
	ln := LimitListener(fl, 1, nil)
	_ = fl.Close()
	if _, err := ln.Accept(); !errors.Is(err, net.ErrClosed) {
		t.Fatalf("Accept on closed listener = %v, want net.ErrClosed", err)
	}
}

func TestLimitListenerRejectsBadCap(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Fatal("LimitListener(perIP=0) did not panic")
		}
	}()
	LimitListener(newFakeListener(), 0, nil)
}
