package route

import (
	"context"
	"io"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/quirehq/quire/gateway"
	"github.com/quirehq/quire/internal/fakeclock"
)

// fake is a scripted provider. Its handlers receive the call's number
// (from 0, per operation) and may block on ctx; nil handlers succeed.
type fake struct {
	name, kind string

	onChat       func(ctx context.Context, n int, req *gateway.ChatRequest) (*gateway.ChatResponse, error)
	onStream     func(ctx context.Context, n int, req *gateway.ChatRequest) (gateway.Stream, error)
	onEmbed      func(ctx context.Context, n int, req *gateway.EmbedRequest) (*gateway.EmbedResponse, error)
	onTranscribe func(ctx context.Context, n int, req *gateway.TranscribeRequest) (*gateway.Transcription, error)
	onRerank     func(ctx context.Context, n int, req *gateway.RerankRequest) (*gateway.RerankResponse, error)

	mu       sync.Mutex
	models   []string // the model of every call, in order
	counts   map[string]int
	inFlight atomic.Int32
	maxSeen  atomic.Int32
}

func newFake(name string) *fake {
	return &fake{name: name, kind: "fakekind", counts: map[string]int{}}
}

func (f *fake) Name() string { return f.name }
func (f *fake) Kind() string { return f.kind }

// begin records a call and returns its number for op.
func (f *fake) begin(op, model string) int {
	n := f.inFlight.Add(1)
	for {
		m := f.maxSeen.Load()
		if n <= m || f.maxSeen.CompareAndSwap(m, n) {
			break
		}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.models = append(f.models, model)
	c := f.counts[op]
	f.counts[op] = c + 1
	return c
}

func (f *fake) finish() { f.inFlight.Add(-1) }

// calls returns how many calls of any operation f received.
func (f *fake) calls() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.models)
}

func (f *fake) seenModels() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.models...)
}

// chatFake implements gateway.ChatProvider only.
type chatFake struct{ *fake }

func (f chatFake) Chat(ctx context.Context, req *gateway.ChatRequest) (*gateway.ChatResponse, error) {
	n := f.begin("chat", req.Model)
	defer f.finish()
	if f.onChat != nil {
		return f.onChat(ctx, n, req)
	}
	return okChat(f.name, req.Model), nil
}

func (f chatFake) ChatStream(ctx context.Context, req *gateway.ChatRequest) (gateway.Stream, error) {
	n := f.begin("chat_stream", req.Model)
	var s gateway.Stream
	var err error
	if f.onStream != nil {
		s, err = f.onStream(ctx, n, req)
	} else {
		s = gateway.StreamOf(okChat(f.name, req.Model))
	}
	if err != nil || s == nil {
		f.finish()
		return s, err
	}
	return &trackedStream{Stream: s, done: f.finish}, nil
}

// trackedStream counts a stream as in flight until it is closed.
type trackedStream struct {
	gateway.Stream
	done   func()
	closed bool
}

func (s *trackedStream) Close() error {
	if !s.closed {
		s.closed = true
		s.done()
	}
	return s.Stream.Close()
}

// fullFake implements every capability.
type fullFake struct{ chatFake }

func (f fullFake) Embed(ctx context.Context, req *gateway.EmbedRequest) (*gateway.EmbedResponse, error) {
	n := f.begin("embed", req.Model)
	defer f.finish()
	if f.onEmbed != nil {
		return f.onEmbed(ctx, n, req)
	}
	return &gateway.EmbedResponse{Model: req.Model, Vectors: [][]float32{{0.1, 0.2}}, Usage: gateway.Usage{InputTokens: 3}}, nil
}

func (f fullFake) Transcribe(ctx context.Context, req *gateway.TranscribeRequest) (*gateway.Transcription, error) {
	n := f.begin("transcribe", req.Model)
	defer f.finish()
	if f.onTranscribe != nil {
		return f.onTranscribe(ctx, n, req)
	}
	return &gateway.Transcription{Text: "hello", UsageDuration: 3 * time.Second}, nil
}

func (f fullFake) Rerank(ctx context.Context, req *gateway.RerankRequest) (*gateway.RerankResponse, error) {
	n := f.begin("rerank", req.Model)
	defer f.finish()
	if f.onRerank != nil {
		return f.onRerank(ctx, n, req)
	}
	return &gateway.RerankResponse{Model: req.Model, Results: []gateway.RerankResult{{Index: 0, Score: 0.9}}, Usage: gateway.Usage{InputTokens: 7}}, nil
}

// embedFake implements gateway.Embedder only.
type embedFake struct{ *fake }

func (f embedFake) Embed(ctx context.Context, req *gateway.EmbedRequest) (*gateway.EmbedResponse, error) {
	return fullFake{chatFake(f)}.Embed(ctx, req)
}

// okChat is a successful answer naming who gave it.
func okChat(provider, model string) *gateway.ChatResponse {
	return &gateway.ChatResponse{
		ID: "chatcmpl-" + provider, Model: model,
		Message:      gateway.TextMessage(gateway.RoleAssistant, "answer from "+provider),
		FinishReason: gateway.FinishStop,
		Usage:        &gateway.Usage{InputTokens: 11, OutputTokens: 5},
	}
}

