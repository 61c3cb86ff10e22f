package route

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/quirehq/quire/gateway"
)

// script hands out bytes of fuzz input, then zeros.
type script struct {
	mu   sync.Mutex
	data []byte
}

func (s *script) next() byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.data) == 0 {
		return 0
	}
	b := s.data[0]
	s.data = s.data[1:]
	return b
}

// outcome turns a byte into what a provider does: succeed, or fail in
// one of the ways providers fail.
func (s *script) outcome(name string) error {
	switch b := s.next(); b % 16 {
	case 0, 1, 2:
		return nil
	case 3:
		return statusErr(name, 429, time.Duration(s.next())*time.Second/4)
	case 4:
		return statusErr(name, 500+int(b%4), 0)
	case 5:
		return statusErr(name, 400, 0)
	case 6:
		return statusErr(name, 401, 0)
	case 7:
		return statusErr(name, 404, 0)
	case 8:
		return gateway.NewError(name, gateway.ClassTimeout, context.DeadlineExceeded)
	case 9:
		return gateway.NewError(name, gateway.ClassConnection, errors.New("reset"))
	case 10:
		return gateway.NewError(name, gateway.ClassCanceled, context.Canceled)
	case 11:
		return gateway.NewError("", gateway.ClassBadResponse, gateway.ErrStreamTruncated)
	case 12:
		return errors.New("opaque")
	case 13:
		e := statusErr(name, 429, 0)
		e.SetRetryable(false)
		return e
	case 14:
		return gateway.NewError(name, gateway.ClassInvalidRequest, gateway.ErrUnsupported)
	}
	return gateway.NewError(name, gateway.ClassStreamError, gateway.ErrStreamError)
}

// FuzzRouter runs calls against providers whose every answer the input
// chooses, and checks the router's invariants: bounded attempts, one
// Final report per call, the last one, waits within the caps, no slot
// kept, and only the promised error types.
func FuzzRouter(f *testing.F) {
	f.Add([]byte{0, 0, 0})
	f.Add([]byte{2, 1, 4, 4, 4, 4, 4, 4, 0, 0})
	f.Add([]byte{3, 3, 3, 200, 3, 1, 9, 8, 11, 12, 13, 14, 15, 5})
	f.Add([]byte{1, 0, 6, 7, 10, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 0})
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) < 2 || len(data) > 512 {
			return
		}
		sc := &script{data: data[2:]}
		attempts, failures := int(data[0]%4)+1, int(data[1]%4)+1
		var entries []Entry
		for i, name := range []string{"a", "b", "c"} {
			fk := newFake(name)
			fk.onChat = func(_ context.Context, _ int, req *gateway.ChatRequest) (*gateway.ChatResponse, error) {
				if err := sc.outcome(name); err != nil {
					return nil, err
				}
				if sc.next()%8 == 7 {
					return nil, nil
				}
				return okChat(name, req.Model), nil
			}
			fk.onStream = func(_ context.Context, _ int, req *gateway.ChatRequest) (gateway.Stream, error) {
				if err := sc.outcome(name); err != nil {
					return nil, err
				}
				evs := events(req.Model)[:sc.next()%7]
				return gateway.SliceStream(evs, sc.outcome(name)), nil
			}
			entries = append(entries, Entry{Provider: chatFake{fk}, ZDR: i != 2, Models: []string{"m"}, MaxConcurrent: 1})
		}
		r, env := newRouter(t, Config{
			Providers: entries,
			Retry:     RetryPolicy{Attempts: attempts, MaxRetryAfter: 10 * time.Second},
			Breaker:   BreakerPolicy{Failures: failures, Cooldown: time.Minute},
		})
		for call := 0; call < 6; call++ {
			env.obs.as = nil
			env.sleeps = nil
			p := Policy{AllowNonZDR: call%2 == 1}
			var err error
			if call%3 == 2 {
				var s gateway.Stream
				if s, err = r.ChatStream(context.Background(), chatReq("m"), p); err == nil {
					if _, err = readAll(s); err != nil {
						if _, ok := gateway.AsProviderError(err); !ok {
							t.Fatalf("stream error %T: %v", err, err)
						}
					}
					err = nil
				}
			} else {
				_, err = r.Chat(context.Background(), chatReq("m"), p)
			}
			if err != nil {
				if _, ok := gateway.AsProviderError(err); !ok {
					t.Fatalf("call %d: error %T: %v", call, err, err)
				}
			}
			as := env.obs.attempts()
			targets := 2
			if p.AllowNonZDR {
				targets = 3
			}
			if len(as) > targets*attempts {
				t.Fatalf("call %d: %d attempts over %d targets × %d", call, len(as), targets, attempts)
			}
			for i, a := range as {
				if a.Final != (i == len(as)-1) {
					t.Fatalf("call %d: attempt %d of %d has Final %v", call, i+1, len(as), a.Final)
				}
				if !p.AllowNonZDR && a.Provider == "c" {
					t.Fatalf("call %d: non-ZDR provider used without opt-out", call)
				}
				if a.Err != nil {
					if pe, ok := a.Err.(*gateway.ProviderError); !ok || pe.Provider != a.Provider {
						t.Fatalf("attempt error %#v", a.Err)
					}
				}
			}
			if len(as) == 0 && (err == nil || !(errors.Is(err, ErrCircuitOpen) || errors.Is(err, ErrOverloaded))) {
				t.Fatalf("call %d: no attempt, error %v", call, err)
			}
			for _, d := range env.slept() {
				if d < 0 || d > 10*time.Second {
					t.Fatalf("waited %v", d)
				}
			}
			for _, pi := range r.Providers() {
				if pi.InFlight != 0 {
					t.Fatalf("%s keeps %d slots", pi.Name, pi.InFlight)
				}
			}
		}
	})
}
