package route

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/quirehq/quire/gateway"
)

// twoTargets is a router whose alias "m" goes to a (model a-m), then b.
func twoTargets(t *testing.T, a, b *fake, mod ...func(*Config)) (*Router, *testEnv) {
	t.Helper()
	c := Config{
		Providers: []Entry{zdr(chatFake{a}, "a-m"), zdr(chatFake{b}, "b-m")},
		Aliases:   map[string][]Target{"m": {{"a", "a-m"}, {"b", "b-m"}}},
	}
	for _, m := range mod {
		m(&c)
	}
	return newRouter(t, c)
}

func TestErrorClasses(t *testing.T) {
	unsupported := gateway.NewError("a", gateway.ClassInvalidRequest, gateway.ErrUnsupported)
	quota := statusErr("a", 429, 0)
	quota.SetRetryable(false) // insufficient_quota: no wait cures it
	noRetry500 := statusErr("a", 500, 0)
	noRetry500.SetRetryable(false) // x-should-retry: false
	retry400 := statusErr("a", 400, 0)
	retry400.SetRetryable(true)
	cases := []struct {
		name     string
		err      error
		aCalls   int // tries on a (Attempts is 2)
		bCalls   int
		class    gateway.ErrorClass // of the returned error when b is not reached
		outcome  string             // "ok" (b answered) or "err"
		breakerA bool               // counted as a failure of a
	}{
		{"rate_limited", statusErr("a", 429, 0), 2, 1, 0, "ok", true},
		{"transient 409", statusErr("a", 409, 0), 2, 1, 0, "ok", true},
		{"server 500", statusErr("a", 500, 0), 2, 1, 0, "ok", true},
		{"server 503", statusErr("a", 503, 0), 2, 1, 0, "ok", true},
		{"timeout", gateway.NewError("a", gateway.ClassTimeout, context.DeadlineExceeded), 2, 1, 0, "ok", true},
		{"connection", gateway.NewError("a", gateway.ClassConnection, errors.New("dial tcp: refused")), 2, 1, 0, "ok", true},
		{"truncated stream", gateway.NewError("a", gateway.ClassBadResponse, gateway.ErrStreamTruncated), 2, 1, 0, "ok", true},
		{"invalid json", gateway.NewError("a", gateway.ClassBadResponse, gateway.ErrInvalidJSON), 1, 1, 0, "ok", false},
		{"stream error", gateway.NewError("a", gateway.ClassStreamError, gateway.ErrStreamError), 2, 1, 0, "ok", true},
		{"auth", statusErr("a", 401, 0), 1, 1, 0, "ok", false},
		{"forbidden", statusErr("a", 403, 0), 1, 1, 0, "ok", false},
		{"not found", statusErr("a", 404, 0), 1, 1, 0, "ok", false},
		{"config", gateway.NewError("a", gateway.ClassConfig, gateway.ErrRedirect), 1, 1, 0, "ok", false},
		{"quota 429 not retryable", quota, 1, 1, 0, "ok", false},
		{"500 with x-should-retry false", noRetry500, 1, 1, 0, "ok", false},
		{"unsupported input", unsupported, 1, 1, 0, "ok", false},
		{"not a ProviderError", errors.New("upstream said: SECRET-PROMPT-CANARY"), 1, 1, 0, "ok", false},
		{"invalid request stops", statusErr("a", 400, 0), 1, 0, gateway.ClassInvalidRequest, "err", false},
		{"422 stops", statusErr("a", 422, 0), 1, 0, gateway.ClassInvalidRequest, "err", false},
		{"413 stops", statusErr("a", 413, 0), 1, 0, gateway.ClassInvalidRequest, "err", false},
		{"400 with x-should-retry true stops", retry400, 1, 0, gateway.ClassInvalidRequest, "err", false},
		{"canceled stops", gateway.NewError("a", gateway.ClassCanceled, context.Canceled), 1, 0, gateway.ClassCanceled, "err", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a, b := failN(newFake("a"), 100, c.err), newFake("b")
			r, env := twoTargets(t, a, b, func(c *Config) { c.Breaker.Failures = 2 })
			resp, err := r.Chat(context.Background(), chatReq("m"), Policy{})
			if a.calls() != c.aCalls || b.calls() != c.bCalls {
				t.Fatalf("calls a=%d b=%d, want %d, %d", a.calls(), b.calls(), c.aCalls, c.bCalls)
			}
			switch c.outcome {
			case "ok":
				if err != nil || resp.ID != "chatcmpl-b" {
					t.Fatalf("Chat = %v, %v; want b's answer", resp, err)
				}
			case "err":
				if got := classOf(t, err); got != c.class {
					t.Fatalf("class %v, want %v (%v)", got, c.class, err)
				}
			}
			if want := map[bool]BreakerState{true: BreakerOpen, false: BreakerClosed}[c.breakerA]; r.Providers()[0].Breaker != want {
				t.Fatalf("breaker of a: %s, want %s", r.Providers()[0].Breaker, want)
			}
			for _, at := range env.obs.attempts() {
				if at.Err == nil {
					continue
				}
				if strings.Contains(at.Err.Error(), "SECRET-PROMPT-CANARY") {
					t.Fatalf("an attempt's error carries content: %v", at.Err)
				}
				if pe, ok := at.Err.(*gateway.ProviderError); !ok || pe.Provider != "a" {
					t.Fatalf("attempt error %#v is not a's *gateway.ProviderError", at.Err)
				}
			}
		})
	}
}

