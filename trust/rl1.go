package trust

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// RateLimitInfo is the rate-limit configuration the RL-1 check compares
// the live server against.
type RateLimitInfo struct {
	// PerIPBurst is how many requests one address may send at once.
	PerIPBurst int
	// Redis reports whether instances share their budgets through Redis.
	Redis bool
	// PingRedis asks the shared Redis layer for an answer; the check
	// reports whether it answers, since a failing Redis under fail_open
	// silently makes the limits per instance. Nil when there is none.
	PingRedis func(ctx context.Context) error
}

// maxRLProbe bounds the requests the RL-1 check sends.
const maxRLProbe = 5000

// rlWorkers is how many of its requests the RL-1 check has in flight at once.
const rlWorkers = 4

// checkRL1 sends requests from one address until the server refuses one,
// expecting that at the configured burst, with 429, Retry-After and the
// RateLimit-Policy and RateLimit headers, and the headers on the requests
// before it too.
func checkRL1(ctx context.Context, env *Env) (Status, []string) {
	var e evidence
	burst := env.RateLimit.PerIPBurst
	if burst <= 0 || burst > maxRLProbe {
		e.failf("the per-address burst (%d) is unknown or more than this check sends (%d): run quire trust with the server's --config", burst, maxRLProbe)
		return e.result()
	}
	// Each worker has its own client (and connection); they send in
	// parallel batches so that a loaded machine still sends faster than
	// the budget refills, and the answers are read in request order.
	clients := make([]*apiClient, rlWorkers)
	for k := range clients {
		a, err := newAPIClient(env)
		if err != nil {
			e.failf("%v", err)
			return e.result()
		}
		clients[k] = a
		defer a.c.CloseIdleConnections()
	}
	var first, last *apiResponse
	// The budget refills while the check runs: allow it twice the burst.
	limit := 2*burst + 10
	for start := 1; start <= limit; start += rlWorkers {
		n := min(rlWorkers, limit-start+1)
		batch, errs := make([]*apiResponse, n), make([]error, n)
		var wg sync.WaitGroup
		for k := range n {
			wg.Go(func() { batch[k], errs[k] = clients[k].once(ctx, http.MethodGet, "api/v1/me", nil, nil) })
		}
		wg.Wait()
		for k, r := range batch {
			i := start + k
			if errs[k] != nil {
				e.failf("request %d: %v", i, errs[k])
				return e.result()
			}
			if i == 1 {
				first = r
			}
			if r.status == http.StatusTooManyRequests {
				refused(&e, r, i, burst, first)
				e.notef("budgets are %s; signed-in users and API keys also have their own per route group", rlScope(env))
				pingRedis(ctx, &e, env.RateLimit)
				waitForRefill(ctx, last)
				return e.result()
			}
			last = r
		}
	}
	e.failf("%d requests from one address in a burst were all served (burst %d)", limit, burst)
	return e.result()
}

// refused checks the refusal at request i and the headers before it.
func refused(e *evidence, r *apiResponse, i, burst int, first *apiResponse) {
	if i <= burst/2 {
		e.failf("request %d was refused, well before the burst of %d", i, burst)
		return
	}
	for _, h := range []string{"Retry-After", "RateLimit-Policy", "RateLimit"} {
		if r.header.Get(h) == "" {
			e.failf("the 429 lacks %s", h)
		}
	}
	if r.code != "rate_limited" {
		e.failf("the 429 has code %q, want rate_limited", r.code)
	}
	if first.header.Get("RateLimit") == "" {
		e.failf("served requests carry no RateLimit header")
	}
	e.notef("request %d from one address (burst %d) was refused: 429 rate_limited, Retry-After %ss, RateLimit-Policy %s, RateLimit %s",
		i, burst, r.header.Get("Retry-After"), r.header.Get("RateLimit-Policy"), r.header.Get("RateLimit"))
}

// rlScope says where the budgets live, for the evidence.
func rlScope(env *Env) string {
	if env.RateLimit.Redis {
		return "configured to be shared by every instance through Redis"
	}
	return "per instance (no ratelimit.redis_url)"
}

// pingRedis checks that the shared layer answers, when there is one.
func pingRedis(ctx context.Context, e *evidence, rl RateLimitInfo) {
	if !rl.Redis {
		return
	}
	if rl.PingRedis == nil {
		e.notef("the Redis layer was not reachable from this check (run by quire serve, or quire trust with the server's --config, to ping it)")
		return
	}
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	start := time.Now()
	if err := rl.PingRedis(ctx); err != nil {
		e.failf("the shared Redis layer does not answer (%v): the limits are per instance until it does", err)
		return
	}
	e.notef("the shared Redis layer answered PING in %v", time.Since(start).Round(100*time.Microsecond))
}

// maxRefillWait bounds how long the check waits for the budget it spent.
const maxRefillWait = 30 * time.Second

// waitForRefill waits until the budget is whole again, as the last served
// answer's RateLimit header tells (t=, seconds), so that the checks after
// this one are not refused.
func waitForRefill(ctx context.Context, last *apiResponse) {
	if last == nil {
		return
	}
	_, t, ok := strings.Cut(last.header.Get("RateLimit"), ";t=")
	if !ok {
		return
	}
	secs, err := strconv.Atoi(strings.TrimSpace(t))
	if err != nil || secs <= 0 {
		return
	}
	select {
	case <-ctx.Done():
	case <-time.After(min(time.Duration(secs+1)*time.Second, maxRefillWait)):
	}
}
