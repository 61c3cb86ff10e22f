package shield

import (
	"context"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"
)

func TestPenaltyBox(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	p := NewMemoryPenalties(PenaltyConfig{Trips: 3, Window: time.Minute, BlockFor: 10 * time.Minute}, clock.Now)
	ctx := context.Background()
	steps := []struct {
		advance time.Duration
		trip    bool // Tripped, else Blocked
		blocked bool
	}{
		{0, true, false},
		{10 * time.Second, true, false},
		{0, false, false},
		{49 * time.Second, true, true}, // third trip 59s after the first
		{time.Minute, false, true},
		{9 * time.Minute, false, false}, // released after 10 minutes
		{0, true, false},                // the count starts over
		{0, true, false},
		{61 * time.Second, true, false}, // the oldest of the last three is 61s old
		{0, true, false},                // still one of them
		{0, true, true},                 // the last three within the window
	}
	for i, s := range steps {
		clock.Add(s.advance)
		var blocked bool
		var until time.Time
		if s.trip {
			blocked, until = p.Tripped(ctx, "client-a")
		} else {
			blocked, until = p.Blocked(ctx, "client-a")
		}
		if blocked != s.blocked {
			t.Fatalf("step %d: blocked %v, want %v", i, blocked, s.blocked)
		}
		if blocked && !until.After(clock.Now()) {
			t.Fatalf("step %d: blocked until %v, now %v", i, until, clock.Now())
		}
	}
	if b, _ := p.Blocked(ctx, "client-b"); b {
		t.Fatal("another client is blocked")
	}
}

func TestPenaltyOneTrip(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	p := NewMemoryPenalties(PenaltyConfig{Trips: 1, Window: time.Second, BlockFor: time.Minute}, clock.Now)
	blocked, until := p.Tripped(context.Background(), "c")
	if !blocked || !until.Equal(clock.Now().Add(time.Minute)) {
		t.Fatalf("one trip: %v until %v", blocked, until)
	}
}

func TestPenaltyBounded(t *testing.T) {
	t.Parallel()
	const capacity = 1000
	clock := newFakeClock()
	p := NewMemoryPenalties(PenaltyConfig{Trips: 1, Capacity: capacity}, clock.Now)
	ctx := context.Background()
	for i := range 50 * capacity {
		p.Tripped(ctx, "c"+strconv.Itoa(i))
	}
	if n := p.Len(); n > capacity || n < capacity*9/10 {
		t.Fatalf("holds %d clients, capacity %d", n, capacity)
	}
	// The most recent clients are still blocked; the first is forgotten.
	if b, _ := p.Blocked(ctx, "c"+strconv.Itoa(50*capacity-1)); !b {
		t.Fatal("the last client is not blocked")
	}
	if b, _ := p.Blocked(ctx, "c0"); b {
		t.Fatal("the first client is still remembered")
	}
}

// TestPenaltyRecentlySeenKept: a blocked client that keeps sending stays
// in the box while a flood of new clients passes through.
func TestPenaltyRecentlySeenKept(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	p := NewMemoryPenalties(PenaltyConfig{Trips: 1, Capacity: 64}, clock.Now)
	ctx := context.Background()
	p.Tripped(ctx, "hammer")
	for i := range 10_000 {
		p.Tripped(ctx, "new"+strconv.Itoa(i))
		if b, _ := p.Blocked(ctx, "hammer"); !b {
			t.Fatalf("the blocked client was forgotten after %d new clients", i)
		}
	}
}

func TestPenaltyConcurrent(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	p := NewMemoryPenalties(PenaltyConfig{Trips: 5, Capacity: 512}, clock.Now)
	ctx := context.Background()
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 2000 {
				k := strconv.Itoa((g*7919 + i) % 700)
				p.Tripped(ctx, k)
				p.Blocked(ctx, k)
			}
		})
	}
	wg.Wait()
	if n := p.Len(); n > 512 {
		t.Fatalf("holds %d clients, capacity 512", n)
	}
}

// TestShieldPenalises: N blocked requests put the client in the box, whose
// requests are then refused unseen, even clean ones, until it expires.
func TestShieldPenalises(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	s, err := New(Config{Penalty: PenaltyConfig{Trips: 2, Window: time.Minute, BlockFor: 5 * time.Minute}}, WithClock(clock.Now))
	if err != nil {
		t.Fatal(err)
	}
	attack := func() Verdict {
		return s.Inspect(req("GET", "/?q=%3Cscript%3Ealert(1)%3C/script%3E", ""), "198.51.100.0/24")
	}
	clean := func() Verdict {
		return s.Inspect(req("GET", "/notes/abc", "", [2]string{"Cookie", sessionCookie}), "198.51.100.0/24")
	}
	if v := attack(); !v.Blocked || v.Penalised {
		t.Fatalf("first attack: %+v", v)
	}
	if v := clean(); v.Blocked {
		t.Fatalf("clean request after one trip: %+v", v)
	}
	if v := attack(); !v.Blocked || v.Penalised {
		t.Fatalf("second attack: %+v", v)
	}
	clock.Add(time.Minute)
	v := clean()
	if !v.Blocked || !v.Penalised || v.Status != 403 || v.RetryAfter != 4*time.Minute || len(v.RuleIDs) != 0 {
		t.Fatalf("clean request in the box: %+v", v)
	}
	if v := s.Inspect(req("GET", "/notes/abc", ""), "203.0.113.0/24"); v.Blocked {
		t.Fatalf("another client: %+v", v)
	}
	if v := s.Inspect(req("GET", "/notes/abc", ""), ""); v.Blocked {
		t.Fatalf("a request without a client key: %+v", v)
	}
	clock.Add(4 * time.Minute)
	if v := clean(); v.Blocked {
		t.Fatalf("after the block: %+v", v)
	}
}

func TestDryRun(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	s, err := New(Config{Mode: ModeDryRun, Penalty: PenaltyConfig{Trips: 1}}, WithClock(clock.Now))
	if err != nil {
		t.Fatal(err)
	}
	for range 5 {
		v := s.Inspect(req("GET", "/?q=1%27%20UNION%20SELECT%20password%20FROM%20users--", ""), "c")
		if v.Blocked || !v.DryRun || !v.WouldBlock || v.Penalised || v.Status != 0 || len(v.RuleIDs) == 0 || v.AnomalyScore < 5 {
			t.Fatalf("dry run attack: %+v", v)
		}
	}
	v := s.Inspect(req("GET", "/notes/abc", ""), "c")
	if v.Blocked || v.WouldBlock || v.Penalised || !v.DryRun {
		t.Fatalf("dry run clean request after attacks: %+v", v)
	}
	// A body the rules refuse (Coraza's 200002) would block too.
	v = s.Inspect(req("POST", "/api/v1/folders", `{"a":`, apiHeaders...), "c")
	if v.Blocked || !v.WouldBlock || !slices.Contains(v.RuleIDs, 200002) {
		t.Fatalf("dry run broken JSON: %+v", v)
	}
}
