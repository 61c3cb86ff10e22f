package ratelimit

import (
	"context"
	"crypto/rand"
	"errors"
	"net"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	quire "github.com/quirehq/quire"
)

// testRedis returns a client for QUIRE_TEST_REDIS_URL and a key prefix
// unique to the test, whose keys are deleted when the test ends.
func testRedis(t testing.TB) (*redis.Client, string) {
	t.Helper()
	url := os.Getenv("QUIRE_TEST_REDIS_URL")
	if url == "" {
		t.Skip("QUIRE_TEST_REDIS_URL is not set (e.g. redis://127.0.0.1:6379/0): Redis limiter tests skipped")
	}
	opt, err := redis.ParseURL(url)
	if err != nil {
		t.Fatalf("QUIRE_TEST_REDIS_URL: %v", err)
	}
	c := redis.NewClient(opt)
	prefix := "quire:test:rl:" + rand.Text() + ":"
	t.Cleanup(func() {
		deleteKeys(t, c, prefix)
		c.Close()
	})
	return c, prefix
}

func deleteKeys(t testing.TB, c *redis.Client, prefix string) {
	keys := scanKeys(t, c, prefix)
	if len(keys) > 0 {
		if err := c.Del(context.Background(), keys...).Err(); err != nil {
			t.Errorf("cleanup: %v", err)
		}
	}
}

func scanKeys(t testing.TB, c *redis.Client, prefix string) []string {
	var keys []string
	it := c.Scan(context.Background(), 0, prefix+"*", 1000).Iterator()
	for it.Next(context.Background()) {
		keys = append(keys, it.Val())
	}
	if err := it.Err(); err != nil {
		t.Fatalf("scan: %v", err)
	}
	return keys
}

func newRedisLimiter(t *testing.T, clock func() time.Time) Limiter {
	c, prefix := testRedis(t)
	return NewRedis(c, RedisOptions{Prefix: prefix, Secret: []byte("test"), Clock: clock, Timeout: 2 * time.Second})
}

func TestRedis(t *testing.T) { testLimiterBehaviour(t, newRedisLimiter) }

// TestRedisServerClock uses Redis's own clock (no Clock option).
func TestRedisServerClock(t *testing.T) {
	c, prefix := testRedis(t)
	r := NewRedis(c, RedisOptions{Prefix: prefix, Timeout: 2 * time.Second})
	lim := Limit{Rate: 5, Period: time.Hour}
	if n := countAllowed(t, r, "k", lim, 8); n != 5 {
		t.Fatalf("%d allowed, want 5", n)
	}
	d := mustAllow(t, r, "k", lim)
	if d.Allowed || d.RetryAfter < 11*time.Minute || d.RetryAfter > 12*time.Minute {
		t.Fatalf("refusal %+v, want RetryAfter just under 12m", d)
	}
}

func TestRedisInstancesShareOneBudget(t *testing.T) {
	c, prefix := testRedis(t)
	opt, _ := redis.ParseURL(os.Getenv("QUIRE_TEST_REDIS_URL"))
	other := redis.NewClient(opt)
	defer other.Close()
	clock := newFakeClock()
	opts := RedisOptions{Prefix: prefix, Secret: []byte("shared"), Clock: clock.Now, Timeout: 2 * time.Second}
	a, b := NewRedis(c, opts), NewRedis(other, opts)
	lim := Limit{Rate: 6, Period: time.Hour}
	allowed := 0
	for i := range 10 {
		l := Limiter(a)
		if i%2 == 1 {
			l = b
		}
		if mustAllow(t, l, "user-1", lim).Allowed {
			allowed++
		}
	}
	if allowed != 6 {
		t.Fatalf("two instances allowed %d in total, want one budget of 6", allowed)
	}
	opts.Secret = []byte("another deployment")
	if !mustAllow(t, NewRedis(c, opts), "user-1", lim).Allowed {
		t.Fatal("a different secret must name different keys")
	}
}

func TestRedisKeyNamesHashedAndExpiring(t *testing.T) {
	c, prefix := testRedis(t)
	r := NewRedis(c, RedisOptions{Prefix: prefix, Secret: []byte("s"), Timeout: 2 * time.Second})
	ip := "198.51.100.7"
	d := mustAllow(t, r, ip, Limit{Rate: 10, Period: time.Minute})
	mustAllow(t, r, strings.Repeat("z", 1<<20), Limit{Rate: 10, Period: time.Minute})
	keys := scanKeys(t, c, prefix)
	if len(keys) != 2 {
		t.Fatalf("%d keys in Redis, want 2", len(keys))
	}
	for _, k := range keys {
		if strings.Contains(k, ip) || len(k) != len(prefix)+22 {
			t.Errorf("key name %q: want prefix + 22 characters of keyed hash", k)
		}
	}
	ttl, err := c.PTTL(context.Background(), r.keyName(ip)).Result()
	if err != nil || ttl <= 0 || ttl > d.ResetAfter+time.Millisecond {
		t.Fatalf("PTTL %v (%v), want in (0, %v]", ttl, err, d.ResetAfter)
	}
}

// countingHook counts commands sent to Redis.
type countingHook struct{ n atomic.Int64 }

