package route

import (
	"context"
	"errors"
	"math"
	"net/http"
	"time"

	"github.com/quirehq/quire/gateway"
)

// exec is one call's walk through its targets: slots, breakers, tries,
// waits, and the Observer reports.
type exec struct {
	r     *Router
	ctx   context.Context
	rt    *route
	op    Op
	obsOp string
	p     Policy
	// once allows a single attempt (audio that cannot be rewound).
	once bool
	// rewind runs before every attempt but the first.
	rewind func() error
	// stream: a success keeps its slot and context, which the stream
	// releases when it ends.
	stream bool
	// fn makes one attempt on t with ctx; it fills a's Usage (and, for a
	// stream, FirstEvent, st and first).
	fn func(ctx context.Context, t *target, a *Attempt) error

	tries      int
	ok         bool
	last       *gateway.ProviderError
	pending    Attempt // the last failed attempt, reported once the next starts or the call ends
	hasPending bool

	st    gateway.Stream // a stream that delivered its first event
	first gateway.Event
	out   *stream
}

// what follows a failed attempt.
type action uint8

const (
	retry    action = iota // the same target, after a wait
	fallback               // the next target
	stop                   // return the error
)

// slot is the outcome of asking for a provider's concurrency slot and
// breaker.
type slot uint8

const (
	got  slot = iota // the slot is held and the breaker admits the call
	full             // every slot is taken
	open             // the breaker refuses calls
)

// run makes the call: every usable target in order, skipping saturated
// and open ones, then, if the call is not over, waiting up to
// QueueTimeout for the saturated ones. It returns nil once fn succeeded.
func (x *exec) run() error {
	var (
		buf      [4]*target
		sat      = buf[:0]
		openT    *target
		openWait time.Duration
	)
	skipOpen := func(t *target, wait time.Duration) {
		if openT == nil || wait < openWait {
			openT, openWait = t, wait
		}
	}
	for i := range x.rt.targets {
		t := &x.rt.targets[i]
		if !x.r.usable(t, x.op, x.p) {
			continue
		}
		s, probe, wait := x.r.acquire(t.e)
		switch s {
		case full:
			sat = append(sat, t)
			continue
		case open:
			skipOpen(t, wait)
			continue
		}
		if x.onTarget(t, probe) {
			return x.end()
		}
	}
	if len(sat) > 0 {
		deadline := time.Now().Add(x.r.queue)
		for _, t := range sat {
			s, probe, wait, err := x.r.await(x.ctx, t.e, deadline)
			if err != nil {
				x.last = gateway.NewTransportError(x.ctx, t.e.name, err)
				return x.end()
			}
			switch s {
			case full:
				continue
			case open:
				skipOpen(t, wait)
				continue
			}
			if x.onTarget(t, probe) {
				return x.end()
			}
		}
	}
	if x.last == nil {
		if len(sat) > 0 {
			x.last = overloadedError(sat[0].e.name, x.rt.name)
		} else {
			if openT == nil { // cannot happen: every usable target was tried or skipped
				openT = &x.rt.targets[0]
			}
			x.last = circuitOpenError(openT.e.name, x.rt.name, openWait)
		}
	}
	return x.end()
}

// end reports the pending attempt as the last one and returns the call's
// error.
func (x *exec) end() error {
	x.flush(true)
	if x.ok {
		return nil
	}
	return x.last
}

// onTarget makes up to Retry.Attempts tries on t, the first in the slot
// already held (probe: as the breaker's probe). It reports whether the
// call is over: a success, or a failure no other target would cure.
func (x *exec) onTarget(t *target, probe bool) bool {
	for try := 1; ; try++ {
		if try > 1 {
			s, p, _ := x.r.acquire(t.e)
			if s != got {
				return false
			}
			probe = p
		}
		if x.tries > 0 && x.rewind != nil {
			if err := x.rewind(); err != nil {
				// The input cannot be sent again: the last failure stands.
				x.r.done(t.e, probe, neutral)
				return true
			}
		}
		if x.attempt(t, probe, try) {
			return true
		}
		wait, next := x.decide(x.last, try)
		switch next {
		case stop:
			return true
		case fallback:
			return false
		}
		if err := x.r.sleep(x.ctx, wait); err != nil {
			x.last = gateway.NewTransportError(x.ctx, t.e.name, err)
			return true
		}
	}
}

// attempt makes one try on t, whose slot is held, and releases the slot
// unless a stream keeps it. It reports success.
func (x *exec) attempt(t *target, probe bool, try int) bool {
	x.flush(false)
	x.tries++
	r := x.r
	a := Attempt{Op: x.obsOp, Provider: t.e.name, Kind: t.e.kind, Model: t.model, Try: try, Start: r.now()}
	if x.rt.alias {
		a.Alias = x.rt.name
	}
	ctx, cancel := x.ctx, noCancel
	var timer *time.Timer
	if x.stream || t.e.timeout > 0 {
		// A stream's context must outlive this call, until the stream
		// ends; a timeout needs its own cause.
		ctx, cancel = context.WithCancelCause(x.ctx)
	}
	if t.e.timeout > 0 {
		timer = time.AfterFunc(t.e.timeout, func() { cancel(ErrAttemptTimeout) })
	}
	err := x.fn(ctx, t, &a)
	if timer != nil && !timer.Stop() && err == nil && x.stream {
		// The first event came as the timeout fired: the stream's
		// context is gone, and the stream with it.
		x.st.Close()
		x.st, x.first = nil, gateway.Event{}
		err = ErrAttemptTimeout
	}
	if err == nil {
		x.ok = true
		a.Status = http.StatusOK
		if x.stream {
			r.record(t.e, probe, healthy)
			x.out = &stream{r: r, ctx: x.ctx, up: x.st, e: t.e, cancel: cancel, a: a, first: x.first, hasFirst: true}
			x.st, x.first = nil, gateway.Event{}
			return true
		}
		cancel(nil)
		a.Latency = r.now().Sub(a.Start)
		a.Final = true
		r.done(t.e, probe, healthy)
		x.emit(a)
		return true
	}
	pe := normalize(x.ctx, ctx, t.e.name, err)
	cancel(nil)
	r.done(t.e, probe, outcomeOf(x.ctx, pe))
	a.Latency = r.now().Sub(a.Start)
	a.Status, a.Class, a.Err = pe.Status, pe.Class, pe
	x.last, x.pending, x.hasPending = pe, a, true
	return false
}

