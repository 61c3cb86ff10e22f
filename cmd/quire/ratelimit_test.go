package main

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// TestServeRateLimitsThroughRedis starts quire serve with ratelimit.redis_url
// and checks that budgets land in Redis (under hashed names) and that a
// spent budget is refused with 429.
func TestServeRateLimitsThroughRedis(t *testing.T) {
	url := os.Getenv("QUIRE_TEST_REDIS_URL")
	if url == "" {
		t.Skip("QUIRE_TEST_REDIS_URL is not set (e.g. redis://127.0.0.1:6379/0): the Redis rate-limit wiring is not tested")
	}
	dir := t.TempDir()
	cfg := filepath.Join(dir, "quire.yaml")
	yaml := "server:\n  trusted_proxies: [127.0.0.1]\nratelimit:\n  redis_url: ${QUIRE_TEST_REDIS_URL}\n  per_ip: {rate: 3, period: 1m, burst: 3}\n"
	if err := os.WriteFile(cfg, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	s := startServe(t, filepath.Join(dir, "data"), "--config", cfg)
	c := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}}
	// A client address of its own (through the trusted loopback proxy), so
	// that the server's own trust run from 127.0.0.1 spends another budget.
	status := func() int {
		req, _ := http.NewRequest(http.MethodGet, s.url+"/api/v1/me", nil)
		req.Header.Set("X-Forwarded-For", "203.0.113.77")
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	for i := range 3 {
		if got := status(); got != http.StatusUnauthorized {
			t.Fatalf("request %d: %d", i, got)
		}
	}
	if got := status(); got != http.StatusTooManyRequests {
		t.Fatalf("fourth request: %d, want 429", got)
	}
	opt, _ := redis.ParseURL(url)
	client := redis.NewClient(opt)
	defer client.Close()
	keys, err := client.Keys(context.Background(), "quire:rl:*").Result()
	if err != nil || len(keys) == 0 {
		t.Fatalf("no budget in Redis (%v)", err)
	}
	if strings.Contains(strings.Join(keys, " "), "203.0.113.77") {
		t.Fatalf("Redis key names hold the client address: %v", keys)
	}
}

// TestServeTrustPingsRedis starts quire serve with the Redis layer and
// waits for its own RL-1 check to report that Redis answers.
func TestServeTrustPingsRedis(t *testing.T) {
	if os.Getenv("QUIRE_TEST_REDIS_URL") == "" {
		t.Skip("QUIRE_TEST_REDIS_URL is not set (e.g. redis://127.0.0.1:6379/0): the RL-1 Redis ping is not tested")
	}
	dir := t.TempDir()
	cfg := filepath.Join(dir, "quire.yaml")
	if err := os.WriteFile(cfg, []byte("ratelimit:\n  redis_url: ${QUIRE_TEST_REDIS_URL}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	s := startServe(t, filepath.Join(dir, "data"), "--config", cfg)
	c := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}}
	// The server's own RL-1 check pings the shared layer.
	rl1, lastStatus := "", 0
	for deadline := time.Now().Add(trustRunWait); ; {
		req, _ := http.NewRequest(http.MethodGet, s.url+"/trust.json", nil)
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var report struct {
			Results []struct {
				ID       string   `json:"id"`
				Evidence []string `json:"evidence"`
			} `json:"results"`
		}
		_ = json.NewDecoder(resp.Body).Decode(&report)
		resp.Body.Close()
		lastStatus = resp.StatusCode
		for _, r := range report.Results {
			if r.ID == "RL-1" {
				rl1 = strings.Join(r.Evidence, "\n")
			}
		}
		if rl1 != "" || time.Now().After(deadline) {
			break
		}
		time.Sleep(500 * time.Millisecond)
	}
	if !strings.Contains(rl1, "the shared Redis layer answered PING") {
		t.Fatalf("RL-1 did not ping Redis (last /trust.json status %d):\n%s", lastStatus, rl1)
	}
}
