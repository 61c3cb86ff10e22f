package password

import (
	"context"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/quirehq/quire"
)

// gate instruments a Hasher: callers inside the key derivation block until
// released, and the counters say how many are inside and how many queued.
type gate struct {
	inside, peak, waiting atomic.Int32
	release               chan struct{}
}

func instrument(h *Hasher) *gate {
	g := &gate{release: make(chan struct{})}
	h.onWait = func() { g.waiting.Add(1) }
	h.key = func(pw, salt []byte, p Params) []byte {
		n := g.inside.Add(1)
		for old := g.peak.Load(); n > old && !g.peak.CompareAndSwap(old, n); old = g.peak.Load() {
		}
		<-g.release
		g.inside.Add(-1)
		return make([]byte, p.KeyLen)
	}
	return g
}

// until yields until cond holds or fail does.
func until(t *testing.T, cond, fail func() bool) {
	t.Helper()
	for !cond() {
		if fail() {
			t.FailNow()
		}
		runtime.Gosched()
	}
}

func TestConcurrencyCap(t *testing.T) {
	const callers, limit = 20, 2
	h := mustNew(t, Options{Params: fast, MaxConcurrent: limit})
	g := instrument(h)
	var wg sync.WaitGroup
	errs := make(chan error, callers)
	for range callers {
		wg.Go(func() {
			_, err := h.Hash(context.Background(), "password under load")
			errs <- err
		})
	}
	// Every caller is either inside (at most limit) or queued.
	until(t, func() bool { return g.inside.Load() == limit && g.waiting.Load() == callers-limit },
		func() bool {
			if g.peak.Load() > limit {
				close(g.release)
				t.Errorf("%d callers inside at once, cap is %d", g.peak.Load(), limit)
				return true
			}
			return false
		})
	close(g.release)
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatalf("Hash: %v", err)
		}
	}
	if p := g.peak.Load(); p != limit {
		t.Fatalf("peak concurrency = %d, want exactly %d", p, limit)
	}
}

func TestWaitCancelled(t *testing.T) {
	h := mustNew(t, Options{Params: fast, MaxConcurrent: 1})
	g := instrument(h)
	holder := make(chan error, 1)
	go func() { _, err := h.Hash(context.Background(), "first in line"); holder <- err }()
	until(t, func() bool { return g.inside.Load() == 1 }, func() bool { return false })

	ctx, cancel := context.WithCancel(context.Background())
	waiter := make(chan error, 1)
	go func() { _, _, err := h.Verify(ctx, h.dummy, "second in line"); waiter <- err }()
	until(t, func() bool { return g.waiting.Load() == 1 }, func() bool { return false })
	cancel()
	err := <-waiter
	qe := wantCode(t, err, quire.EUNAVAILABLE)
	if qe.Message != "Too many sign-ins at once. Try again shortly." {
		t.Fatalf("message = %q", qe.Message)
	}
	if err := h.DummyVerify(ctx, "already cancelled"); quire.ErrorCode(err) != quire.EUNAVAILABLE {
		t.Fatalf("DummyVerify with a cancelled context = %v, want EUNAVAILABLE", err)
	}
	close(g.release)
	if err := <-holder; err != nil {
		t.Fatalf("the caller holding the slot failed: %v", err)
	}
	if g.peak.Load() != 1 {
		t.Fatalf("peak = %d, want 1", g.peak.Load())
	}
}

func TestDefaultMaxConcurrent(t *testing.T) {
	d := DefaultParams()
	n := DefaultMaxConcurrent(d)
	if n < 1 || n > 2 || n > runtime.NumCPU() {
		t.Fatalf("DefaultMaxConcurrent(default params) = %d, want 1..2 (128 MiB budget) and <= NumCPU", n)
	}
	if got := DefaultMaxConcurrent(Params{Memory: MaxMemory}); got != 1 {
		t.Fatalf("DefaultMaxConcurrent(4 GiB) = %d, want at least one slot", got)
	}
	h := mustNew(t, Options{})
	if cap(h.sem) != n {
		t.Fatalf("New without MaxConcurrent has cap %d, want %d", cap(h.sem), n)
	}
}
