package limits

import (
	"net"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// nopWriter is a ResponseWriter that keeps nothing, so that the benchmarks
// measure the limit rather than a recorder.
type nopWriter struct{ h http.Header }

func (w nopWriter) Header() http.Header         { return w.h }
func (w nopWriter) Write(p []byte) (int, error) { return len(p), nil }
func (w nopWriter) WriteHeader(int)             {}

// serveParallel runs h from GOMAXPROCS goroutines, b.N requests in all.
func serveParallel(b *testing.B, h http.Handler) {
	r := httptest.NewRequest("GET", "/notes", nil)
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		w := nopWriter{h: http.Header{}}
		for pb.Next() {
			h.ServeHTTP(w, r)
		}
	})
}

// BenchmarkInFlight measures the limit's cost per admitted request, with a
// limit high enough that nothing is shed. The "ratio" case reports the
// time per request behind the limit divided by the time of the bare
// handler over as many requests (x-bare); the parallel cases show the cost
// under contention on the shared counter, and "shed" the cost of a 503.
func BenchmarkInFlight(b *testing.B) {
	// The smallest handler that does what every handler does: set a
	// header and write a body. Held as an interface so that neither side
	// of the ratio is inlined away.
	var bare http.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write([]byte("ok"))
	})
	limited := NewInFlight(1<<20, time.Second, HealthCheck).Middleware(bare)
	b.Run("ratio", func(b *testing.B) {
		w, r := nopWriter{h: http.Header{}}, httptest.NewRequest("GET", "/notes", nil)
		for b.Loop() {
			limited.ServeHTTP(w, r)
		}
		elapsed, n := b.Elapsed(), b.N
		start := time.Now()
		for range n {
			bare.ServeHTTP(w, r)
		}
		if base := time.Since(start); base > 0 {
			b.ReportMetric(float64(elapsed)/float64(base), "x-bare")
		}
	})
	b.Run("bare-parallel", func(b *testing.B) { serveParallel(b, bare) })
	b.Run("limited-parallel", func(b *testing.B) { serveParallel(b, limited) })
	b.Run("shed", func(b *testing.B) {
		lim := NewInFlight(1, time.Second, nil)
		lim.current.Store(1) // full
		serveParallel(b, lim.Middleware(bare))
	})
}

// loopListener accepts the same connection forever, so that the benchmark
// measures the accept path of the wrapper, not the kernel's.
type loopListener struct {
	fakeListener
	c net.Conn
}

func (l *loopListener) Accept() (net.Conn, error) { return l.c, nil }

// BenchmarkLimitListener measures the accept path: one Accept and one
// Close of a counted connection, over many peers at once.
func BenchmarkLimitListener(b *testing.B) {
	b.Run("accept-close", func(b *testing.B) {
		ln := LimitListener(&loopListener{c: &nopConn{remote: &net.TCPAddr{IP: net.IPv4(192, 0, 2, 1)}}}, 1<<20, nil)
		b.ReportAllocs()
		for b.Loop() {
			c, _ := ln.Accept()
			_ = c.Close()
		}
	})
	b.Run("tcp", func(b *testing.B) {
		raw, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			b.Fatal(err)
		}
		ln := LimitListener(raw, 1<<20, nil)
		defer ln.Close()
		go func() {
			for {
				c, err := ln.Accept()
				if err != nil {
					return
				}
				_ = c.Close()
			}
		}()
		b.ReportAllocs()
		for b.Loop() {
			c, err := net.Dial("tcp", raw.Addr().String())
			if err != nil {
				b.Fatal(err)
			}
			_ = c.Close()
		}
	})
}

// nopConn is a connection whose Close does nothing, reusable forever.
type nopConn struct {
	net.Conn
	remote net.Addr
}

func (c *nopConn) RemoteAddr() net.Addr { return c.remote }
func (c *nopConn) Close() error         { return nil }
