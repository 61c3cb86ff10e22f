package ratelimit

import (
	"context"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	quire "github.com/quirehq/quire"
)

// testLimiterBehaviour is the behaviour every Limiter must have; it runs
// against Memory and against Redis.
func testLimiterBehaviour(t *testing.T, mk newLimiter) {
	t.Run("BurstThenSteadyRate", func(t *testing.T) { testBurstThenSteady(t, mk) })
	t.Run("DefaultBurstIsRate", func(t *testing.T) { testDefaultBurst(t, mk) })
	t.Run("KeysAreIndependent", func(t *testing.T) { testIndependentKeys(t, mk) })
	t.Run("OddKeys", func(t *testing.T) { testOddKeys(t, mk) })
	t.Run("InvalidLimits", func(t *testing.T) { testInvalidLimits(t, mk) })
	t.Run("ConcurrentExactCount", func(t *testing.T) { testConcurrent(t, mk) })
}

func testBurstThenSteady(t *testing.T, mk newLimiter) {
	clock := newFakeClock()
	l := mk(t, clock.Now)
	lim := Limit{Rate: 10, Period: time.Second, Burst: 5} // one per 100 ms
	ms := time.Millisecond
	runSteps(t, l, clock, "k", lim, []step{
		{0, true, 4, 0, 100 * ms},
		{0, true, 3, 0, 200 * ms},
		{0, true, 2, 0, 300 * ms},
		{0, true, 1, 0, 400 * ms},
		{0, true, 0, 0, 500 * ms},
		{0, false, 0, 100 * ms, 500 * ms}, // burst spent
		{99 * ms, false, 0, 1 * ms, 401 * ms},
		{1 * ms, true, 0, 0, 500 * ms}, // exactly one interval later
		{0, false, 0, 100 * ms, 500 * ms},
		{100 * ms, true, 0, 0, 500 * ms}, // steady: one per interval
		{50 * ms, false, 0, 50 * ms, 450 * ms},
		{50 * ms, true, 0, 0, 500 * ms},
		{250 * ms, true, 1, 0, 350 * ms},         // 2.5 intervals refilled, 1 spent
		{10 * time.Second, true, 4, 0, 100 * ms}, // idle: full burst again
	})
}

func testDefaultBurst(t *testing.T, mk newLimiter) {
	clock := newFakeClock()
	l := mk(t, clock.Now)
	lim := Limit{Rate: 3, Period: time.Minute}
	runSteps(t, l, clock, "k", lim, []step{
		{0, true, 2, 0, 20 * time.Second},
		{0, true, 1, 0, 40 * time.Second},
		{0, true, 0, 0, 60 * time.Second},
		{0, false, 0, 20 * time.Second, 60 * time.Second},
	})
	if d := mustAllow(t, l, "k", lim); d.Limit.Burst != 3 {
		t.Errorf("Decision.Limit.Burst = %d, want the default 3", d.Limit.Burst)
	}
}

func testIndependentKeys(t *testing.T, mk newLimiter) {
	l := mk(t, newFakeClock().Now)
	lim := Limit{Rate: 2, Period: time.Hour}
	a, b := Key("ip", "/login", "192.0.2.1"), Key("ip", "/login", "192.0.2.2")
	if n := countAllowed(t, l, a, lim, 5); n != 2 {
		t.Fatalf("key a: %d allowed, want 2", n)
	}
	if n := countAllowed(t, l, b, lim, 5); n != 2 {
		t.Fatalf("key b after a was exhausted: %d allowed, want 2", n)
	}
}

func testOddKeys(t *testing.T, mk newLimiter) {
	l := mk(t, newFakeClock().Now)
	lim := Limit{Rate: 1, Period: time.Hour}
	huge := strings.Repeat("x", 1<<20)
	keys := []string{"", "\x00", huge, huge[:len(huge)-1] + "y", "ключ\n\"'*?[]", Key("", "")}
	for i, k := range keys {
		if n := countAllowed(t, l, k, lim, 3); n != 1 {
			t.Fatalf("key %d (len %d): %d allowed, want 1 (each key its own budget)", i, len(k), n)
		}
	}
}

func testInvalidLimits(t *testing.T, mk newLimiter) {
	l := mk(t, newFakeClock().Now)
	bad := []Limit{
		{Rate: 0, Period: time.Second},
		{Rate: 1, Period: 0},
		{Rate: -1, Period: time.Second},
		{Rate: 2_000_000, Period: time.Second}, // interval below 1 µs
		{Rate: 1, Period: time.Hour, Burst: 1 << 62},
	}
	for _, lim := range bad {
		d, err := l.Allow(context.Background(), "k", lim)
		wantCode(t, err, quire.EINVALID)
		if d.Allowed || lim.Validate() == nil {
			t.Errorf("%+v: allowed=%t validate=%v, want refused and invalid", lim, d.Allowed, lim.Validate())
		}
	}
}

func testConcurrent(t *testing.T, mk newLimiter) {
	l := mk(t, newFakeClock().Now) // frozen clock: no refill during the test
	lim := Limit{Rate: 100, Period: time.Hour}
	const workers, each = 16, 25
	var allowed atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for range each {
				d, err := l.Allow(context.Background(), "shared", lim)
				if err != nil {
					t.Error(err)
					return
				}
				if d.Allowed {
					allowed.Add(1)
				}
			}
		})
	}
	wg.Wait()
	if got := allowed.Load(); got != 100 {
		t.Fatalf("%d of %d concurrent requests allowed, want exactly 100", got, workers*each)
	}
}