// TestLastErrorReturned: when every target fails, the caller gets the
// last *gateway.ProviderError, with no vendor text.
func TestLastErrorReturned(t *testing.T) {
	a := failN(newFake("a"), 100, statusErr("a", 503, 0))
	b := failN(newFake("b"), 100, errors.New("b's SDK says: SECRET-PROMPT-CANARY"))
	r, _ := twoTargets(t, a, b)
	_, err := r.Chat(context.Background(), chatReq("m"), Policy{})
	pe, ok := gateway.AsProviderError(err)
	if !ok || pe.Provider != "b" || pe.Class != gateway.ClassUnknown || pe.Err != nil {
		t.Fatalf("err = %#v", err)
	}
	if strings.Contains(err.Error(), "CANARY") {
		t.Fatalf("the returned error carries the provider's text: %v", err)
	}
	// A ProviderError from a helper that left Provider empty (Collect's)
	// is named after the provider, on a copy.
	anon := gateway.NewError("", gateway.ClassBadResponse, gateway.ErrTooLarge)
	c := failN(newFake("c"), 100, anon)
	r, _ = newRouter(t, Config{Providers: []Entry{zdr(chatFake{c}, "m")}})
	_, err = r.Chat(context.Background(), chatReq("m"), Policy{})
	if pe, ok := gateway.AsProviderError(err); !ok || pe.Provider != "c" || !errors.Is(err, gateway.ErrTooLarge) || anon.Provider != "" {
		t.Fatalf("err = %#v, original provider %q", err, anon.Provider)
	}
}

func TestRetryAfter(t *testing.T) {
	t.Run("honoured", func(t *testing.T) {
		a, b := failN(newFake("a"), 1, statusErr("a", 429, 3*time.Second)), newFake("b")
		r, env := twoTargets(t, a, b)
		resp, err := r.Chat(context.Background(), chatReq("m"), Policy{})
		if err != nil || resp.ID != "chatcmpl-a" {
			t.Fatalf("Chat = %v, %v", resp, err)
		}
		if got := env.slept(); !slices.Equal(got, []time.Duration{3 * time.Second}) {
			t.Fatalf("slept %v, want exactly the Retry-After", got)
		}
		if b.calls() != 0 {
			t.Fatal("b was called although a's retry succeeded")
		}
	})
	t.Run("over the cap skips to the next target", func(t *testing.T) {
		a, b := failN(newFake("a"), 1, statusErr("a", 429, 21*time.Second)), newFake("b")
		r, env := twoTargets(t, a, b)
		resp, err := r.Chat(context.Background(), chatReq("m"), Policy{})
		if err != nil || resp.ID != "chatcmpl-b" {
			t.Fatalf("Chat = %v, %v", resp, err)
		}
		if len(env.slept()) != 0 || a.calls() != 1 {
			t.Fatalf("slept %v, a called %d times", env.slept(), a.calls())
		}
	})
	t.Run("configured cap", func(t *testing.T) {
		a, b := failN(newFake("a"), 1, statusErr("a", 503, 2*time.Second)), newFake("b")
		r, env := twoTargets(t, a, b, func(c *Config) { c.Retry.MaxRetryAfter = time.Second })
		if _, err := r.Chat(context.Background(), chatReq("m"), Policy{}); err != nil {
			t.Fatal(err)
		}
		if len(env.slept()) != 0 || b.calls() != 1 {
			t.Fatalf("slept %v; b called %d times", env.slept(), b.calls())
		}
	})
	t.Run("past the caller's deadline", func(t *testing.T) {
		a, b := failN(newFake("a"), 1, statusErr("a", 429, 10*time.Second)), newFake("b")
		r, env := twoTargets(t, a, b)
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if _, err := r.Chat(ctx, chatReq("m"), Policy{}); err != nil {
			t.Fatal(err)
		}
		if len(env.slept()) != 0 || b.calls() != 1 {
			t.Fatalf("slept %v; b called %d times", env.slept(), b.calls())
		}
	})
	t.Run("last target's retry-after is returned", func(t *testing.T) {
		a := failN(newFake("a"), 100, statusErr("a", 429, 40*time.Second))
		r, _ := newRouter(t, Config{Providers: []Entry{zdr(chatFake{a}, "m")}})
		_, err := r.Chat(context.Background(), chatReq("m"), Policy{})
		if pe, ok := gateway.AsProviderError(err); !ok || pe.RetryAfter != 40*time.Second || pe.Class != gateway.ClassRateLimited {
			t.Fatalf("err = %v", err)
		}
	})
}

