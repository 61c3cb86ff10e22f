package limits

import (
	"net"
	"net/netip"
	"sync"
	"testing"
)

// fakeListener is an in-memory net.Listener whose Accept returns the
// connections queued on it, so that tests can choose each peer's address.
type fakeListener struct {
	conns chan net.Conn
	once  sync.Once
	done  chan struct{}
}

func newFakeListener() *fakeListener {
	return &fakeListener{conns: make(chan net.Conn), done: make(chan struct{})}
}

func (l *fakeListener) Accept() (net.Conn, error) {
	select {
	case c := <-l.conns:
		return c, nil
	case <-l.done:
		return nil, net.ErrClosed
	}
}

func (l *fakeListener) Close() error {
	l.once.Do(func() { close(l.done) })
	return nil
}

func (l *fakeListener) Addr() net.Addr { return fakeAddr("listener") }

// fakeAddr is a net.Addr that is only a string, as a non-TCP listener's
// addresses are.
type fakeAddr string

func (a fakeAddr) Network() string { return "fake" }
func (a fakeAddr) String() string  { return string(a) }

// fakeConn is a connection from a chosen remote address that records
// whether it was closed.
type fakeConn struct {
	net.Conn // nil: only the methods below are called
	remote   net.Addr

	mu     sync.Mutex
	closes int
}

func newFakeConn(addr string) *fakeConn {
	return &fakeConn{remote: net.TCPAddrFromAddrPort(netip.MustParseAddrPort(addr))}
}

func (c *fakeConn) RemoteAddr() net.Addr { return c.remote }

func (c *fakeConn) Close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.closes++
	if c.closes > 1 {
		return net.ErrClosed
	}
	return nil
}

func (c *fakeConn) closeCount() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.closes
}

// offer hands c to the next Accept of fl and returns what the limited
// listener's Accept made of it: the accepted conn, or nil if it was refused
// (the refusal is seen as Accept moving on to the sentinel queued after it).
func offer(t *testing.T, ln *Listener, fl *fakeListener, c *fakeConn) net.Conn {
	t.Helper()
	type result struct {
		c   net.Conn
		err error
	}
	got := make(chan result, 1)
	go func() {
		c, err := ln.Accept()
		got <- result{c, err}
	}()
	fl.conns <- c
	sentinel := newFakeConn("192.0.2.255:1")
	select {
	case fl.conns <- sentinel:
		// Accept refused c and took the sentinel: c was refused.
		r := <-got
		if r.err != nil {
			t.Fatalf("Accept: %v", r.err)
		}
		if r.c.RemoteAddr() != sentinel.remote {
			t.Fatalf("Accept returned %v, want the sentinel", r.c.RemoteAddr())
		}
		_ = r.c.Close()
		return nil
	case r := <-got:
		if r.err != nil {
			t.Fatalf("Accept: %v", r.err)
		}
		return r.c
	}
}

// mustStats fails the test unless ln's stats are want.
func mustStats(t *testing.T, ln *Listener, want ConnStats) {
	t.Helper()
	if got := ln.Stats(); got != want {
		t.Fatalf("Stats() = %+v, want %+v", got, want)
	}
}
