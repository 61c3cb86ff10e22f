package mail

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/quirehq/quire"
)

// slowSender records messages after a delay, like a slow relay.
type slowSender struct {
	delay time.Duration
	mu    sync.Mutex
	got   []Message
	gate  chan struct{}
}

func (s *slowSender) Send(_ context.Context, m Message) error {
	if s.gate != nil {
		<-s.gate
	}
	time.Sleep(s.delay)
	s.mu.Lock()
	s.got = append(s.got, m)
	s.mu.Unlock()
	return nil
}

func TestAsyncDoesNotWaitAndDeliversEverything(t *testing.T) {
	slow := &slowSender{delay: 50 * time.Millisecond, gate: make(chan struct{})}
	a := NewAsync(slow, 100, nil)
	for range 20 {
		if err := a.Send(context.Background(), ResetPassword("ann@example.com", "https://quire.test/reset-password?token=x")); err != nil {
			t.Fatal(err)
		}
	}
	slow.mu.Lock()
	before := len(slow.got)
	slow.mu.Unlock()
	if before != 0 {
		t.Fatalf("%d messages delivered while the relay was blocked: Send waited", before)
	}
	close(slow.gate)
	a.Close()
	if len(slow.got) != 20 {
		t.Fatalf("Close returned with %d of 20 messages delivered", len(slow.got))
	}
	if err := a.Send(context.Background(), VerifyEmail("ann@example.com", "https://quire.test/v?token=x")); quire.ErrorCode(err) != quire.EUNAVAILABLE {
		t.Fatalf("Send after Close: %v", err)
	}
}

func TestAsyncRefusesInvalidAndOverflow(t *testing.T) {
	slow := &slowSender{gate: make(chan struct{})}
	a := NewAsync(slow, 1, nil)
	defer func() { close(slow.gate); a.Close() }()
	if err := a.Send(context.Background(), VerifyEmail("a@example.com\r\nBcc: b@example.com", "https://quire.test/")); quire.ErrorCode(err) != quire.EINVALID {
		t.Fatalf("a header injection was queued: %v", err)
	}
	var refused int
	for range asyncWorkers + 5 {
		if err := a.Send(context.Background(), VerifyEmail("a@example.com", "https://quire.test/")); quire.ErrorCode(err) == quire.EUNAVAILABLE {
			refused++
		}
	}
	if refused == 0 {
		t.Fatal("a full queue blocked or grew instead of refusing")
	}
}

func TestAsyncCloseIsBounded(t *testing.T) {
	old := closeWait
	closeWait = 100 * time.Millisecond
	defer func() { closeWait = old }()
	stuck := &slowSender{gate: make(chan struct{})}
	defer close(stuck.gate)
	a := NewAsync(stuck, 100, nil)
	for range 20 {
		if err := a.Send(context.Background(), VerifyEmail("a@example.com", "https://quire.test/")); err != nil {
			t.Fatal(err)
		}
	}
	done := make(chan struct{})
	go func() { a.Close(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Close waited on a relay that never answers")
	}
}
