package meter

import (
	"context"
	"errors"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/quirehq/quire/gateway"
	"github.com/quirehq/quire/gateway/endpoint"
	"github.com/quirehq/quire/gateway/route"
)

type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

type sink struct {
	mu   sync.Mutex
	recs []Record
}

func (s *sink) RecordUsage(_ context.Context, recs []Record) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.recs = append(s.recs, recs...)
	return nil
}

var alice = &endpoint.Caller{Account: "alice", Workspace: "w1"}

func used(ctx context.Context, m *Meter, model string, in, out int) {
	m.Attempt(ctx, route.Attempt{Op: "chat", Provider: "p", Kind: "openai", Model: model, Status: 200,
		Usage: &gateway.Usage{InputTokens: in, OutputTokens: out}})
}

func TestBudgets(t *testing.T) {
	c := &clock{time.Date(2026, 11, 29, 10, 0, 30, 0, time.UTC)}
	m := New(Options{Budgets: Budgets{TokensPerDay: 1000, TokensPerMinute: 300}, Now: c.now})
	ctx := endpoint.WithCaller(context.Background(), alice)
	if err := m.Admit(ctx, alice, 300); err != nil {
		t.Fatalf("a call within both budgets refused: %v", err)
	}
	used(ctx, m, "gpt-4o-mini", 200, 50)
	var be *endpoint.BudgetError
	if err := m.Admit(ctx, alice, 100); !errors.As(err, &be) || be.Daily || be.RetryAfter != 30*time.Second {
		t.Fatalf("250 used + 100 > 300 a minute: err %v", err)
	}
	if err := m.Admit(ctx, &endpoint.Caller{Account: "bob"}, 100); err != nil {
		t.Fatalf("another account was refused: %v", err)
	}
	// Two minutes later the rate has recovered; the day has not.
	c.t = c.t.Add(2 * time.Minute)
	used(ctx, m, "gpt-4o-mini", 600, 0)
	c.t = c.t.Add(2 * time.Minute)
	if err := m.Admit(ctx, alice, 100); err != nil {
		t.Fatalf("850 used + 100 is within the day: %v", err)
	}
	if err := m.Admit(ctx, alice, 200); !errors.As(err, &be) || !be.Daily {
		t.Fatalf("850 used + 100 is within the day; 850+200 is not — got %v", err)
	}
	day, _ := m.Used("alice")
	if day != 850 {
		t.Fatalf("day total %d, want 850", day)
	}
	// Midnight resets the day.
	c.t = time.Date(2026, 11, 30, 0, 0, 1, 0, time.UTC)
	if err := m.Admit(ctx, alice, 200); err != nil {
		t.Fatalf("a new day refused: %v", err)
	}
}

func TestSlidingMinute(t *testing.T) {
	c := &clock{time.Date(2026, 11, 29, 10, 0, 50, 0, time.UTC)}
	m := New(Options{Budgets: Budgets{TokensPerMinute: 100}, Now: c.now})
	ctx := endpoint.WithCaller(context.Background(), alice)
	used(ctx, m, "x", 100, 0)
	c.t = c.t.Add(15 * time.Second) // 10:01:05, a quarter into the next minute
	if _, rate := m.Used("alice"); rate != 91 {
		t.Fatalf("sliding rate %d, want 91 (100 weighted by the 11/12 of it still in the window)", rate)
	}
	if err := m.Admit(ctx, alice, 10); err == nil {
		t.Fatal("a burst right after the minute turned was admitted in full")
	}
}

func TestRecordsAndCost(t *testing.T) {
	s := &sink{}
	m := New(Options{Sink: s, Prices: map[string]Price{"house-model": {Input: 1, Output: 2}}})
	ctx := endpoint.WithCaller(context.Background(), alice)
	used(ctx, m, "gpt-4o-mini-2024-07-18", 1_000_000, 1_000_000) // 0.15 + 0.60 dollars
	used(ctx, m, "house-model", 1000, 500)                       // 0.001 + 0.001
	used(ctx, m, "unknown", 10, 10)
	m.Attempt(ctx, route.Attempt{Op: "chat", Provider: "p", Model: "gpt-4o", Status: 429, Class: gateway.ClassRateLimited,
		Err: gateway.NewError("p", gateway.ClassRateLimited, nil)})
	m.Close()
	if len(s.recs) != 4 {
		t.Fatalf("%d records, want 4", len(s.recs))
	}
	r := s.recs[0]
	if r.Account != "alice" || r.Workspace != "w1" || r.CostMicroUSD != 750_000 || !r.Reported || r.Class != "" {
		t.Fatalf("record %+v", r)
	}
	if s.recs[1].CostMicroUSD != 2000 || s.recs[2].CostMicroUSD != -1 {
		t.Fatalf("costs %d %d", s.recs[1].CostMicroUSD, s.recs[2].CostMicroUSD)
	}
	if f := s.recs[3]; f.Class != "rate_limited" || f.Reported || f.Status != 429 {
		t.Fatalf("failed attempt %+v", f)
	}
	m.Attempt(ctx, route.Attempt{Model: "x"}) // after Close: dropped quietly, no panic
}

