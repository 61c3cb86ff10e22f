package retention_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/quirehq/quire"
	"github.com/quirehq/quire/retention"
)

func mustJanitor(t *testing.T, cfg retention.Config) *retention.Janitor {
	t.Helper()
	j, err := retention.New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return j
}

func TestRunOnceRecordsOutcomes(t *testing.T) {
	var logs bytes.Buffer
	at := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	secret := "user-content-" + quire.NewID()
	j := mustJanitor(t, retention.Config{Now: func() time.Time { return at }, Logger: slog.New(slog.NewJSONHandler(&logs, nil)),
		Rules: []retention.Rule{
			{Name: "ok", Description: "d", Keep: time.Hour, Run: func(context.Context, time.Time) (int, error) { return 3, nil }},
			{Name: "fails", Description: "d", Run: func(context.Context, time.Time) (int, error) {
				return 1, errors.New("failed on " + secret)
			}},
			{Name: "panics", Description: "d", Run: func(context.Context, time.Time) (int, error) { panic(secret) }},
			{Name: "store", Description: "d", Run: func(context.Context, time.Time) (int, error) {
				return 0, quire.WrapError(quire.EINTERNAL, "Internal database error.",
					errors.New("postgres: trim audit log: entry 5 may not be trimmed (SQLSTATE 22023)"))
			}},
			{Name: "kept", Description: "nothing deleted"},
		}})
	j.RunOnce(context.Background())
	got := j.RunOnce(context.Background())
	want := []retention.Status{
		{Name: "ok", Description: "d", Keep: time.Hour, Swept: true, LastRun: at, Removed: 3, Total: 6},
		{Name: "fails", Description: "d", Swept: true, LastRun: at, Removed: 1, Total: 2, Error: quire.EINTERNAL},
		{Name: "panics", Description: "d", Swept: true, LastRun: at, Error: quire.EINTERNAL},
		{Name: "store", Description: "d", Swept: true, LastRun: at, Error: quire.EINTERNAL},
		{Name: "kept", Description: "nothing deleted"},
	}
	if len(got) != len(want) {
		t.Fatalf("got %d rules, want %d", len(got), len(want))
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("rule %d = %+v, want %+v", i, got[i], want[i])
		}
	}
	if strings.Contains(logs.String(), secret) {
		t.Fatal("a rule's error text reached the log")
	}
	if !strings.Contains(logs.String(), `"rule":"fails"`) {
		t.Fatalf("the failure was not logged: %s", logs.String())
	}
	// A store's error is logged with its cause, so that it can be
	// diagnosed; the status keeps the code only.
	if !strings.Contains(logs.String(), `"cause":"postgres: trim audit log: entry 5 may not be trimmed (SQLSTATE 22023)"`) {
		t.Fatalf("the store's cause was not logged: %s", logs.String())
	}
}

func TestAddRefusesBadRules(t *testing.T) {
	j := mustJanitor(t, retention.Config{})
	run := func(context.Context, time.Time) (int, error) { return 0, nil }
	if err := j.Add(retention.Rule{Name: "a", Description: "d", Run: run}); err != nil {
		t.Fatal(err)
	}
	for _, r := range []retention.Rule{
		{Name: "a", Description: "again", Run: run},
		{Name: "", Description: "d"},
		{Name: "b"},
		{Name: "c", Description: "d", Keep: -time.Second},
	} {
		if err := j.Add(r); err == nil {
			t.Errorf("Add(%+v) accepted", r)
		}
	}
	if _, err := retention.New(retention.Config{Every: -time.Second}); err == nil {
		t.Error("New accepted a negative interval")
	}
}

func TestScheduleRunsAndStops(t *testing.T) {
	var runs atomic.Int32
	j := mustJanitor(t, retention.Config{FirstDelay: time.Millisecond, Every: 5 * time.Millisecond,
		Rules: []retention.Rule{{Name: "count", Description: "d", Run: func(context.Context, time.Time) (int, error) {
			runs.Add(1)
			return 0, nil
		}}}})
	stop := j.Start()
	deadline := time.Now().Add(5 * time.Second)
	for runs.Load() < 3 && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	stop()
	after := runs.Load()
	if after < 3 {
		t.Fatalf("%d runs in 5s, want at least 3", after)
	}
	time.Sleep(20 * time.Millisecond)
	if runs.Load() != after {
		t.Fatal("the janitor ran after stop returned")
	}
}

