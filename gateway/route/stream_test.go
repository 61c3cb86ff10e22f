package route

import (
	"context"
	"errors"
	"io"
	"sync/atomic"
	"testing"
	"time"

	"github.com/quirehq/quire/gateway"
)

// events is a short answer: start, two texts, finish, then usage twice
// (some vendors repeat it; the last wins).
func events(model string) []gateway.Event {
	return []gateway.Event{
		{Type: gateway.EventStart, ID: "chatcmpl-1", Model: model},
		{Type: gateway.EventText, Text: "Hel"},
		{Type: gateway.EventText, Text: "lo"},
		{Type: gateway.EventFinish, Finish: gateway.FinishStop},
		{Type: gateway.EventUsage, Usage: gateway.Usage{InputTokens: 1, OutputTokens: 1}},
		{Type: gateway.EventUsage, Usage: gateway.Usage{InputTokens: 19, OutputTokens: 12}},
	}
}

func streamOK(f *fake) *fake {
	f.onStream = func(_ context.Context, _ int, req *gateway.ChatRequest) (gateway.Stream, error) {
		return gateway.SliceStream(events(req.Model), nil), nil
	}
	return f
}

func TestStreamFallbackBeforeFirstEvent(t *testing.T) {
	cases := []struct {
		name  string
		open  func(ctx context.Context) (gateway.Stream, error)
		class gateway.ErrorClass
	}{
		{"refused", func(context.Context) (gateway.Stream, error) { return nil, statusErr("a", 529, 0) }, gateway.ClassServer},
		{"error before the first event", func(context.Context) (gateway.Stream, error) {
			return gateway.SliceStream(nil, gateway.NewError("a", gateway.ClassStreamError, gateway.ErrStreamError)), nil
		}, gateway.ClassStreamError},
		{"empty stream", func(context.Context) (gateway.Stream, error) { return gateway.SliceStream(nil, nil), nil }, gateway.ClassBadResponse},
		{"nil stream", func(context.Context) (gateway.Stream, error) { return nil, nil }, gateway.ClassBadResponse},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a, b := newFake("a"), streamOK(newFake("b"))
			a.onStream = func(ctx context.Context, _ int, _ *gateway.ChatRequest) (gateway.Stream, error) { return c.open(ctx) }
			r, env := twoTargets(t, a, b, func(c *Config) { c.Retry.Attempts = 1 })
			s, err := r.ChatStream(context.Background(), chatReq("m"), Policy{})
			if err != nil {
				t.Fatal(err)
			}
			evs, err := readAll(s)
			if err != nil || len(evs) != 6 || evs[0].Type != gateway.EventStart || evs[0].Model != "b-m" || evs[2].Text != "lo" {
				t.Fatalf("events %+v, %v", evs, err)
			}
			at := env.obs.attempts()
			if len(at) != 2 || at[0].Provider != "a" || at[0].Class != c.class || at[0].Final || at[0].Op != "chat_stream" {
				t.Fatalf("attempts %+v", at)
			}
			if b := at[1]; b.Provider != "b" || b.Err != nil || !b.Final || b.Usage == nil || b.Usage.InputTokens != 19 || b.Status != 200 {
				t.Fatalf("b's attempt %+v", b)
			}
			if r.Providers()[1].InFlight != 0 {
				t.Fatal("the stream's slot was not released")
			}
		})
	}
}

func TestStreamNoFallbackAfterFirstEvent(t *testing.T) {
	a, b := newFake("a"), streamOK(newFake("b"))
	midErr := gateway.NewError("a", gateway.ClassStreamError, gateway.ErrStreamError)
	midErr.Status = 200
	a.onStream = func(context.Context, int, *gateway.ChatRequest) (gateway.Stream, error) {
		return gateway.SliceStream(events("a-m")[:2], midErr), nil
	}
	r, env := twoTargets(t, a, b, func(c *Config) { c.Breaker.Failures = 1 })
	s, err := r.ChatStream(context.Background(), chatReq("m"), Policy{})
	if err != nil {
		t.Fatal(err)
	}
	evs, err := readAll(s)
	if len(evs) != 2 || evs[1].Text != "Hel" || !errors.Is(err, gateway.ErrStreamError) {
		t.Fatalf("events %+v, err %v: the consumer must see the mid-stream error", evs, err)
	}
	if b.calls() != 0 {
		t.Fatal("fell back after the first event")
	}
	at := env.obs.attempts()
	if len(at) != 1 || at[0].Class != gateway.ClassStreamError || at[0].Status != 200 || !at[0].Final || at[0].FirstEvent < 0 {
		t.Fatalf("attempts %+v", at)
	}
	// The failure counts for the breaker (Failures: 1).
	if r.Providers()[0].Breaker != BreakerOpen {
		t.Fatalf("breaker %s after a mid-stream failure", r.Providers()[0].Breaker)
	}
	// Next after the error keeps returning it; Close is then harmless.
	if _, err2 := s.Next(); !errors.Is(err2, gateway.ErrStreamClosed) {
		t.Fatalf("Next after Close: %v", err2)
	}
}

