package route

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/quirehq/quire/gateway"
)

// gate makes a fake's chat calls wait until released (or their context
// ends), so that tests can hold a slot.
type gate struct {
	entered chan struct{}
	release chan struct{}
}

func newGate(f *fake) *gate {
	g := &gate{entered: make(chan struct{}, 16), release: make(chan struct{})}
	f.onChat = func(ctx context.Context, _ int, req *gateway.ChatRequest) (*gateway.ChatResponse, error) {
		g.entered <- struct{}{}
		select {
		case <-g.release:
			return okChat(f.name, req.Model), nil
		case <-ctx.Done():
			return nil, gateway.NewTransportError(ctx, f.name, ctx.Err())
		}
	}
	return g
}

func limited(p gateway.Provider, n int, models ...string) Entry {
	return Entry{Provider: p, ZDR: true, Models: models, MaxConcurrent: n}
}

func TestConcurrencyLimit(t *testing.T) {
	t.Run("a saturated provider is skipped", func(t *testing.T) {
		a, b := newFake("a"), newFake("b")
		g := newGate(a)
		r, _ := newRouter(t, Config{Providers: []Entry{limited(chatFake{a}, 1, "m"), zdr(chatFake{b}, "m")}})
		done := make(chan error)
		go func() { _, err := r.Chat(context.Background(), chatReq("m"), Policy{}); done <- err }()
		<-g.entered
		if r.Providers()[0].InFlight != 1 {
			t.Fatal("in-flight not counted")
		}
		resp, err := r.Chat(context.Background(), chatReq("m"), Policy{})
		if err != nil || resp.ID != "chatcmpl-b" {
			t.Fatalf("second call: %v, %v; want b", resp, err)
		}
		close(g.release)
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		if a.calls() != 1 || a.maxSeen.Load() != 1 {
			t.Fatalf("a: %d calls, %d at once", a.calls(), a.maxSeen.Load())
		}
	})
	t.Run("all saturated: queue for the first target", func(t *testing.T) {
		a, b := newFake("a"), newFake("b")
		ga, gb := newGate(a), newGate(b)
		r, env := newRouter(t, Config{
			Providers:    []Entry{limited(chatFake{a}, 1, "m"), limited(chatFake{b}, 1, "m")},
			QueueTimeout: 10 * time.Second,
		})
		errs := make(chan error, 3)
		call := func() { _, err := r.Chat(context.Background(), chatReq("m"), Policy{}); errs <- err }
		go call()
		<-ga.entered
		go call()
		<-gb.entered
		go call() // waits for a
		waitFor(t, func() bool { return len(ga.entered) == 0 && a.calls() == 1 }, "")
		time.Sleep(20 * time.Millisecond) // the third call is queued, not failed
		select {
		case err := <-errs:
			t.Fatalf("a call ended while every provider was busy: %v", err)
		default:
		}
		ga.release <- struct{}{} // first call ends; the queued one takes a's slot
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
		<-ga.entered
		close(ga.release)
		close(gb.release)
		for range 2 {
			if err := <-errs; err != nil {
				t.Fatal(err)
			}
		}
		if a.calls() != 2 || b.calls() != 1 || a.maxSeen.Load() != 1 || b.maxSeen.Load() != 1 {
			t.Fatalf("a %d calls (max %d at once), b %d (max %d)", a.calls(), a.maxSeen.Load(), b.calls(), b.maxSeen.Load())
		}
		if len(env.slept()) != 0 {
			t.Fatalf("queueing used the backoff sleep: %v", env.slept())
		}
	})
	t.Run("queue timeout is a retryable 503", func(t *testing.T) {
		a := newFake("a")
		g := newGate(a)
		r, env := newRouter(t, Config{Providers: []Entry{limited(chatFake{a}, 1, "m")}, QueueTimeout: 30 * time.Millisecond})
		go r.Chat(context.Background(), chatReq("m"), Policy{})
		<-g.entered
		start := time.Now()
		_, err := r.Chat(context.Background(), chatReq("m"), Policy{})
		waited := time.Since(start)
		close(g.release)
		pe, ok := gateway.AsProviderError(err)
		if !ok || !errors.Is(err, ErrOverloaded) || pe.Class != gateway.ClassServer || pe.Status != http.StatusServiceUnavailable ||
			!pe.Retryable() || pe.RetryAfter <= 0 || !strings.Contains(err.Error(), `every provider for model "m" is at its concurrency limit`) {
			t.Fatalf("err %#v", err)
		}
		if waited < 30*time.Millisecond {
			t.Fatalf("gave up after %v, before the queue timeout", waited)
		}
		if a.calls() != 1 {
			t.Fatalf("a called %d times", a.calls())
		}
		waitFor(t, func() bool { return len(env.obs.attempts()) == 1 }, "the first call's attempt was not reported")
	})
	t.Run("queue wait ends with the caller", func(t *testing.T) {
		a := newFake("a")
		g := newGate(a)
		r, _ := newRouter(t, Config{Providers: []Entry{limited(chatFake{a}, 1, "m")}})
		go r.Chat(context.Background(), chatReq("m"), Policy{})
		<-g.entered
		defer close(g.release)
		ctx, cancel := context.WithCancel(context.Background())
		time.AfterFunc(10*time.Millisecond, cancel)
		_, err := r.Chat(ctx, chatReq("m"), Policy{})
		if classOf(t, err) != gateway.ClassCanceled {
			t.Fatalf("err %v", err)
		}
	})
	t.Run("a retry does not wait for a busy slot", func(t *testing.T) {
		// a fails once; by its retry, its only slot is taken by another
		// call, so the retry moves to b rather than waiting.
		a, b := newFake("a"), newFake("b")
		hold := make(chan struct{})
		entered := make(chan struct{})
		a.onChat = func(ctx context.Context, n int, req *gateway.ChatRequest) (*gateway.ChatResponse, error) {
			if n == 0 {
				return nil, statusErr("a", 503, 0)
			}
			entered <- struct{}{}
			<-hold
			return okChat("a", req.Model), nil
		}
		r, env := newRouter(t, Config{Providers: []Entry{limited(chatFake{a}, 1, "m"), zdr(chatFake{b}, "m")}})
		env.onSleep = func() {
			go r.Chat(context.Background(), chatReq("m"), Policy{})
			<-entered
		}
		resp, err := r.Chat(context.Background(), chatReq("m"), Policy{})
		close(hold)
		if err != nil || resp.ID != "chatcmpl-b" {
			t.Fatalf("Chat = %v, %v", resp, err)
		}
	})
}