// statusErr is the error a vendor package returns for an HTTP status, with
// Retry-After in seconds when retryAfter > 0.
func statusErr(provider string, status int, retryAfter time.Duration) *gateway.ProviderError {
	h := http.Header{}
	if retryAfter > 0 {
		h.Set("Retry-After-Ms", strconv.FormatInt(retryAfter.Milliseconds(), 10))
	}
	return gateway.NewStatusError(provider, status, h, "", "", "")
}

// failN fails the first n chat calls with err, then succeeds.
func failN(f *fake, n int, err error) *fake {
	f.onChat = func(_ context.Context, i int, req *gateway.ChatRequest) (*gateway.ChatResponse, error) {
		if i < n {
			return nil, err
		}
		return okChat(f.name, req.Model), nil
	}
	return f
}

// blockUntilDone blocks until ctx is done, records that it saw it, and
// returns the transport error a vendor would.
func blockUntilDone(f *fake, saw *atomic.Bool) *fake {
	f.onChat = func(ctx context.Context, _ int, _ *gateway.ChatRequest) (*gateway.ChatResponse, error) {
		<-ctx.Done()
		saw.Store(true)
		return nil, gateway.NewTransportError(ctx, f.name, ctx.Err())
	}
	return f
}

// testEnv is a router's test doubles: clock, sleeps and attempts seen.
type testEnv struct {
	clock *fakeclock.Clock
	obs   *recorder

	mu     sync.Mutex
	sleeps []time.Duration
	// onSleep, if set, runs before a sleep returns (to cancel, say).
	onSleep func()
}

func (e *testEnv) sleep(ctx context.Context, d time.Duration) error {
	e.mu.Lock()
	e.sleeps = append(e.sleeps, d)
	hook := e.onSleep
	e.mu.Unlock()
	if hook != nil {
		hook()
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	e.clock.Add(d)
	return nil
}

func (e *testEnv) slept() []time.Duration {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]time.Duration(nil), e.sleeps...)
}

// recorder is an Observer that keeps every Attempt.
type recorder struct {
	mu sync.Mutex
	as []Attempt
}

func (r *recorder) Attempt(_ context.Context, a Attempt) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.as = append(r.as, a)
}

func (r *recorder) attempts() []Attempt {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Attempt(nil), r.as...)
}

// newRouter builds a router over entries with deterministic doubles:
// a fake clock, recorded sleeps that advance it, jitter 0.5.
func newRouter(t testing.TB, c Config) (*Router, *testEnv) {
	t.Helper()
	env := &testEnv{clock: fakeclock.New(), obs: &recorder{}}
	if c.Now == nil {
		c.Now = env.clock.Now
	}
	if c.Sleep == nil {
		c.Sleep = env.sleep
	}
	if c.Rand == nil {
		c.Rand = func() float64 { return 0.5 }
	}
	if c.Observer == nil {
		c.Observer = env.obs
	}
	r, err := New(c)
	if err != nil {
		t.Fatal(err)
	}
	return r, env
}

// zdr is an Entry for a ZDR provider serving models.
func zdr(p gateway.Provider, models ...string) Entry {
	return Entry{Provider: p, ZDR: true, Models: models}
}

func chatReq(model string) *gateway.ChatRequest {
	return &gateway.ChatRequest{
		Model:    model,
		System:   "You are a careful editor.",
		Messages: []gateway.Message{gateway.TextMessage(gateway.RoleUser, "SECRET-PROMPT-CANARY")},
	}
}

// classOf returns the class of err, which must be a *gateway.ProviderError.
func classOf(t *testing.T, err error) gateway.ErrorClass {
	t.Helper()
	pe, ok := gateway.AsProviderError(err)
	if !ok {
		t.Fatalf("error %v (%T) is not a *gateway.ProviderError", err, err)
	}
	return pe.Class
}

// readAll drains s and closes it.
func readAll(s gateway.Stream) ([]gateway.Event, error) {
	defer s.Close()
	var evs []gateway.Event
	for {
		ev, err := s.Next()
		if err == io.EOF {
			return evs, nil
		}
		if err != nil {
			return evs, err
		}
		evs = append(evs, ev)
	}
}

// blockingStream yields events, then blocks until ctx is done.
type blockingStream struct {
	ctx    context.Context
	events []gateway.Event
	err    error // returned after ctx is done, or at once if block is false
	block  bool
}

func (s *blockingStream) Next() (gateway.Event, error) {
	if len(s.events) > 0 {
		ev := s.events[0]
		s.events = s.events[1:]
		return ev, nil
	}
	if s.block {
		<-s.ctx.Done()
		return gateway.Event{}, gateway.NewTransportError(s.ctx, "", s.ctx.Err())
	}
	if s.err != nil {
		return gateway.Event{}, s.err
	}
	return gateway.Event{}, io.EOF
}

func (s *blockingStream) Close() error { return nil }

// waitFor polls cond for up to 5 seconds, for effects that happen in
// another goroutine.
func waitFor(t testing.TB, cond func() bool, msg string) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); !cond(); {
		if time.Now().After(deadline) {
			t.Fatal(msg)
		}
		time.Sleep(time.Millisecond)
	}
}