func TestBackoffJitter(t *testing.T) {
	var f float64
	r, _ := newRouter(t, Config{
		Retry: RetryPolicy{Base: 100 * time.Millisecond, Max: time.Second},
		Rand:  func() float64 { return f },
	})
	cases := []struct {
		rand float64
		try  int
		want time.Duration
	}{
		{0, 1, 0},
		{0.5, 1, 50 * time.Millisecond},
		{0.5, 2, 100 * time.Millisecond},
		{0.5, 3, 200 * time.Millisecond},
		{0.5, 4, 400 * time.Millisecond},
		{0.5, 5, 500 * time.Millisecond}, // capped at Max
		{0.5, 60, 500 * time.Millisecond},
		{math.NaN(), 3, 0},
		{-1, 3, 0},
	}
	for _, c := range cases {
		f = c.rand
		if got := r.backoff(c.try); got != c.want {
			t.Errorf("backoff(try %d, rand %v) = %v, want %v", c.try, c.rand, got, c.want)
		}
	}
	// The upper bound is exclusive, even for a source that returns 1.
	for _, v := range []float64{math.Nextafter(1, 0), 1, 7} {
		f = v
		for try := 1; try < 8; try++ {
			lim := min(100*time.Millisecond<<(try-1), time.Second)
			if got := r.backoff(try); got < 0 || got >= lim {
				t.Errorf("backoff(try %d, rand %v) = %v, outside [0, %v)", try, v, got, lim)
			}
		}
	}
	// A huge Max does not overflow.
	r2, _ := newRouter(t, Config{Retry: RetryPolicy{Base: time.Hour, Max: math.MaxInt64}, Rand: func() float64 { return 0.5 }})
	if got := r2.backoff(100); got <= 0 {
		t.Errorf("backoff with a huge Max = %v", got)
	}

	// Through Chat: the waits between 4 tries follow the schedule.
	a := failN(newFake("a"), 3, statusErr("a", 502, 0))
	r3, env := newRouter(t, Config{
		Providers: []Entry{zdr(chatFake{a}, "m")},
		Retry:     RetryPolicy{Attempts: 4, Base: 100 * time.Millisecond, Max: time.Second},
		Rand:      func() float64 { return 0.25 },
	})
	if _, err := r3.Chat(context.Background(), chatReq("m"), Policy{}); err != nil {
		t.Fatal(err)
	}
	if got := env.slept(); !slices.Equal(got, []time.Duration{25 * time.Millisecond, 50 * time.Millisecond, 100 * time.Millisecond}) {
		t.Fatalf("slept %v", got)
	}
}

func TestDefaults(t *testing.T) {
	r, err := New(Config{})
	if err != nil {
		t.Fatal(err)
	}
	want := RetryPolicy{Attempts: 2, Base: 200 * time.Millisecond, Max: 5 * time.Second, MaxRetryAfter: 20 * time.Second}
	if r.retry != want || r.queue != 10*time.Second {
		t.Fatalf("defaults: %+v, queue %v", r.retry, r.queue)
	}
	a := newFake("a")
	r, err = New(Config{Providers: []Entry{zdr(chatFake{a}, "m")}})
	if err != nil {
		t.Fatal(err)
	}
	if e := r.entries[0]; e.br.threshold != 5 || e.br.cooldown != 30*time.Second || cap(e.sem) != 64 {
		t.Fatalf("entry defaults: threshold %d, cooldown %v, %d slots", e.br.threshold, e.br.cooldown, cap(e.sem))
	}
	// The real sleep honours its context.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := sleep(ctx, time.Hour); !errors.Is(err, context.Canceled) {
		t.Fatalf("sleep on a cancelled context: %v", err)
	}
	if err := sleep(context.Background(), time.Millisecond); err != nil {
		t.Fatal(err)
	}
}

