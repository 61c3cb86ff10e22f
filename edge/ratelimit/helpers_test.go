package ratelimit

import (
	"context"
	"testing"
	"time"

	quire "github.com/quirehq/quire"
	"github.com/quirehq/quire/internal/fakeclock"
)

// fakeClock is a manual clock shared by a test and the limiter under test.
type fakeClock = fakeclock.Clock

func newFakeClock() *fakeClock { return fakeclock.New() }

// newLimiter builds a fresh limiter reading clock; each call must give an
// independent key space.
type newLimiter func(t *testing.T, clock func() time.Time) Limiter

// step is one expected outcome in a sequence.
type step struct {
	advance    time.Duration
	allowed    bool
	remaining  int
	retryAfter time.Duration
	resetAfter time.Duration
}

// mustAllow calls Allow and fails the test on error.
func mustAllow(t *testing.T, l Limiter, key string, lim Limit) Decision {
	t.Helper()
	d, err := l.Allow(context.Background(), key, lim)
	if err != nil {
		t.Fatalf("Allow(%.20q): %v", key, err)
	}
	return d
}

// runSteps checks a sequence of decisions for one key.
func runSteps(t *testing.T, l Limiter, clock *fakeClock, key string, lim Limit, steps []step) {
	t.Helper()
	for i, s := range steps {
		clock.Add(s.advance)
		d := mustAllow(t, l, key, lim)
		got := step{s.advance, d.Allowed, d.Remaining, d.RetryAfter, d.ResetAfter}
		if got != s {
			t.Fatalf("step %d: got %+v, want %+v", i, got, s)
		}
	}
}

// countAllowed fires n requests at key and returns how many were allowed.
func countAllowed(t *testing.T, l Limiter, key string, lim Limit, n int) int {
	t.Helper()
	allowed := 0
	for range n {
		if mustAllow(t, l, key, lim).Allowed {
			allowed++
		}
	}
	return allowed
}

func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	if got := quire.ErrorCode(err); got != code {
		t.Fatalf("error code %q (%v), want %q", got, err, code)
	}
}
