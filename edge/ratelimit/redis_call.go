package ratelimit

import (
	"context"
	"fmt"
	"time"
)

type scriptResult struct {
	v   []int64
	err error
}

// call runs the GCRA script for name within the timeout. The script runs
// in its own goroutine so that the timeout holds even when the client
// ignores context deadlines on sockets (go-redis without
// ContextTimeoutEnabled); MaxInFlight bounds how many such goroutines a
// stalled Redis can pile up.
func (r *Redis) call(ctx context.Context, name string, p params, now time.Time, l Limit) (Decision, error) {
	ctx, cancel := context.WithTimeout(ctx, r.opts.Timeout)
	defer cancel()
	select {
	case r.slots <- struct{}{}:
	default:
		return Decision{}, errBusy
	}
	done := make(chan scriptResult, 1)
	go func() {
		defer func() { <-r.slots }()
		done <- r.eval(ctx, name, p, now)
	}()
	select {
	case res := <-done:
		if res.err != nil {
			return Decision{}, res.err
		}
		return decode(res.v, l)
	case <-ctx.Done():
		return Decision{}, ctx.Err()
	}
}

// eval runs the script once (EVALSHA, then EVAL if Redis lacks it).
func (r *Redis) eval(ctx context.Context, name string, p params, now time.Time) scriptResult {
	iv := p.interval / int64(time.Microsecond)
	tol := iv * (p.tolerance / p.interval)
	var nowUS int64 // 0: the script reads the Redis server's clock
	if r.fakeTime {
		nowUS = now.UnixMicro()
	}
	v, err := gcraScript.Run(ctx, r.client, []string{name}, iv, tol, nowUS).Int64Slice()
	return scriptResult{v: v, err: err}
}

// decode turns the script's reply into a Decision.
func decode(v []int64, l Limit) (Decision, error) {
	if len(v) != 4 {
		return Decision{}, fmt.Errorf("ratelimit: script replied %d values, want 4", len(v))
	}
	return Decision{
		Allowed:    v[0] == 1,
		Remaining:  int(v[1]),
		RetryAfter: time.Duration(v[2]) * time.Microsecond,
		ResetAfter: time.Duration(v[3]) * time.Microsecond,
		Limit:      l,
	}, nil
}
