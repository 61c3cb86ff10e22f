package route

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/quirehq/quire/gateway"
)

// TestConcurrentUse drives one router from many goroutines with failing,
// slow and streaming providers: run with -race. Limits must hold (a fake
// never sees more calls at once than its MaxConcurrent), every slot must
// come back, and every error must be one the router promises.
func TestConcurrentUse(t *testing.T) {
	const limit = 3
	mk := func(name string) *fake {
		f := newFake(name)
		f.onChat = func(ctx context.Context, n int, req *gateway.ChatRequest) (*gateway.ChatResponse, error) {
			switch n % 5 {
			case 0:
				return nil, statusErr(name, 503, 0)
			case 1:
				return nil, statusErr(name, 429, time.Millisecond)
			case 2:
				select {
				case <-time.After(time.Millisecond):
				case <-ctx.Done():
					return nil, gateway.NewTransportError(ctx, name, ctx.Err())
				}
			}
			return okChat(name, req.Model), nil
		}
		f.onStream = func(_ context.Context, n int, req *gateway.ChatRequest) (gateway.Stream, error) {
			if n%4 == 0 {
				return nil, statusErr(name, 500, 0)
			}
			var err error
			if n%4 == 1 {
				err = gateway.NewError(name, gateway.ClassStreamError, gateway.ErrStreamError)
			}
			return gateway.SliceStream(events(req.Model), err), nil
		}
		return f
	}
	fs := []*fake{mk("a"), mk("b"), mk("c")}
	var entries []Entry
	for _, f := range fs {
		entries = append(entries, Entry{Provider: fullFake{chatFake{f}}, ZDR: true, Models: []string{"m"}, MaxConcurrent: limit})
	}
	r, err := New(Config{
		Providers:    entries,
		Aliases:      map[string][]Target{"x": {{"c", "m"}, {"a", "m"}}},
		Breaker:      BreakerPolicy{Failures: 4, Cooldown: 2 * time.Millisecond},
		QueueTimeout: 5 * time.Millisecond,
		Retry:        RetryPolicy{Base: time.Microsecond, Max: 10 * time.Microsecond},
		Observer:     &recorder{},
	})
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errc := make(chan error, 1)
	report := func(err error) {
		select {
		case errc <- err:
		default:
		}
	}
	for g := range 32 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ctx := context.Background()
			for i := range 40 {
				var err error
				switch (g + i) % 5 {
				case 0, 1:
					_, err = r.Chat(ctx, chatReq([]string{"m", "x"}[i%2]), Policy{})
				case 2:
					var s gateway.Stream
					if s, err = r.ChatStream(ctx, chatReq("m"), Policy{}); err == nil {
						if i%3 == 0 {
							s.Next()
							s.Close()
						} else {
							_, err = readAll(s)
						}
					}
				case 3:
					cctx, cancel := context.WithCancel(ctx)
					if i%2 == 0 {
						cancel()
					}
					_, err = r.Embed(cctx, &gateway.EmbedRequest{Model: "x", Inputs: []string{"a"}}, Policy{})
					cancel()
				case 4:
					r.Providers()
					r.Models(Policy{})
					_, err = r.Resolve("x", OpChat, Policy{})
				}
				if _, ok := gateway.AsProviderError(err); err != nil && !ok {
					var re *Error
					if !errors.As(err, &re) {
						report(err)
					}
				}
			}
		}()
	}
	wg.Wait()
	select {
	case err := <-errc:
		t.Fatalf("unexpected error type %T: %v", err, err)
	default:
	}
	for i, f := range fs {
		if m := f.maxSeen.Load(); m > limit {
			t.Errorf("%s saw %d calls at once, limit %d", f.name, m, limit)
		}
		if f.inFlight.Load() != 0 {
			t.Errorf("%s still has %d calls in flight", f.name, f.inFlight.Load())
		}
		if p := r.Providers()[i]; p.InFlight != 0 {
			t.Errorf("%s: router holds %d slots after every call ended", p.Name, p.InFlight)
		}
	}
}