func TestCancellation(t *testing.T) {
	t.Run("propagates to the provider and stops at once", func(t *testing.T) {
		var saw atomic.Bool
		a, b := blockUntilDone(newFake("a"), &saw), newFake("b")
		r, env := twoTargets(t, a, b)
		ctx, cancel := context.WithCancel(context.Background())
		go func() {
			for a.inFlight.Load() == 0 {
				time.Sleep(time.Millisecond)
			}
			cancel()
		}()
		_, err := r.Chat(ctx, chatReq("m"), Policy{})
		if classOf(t, err) != gateway.ClassCanceled || !saw.Load() {
			t.Fatalf("err %v; provider saw ctx.Done: %v", err, saw.Load())
		}
		if a.calls() != 1 || b.calls() != 0 || len(env.slept()) != 0 {
			t.Fatalf("after cancel: a=%d b=%d calls, slept %v", a.calls(), b.calls(), env.slept())
		}
		if r.Providers()[0].Breaker != BreakerClosed || r.entries[0].br.failures != 0 {
			t.Fatal("a cancellation counted against the provider")
		}
		at := env.obs.attempts()
		if len(at) != 1 || at[0].Class != gateway.ClassCanceled || !at[0].Final {
			t.Fatalf("attempts %+v", at)
		}
	})
	t.Run("during the backoff", func(t *testing.T) {
		a, b := failN(newFake("a"), 100, statusErr("a", 500, 0)), newFake("b")
		r, env := twoTargets(t, a, b)
		ctx, cancel := context.WithCancel(context.Background())
		env.onSleep = cancel
		_, err := r.Chat(ctx, chatReq("m"), Policy{})
		if classOf(t, err) != gateway.ClassCanceled || a.calls() != 1 || b.calls() != 0 {
			t.Fatalf("err %v; a=%d b=%d", err, a.calls(), b.calls())
		}
	})
	t.Run("caller deadline", func(t *testing.T) {
		var saw atomic.Bool
		a, b := blockUntilDone(newFake("a"), &saw), newFake("b")
		r, _ := twoTargets(t, a, b)
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
		defer cancel()
		_, err := r.Chat(ctx, chatReq("m"), Policy{})
		if classOf(t, err) != gateway.ClassTimeout || b.calls() != 0 || !saw.Load() {
			t.Fatalf("err %v; b=%d", err, b.calls())
		}
	})
	t.Run("already cancelled", func(t *testing.T) {
		var saw atomic.Bool
		a, b := blockUntilDone(newFake("a"), &saw), newFake("b")
		r, _ := twoTargets(t, a, b)
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		_, err := r.Chat(ctx, chatReq("m"), Policy{})
		if classOf(t, err) != gateway.ClassCanceled || b.calls() != 0 {
			t.Fatalf("err %v; b=%d", err, b.calls())
		}
	})
}

func TestAttemptTimeout(t *testing.T) {
	var saw atomic.Bool
	a, b := blockUntilDone(newFake("a"), &saw), newFake("b")
	r, env := newRouter(t, Config{
		Providers: []Entry{
			{Provider: chatFake{a}, ZDR: true, Models: []string{"m"}, Timeout: 20 * time.Millisecond},
			zdr(chatFake{b}, "m"),
		},
		Retry: RetryPolicy{Attempts: 1},
	})
	resp, err := r.Chat(context.Background(), chatReq("m"), Policy{})
	if err != nil || resp.ID != "chatcmpl-b" || !saw.Load() {
		t.Fatalf("Chat = %v, %v (a saw its deadline: %v)", resp, err, saw.Load())
	}
	at := env.obs.attempts()
	if len(at) != 2 || at[0].Class != gateway.ClassTimeout || !errors.Is(at[0].Err, ErrAttemptTimeout) || at[0].Final || !at[1].Final {
		t.Fatalf("attempts %+v", at)
	}
	// The timeout is per attempt: a slow success within it is fine.
	c := newFake("c")
	c.onChat = func(ctx context.Context, _ int, req *gateway.ChatRequest) (*gateway.ChatResponse, error) {
		select {
		case <-time.After(5 * time.Millisecond):
			return okChat("c", req.Model), nil
		case <-ctx.Done():
			return nil, gateway.NewTransportError(ctx, "c", ctx.Err())
		}
	}
	r, _ = newRouter(t, Config{Providers: []Entry{{Provider: chatFake{c}, ZDR: true, Models: []string{"m"}, Timeout: 5 * time.Second}}})
	if _, err := r.Chat(context.Background(), chatReq("m"), Policy{}); err != nil {
		t.Fatal(err)
	}
}

