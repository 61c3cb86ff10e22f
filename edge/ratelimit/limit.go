package ratelimit

import (
	"context"
	"time"

	quire "github.com/quirehq/quire"
)

// Limit is a rate: Rate requests per Period on average, of which up to Burst
// may come at once. Burst ≤ 0 means Burst = Rate, so that "100 per minute"
// allows 100 at once and then one every 600 ms.
type Limit struct {
	Rate   int
	Period time.Duration
	Burst  int
}

// Decision is the verdict on one request and the state the client may be
// told about (see Headers).
type Decision struct {
	// Allowed reports whether the request may proceed.
	Allowed bool
	// Remaining is how many more requests would be allowed right now.
	Remaining int
	// RetryAfter, when refused, is how long until one request is allowed.
	RetryAfter time.Duration
	// ResetAfter is how long until the full burst is available again.
	ResetAfter time.Duration
	// Limit is the limit applied, with Burst filled in.
	Limit Limit
}

// Limiter decides whether a request under key may proceed under limit l.
//
// When err is not nil the Decision still holds the verdict to obey (a
// fail-open Redis limiter answers Allowed with an error to log); callers log
// err and act on Decision.Allowed.
type Limiter interface {
	Allow(ctx context.Context, key string, l Limit) (Decision, error)
}

// maxTolerance bounds Burst×(Period/Rate) so that time arithmetic in
// nanoseconds cannot overflow (about 146 years).
const maxTolerance = int64(1) << 62

// withBurst returns l with the default burst applied.
func (l Limit) withBurst() Limit {
	if l.Burst <= 0 {
		l.Burst = l.Rate
	}
	return l
}

// Validate reports whether l is usable: a positive rate and period, an
// emission interval (Period/Rate) of at least 1 µs, and a burst tolerance
// that fits the arithmetic. Configuration loaders call it at start.
func (l Limit) Validate() error {
	_, err := l.params()
	return err
}

// params are the GCRA constants in nanoseconds: the emission interval and
// the burst tolerance (Burst emission intervals).
type params struct {
	interval  int64
	tolerance int64
}

func (l Limit) params() (params, error) {
	l = l.withBurst()
	if l.Rate <= 0 || l.Period <= 0 {
		return params{}, quire.Errorf(quire.EINVALID, "Rate limit needs a positive rate and period.")
	}
	iv := int64(l.Period) / int64(l.Rate)
	if iv < int64(time.Microsecond) {
		return params{}, quire.Errorf(quire.EINVALID, "Rate limit is too fast: period/rate must be at least 1µs.")
	}
	if int64(l.Burst) > maxTolerance/iv {
		return params{}, quire.Errorf(quire.EINVALID, "Rate limit burst is too large for its period.")
	}
	return params{interval: iv, tolerance: iv * int64(l.Burst)}, nil
}

// gcra applies one request at time now (ns on any fixed origin) to a key
// whose stored theoretical arrival time is tat (≤ now for a fresh key). It
// returns the decision and, when allowed, the new TAT to store.
func gcra(now, tat int64, p params, l Limit) (Decision, int64) {
	if tat < now {
		tat = now
	}
	newTAT := tat + p.interval
	diff := now - (newTAT - p.tolerance)
	if diff < 0 {
		return Decision{
			RetryAfter: time.Duration(-diff),
			ResetAfter: time.Duration(tat - now),
			Limit:      l,
		}, tat
	}
	return Decision{
		Allowed:    true,
		Remaining:  int(diff / p.interval),
		ResetAfter: time.Duration(newTAT - now),
		Limit:      l,
	}, newTAT
}

// invalid is the decision for an unusable limit: refused, because a
// misconfigured limit must be noticed rather than silently lift the limit.
func invalid(l Limit, err error) (Decision, error) {
	return Decision{Limit: l, RetryAfter: time.Second}, err
}
