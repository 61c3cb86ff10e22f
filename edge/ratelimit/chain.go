package ratelimit

import (
	"context"
	"errors"
)

// Chain applies several limiters in order, as layers: the in-process one
// first (cheap, and it bounds each instance), then the shared one. The
// first refusal is the answer; otherwise the last decision is. Errors of
// every layer are joined for the log.
type Chain []Limiter

// Allow implements Limiter.
func (c Chain) Allow(ctx context.Context, key string, l Limit) (Decision, error) {
	var d Decision
	var errs []error
	for _, lim := range c {
		var err error
		d, err = lim.Allow(ctx, key, l)
		errs = append(errs, err)
		if !d.Allowed {
			break
		}
	}
	return d, errors.Join(errs...)
}
