package ratelimit

import (
	"context"
	"testing"
	"time"
)

// counting counts the calls that reach a limiter.
type counting struct {
	Limiter
	calls int
}

func (c *counting) Allow(ctx context.Context, key string, l Limit) (Decision, error) {
	c.calls++
	return c.Limiter.Allow(ctx, key, l)
}

func TestChainRefusesAtTheFirstLayerThatDoes(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	clock := func() time.Time { return now }
	first := &counting{Limiter: NewMemory(MemoryOptions{Clock: clock})}
	second := &counting{Limiter: NewMemory(MemoryOptions{Clock: clock})}
	c := Chain{first, second}
	l := Limit{Rate: 2, Period: time.Minute}
	for i := range 2 {
		if d, err := c.Allow(context.Background(), "k", l); err != nil || !d.Allowed {
			t.Fatalf("request %d refused: %+v %v", i, d, err)
		}
	}
	d, err := c.Allow(context.Background(), "k", l)
	if err != nil || d.Allowed || d.RetryAfter <= 0 {
		t.Fatalf("third request: %+v %v, want refused with a RetryAfter", d, err)
	}
	if first.calls != 3 || second.calls != 2 {
		t.Fatalf("calls: first %d, second %d; want 3 and 2 (a refusal stops the chain)", first.calls, second.calls)
	}
}