func TestFirstRunWaitsForDelay(t *testing.T) {
	var runs atomic.Int32
	j := mustJanitor(t, retention.Config{FirstDelay: time.Hour,
		Rules: []retention.Rule{{Name: "count", Description: "d", Run: func(context.Context, time.Time) (int, error) {
			runs.Add(1)
			return 0, nil
		}}}})
	stop := j.Start()
	time.Sleep(20 * time.Millisecond)
	stop()
	if runs.Load() != 0 {
		t.Fatal("the janitor ran before its first delay")
	}
	if st := j.Rules()[0]; !st.LastRun.IsZero() {
		t.Fatalf("rule lists a last run %v before any", st.LastRun)
	}
}

func TestStopEndsARunUnderWay(t *testing.T) {
	started := make(chan struct{})
	j := mustJanitor(t, retention.Config{FirstDelay: time.Millisecond,
		Rules: []retention.Rule{{Name: "slow", Description: "d", Run: func(ctx context.Context, _ time.Time) (int, error) {
			close(started)
			<-ctx.Done()
			return 0, ctx.Err()
		}}}})
	stop := j.Start()
	<-started
	done := make(chan struct{})
	go func() { stop(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("stop did not end the run under way")
	}
}

// TestStopIsNotAFailure checks that a run cut short by stop is neither
// recorded nor logged as a failure: the rule keeps its last finished
// outcome, and its removals count.
func TestStopIsNotAFailure(t *testing.T) {
	var logs bytes.Buffer
	started := make(chan struct{})
	j := mustJanitor(t, retention.Config{FirstDelay: time.Millisecond, Logger: slog.New(slog.NewJSONHandler(&logs, nil)),
		Rules: []retention.Rule{{Name: "slow", Description: "d", Run: func(ctx context.Context, _ time.Time) (int, error) {
			close(started)
			<-ctx.Done()
			return 2, quire.WrapError(quire.EINTERNAL, "Internal database error.", ctx.Err())
		}}}})
	stop := j.Start()
	<-started
	stop()
	st := j.Rules()[0]
	if st.Error != "" || !st.LastRun.IsZero() || st.Total != 2 {
		t.Fatalf("after stop, rule = %+v; want no outcome recorded, 2 removed in all", st)
	}
	if strings.Contains(logs.String(), "failed") {
		t.Fatalf("stop was logged as a failure: %s", logs.String())
	}
}

func TestBatched(t *testing.T) {
	var calls int
	full := retention.Batched(func(_ context.Context, _ time.Time, limit int) (int, error) {
		calls++
		if limit != retention.BatchSize {
			t.Fatalf("limit %d, want %d", limit, retention.BatchSize)
		}
		return limit, nil
	})
	n, err := full(context.Background(), time.Now())
	if err != nil || calls != retention.MaxBatches || n != retention.MaxBatches*retention.BatchSize {
		t.Fatalf("a store that always has more: %d calls, %d removed, %v; want the run bounded at %d calls", calls, n, err, retention.MaxBatches)
	}
	left := 2*retention.BatchSize + 7
	calls = 0
	some := retention.Batched(func(_ context.Context, _ time.Time, limit int) (int, error) {
		calls++
		n := min(left, limit)
		left -= n
		return n, nil
	})
	if n, err := some(context.Background(), time.Now()); err != nil || n != 2*retention.BatchSize+7 || calls != 3 {
		t.Fatalf("removed %d in %d calls (%v), want %d in 3", n, calls, err, 2*retention.BatchSize+7)
	}
	boom := errors.New("boom")
	calls = 0
	failing := retention.Batched(func(context.Context, time.Time, int) (int, error) { calls++; return 2, boom })
	if n, err := failing(context.Background(), time.Now()); !errors.Is(err, boom) || n != 2 || calls != 1 {
		t.Fatalf("failing store: %d removed in %d calls, %v", n, calls, err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := full(ctx, time.Now()); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled run: %v", err)
	}
}
