package main

import (
	"bufio"
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// buildQuire compiles the real binary once for the start-up benchmark.
func buildQuire(b *testing.B) string {
	b.Helper()
	bin := filepath.Join(b.TempDir(), "quire")
	cmd := exec.Command("go", "build", "-trimpath", "-o", bin, ".")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		b.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// rssMB reads a process's resident set size from /proc.
func rssMB(pid int) (float64, error) {
	status, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0, err
	}
	for line := range strings.Lines(string(status)) {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, err := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(rest), " kB"))
			return float64(kb) / 1024, err
		}
	}
	return 0, os.ErrNotExist
}

// BenchmarkServeStartup starts `quire serve` on an empty data directory and
// waits for its ready line (root key, keyring, certificate and schema are
// all created on the way), then measures idle memory. The baseline is the
// same binary running `quire version`, the cost of starting the process at
// all; "x-exec" is start-up over that baseline.
func BenchmarkServeStartup(b *testing.B) {
	bin := buildQuire(b)
	var base time.Duration
	for range 5 {
		start := time.Now()
		if err := exec.Command(bin, "version").Run(); err != nil {
			b.Fatal(err)
		}
		base += time.Since(start)
	}
	base /= 5
	var total time.Duration
	var rss float64
	for b.Loop() {
		data := filepath.Join(b.TempDir(), "data")
		cmd := exec.Command(bin, "serve", "--data", data, "--addr", "127.0.0.1:0", "--http-addr", "127.0.0.1:0")
		stdout, _ := cmd.StdoutPipe()
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		start := time.Now()
		if err := cmd.Start(); err != nil {
			b.Fatal(err)
		}
		line, err := bufio.NewReader(stdout).ReadString('\n')
		if err != nil || !strings.HasPrefix(line, "Quire is ready") {
			cmd.Process.Kill()
			b.Fatalf("no ready line (%v): %q\n%s", err, line, stderr.String())
		}
		total += time.Since(start)
		b.StopTimer()
		time.Sleep(500 * time.Millisecond) // let start-up garbage settle
		m, err := rssMB(cmd.Process.Pid)
		if err != nil {
			b.Fatal(err)
		}
		rss = max(rss, m)
		cmd.Process.Signal(syscall.SIGTERM)
		if err := cmd.Wait(); err != nil {
			b.Fatalf("serve exited with %v\n%s", err, stderr.String())
		}
		b.StartTimer()
	}
	ready := total / time.Duration(b.N)
	b.ReportMetric(float64(ready.Microseconds())/1000, "ms-to-ready")
	b.ReportMetric(float64(ready)/float64(base), "x-exec")
	b.ReportMetric(rss, "MB-RSS-idle")
}