func TestStreamFirstEventTimeout(t *testing.T) {
	var sawDone atomic.Bool
	a, b := newFake("a"), streamOK(newFake("b"))
	a.onStream = func(ctx context.Context, _ int, _ *gateway.ChatRequest) (gateway.Stream, error) {
		go func() { <-ctx.Done(); sawDone.Store(true) }()
		return &blockingStream{ctx: ctx, block: true}, nil // headers came, no event
	}
	r, env := newRouter(t, Config{
		Providers: []Entry{
			{Provider: chatFake{a}, ZDR: true, Models: []string{"m"}, Timeout: 20 * time.Millisecond},
			zdr(chatFake{b}, "m"),
		},
		Retry: RetryPolicy{Attempts: 1},
	})
	s, err := r.ChatStream(context.Background(), chatReq("m"), Policy{})
	if err != nil {
		t.Fatal(err)
	}
	evs, err := readAll(s)
	if err != nil || len(evs) != 6 {
		t.Fatalf("events %d, %v", len(evs), err)
	}
	at := env.obs.attempts()
	if len(at) != 2 || at[0].Class != gateway.ClassTimeout || !errors.Is(at[0].Err, ErrAttemptTimeout) {
		t.Fatalf("attempts %+v", at)
	}
	waitFor(t, sawDone.Load, "the timed-out stream's context was not cancelled")

	// The timeout bounds only the wait for the first event: a slow
	// stream after it is not cut.
	c := newFake("c")
	c.onStream = func(ctx context.Context, _ int, _ *gateway.ChatRequest) (gateway.Stream, error) {
		return &slowStream{ctx: ctx, events: events("m"), gap: 30 * time.Millisecond}, nil
	}
	r, _ = newRouter(t, Config{Providers: []Entry{{Provider: chatFake{c}, ZDR: true, Models: []string{"m"}, Timeout: 10 * time.Millisecond}}})
	s, err = r.ChatStream(context.Background(), chatReq("m"), Policy{})
	if err != nil {
		t.Fatal(err)
	}
	if evs, err := readAll(s); err != nil || len(evs) != 6 {
		t.Fatalf("slow stream: %d events, %v", len(evs), err)
	}
}

// slowStream yields its first event at once and the others after gap,
// failing if its context ends first.
type slowStream struct {
	ctx    context.Context
	events []gateway.Event
	gap    time.Duration
	n      int
}

func (s *slowStream) Next() (gateway.Event, error) {
	if s.n >= len(s.events) {
		return gateway.Event{}, io.EOF
	}
	if s.n > 0 {
		select {
		case <-time.After(s.gap):
		case <-s.ctx.Done():
			return gateway.Event{}, gateway.NewTransportError(s.ctx, "c", s.ctx.Err())
		}
	}
	s.n++
	return s.events[s.n-1], nil
}

func (s *slowStream) Close() error { return nil }

func TestStreamCloseBeforeEnd(t *testing.T) {
	var ctxDone atomic.Bool
	a := newFake("a")
	a.onStream = func(ctx context.Context, _ int, req *gateway.ChatRequest) (gateway.Stream, error) {
		context.AfterFunc(ctx, func() { ctxDone.Store(true) })
		return gateway.SliceStream(events(req.Model), nil), nil
	}
	r, env := newRouter(t, Config{Providers: []Entry{zdr(chatFake{a}, "m")}})
	s, err := r.ChatStream(context.Background(), chatReq("m"), Policy{})
	if err != nil {
		t.Fatal(err)
	}
	for range 5 { // through the first usage event, not the last
		if _, err := s.Next(); err != nil {
			t.Fatal(err)
		}
	}
	if r.Providers()[0].InFlight != 1 {
		t.Fatal("an open stream does not hold its slot")
	}
	if len(env.obs.attempts()) != 0 {
		t.Fatal("the attempt was reported before the stream ended")
	}
	s.Close()
	s.Close() // twice is harmless
	if _, err := s.Next(); !errors.Is(err, gateway.ErrStreamClosed) {
		t.Fatalf("Next after Close: %v", err)
	}
	at := env.obs.attempts()
	if len(at) != 1 || at[0].Class != gateway.ClassCanceled || !errors.Is(at[0].Err, ErrStreamAbandoned) || !at[0].Final {
		t.Fatalf("attempts %+v", at)
	}
	if u := at[0].Usage; u == nil || u.InputTokens != 1 {
		t.Fatalf("usage seen before Close: %+v", u)
	}
	if r.Providers()[0].InFlight != 0 {
		t.Fatal("Close did not release the slot")
	}
	waitFor(t, ctxDone.Load, "Close did not cancel the upstream context")
	if r.entries[0].br.failures != 0 {
		t.Fatal("an abandoned stream counted as a failure")
	}
}

func TestStreamCallerCancel(t *testing.T) {
	var sawDone atomic.Bool
	a := newFake("a")
	a.onStream = func(ctx context.Context, _ int, req *gateway.ChatRequest) (gateway.Stream, error) {
		go func() { <-ctx.Done(); sawDone.Store(true) }()
		return &blockingStream{ctx: ctx, events: events(req.Model)[:1], block: true}, nil
	}
	r, env := newRouter(t, Config{Providers: []Entry{zdr(chatFake{a}, "m")}})
	ctx, cancel := context.WithCancel(context.Background())
	s, err := r.ChatStream(ctx, chatReq("m"), Policy{})
	if err != nil {
		t.Fatal(err)
	}
	if ev, err := s.Next(); err != nil || ev.Type != gateway.EventStart {
		t.Fatalf("first event %+v, %v", ev, err)
	}
	time.AfterFunc(10*time.Millisecond, cancel)
	_, err = s.Next()
	if classOf(t, err) != gateway.ClassCanceled {
		t.Fatalf("Next after cancel: %v", err)
	}
	waitFor(t, sawDone.Load, "the provider did not see the cancellation")
	s.Close()
	if at := env.obs.attempts(); len(at) != 1 || at[0].Class != gateway.ClassCanceled {
		t.Fatalf("attempts %+v", at)
	}
	if r.entries[0].br.failures != 0 {
		t.Fatal("a cancelled stream counted as a failure")
	}
}
