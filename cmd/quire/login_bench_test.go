package main

import (
	"bufio"
	"bytes"
	"crypto/tls"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// floodLogins is how many sign-ins arrive at once, spread over
// floodAccounts accounts: more than the lockout limit of parallel
// attempts on one account would lock it, since every attempt counts until
// it succeeds.
const (
	floodLogins   = 200
	floodAccounts = 25
)

// BenchmarkLoginFlood starts the real `quire serve` and sends 200
// concurrent correct sign-ins (8 for each of 25 accounts), then reads the process's
// peak resident memory (VmHWM). It runs with the default cap on
// concurrent Argon2id hashes and with a cap of 16, so the figure to read is
// the ratio between the two peaks: the cap is what keeps a login flood
// from exhausting memory. Argon2id uses the default 64 MiB per hash but
// one pass instead of three, to keep a run short; memory does not depend
// on the passes.
func BenchmarkLoginFlood(b *testing.B) {
	bin := buildQuire(b)
	for _, cap := range []int{0, 16} {
		name := "cap=default"
		if cap > 0 {
			name = "cap=" + strconv.Itoa(cap)
		}
		b.Run(name, func(b *testing.B) {
			var peak, idle float64
			var took time.Duration
			for b.Loop() {
				b.StopTimer()
				srv := startFloodServer(b, bin, cap)
				idle = srv.rss(b, "VmRSS")
				b.StartTimer()
				start := time.Now()
				failed := srv.flood(b)
				took = time.Since(start)
				b.StopTimer()
				peak = srv.rss(b, "VmHWM")
				srv.stop(b)
				if failed > 0 {
					b.Fatalf("%d of %d sign-ins failed", failed, floodLogins)
				}
				b.StartTimer()
			}
			b.ReportMetric(peak, "peak-MiB")
			b.ReportMetric(idle, "idle-MiB")
			b.ReportMetric(peak/idle, "x-idle")
			b.ReportMetric(float64(took.Milliseconds())/floodLogins, "ms/login")
		})
	}
}

// floodServer is a running quire serve with one account.
type floodServer struct {
	cmd    *exec.Cmd
	url    string
	stderr *bytes.Buffer
	client *http.Client
}

func startFloodServer(b *testing.B, bin string, hashCap int) *floodServer {
	b.Helper()
	dir := b.TempDir()
	cfg := filepath.Join(dir, "quire.yaml")
	yaml := fmt.Sprintf(`auth:
  throttle: {requests: 100000, window: 1m}
  breach: {enabled: false}
  sign_in_notice: false
  passwords:
    argon2: {iterations: 1}
    max_concurrent_hashes: %d
server:
  write_timeout: 5m
  max_conns_per_ip: 1000
ratelimit:
  per_ip: {rate: 100000, period: 1m, burst: 100000}
  per_user: {rate: 100000, period: 1m, burst: 100000}
`, hashCap)
	if err := os.WriteFile(cfg, []byte(yaml), 0o600); err != nil {
		b.Fatal(err)
	}
	cmd := exec.Command(bin, "serve", "--config", cfg, "--data", filepath.Join(dir, "data"), "--addr", "127.0.0.1:0", "--http-addr", "")
	s, err := startServeProcess(cmd)
	if err != nil {
		b.Fatal(err)
	}
	s.waitForTrustRun(b)
	for i := range floodAccounts {
		if status := s.post(b, "/api/v1/auth/signup", i); status != http.StatusCreated {
			b.Fatalf("sign-up answered %d\n%s", status, s.stderr)
		}
	}
	time.Sleep(time.Second) // let start-up garbage settle before the idle reading
	return s
}

// startServeProcess starts cmd (a quire serve) and waits for its ready line. The
// server's outbound HTTPS goes to a closed port: a benchmark reaches
// nothing outside.
func startServeProcess(cmd *exec.Cmd) (*floodServer, error) {
	cmd.Env = append(os.Environ(), "HTTPS_PROXY=http://127.0.0.1:9")
	stdout, _ := cmd.StdoutPipe()
	s := &floodServer{cmd: cmd, stderr: &bytes.Buffer{}}
	cmd.Stderr = s.stderr
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil || !strings.HasPrefix(line, "Quire is ready at ") {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		return nil, fmt.Errorf("no ready line (%v): %q\n%s", err, line, s.stderr)
	}
	s.url = strings.Fields(strings.TrimPrefix(line, "Quire is ready at "))[0]
	s.client = &http.Client{Timeout: 5 * time.Minute, Transport: &http.Transport{
		TLSClientConfig: &tls.Config{InsecureSkipVerify: true}, MaxConnsPerHost: floodLogins, MaxIdleConnsPerHost: floodLogins}}
	return s, nil
}

// waitForTrustRun waits until the first scheduled trust run (which signs
// up throwaway accounts of its own) has finished.
func (s *floodServer) waitForTrustRun(b *testing.B) {
	for deadline := time.Now().Add(2 * time.Minute); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		resp, err := s.client.Get(s.url + "/trust.json")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
	}
	b.Fatal("the first trust run did not finish")
}

// post sends the credentials of account i to path and returns the status.
func (s *floodServer) post(b *testing.B, path string, i int) int {
	req, _ := http.NewRequest(http.MethodPost, s.url+path,
		strings.NewReader(fmt.Sprintf(`{"email":"flood%d@example.com","password":"a long benchmark passphrase"}`, i)))
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	resp, err := s.client.Do(req)
	if err != nil {
		return 0
	}
	resp.Body.Close()
	return resp.StatusCode
}

// flood sends the concurrent sign-ins and returns how many did not get 200.
func (s *floodServer) flood(b *testing.B) int {
	var wg sync.WaitGroup
	var mu sync.Mutex
	failed := 0
	for i := range floodLogins {
		wg.Go(func() {
			if s.post(b, "/api/v1/auth/login", i%floodAccounts) != http.StatusOK {
				mu.Lock()
				failed++
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	return failed
}

// rss reads a memory field (VmRSS, VmHWM) of the server process, in MiB.
func (s *floodServer) rss(b *testing.B, field string) float64 {
	status, err := os.ReadFile("/proc/" + strconv.Itoa(s.cmd.Process.Pid) + "/status")
	if err != nil {
		b.Fatal(err)
	}
	for line := range strings.Lines(string(status)) {
		if rest, ok := strings.CutPrefix(line, field+":"); ok {
			kb, err := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(rest), " kB"))
			if err != nil {
				b.Fatal(err)
			}
			return float64(kb) / 1024
		}
	}
	b.Fatalf("no %s in /proc status", field)
	return 0
}

func (s *floodServer) stop(b *testing.B) {
	s.cmd.Process.Signal(syscall.SIGTERM)
	if err := s.cmd.Wait(); err != nil {
		b.Fatalf("serve exited with %v\n%s", err, s.stderr)
	}
}