func noCancel(error) {}

// decide says what follows failure pe of try on a target, and how long
// to wait before a retry.
func (x *exec) decide(pe *gateway.ProviderError, try int) (time.Duration, action) {
	switch {
	case x.ctx.Err() != nil, pe.Class == gateway.ClassCanceled, x.once:
		return 0, stop
	case pe.Class == gateway.ClassInvalidRequest && !errors.Is(pe, gateway.ErrUnsupported):
		// Validation differs little between providers, and a request one
		// refused would most likely be refused by the next: the client
		// is told at once rather than after a tour of every target. A
		// provider's own limitation (ErrUnsupported) is not the request's
		// fault, and falls back.
		return 0, stop
	case !pe.Retryable(), try >= x.r.retry.Attempts:
		return 0, fallback
	}
	wait := pe.RetryAfter
	if wait > x.r.retry.MaxRetryAfter {
		return 0, fallback
	}
	if wait <= 0 {
		wait = x.r.backoff(try)
	}
	if dl, ok := x.ctx.Deadline(); ok && time.Until(dl) <= wait {
		return 0, fallback // the caller would be gone before the retry
	}
	return wait, retry
}

// flush reports the pending failed attempt.
func (x *exec) flush(final bool) {
	if !x.hasPending {
		return
	}
	x.pending.Final = final
	x.hasPending = false
	x.emit(x.pending)
}

func (x *exec) emit(a Attempt) {
	if x.r.obs != nil {
		x.r.obs.Attempt(x.ctx, a)
	}
}

// normalize turns an attempt's error into the *gateway.ProviderError the
// router reasons about and returns: the caller's cancellation or
// deadline first, then the attempt's own timeout, then the provider's
// error with its provider name set. Any other error becomes a bare
// ClassUnknown error, since its text is unknown and could hold content.
func normalize(caller, attempt context.Context, name string, err error) *gateway.ProviderError {
	if caller.Err() != nil {
		return gateway.NewTransportError(caller, name, caller.Err())
	}
	if errors.Is(context.Cause(attempt), ErrAttemptTimeout) {
		return gateway.NewError(name, gateway.ClassTimeout, ErrAttemptTimeout)
	}
	pe, ok := gateway.AsProviderError(err)
	if !ok {
		return gateway.NewError(name, gateway.ClassUnknown, nil)
	}
	if pe.Provider != name {
		c := *pe
		c.Provider = name
		pe = &c
	}
	return pe
}

// outcomeOf is what failure pe tells the breaker.
func outcomeOf(caller context.Context, pe *gateway.ProviderError) outcome {
	switch {
	case caller.Err() != nil, pe.Class == gateway.ClassCanceled:
		return neutral
	case pe.Retryable():
		return failed
	}
	return healthy
}

// acquire takes one of e's slots and asks its breaker, without waiting.
func (r *Router) acquire(e *entry) (s slot, probe bool, wait time.Duration) {
	select {
	case e.sem <- struct{}{}:
	default:
		return full, false, 0
	}
	return r.admit(e)
}

// await is acquire, waiting until deadline (real time) for a slot.
func (r *Router) await(ctx context.Context, e *entry, deadline time.Time) (s slot, probe bool, wait time.Duration, err error) {
	d := time.Until(deadline)
	if d <= 0 {
		s, probe, wait = r.acquire(e)
		return s, probe, wait, nil
	}
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case e.sem <- struct{}{}:
	case <-ctx.Done():
		return full, false, 0, ctx.Err()
	case <-timer.C:
		return full, false, 0, nil
	}
	s, probe, wait = r.admit(e)
	return s, probe, wait, nil
}

// admit asks e's breaker about a call whose slot is held, and gives the
// slot back if the breaker refuses.
func (r *Router) admit(e *entry) (slot, bool, time.Duration) {
	ok, probe, wait := e.br.allow(r.now())
	if !ok {
		<-e.sem
		return open, false, wait
	}
	return got, probe, 0
}

// record tells e's breaker the outcome of a call.
func (r *Router) record(e *entry, probe bool, o outcome) {
	e.br.record(r.now(), probe, o)
}

// done records the outcome and gives the slot back.
func (r *Router) done(e *entry, probe bool, o outcome) {
	r.record(e, probe, o)
	<-e.sem
}

// backoff is the full-jitter wait before retry number try (1 for the
// first retry): uniform in [0, min(Max, Base·2^(try-1))).
func (r *Router) backoff(try int) time.Duration {
	d := r.retry.Base
	for i := 1; i < try && d < r.retry.Max; i++ {
		if d > r.retry.Max/2 {
			d = r.retry.Max
			break
		}
		d *= 2
	}
	d = min(d, r.retry.Max)
	f := r.rand()
	switch {
	case !(f >= 0): // negative or NaN
		f = 0
	case f >= 1:
		f = math.Nextafter(1, 0)
	}
	return time.Duration(f * float64(d))
}
