package main

import (
	"context"
	"crypto/tls"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// Loads of the noisy-neighbour benchmark: the per-address limit is
// neighbourLimit requests a second; the flood is ten times that from one
// address, and the well-behaved client stays under it from another.
const (
	neighbourLimit   = 100 // requests a second per address
	neighbourFlood   = 10 * neighbourLimit
	neighbourPolite  = 50 // requests a second
	neighbourPhase   = 6 * time.Second
	neighbourFlooder = "127.0.0.2"
	neighbourClient  = "127.0.0.3"
)

// BenchmarkNoisyNeighbour starts the real `quire serve` and measures a
// well-behaved client's latency (GET /api/v1/me, through every layer but
// the handler's work) while idle and while another address sends ten
// times its rate limit. Each client has its own loopback source address,
// as two machines would. Read x-idle-p99: the ratio of the polite client's
// p99 under the flood to its p99 at idle (target ≤ 2).
func BenchmarkNoisyNeighbour(b *testing.B) {
	bin := buildQuire(b)
	for b.Loop() {
		b.StopTimer()
		url, stop := startNeighbourServer(b, bin)
		polite := neighbourHTTP(neighbourClient, 1)
		idle := paced(b, polite, url, neighbourPolite, 1, neighbourPhase, nil)

		ctx, cancel := context.WithCancel(context.Background())
		var refused, served atomic.Int64
		flooder := neighbourHTTP(neighbourFlooder, 32)
		floodDone := make(chan struct{})
		go func() {
			defer close(floodDone)
			pacedUntil(ctx, flooder, url, neighbourFlood, 32, func(status int) {
				if status == http.StatusTooManyRequests {
					refused.Add(1)
				} else {
					served.Add(1)
				}
			})
		}()
		time.Sleep(time.Second) // let the flood use up its burst
		loaded := paced(b, polite, url, neighbourPolite, 1, neighbourPhase, nil)
		cancel()
		<-floodDone
		stop()
		b.StartTimer()

		p50i, p99i := percentile(idle, 50), percentile(idle, 99)
		p50l, p99l := percentile(loaded, 50), percentile(loaded, 99)
		b.ReportMetric(float64(p50i.Microseconds()), "idle-p50-µs")
		b.ReportMetric(float64(p99i.Microseconds()), "idle-p99-µs")
		b.ReportMetric(float64(p50l.Microseconds()), "flood-p50-µs")
		b.ReportMetric(float64(p99l.Microseconds()), "flood-p99-µs")
		b.ReportMetric(float64(p99l)/float64(p99i), "x-idle-p99")
		total := refused.Load() + served.Load()
		b.ReportMetric(float64(total)/(neighbourPhase+time.Second).Seconds(), "flood-req/s")
		b.ReportMetric(float64(refused.Load())/float64(max(total, 1)), "flood-refused-share")
	}
}

// startNeighbourServer starts quire serve with the benchmark's per-address
// limit and returns its URL and a stop function.
func startNeighbourServer(b *testing.B, bin string) (string, func()) {
	b.Helper()
	dir := b.TempDir()
	cfg := filepath.Join(dir, "quire.yaml")
	yaml := fmt.Sprintf(`ratelimit:
  per_ip: {rate: %d, period: 1s, burst: %d}
`, neighbourLimit, neighbourLimit)
	if err := os.WriteFile(cfg, []byte(yaml), 0o600); err != nil {
		b.Fatal(err)
	}
	cmd := exec.Command(bin, "serve", "--config", cfg, "--data", filepath.Join(dir, "data"), "--addr", "127.0.0.1:0", "--http-addr", "")
	s := startedServer(b, cmd)
	return s.url, func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		_ = cmd.Wait()
	}
}

// startedServer starts cmd, waits for its ready line and its first trust
// run, and returns it as a floodServer.
func startedServer(b *testing.B, cmd *exec.Cmd) *floodServer {
	b.Helper()
	s, err := startServeProcess(cmd)
	if err != nil {
		b.Fatal(err)
	}
	s.waitForTrustRun(b)
	return s
}

// neighbourHTTP returns a client whose connections come from source (a
// loopback address), with up to conns connections.
func neighbourHTTP(source string, conns int) *http.Client {
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(source)}, Timeout: 5 * time.Second}
	return &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{
		DialContext:     d.DialContext,
		TLSClientConfig: &tls.Config{InsecureSkipVerify: true},
		MaxConnsPerHost: conns, MaxIdleConnsPerHost: conns,
	}}
}

// paced sends GET /api/v1/me at rate requests a second from workers
// goroutines for d, and returns each request's latency.
func paced(b *testing.B, c *http.Client, url string, rate, workers int, d time.Duration, status func(int)) []time.Duration {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	return pacedUntil(ctx, c, url, rate, workers, status)
}

// pacedUntil is paced until ctx ends.
func pacedUntil(ctx context.Context, c *http.Client, url string, rate, workers int, status func(int)) []time.Duration {
	var mu sync.Mutex
	var lat []time.Duration
	var wg sync.WaitGroup
	start := time.Now()
	interval := time.Second * time.Duration(workers) / time.Duration(rate)
	for w := range workers {
		wg.Go(func() {
			next := start.Add(time.Duration(w) * time.Second / time.Duration(rate))
			for ctx.Err() == nil {
				if wait := time.Until(next); wait > 0 {
					select {
					case <-ctx.Done():
						return
					case <-time.After(wait):
					}
				}
				next = next.Add(interval)
				req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url+"/api/v1/me", nil)
				t0 := time.Now()
				resp, err := c.Do(req)
				if err != nil {
					continue
				}
				resp.Body.Close()
				took := time.Since(t0)
				if status != nil {
					status(resp.StatusCode)
				}
				mu.Lock()
				lat = append(lat, took)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	return lat
}

// percentile returns the p-th percentile of lat (nearest rank).
func percentile(lat []time.Duration, p int) time.Duration {
	if len(lat) == 0 {
		return 0
	}
	s := slices.Clone(lat)
	slices.Sort(s)
	i := (len(s)*p + 99) / 100
	return s[min(max(i-1, 0), len(s)-1)]
}