func TestBreaker(t *testing.T) {
	a, b := failN(newFake("a"), 3, statusErr("a", 500, 0)), newFake("b")
	r, env := twoTargets(t, a, b, func(c *Config) {
		c.Retry.Attempts = 1
		c.Breaker = BreakerPolicy{Failures: 3, Cooldown: time.Minute}
	})
	ctx := context.Background()
	for i := range 3 {
		if _, err := r.Chat(ctx, chatReq("m"), Policy{}); err != nil {
			t.Fatal(err)
		}
		if want := map[bool]BreakerState{false: BreakerClosed, true: BreakerOpen}[i == 2]; r.Providers()[0].Breaker != want {
			t.Fatalf("after %d failures: %s", i+1, r.Providers()[0].Breaker)
		}
	}
	// Open: a is skipped.
	if _, err := r.Chat(ctx, chatReq("m"), Policy{}); err != nil || a.calls() != 3 {
		t.Fatalf("open breaker: err %v, a called %d times", err, a.calls())
	}
	// Every target open: fail fast, retryable, with the time to the probe.
	env.clock.Add(20 * time.Second)
	_, err := r.Chat(ctx, chatReq("a-m"), Policy{})
	pe, ok := gateway.AsProviderError(err)
	if !ok || !errors.Is(err, ErrCircuitOpen) || pe.Status != 503 || !pe.Retryable() || pe.RetryAfter != 40*time.Second || pe.Provider != "a" {
		t.Fatalf("all open: %#v", err)
	}
	if !strings.Contains(err.Error(), `every provider for model "a-m" is paused`) {
		t.Fatalf("message: %v", err)
	}
	// After the cooldown, one probe goes through; while it runs, a is
	// still skipped.
	env.clock.Add(40 * time.Second)
	if r.Providers()[0].Breaker != BreakerHalfOpen {
		t.Fatalf("after the cooldown: %s", r.Providers()[0].Breaker)
	}
	g := newGate(a)
	probeDone := make(chan error)
	go func() { _, err := r.Chat(ctx, chatReq("m"), Policy{}); probeDone <- err }()
	<-g.entered
	if resp, err := r.Chat(ctx, chatReq("m"), Policy{}); err != nil || resp.ID != "chatcmpl-b" {
		t.Fatalf("during the probe: %v, %v", resp, err)
	}
	close(g.release)
	if err := <-probeDone; err != nil {
		t.Fatal(err)
	}
	if r.Providers()[0].Breaker != BreakerClosed {
		t.Fatalf("after a successful probe: %s", r.Providers()[0].Breaker)
	}
	if resp, err := r.Chat(ctx, chatReq("m"), Policy{}); err != nil || resp.ID != "chatcmpl-a" {
		t.Fatalf("closed again: %v, %v", resp, err)
	}
}

