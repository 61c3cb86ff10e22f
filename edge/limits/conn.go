package limits

import (
	"net"
	"net/netip"
	"sync"
	"sync/atomic"
)

// Listener is a net.Listener that caps the connections each peer holds
// open at once (claim DOS-1). A connection over the cap is closed as soon
// as it is accepted, before any byte is read, so it costs no goroutine, no
// TLS handshake and no request parsing. IPv4 peers are counted by address
// and IPv6 peers by /64.
//
// Wrap the raw TCP listener with it and put TLS above it; the cap then
// holds for *tls.Conn too, and a slow handshake still occupies its slot.
type Listener struct {
	net.Listener

	perIP  int
	exempt func(netip.Addr) bool

	mu sync.Mutex
	// open counts the open connections of each peer group. It holds only
	// groups with at least one open connection, so its size is bounded by
	// the number of open connections, not by the number of peers seen.
	open  map[netip.Prefix]int
	total int

	refused atomic.Uint64
}

// ConnStats is a snapshot of a Listener's counters, for metrics.
type ConnStats struct {
	// Open is the number of counted connections open now (exempt peers'
	// connections are not counted).
	Open int
	// Peers is the number of peer groups holding at least one open
	// connection.
	Peers int
	// Refused is the number of connections closed at accept because their
	// peer was at the cap, since the Listener was made.
	Refused uint64
}

// LimitListener returns ln with at most perIP open connections per peer.
// Peers for which exempt returns true (trusted reverse proxies, loopback
// health probes) are never capped nor counted; exempt may be nil. A peer
// whose address names no IP (a Unix socket) is not capped either. It panics
// if perIP is less than 1, which is a configuration error.
func LimitListener(ln net.Listener, perIP int, exempt func(netip.Addr) bool) *Listener {
	if perIP < 1 {
		panic("limits: LimitListener perIP must be at least 1")
	}
	return &Listener{Listener: ln, perIP: perIP, exempt: exempt, open: make(map[netip.Prefix]int)}
}

// Accept waits for and returns the next connection whose peer is under the
// cap. Connections over the cap are closed and counted, and Accept keeps
// waiting; errors from the wrapped listener are returned as they are.
func (l *Listener) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		ip, ok := peerAddr(c.RemoteAddr())
		if !ok || l.exempt != nil && l.exempt(ip) {
			return c, nil
		}
		key := peerKey(ip)
		if l.acquire(key) {
			return &limitedConn{Conn: c, l: l, key: key}, nil
		}
		l.refused.Add(1)
		refuse(c)
	}
}

// acquire takes a slot for key, and reports false if the peer is full.
func (l *Listener) acquire(key netip.Prefix) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := l.open[key]
	if n >= l.perIP {
		return false
	}
	l.open[key] = n + 1
	l.total++
	return true
}

// release gives back a slot of key, and forgets key with its last slot.
func (l *Listener) release(key netip.Prefix) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if n := l.open[key]; n > 1 {
		l.open[key] = n - 1
	} else {
		delete(l.open, key)
	}
	l.total--
}

// Stats returns a snapshot of the listener's counters.
func (l *Listener) Stats() ConnStats {
	l.mu.Lock()
	defer l.mu.Unlock()
	return ConnStats{Open: l.total, Peers: len(l.open), Refused: l.refused.Load()}
}

// refuse closes a connection over the cap. On TCP it sets a zero linger so
// that the close is a reset: a peer flooding connections then leaves no
// TIME_WAIT state behind on the server.
func refuse(c net.Conn) {
	if tc, ok := c.(*net.TCPConn); ok {
		_ = tc.SetLinger(0)
	}
	_ = c.Close()
}

// limitedConn is a counted connection; closing it frees its peer's slot.
type limitedConn struct {
	net.Conn
	l      *Listener
	key    netip.Prefix
	closed atomic.Bool
}

// Close closes the connection and, the first time only, frees its slot;
// later calls return the wrapped connection's error without freeing again.
func (c *limitedConn) Close() error {
	err := c.Conn.Close()
	if c.closed.CompareAndSwap(false, true) {
		c.l.release(c.key)
	}
	return err
}
