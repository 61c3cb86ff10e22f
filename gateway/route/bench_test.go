package route

import (
	"context"
	"testing"

	"github.com/quirehq/quire/gateway"
)

// nopObserver keeps nothing, as a metrics counter would.
type nopObserver struct{}

func (nopObserver) Attempt(context.Context, Attempt) {}

// benchProvider answers at once with a canned response and endless
// streams, so that a benchmark measures the router alone.
type benchProvider struct{ resp *gateway.ChatResponse }

func (benchProvider) Name() string { return "bench" }
func (benchProvider) Kind() string { return "openai" }

func (p benchProvider) Chat(context.Context, *gateway.ChatRequest) (*gateway.ChatResponse, error) {
	return p.resp, nil
}

func (p benchProvider) ChatStream(context.Context, *gateway.ChatRequest) (gateway.Stream, error) {
	return &endless{}, nil
}

// endless yields one text event after another.
type endless struct{}

func (*endless) Next() (gateway.Event, error) {
	return gateway.Event{Type: gateway.EventText, Text: " token"}, nil
}
func (*endless) Close() error { return nil }

func benchRouter(b *testing.B, p benchProvider, timeout bool) *Router {
	e := Entry{Provider: p, ZDR: true, Models: []string{"gpt-4o-mini"}}
	if timeout {
		e.Timeout = 60e9
	}
	r, err := New(Config{
		Providers: []Entry{e},
		Aliases:   map[string][]Target{"writer": {{"bench", "gpt-4o-mini"}}},
		Observer:  nopObserver{},
	})
	if err != nil {
		b.Fatal(err)
	}
	return r
}

// BenchmarkChat compares a non-streamed call made directly on a provider
// with the same call through the router: the difference is the router's
// cost per call (resolution, policy, slot, breaker, request copy, the
// Observer report), with and without a per-attempt timeout.
func BenchmarkChat(b *testing.B) {
	p := benchProvider{resp: okChat("bench", "gpt-4o-mini")}
	req := chatReq("writer")
	ctx := context.Background()
	b.Run("direct", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := p.Chat(ctx, req); err != nil {
				b.Fatal(err)
			}
		}
	})
	for _, c := range []struct {
		name    string
		timeout bool
	}{{"router", false}, {"router-timeout", true}} {
		b.Run(c.name, func(b *testing.B) {
			r := benchRouter(b, p, c.timeout)
			b.ReportAllocs()
			for b.Loop() {
				if _, err := r.Chat(ctx, req, Policy{}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkStreamEvent measures one Next on a stream, directly and
// through the router's wrapper: the router adds no allocation per event.
func BenchmarkStreamEvent(b *testing.B) {
	p := benchProvider{}
	ctx := context.Background()
	run := func(b *testing.B, s gateway.Stream) {
		defer s.Close()
		b.ReportAllocs()
		for b.Loop() {
			if _, err := s.Next(); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.Run("direct", func(b *testing.B) {
		s, _ := p.ChatStream(ctx, nil)
		run(b, s)
	})
	b.Run("router", func(b *testing.B) {
		s, err := benchRouter(b, p, false).ChatStream(ctx, chatReq("writer"), Policy{})
		if err != nil {
			b.Fatal(err)
		}
		run(b, s)
	})
}

// BenchmarkChatStreamOpen is the router's cost to open a stream (first
// event pulled and replayed) and close it.
func BenchmarkChatStreamOpen(b *testing.B) {
	r := benchRouter(b, benchProvider{}, false)
	ctx := context.Background()
	req := chatReq("writer")
	b.ReportAllocs()
	for b.Loop() {
		s, err := r.ChatStream(ctx, req, Policy{})
		if err != nil {
			b.Fatal(err)
		}
		s.Next()
		s.Close()
	}
}

func TestStreamEventAllocs(t *testing.T) {
	r, err := New(Config{Providers: []Entry{zdr(benchProvider{}, "m")}, Observer: nopObserver{}})
	if err != nil {
		t.Fatal(err)
	}
	s, err := r.ChatStream(context.Background(), chatReq("m"), Policy{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if n := testing.AllocsPerRun(1000, func() { s.Next() }); n != 0 {
		t.Fatalf("%v allocations per stream event", n)
	}
}