func TestBreakerProbeFails(t *testing.T) {
	a, b := failN(newFake("a"), 100, statusErr("a", 503, 0)), newFake("b")
	r, env := twoTargets(t, a, b, func(c *Config) {
		c.Retry.Attempts = 1
		c.Breaker = BreakerPolicy{Failures: 1, Cooldown: time.Minute}
	})
	ctx := context.Background()
	r.Chat(ctx, chatReq("m"), Policy{})
	env.clock.Add(time.Minute)
	r.Chat(ctx, chatReq("m"), Policy{}) // the probe fails
	if a.calls() != 2 || r.Providers()[0].Breaker != BreakerOpen {
		t.Fatalf("a %d calls, breaker %s", a.calls(), r.Providers()[0].Breaker)
	}
	env.clock.Add(59 * time.Second) // a full new cooldown
	r.Chat(ctx, chatReq("m"), Policy{})
	if a.calls() != 2 {
		t.Fatal("a was called before its new cooldown ended")
	}
	// A probe that is cancelled leaves the breaker half-open for the next
	// caller.
	env.clock.Add(time.Second)
	var saw atomic.Bool
	blockUntilDone(a, &saw)
	cctx, cancel := context.WithCancel(ctx)
	time.AfterFunc(10*time.Millisecond, cancel)
	r.Chat(cctx, chatReq("m"), Policy{})
	if !saw.Load() || r.Providers()[0].Breaker != BreakerHalfOpen {
		t.Fatalf("after a cancelled probe: %s", r.Providers()[0].Breaker)
	}
}

func TestBreakerIgnoresClientErrors(t *testing.T) {
	a := failN(newFake("a"), 100, statusErr("a", 400, 0))
	r, _ := newRouter(t, Config{Providers: []Entry{zdr(chatFake{a}, "m")}, Breaker: BreakerPolicy{Failures: 1}})
	for range 3 {
		if _, err := r.Chat(context.Background(), chatReq("m"), Policy{}); classOf(t, err) != gateway.ClassInvalidRequest {
			t.Fatal(err)
		}
	}
	if a.calls() != 3 || r.Providers()[0].Breaker != BreakerClosed {
		t.Fatalf("a %d calls; breaker %s", a.calls(), r.Providers()[0].Breaker)
	}
	// A success in between resets the count of consecutive failures.
	c := newFake("c")
	c.onChat = func(_ context.Context, n int, req *gateway.ChatRequest) (*gateway.ChatResponse, error) {
		if n%2 == 0 {
			return nil, statusErr("c", 500, 0)
		}
		return okChat("c", req.Model), nil
	}
	r, _ = newRouter(t, Config{Providers: []Entry{zdr(chatFake{c}, "m")}, Breaker: BreakerPolicy{Failures: 2}, Retry: RetryPolicy{Attempts: 1}})
	for range 6 {
		r.Chat(context.Background(), chatReq("m"), Policy{})
	}
	if r.Providers()[0].Breaker != BreakerClosed {
		t.Fatal("alternating failures opened the breaker")
	}
}

func TestBreakerUnit(t *testing.T) {
	now := time.Unix(1000, 0)
	b := &breaker{threshold: 2, cooldown: 10 * time.Second}
	b.record(now, false, failed)
	b.record(now, false, failed)
	if b.state(now) != BreakerOpen {
		t.Fatal("not open")
	}
	// A late report from a call admitted before the breaker opened
	// changes nothing.
	b.record(now, false, healthy)
	if ok, _, wait := b.allow(now.Add(4 * time.Second)); ok || wait != 6*time.Second {
		t.Fatalf("allow while open: %v, %v", ok, wait)
	}
	ok, probe, _ := b.allow(now.Add(10 * time.Second))
	if !ok || !probe {
		t.Fatal("no probe after the cooldown")
	}
	if ok, _, wait := b.allow(now.Add(10 * time.Second)); ok || wait <= 0 {
		t.Fatal("a second probe was admitted")
	}
	b.record(now.Add(11*time.Second), true, neutral)
	if ok, probe, _ := b.allow(now.Add(11 * time.Second)); !ok || !probe {
		t.Fatal("a neutral probe did not free the probe slot")
	}
	b.record(now.Add(12*time.Second), true, healthy)
	if b.state(now) != BreakerClosed || b.failures != 0 {
		t.Fatal("a healthy probe did not close the breaker")
	}
}

// onlyReader hides every method but Read.
type onlyReader struct{ r io.Reader }

func (o onlyReader) Read(p []byte) (int, error) { return o.r.Read(p) }

