package mail

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/quirehq/quire"
)

// Async is a Sender that delivers in the background. A request that sends
// mail answers without waiting on the relay, so it also answers in the
// same time whether it sent mail or not: a password-reset request for an
// address with an account looks like one for an address without. Messages
// are validated at once; delivery failures are logged.
type Async struct {
	next   Sender
	logger *slog.Logger
	queue  chan Message

	mu     sync.Mutex
	closed bool
	done   sync.WaitGroup
}

var _ Sender = (*Async)(nil)

// asyncWorkers deliver at once; a slow relay holds at most this many
// connections.
const asyncWorkers = 4

// NewAsync returns an Async over next with a queue of size messages; when
// the queue is full, Send refuses the message (EUNAVAILABLE) rather than
// block the request. A nil logger means slog.Default().
func NewAsync(next Sender, size int, logger *slog.Logger) *Async {
	if logger == nil {
		logger = slog.Default()
	}
	a := &Async{next: next, logger: logger, queue: make(chan Message, size)}
	for range asyncWorkers {
		a.done.Go(a.work)
	}
	return a
}

// Send validates m and queues it for delivery.
func (a *Async) Send(ctx context.Context, m Message) error {
	if _, err := validateMessage(m); err != nil {
		return err
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.closed {
		return quire.Errorf(quire.EUNAVAILABLE, "The email could not be sent.")
	}
	select {
	case a.queue <- m:
		return nil
	default:
		a.logger.ErrorContext(ctx, "email dropped: the send queue is full", "kind", m.Kind)
		return quire.Errorf(quire.EUNAVAILABLE, "The email could not be sent.")
	}
}

// work delivers queued messages until Close.
func (a *Async) work() {
	for m := range a.queue {
		if err := a.next.Send(context.Background(), m); err != nil {
			a.logger.Error("email not sent", "kind", m.Kind, "err", err)
		}
	}
}

// closeWait bounds how long Close waits for the queue: a relay that is
// down must not hold a shutdown for the queue's worth of timeouts.
var closeWait = 15 * time.Second

// Close stops taking messages and returns once every queued one has been
// delivered or has failed, or after closeWait, logging how many were
// still waiting (they are lost).
func (a *Async) Close() {
	a.mu.Lock()
	if !a.closed {
		a.closed = true
		close(a.queue)
	}
	a.mu.Unlock()
	finished := make(chan struct{})
	go func() { a.done.Wait(); close(finished) }()
	select {
	case <-finished:
	case <-time.After(closeWait):
		a.logger.Error("emails not sent at shutdown: the relay did not take them in time", "queued", len(a.queue))
	}
}