func TestObserverRecords(t *testing.T) {
	a := failN(newFake("a"), 100, statusErr("a", 503, 0))
	b := failN(newFake("b"), 1, statusErr("b", 429, time.Second))
	r, env := twoTargets(t, a, b)
	if _, err := r.Chat(context.Background(), chatReq("m"), Policy{}); err != nil {
		t.Fatal(err)
	}
	got := env.obs.attempts()
	var s []string
	for _, at := range got {
		s = append(s, fmt.Sprintf("%s %s/%s alias=%s try=%d status=%d class=%s final=%v usage=%v",
			at.Op, at.Provider, at.Model, at.Alias, at.Try, at.Status, at.Class, at.Final, at.Usage != nil))
	}
	want := []string{
		"chat a/a-m alias=m try=1 status=503 class=server final=false usage=false",
		"chat a/a-m alias=m try=2 status=503 class=server final=false usage=false",
		"chat b/b-m alias=m try=1 status=429 class=rate_limited final=false usage=false",
		"chat b/b-m alias=m try=2 status=200 class=unknown final=true usage=true",
	}
	if !slices.Equal(s, want) {
		t.Fatalf("attempts:\n%s\nwant\n%s", strings.Join(s, "\n"), strings.Join(want, "\n"))
	}
	if u := got[3].Usage; u.InputTokens != 11 || u.OutputTokens != 5 || got[3].Kind != "fakekind" {
		t.Fatalf("usage %+v, kind %q", u, got[3].Kind)
	}
	// Latency comes from Config.Now: b's retry started after the 1s wait
	// that advanced the fake clock.
	if !got[3].Start.Equal(got[2].Start.Add(time.Second)) {
		t.Fatalf("starts %v then %v", got[2].Start, got[3].Start)
	}
	// A model named directly has no alias; a failed call's last attempt
	// is Final.
	env.obs.as = nil
	if _, err := r.Chat(context.Background(), chatReq("a-m"), Policy{}); err == nil {
		t.Fatal("a-m succeeded")
	}
	got = env.obs.attempts()
	if len(got) != 2 || got[0].Alias != "" || got[0].Final || !got[1].Final {
		t.Fatalf("attempts %+v", got)
	}
}

// TestRequestCopies: each attempt gets its own copy of the request, with
// its target's model; what one provider does to its copy reaches neither
// the next provider nor the caller.
func TestRequestCopies(t *testing.T) {
	a, b := newFake("a"), newFake("b")
	a.onChat = func(_ context.Context, _ int, req *gateway.ChatRequest) (*gateway.ChatResponse, error) {
		req.MaxTokens, req.System, req.Model = 999, "changed", "tampered"
		return nil, nil // neither an answer nor an error: next target
	}
	var seen gateway.ChatRequest
	b.onChat = func(_ context.Context, _ int, req *gateway.ChatRequest) (*gateway.ChatResponse, error) {
		seen = *req
		return okChat("b", req.Model), nil
	}
	r, env := twoTargets(t, a, b)
	req := chatReq("m")
	req.MaxTokens = 100
	if _, err := r.Chat(context.Background(), req, Policy{}); err != nil {
		t.Fatal(err)
	}
	if seen.MaxTokens != 100 || seen.System != "You are a careful editor." || seen.Model != "b-m" {
		t.Fatalf("b saw %+v", seen)
	}
	if req.MaxTokens != 100 || req.Model != "m" || req.System != "You are a careful editor." {
		t.Fatalf("the caller's request changed: %+v", req)
	}
	if at := env.obs.attempts(); len(at) != 2 || !errors.Is(at[0].Err, ErrNilResponse) || at[0].Class != gateway.ClassBadResponse || at[0].Try != 1 {
		t.Fatalf("attempts %+v", at)
	}
}
