package limits

import (
	"net"
	"net/netip"
	"sync"
	"sync/atomic"
	"testing"
)

// TestLimitListenerConcurrent runs many peers opening and closing
// connections at once against a real TCP listener, with Close called twice
// and from several goroutines. Under -race it checks the bookkeeping; at the
// end every slot must be back and the peer map empty, and no peer group may
// ever have held more than the cap.
func TestLimitListenerConcurrent(t *testing.T) {
	const (
		perIP   = 4
		clients = 32
		rounds  = 20
	)
	raw, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ln := LimitListener(raw, perIP, nil)
	var (
		accepted atomic.Int64
		overCap  atomic.Bool
		serving  sync.WaitGroup
	)
	acceptDone := make(chan struct{})
	go func() {
		defer close(acceptDone)
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			accepted.Add(1)
			if s := ln.Stats(); s.Open > perIP {
				overCap.Store(true)
			}
			serving.Go(func() {
				// Hold the conn until the client hangs up, then close it
				// twice from two goroutines.
				_, _ = c.Read(make([]byte, 1))
				var both sync.WaitGroup
				both.Go(func() { _ = c.Close() })
				both.Go(func() { _ = c.Close() })
				both.Wait()
			})
		}
	}()

	var clientsWG sync.WaitGroup
	for range clients {
		clientsWG.Go(func() {
			for range rounds {
				c, err := net.Dial("tcp", raw.Addr().String())
				if err != nil {
					continue // backlog full: the kernel refused, not us
				}
				_ = c.Close()
			}
		})
	}
	clientsWG.Wait()
	_ = ln.Close()
	<-acceptDone
	serving.Wait()

	s := ln.Stats()
	if overCap.Load() {
		t.Fatal("one peer held more connections than the cap")
	}
	if s.Open != 0 || s.Peers != 0 || len(ln.open) != 0 {
		t.Fatalf("after all conns closed: %+v, map size %d; want all zero", s, len(ln.open))
	}
	if accepted.Load() == 0 {
		t.Fatal("no connection was accepted")
	}
	t.Logf("accepted %d, refused %d", accepted.Load(), s.Refused)
}

// TestLimitListenerConcurrentAccept calls Accept from several goroutines at
// once (net.Listener allows it) over many peers, and checks the counts.
func TestLimitListenerConcurrentAccept(t *testing.T) {
	const (
		perIP     = 2
		peers     = 8
		perPeer   = 5
		acceptors = 4
	)
	fl := newFakeListener()
	ln := LimitListener(fl, perIP, func(a netip.Addr) bool { return a == netip.MustParseAddr("192.0.2.200") })
	got := make(chan net.Conn, peers*perPeer+perPeer)
	var wg sync.WaitGroup
	for range acceptors {
		wg.Go(func() {
			for {
				c, err := ln.Accept()
				if err != nil {
					return
				}
				got <- c
			}
		})
	}
	var raws []*fakeConn
	for p := range peers {
		for i := range perPeer {
			c := newFakeConn(netip.AddrPortFrom(netip.AddrFrom4([4]byte{192, 0, 2, byte(p + 1)}), uint16(i+1)).String())
			raws = append(raws, c)
			fl.conns <- c
		}
	}
	for i := range perPeer {
		fl.conns <- newFakeConn(netip.AddrPortFrom(netip.MustParseAddr("192.0.2.200"), uint16(i+1)).String())
	}
	// Every offered conn has been taken by an Accept; refused ones are
	// closed before Accept takes the next, and acceptors may still be
	// finishing. Closing the listener lets them all return.
	_ = fl.Close()
	wg.Wait()
	close(got)

	var counted, exempt int
	for c := range got {
		if _, ok := c.(*limitedConn); ok {
			counted++
		} else {
			exempt++
		}
	}
	want := ConnStats{Open: peers * perIP, Peers: peers, Refused: uint64(peers * (perPeer - perIP))}
	mustStats(t, ln, want)
	if counted != peers*perIP || exempt != perPeer {
		t.Fatalf("accepted %d counted and %d exempt, want %d and %d", counted, exempt, peers*perIP, perPeer)
	}
	refusedClosed := 0
	for _, c := range raws {
		refusedClosed += c.closeCount()
	}
	if refusedClosed != peers*(perPeer-perIP) {
		t.Fatalf("%d refused conns closed, want %d", refusedClosed, peers*(perPeer-perIP))
	}
}