func TestTranscribeSeek(t *testing.T) {
	audio := []byte("HEADERRIFF....WAVEfmt audio-bytes")
	reads := func(f *fake, fail int) *[]string {
		var got []string
		var mu sync.Mutex
		f.onTranscribe = func(_ context.Context, n int, req *gateway.TranscribeRequest) (*gateway.Transcription, error) {
			b, err := io.ReadAll(req.Audio)
			if err != nil {
				return nil, err
			}
			mu.Lock()
			got = append(got, string(b))
			mu.Unlock()
			if n < fail {
				return nil, statusErr(f.name, 500, 0)
			}
			return &gateway.Transcription{Text: "ok from " + f.name}, nil
		}
		return &got
	}
	newR := func(a, b *fake) *Router {
		r, _ := newRouter(t, Config{
			Providers: []Entry{zdr(fullFake{chatFake{a}}, "whisper"), zdr(fullFake{chatFake{b}}, "whisper")},
		})
		return r
	}

	t.Run("seekable: rewound before every attempt", func(t *testing.T) {
		a, b := newFake("a"), newFake("b")
		ra, rb := reads(a, 2), reads(b, 0)
		r := newR(a, b)
		src := bytes.NewReader(audio)
		src.Seek(6, io.SeekStart) // the caller already consumed a header
		tr, err := r.Transcribe(context.Background(), &gateway.TranscribeRequest{Model: "whisper", Audio: src, Size: -1}, Policy{})
		if err != nil || tr.Text != "ok from b" {
			t.Fatalf("Transcribe = %+v, %v", tr, err)
		}
		want := string(audio[6:])
		if len(*ra) != 2 || (*ra)[0] != want || (*ra)[1] != want || len(*rb) != 1 || (*rb)[0] != want {
			t.Fatalf("reads a=%q b=%q", *ra, *rb)
		}
	})
	t.Run("not seekable: one attempt", func(t *testing.T) {
		a, b := newFake("a"), newFake("b")
		ra, rb := reads(a, 1), reads(b, 0)
		r := newR(a, b)
		_, err := r.Transcribe(context.Background(), &gateway.TranscribeRequest{Model: "whisper", Audio: onlyReader{bytes.NewReader(audio)}}, Policy{})
		if classOf(t, err) != gateway.ClassServer || len(*ra) != 1 || len(*rb) != 0 {
			t.Fatalf("err %v; reads a=%d b=%d", err, len(*ra), len(*rb))
		}
	})
	t.Run("seek failure: one attempt", func(t *testing.T) {
		a, b := newFake("a"), newFake("b")
		ra, rb := reads(a, 1), reads(b, 0)
		r := newR(a, b)
		_, err := r.Transcribe(context.Background(), &gateway.TranscribeRequest{Model: "whisper", Audio: brokenSeeker{bytes.NewReader(audio)}}, Policy{})
		if err == nil || len(*ra) != 1 || len(*rb) != 0 {
			t.Fatalf("err %v; reads a=%d b=%d", err, len(*ra), len(*rb))
		}
	})
	t.Run("rewind failure: the last error stands", func(t *testing.T) {
		a, b := newFake("a"), newFake("b")
		ra, rb := reads(a, 1), reads(b, 0)
		r := newR(a, b)
		_, err := r.Transcribe(context.Background(), &gateway.TranscribeRequest{Model: "whisper", Audio: noRewind{bytes.NewReader(audio)}}, Policy{})
		if pe, ok := gateway.AsProviderError(err); !ok || pe.Provider != "a" || pe.Status != 500 || len(*ra) != 1 || len(*rb) != 0 {
			t.Fatalf("err %v; reads a=%d b=%d", err, len(*ra), len(*rb))
		}
		if r.Providers()[0].InFlight != 0 {
			t.Fatal("slot kept after a failed rewind")
		}
	})
	t.Run("not seekable: skips a saturated target without reading", func(t *testing.T) {
		a, b := newFake("a"), newFake("b")
		g := newGate(a)
		_, rb := reads(a, 0), reads(b, 0)
		r, _ := newRouter(t, Config{Providers: []Entry{
			limited(fullFake{chatFake{a}}, 1, "whisper"), zdr(fullFake{chatFake{b}}, "whisper"),
		}})
		go r.Chat(context.Background(), chatReq("whisper"), Policy{})
		<-g.entered
		defer close(g.release)
		tr, err := r.Transcribe(context.Background(), &gateway.TranscribeRequest{Model: "whisper", Audio: onlyReader{bytes.NewReader(audio)}}, Policy{})
		if err != nil || tr.Text != "ok from b" || len(*rb) != 1 {
			t.Fatalf("Transcribe = %+v, %v", tr, err)
		}
	})
}

// brokenSeeker reports where it is but cannot go back.
type brokenSeeker struct{ *bytes.Reader }

func (b brokenSeeker) Seek(off int64, whence int) (int64, error) {
	if whence == io.SeekCurrent && off == 0 {
		return 0, errors.New("not seekable")
	}
	return b.Reader.Seek(off, whence)
}

// noRewind reports where it is but fails to seek back.
type noRewind struct{ *bytes.Reader }

func (b noRewind) Seek(off int64, whence int) (int64, error) {
	if whence == io.SeekCurrent && off == 0 {
		return b.Reader.Seek(off, whence)
	}
	return 0, errors.New("cannot rewind")
}
