package http_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/quirehq/quire/edge/ratelimit"
	quirehttp "github.com/quirehq/quire/http"
	"github.com/quirehq/quire/internal/authtest"
	"github.com/redis/go-redis/v9"
)

// limitedServer is a server whose per-address budget is burst requests a
// minute, through limiter.
func limitedServer(t *testing.T, limiter ratelimit.Limiter, burst int) *quirehttp.Server {
	t.Helper()
	svc, _ := authtest.New(t)
	l := ratelimit.Limit{Rate: burst, Period: time.Minute, Burst: burst}
	return quirehttp.NewServer(quirehttp.Config{Auth: svc, AuthBurst: 1000,
		RateLimit: &quirehttp.RateLimits{Limiter: limiter, PerIP: l, PerUser: l, PerKey: l}})
}

// hit sends GET path from addr and returns the response.
func hit(s *quirehttp.Server, addr, path string) *http.Response {
	req := httptest.NewRequest(http.MethodGet, "https://quire.test"+path, nil)
	req.RemoteAddr = addr + ":4000"
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, req)
	return rec.Result()
}

func TestRateLimitPerAddress(t *testing.T) {
	s := limitedServer(t, ratelimit.NewMemory(ratelimit.MemoryOptions{}), 3)
	for i := range 3 {
		if r := hit(s, "192.0.2.1", "/api/v1/me"); r.StatusCode != http.StatusUnauthorized || r.Header.Get("RateLimit") == "" {
			t.Fatalf("request %d: %d, RateLimit %q", i, r.StatusCode, r.Header.Get("RateLimit"))
		}
	}
	r := hit(s, "192.0.2.1", "/api/v1/me")
	if r.StatusCode != http.StatusTooManyRequests || r.Header.Get("Retry-After") == "" ||
		!strings.HasPrefix(r.Header.Get("RateLimit-Policy"), `"ip";q=3;w=60`) || r.Header.Get("Content-Security-Policy") == "" {
		t.Fatalf("fourth request: %d, headers %v", r.StatusCode, r.Header)
	}
	if r := hit(s, "192.0.2.2", "/api/v1/me"); r.StatusCode != http.StatusUnauthorized {
		t.Fatalf("another address was refused: %d", r.StatusCode)
	}
	if r := hit(s, "192.0.2.1", "/healthz"); r.StatusCode != http.StatusOK {
		t.Fatalf("the health check was rate limited: %d", r.StatusCode)
	}
}

func TestRateLimitPerAPIKeyAndRoute(t *testing.T) {
	c, svc, _ := newAPI(t, authtest.Options{}, 1000)
	l := ratelimit.Limit{Rate: 1000, Period: time.Minute}
	perKey := ratelimit.Limit{Rate: 2, Period: time.Minute, Burst: 2}
	c.srv = quirehttp.NewServer(quirehttp.Config{Auth: svc, AuthBurst: 1000,
		RateLimit: &quirehttp.RateLimits{Limiter: ratelimit.NewMemory(ratelimit.MemoryOptions{}), PerIP: l, PerUser: l, PerKey: perKey}})
	c.want(c.do(http.MethodPost, "/api/v1/auth/signup", creds("limits@example.com", apiPassword)), 201, "")
	confirm(t, svc, "limits@example.com")
	created := c.want(c.do(http.MethodPost, "/api/v1/api-keys", map[string]string{"name": "k", "password": apiPassword}), 201, "")
	script := c.clone()
	script.bearer = "Bearer " + created.body["key"].(string)
	script.want(script.do(http.MethodGet, "/api/v1/me", nil), 200, "")
	script.want(script.do(http.MethodGet, "/api/v1/me", nil), 200, "")
	script.want(script.do(http.MethodGet, "/api/v1/me", nil), 429, "rate_limited")
	// Another route group has a budget of its own.
	script.want(script.do(http.MethodGet, "/api/v1/api-keys", nil), 200, "")
	// Made-up paths share one budget: they cannot mint groups of their own.
	script.want(script.do(http.MethodGet, "/api/v1/made-up-1", nil), 404, "not_found")
	script.want(script.do(http.MethodGet, "/api/v1/made-up-2", nil), 404, "not_found")
	script.want(script.do(http.MethodGet, "/api/v1/made-up-3", nil), 429, "rate_limited")
}

// TestRateLimitSharedThroughRedis runs two servers that share a Redis: one
// address's budget is spent across both, where in-process limits alone
// would give it twice as much.
func TestRateLimitSharedThroughRedis(t *testing.T) {
	url := os.Getenv("QUIRE_TEST_REDIS_URL")
	if url == "" {
		t.Skip("QUIRE_TEST_REDIS_URL is not set (e.g. redis://127.0.0.1:6379/0): the shared rate-limit test is skipped")
	}
	opt, err := redis.ParseURL(url)
	if err != nil {
		t.Fatal(err)
	}
	client := redis.NewClient(opt)
	t.Cleanup(func() { client.Close() })
	var b [8]byte
	_, _ = rand.Read(b[:])
	prefix := "quire:test:" + hex.EncodeToString(b[:]) + ":"
	t.Cleanup(func() {
		keys, _ := client.Keys(context.Background(), prefix+"*").Result()
		if len(keys) > 0 {
			client.Del(context.Background(), keys...)
		}
	})
	shared := func() ratelimit.Limiter {
		return ratelimit.Chain{ratelimit.NewMemory(ratelimit.MemoryOptions{}),
			ratelimit.NewRedis(client, ratelimit.RedisOptions{Prefix: prefix, Secret: []byte("one deployment"), FailOpen: true})}
	}
	a, bSrv := limitedServer(t, shared(), 4), limitedServer(t, shared(), 4)
	served := 0
	for i := range 6 {
		s := a
		if i%2 == 1 {
			s = bSrv
		}
		if r := hit(s, "198.51.100.7", "/api/v1/me"); r.StatusCode != http.StatusTooManyRequests {
			served++
		}
	}
	if served != 4 {
		t.Fatalf("%d of 6 requests across two instances were served, want the shared budget of 4", served)
	}
	if keys, _ := client.Keys(context.Background(), prefix+"*").Result(); len(keys) == 0 {
		t.Fatal("no budget was kept in Redis")
	} else if strings.Contains(strings.Join(keys, " "), "198.51.100.7") {
		t.Fatalf("a Redis key name holds the client address: %v", keys)
	}
}

func TestWarnsOnceAboutAnUntrustedLocalProxy(t *testing.T) {
	logger, logs := newLogger()
	s := quirehttp.NewServer(quirehttp.Config{Logger: logger})
	for range 3 {
		req := httptest.NewRequest(http.MethodGet, "https://quire.test/healthz", nil)
		req.RemoteAddr = "127.0.0.1:5000"
		req.Header.Set("X-Forwarded-For", "203.0.113.5")
		s.ServeHTTP(httptest.NewRecorder(), req)
	}
	if n := strings.Count(logs.String(), "server.trusted_proxies does not list it"); n != 1 {
		t.Fatalf("%d warnings about the untrusted local proxy, want 1:\n%s", n, logs)
	}
}