func TestQueueBounded(t *testing.T) {
	block := make(chan struct{})
	s := &blockingSink{release: block}
	m := New(Options{Sink: s, QueueSize: 4})
	ctx := endpoint.WithCaller(context.Background(), alice)
	for range 100 {
		used(ctx, m, "x", 1, 1)
	}
	if m.Dropped() == 0 {
		t.Fatal("a stuck sink made the meter hold every record")
	}
	close(block)
	m.Close()
}

type blockingSink struct{ release chan struct{} }

func (b *blockingSink) RecordUsage(ctx context.Context, _ []Record) error {
	<-b.release
	return nil
}

func TestLoadSeedsTheDay(t *testing.T) {
	c := &clock{time.Date(2026, 11, 29, 10, 0, 0, 0, time.UTC)}
	var asked []time.Time
	m := New(Options{Budgets: Budgets{TokensPerDay: 1000}, Now: c.now,
		Load: func(_ context.Context, account string, since time.Time) (int, error) {
			asked = append(asked, since)
			if account == "alice" {
				return 950, nil
			}
			return 0, errors.New("store down")
		}})
	ctx := context.Background()
	if err := m.Admit(ctx, alice, 100); err == nil {
		t.Fatal("tokens used before a restart were not counted")
	}
	if err := m.Admit(ctx, alice, 10); err != nil {
		t.Fatalf("950 + 10 refused: %v", err)
	}
	if len(asked) != 1 || !asked[0].Equal(time.Date(2026, 11, 29, 0, 0, 0, 0, time.UTC)) {
		t.Fatalf("store asked %v, want once since midnight", asked)
	}
	if err := m.Admit(ctx, &endpoint.Caller{Account: "bob"}, 100); err != nil {
		t.Fatalf("a store failure refused the call: %v", err)
	}
}

// Records of calls made close together share one store transaction.
func TestBatching(t *testing.T) {
	s := &countingSink{}
	m := New(Options{Sink: s, FlushInterval: time.Second})
	ctx := endpoint.WithCaller(context.Background(), alice)
	for range 10 {
		used(ctx, m, "x", 1, 1)
	}
	for deadline := time.Now().Add(10 * time.Second); s.batches() == 0 && time.Now().Before(deadline); {
		time.Sleep(20 * time.Millisecond)
	}
	if got, n := s.batches(), s.records(); got != 1 || n != 10 {
		t.Errorf("%d store batches holding %d records for 10 calls made at once, want 1 with 10", got, n)
	}
	used(ctx, m, "x", 1, 1)
	m.Close() // flushes at once
	if got, n := s.batches(), s.records(); got != 2 || n != 11 {
		t.Errorf("after Close: %d batches, %d records; want 2 and 11", got, n)
	}
}

type countingSink struct {
	mu   sync.Mutex
	lens []int
}

func (c *countingSink) RecordUsage(_ context.Context, recs []Record) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.lens = append(c.lens, len(recs))
	return nil
}

func (c *countingSink) batches() int { c.mu.Lock(); defer c.mu.Unlock(); return len(c.lens) }

func (c *countingSink) records() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := 0
	for _, l := range c.lens {
		n += l
	}
	return n
}

// Past the sweep threshold a new account's counter survives the sweep.
func TestSweepKeepsTheNewCounter(t *testing.T) {
	c := &clock{time.Date(2026, 11, 29, 10, 0, 0, 0, time.UTC)}
	m := New(Options{Budgets: Budgets{TokensPerDay: 1000}, Now: c.now})
	for i := range 1 << 16 {
		m.byAcct[strconv.Itoa(i)] = &counter{day: 1}
	}
	eve := &endpoint.Caller{Account: "eve"}
	ctx := endpoint.WithCaller(context.Background(), eve)
	for range 2 {
		if err := m.Admit(ctx, eve, 10); err != nil {
			t.Fatal(err)
		}
		used(ctx, m, "x", 400, 100)
	}
	if err := m.Admit(ctx, eve, 10); err == nil {
		t.Fatal("1,000 tokens used against a budget of 1,000, and the next call was admitted")
	}
}

// A call bigger than the budget goes through when nothing else was used,
// rather than being told to retry forever.
func TestOversizedCall(t *testing.T) {
	m := New(Options{Budgets: Budgets{TokensPerMinute: 1000}})
	ctx := endpoint.WithCaller(context.Background(), alice)
	if err := m.Admit(ctx, alice, 32000); err != nil {
		t.Fatalf("an oversized call on an empty budget: %v", err)
	}
	used(ctx, m, "x", 10, 0)
	if err := m.Admit(ctx, alice, 32000); err == nil {
		t.Fatal("an oversized call admitted on a budget already in use")
	}
}

// A failed or cancelled load neither forgets the stored use nor sticks.
func TestLoadRetriedAfterFailure(t *testing.T) {
	fail := true
	m := New(Options{Budgets: Budgets{TokensPerDay: 1000}, Load: func(ctx context.Context, _ string, _ time.Time) (int, error) {
		if ctx.Err() != nil {
			return 0, ctx.Err()
		}
		if fail {
			return 0, errors.New("store down")
		}
		return 990, nil
	}})
	ctx, cancel := context.WithCancel(endpoint.WithCaller(context.Background(), alice))
	cancel() // the client gave up at once
	if err := m.Admit(ctx, alice, 100); err != nil {
		t.Fatalf("first call: %v", err)
	}
	fail = false
	if err := m.Admit(context.Background(), alice, 100); err == nil {
		t.Fatal("the stored use was forgotten after a failed load")
	}
}