func (h *countingHook) DialHook(next redis.DialHook) redis.DialHook { return next }
func (h *countingHook) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		if name := cmd.Name(); name == "evalsha" || name == "eval" {
			h.n.Add(1)
		}
		return next(ctx, cmd)
	}
}
func (h *countingHook) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return next
}

func TestRedisBlockedCacheSavesRoundTrips(t *testing.T) {
	c, prefix := testRedis(t)
	hook := &countingHook{}
	c.AddHook(hook)
	clock := newFakeClock()
	r := NewRedis(c, RedisOptions{Prefix: prefix, Clock: clock.Now, Timeout: 2 * time.Second})
	lim := Limit{Rate: 3, Period: time.Minute}
	countAllowed(t, r, "k", lim, 3)
	first := mustAllow(t, r, "k", lim) // refused by Redis, then cached
	if first.Allowed || hook.n.Load() != 4 {
		t.Fatalf("after 4 requests: allowed=%t, %d script calls; want refused and 4", first.Allowed, hook.n.Load())
	}
	clock.Add(5 * time.Second)
	for range 100 {
		d := mustAllow(t, r, "k", lim)
		if d.Allowed || d.RetryAfter != first.RetryAfter-5*time.Second {
			t.Fatalf("cached refusal %+v, want RetryAfter %v", d, first.RetryAfter-5*time.Second)
		}
	}
	if got := hook.n.Load(); got != 4 {
		t.Fatalf("%d script calls after 100 blocked requests, want still 4", got)
	}
	clock.Add(first.RetryAfter - 5*time.Second)
	if !mustAllow(t, r, "k", lim).Allowed || hook.n.Load() != 5 {
		t.Fatalf("after RetryAfter: want allowed through Redis (calls %d)", hook.n.Load())
	}
}

func TestBlockedCacheBounded(t *testing.T) {
	c := newBlockedCache(100)
	now := time.Now()
	refused := Decision{RetryAfter: time.Minute}
	for i := range 1000 {
		c.add(blockedKey{key: string(rune(i))}, now, refused)
		if c.len() > 100 {
			t.Fatalf("cache holds %d keys, capacity 100", c.len())
		}
	}
	k := blockedKey{key: "k", p: params{interval: 1, tolerance: 1}}
	c.add(k, now, refused)
	if _, ok := c.lookup(blockedKey{key: "k", p: params{interval: 2, tolerance: 2}}, now, Limit{}); ok {
		t.Fatal("a refusal under one limit must not answer for another limit")
	}
	if d, ok := c.lookup(k, now.Add(time.Minute), Limit{}); ok {
		t.Fatalf("refusal served after its RetryAfter: %+v", d)
	}
	c.add(blockedKey{key: "allowed"}, now, Decision{Allowed: true})
	if _, ok := c.lookup(blockedKey{key: "allowed"}, now, Limit{}); ok {
		t.Fatal("an allowed decision must not be cached")
	}
}

func TestRedisFailurePolicy(t *testing.T) {
	stalled := stalledServer(t)
	for _, tc := range []struct {
		name string
		addr string
		want error
	}{
		{"unreachable", "127.0.0.1:1", nil},
		{"timeout", stalled, context.DeadlineExceeded},
	} {
		for _, failOpen := range []bool{true, false} {
			c := redis.NewClient(&redis.Options{Addr: tc.addr, DialTimeout: time.Second, MaxRetries: -1})
			r := NewRedis(c, RedisOptions{FailOpen: failOpen, Timeout: 50 * time.Millisecond})
			d, err := r.Allow(context.Background(), "k", Limit{Rate: 1, Period: time.Hour})
			wantCode(t, err, quire.EUNAVAILABLE)
			if tc.want != nil && !errors.Is(err, tc.want) {
				t.Errorf("%s: error %v, want %v", tc.name, err, tc.want)
			}
			if d.Allowed != failOpen || (!failOpen && d.RetryAfter != failClosedRetry) {
				t.Errorf("%s failOpen=%t: decision %+v", tc.name, failOpen, d)
			}
			if msg := quire.ErrorMessage(err); strings.Contains(msg, "127.0.0.1") {
				t.Errorf("client message leaks the address: %q", msg)
			}
			c.Close()
		}
	}
}

func TestRedisMaxInFlight(t *testing.T) {
	c := redis.NewClient(&redis.Options{Addr: stalledServer(t), MaxRetries: -1})
	defer c.Close()
	r := NewRedis(c, RedisOptions{Timeout: 20 * time.Millisecond, MaxInFlight: 1})
	lim := Limit{Rate: 1, Period: time.Hour}
	if _, err := r.Allow(context.Background(), "a", lim); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("first call: %v, want a timeout", err)
	}
	// The first call's goroutine still waits on the stalled server.
	if _, err := r.Allow(context.Background(), "b", lim); !errors.Is(err, errBusy) {
		t.Fatalf("second call: %v, want errBusy", err)
	}
}

// stalledServer accepts connections and never answers; it closes them when
// the test ends, which releases any pending client call.
func stalledServer(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	conns := make(chan net.Conn, 64)
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				close(conns)
				return
			}
			conns <- conn
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		for conn := range conns {
			conn.Close()
		}
	})
	return ln.Addr().String()
}
