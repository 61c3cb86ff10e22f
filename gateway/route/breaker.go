package route

import (
	"sync"
	"time"
)

// BreakerState is the state of a provider's circuit breaker.
type BreakerState string

// Breaker states.
const (
	// BreakerClosed: calls go through.
	BreakerClosed BreakerState = "closed"
	// BreakerOpen: calls are refused until the cooldown has passed.
	BreakerOpen BreakerState = "open"
	// BreakerHalfOpen: the cooldown has passed; one probe call goes
	// through (or is in flight), and its outcome closes or reopens the
	// breaker.
	BreakerHalfOpen BreakerState = "half_open"
)

// outcome is what an attempt tells the breaker.
type outcome uint8

const (
	// neutral: nothing learnt (the caller cancelled).
	neutral outcome = iota
	// healthy: the provider answered, successfully or with an error that
	// is not its failure (an invalid request, a refused key).
	healthy
	// failed: a retryable failure (5xx, 429, timeout, connection, …).
	failed
)

// breaker is a consecutive-failure circuit breaker. Calls admitted while
// it was closed may report after it opened; those reports are ignored,
// since only the probe decides when an open breaker closes.
type breaker struct {
	threshold int
	cooldown  time.Duration

	mu       sync.Mutex
	failures int // consecutive, while closed
	open     bool
	openedAt time.Time // the last open, or the last failed probe
	probing  bool      // the half-open probe is in flight
}

// allow reports whether a call may go through at now, and whether it is
// the half-open probe (which must be reported with probe true). When it
// may not, wait is how long until a probe may be tried.
func (b *breaker) allow(now time.Time) (ok, probe bool, wait time.Duration) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if !b.open {
		return true, false, 0
	}
	left := b.cooldown - now.Sub(b.openedAt)
	switch {
	case b.probing:
		return false, false, max(left, time.Second)
	case left > 0:
		return false, false, left
	}
	b.probing = true
	return true, true, 0
}

// record reports the outcome of a call that allow admitted.
func (b *breaker) record(now time.Time, probe bool, o outcome) {
	b.mu.Lock()
	defer b.mu.Unlock()
	switch {
	case probe:
		b.probing = false
		switch o {
		case healthy:
			b.open, b.failures = false, 0
		case failed:
			b.openedAt = now // another full cooldown
		}
	case b.open:
		// admitted before the breaker opened: the probe decides
	case o == healthy:
		b.failures = 0
	case o == failed:
		b.failures++
		if b.failures >= b.threshold {
			b.open, b.openedAt, b.failures = true, now, 0
		}
	}
}

// state reports the breaker's state at now.
func (b *breaker) state(now time.Time) BreakerState {
	b.mu.Lock()
	defer b.mu.Unlock()
	switch {
	case !b.open:
		return BreakerClosed
	case b.probing || now.Sub(b.openedAt) >= b.cooldown:
		return BreakerHalfOpen
	}
	return BreakerOpen
}
