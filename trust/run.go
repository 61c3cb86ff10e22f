package trust

import (
	"context"
	"fmt"
	"net/url"
	"runtime"
	"sync"
	"time"

	"github.com/quirehq/quire"
)

// Run runs every claim's check once, one after another, and returns the
// report. Each check gets its own timeout; a check that times out or panics
// fails rather than taking the run down. env may be nil.
func Run(ctx context.Context, env *Env) *Report {
	if env == nil {
		env = &Env{}
	}
	rep := &Report{Generated: time.Now().UTC(), Version: quire.Version, Target: target(env)}
	for _, c := range registry {
		rep.Results = append(rep.Results, runClaim(ctx, env, c))
	}
	rep.Passed = passed(rep.Results)
	return rep
}

// target names what a report checked, without any credentials a URL holds.
func target(env *Env) string {
	if env.URL == "" {
		return "local deployment (no server URL)"
	}
	if u, err := url.Parse(env.URL); err == nil {
		return u.Redacted()
	}
	return "unparsable server URL"
}

type outcome struct {
	status   Status
	evidence []string
}

func runClaim(ctx context.Context, env *Env, c Claim) Result {
	res := Result{ID: c.ID, Section: c.Section, Title: c.Title, Text: c.Text}
	if c.Check == nil {
		res.Status, res.Evidence = StatusNotImplemented, []string{"no automated check yet"}
		return res
	}
	timeout := c.Timeout
	if timeout <= 0 {
		timeout = env.timeout()
	}
	start := time.Now()
	o := runCheck(ctx, env, c.Check, timeout)
	res.Duration = time.Since(start)
	res.Status, res.Evidence = o.status, o.evidence
	if !res.Status.Valid() || res.Status == StatusNotImplemented {
		res.Evidence = append(res.Evidence, fmt.Sprintf("FAIL: the check returned status %q, which a check may not report", o.status))
		res.Status = StatusFail
	}
	if res.Evidence == nil {
		res.Evidence = []string{}
	}
	return res
}

// runCheck runs check in its own goroutine so that a check that ignores its
// context still cannot hold the run past timeout. Such a goroutine is left
// to finish on its own; it holds only its canary data.
func runCheck(parent context.Context, env *Env, check func(context.Context, *Env) (Status, []string), timeout time.Duration) outcome {
	ctx, cancel := context.WithTimeout(parent, timeout)
	defer cancel()
	done := make(chan outcome, 1)
	go func() {
		defer func() {
			if v := recover(); v != nil {
				done <- outcome{StatusFail, []string{"FAIL: the check panicked" + panicDetail(v)}}
			}
		}()
		s, ev := check(ctx, env)
		done <- outcome{s, ev}
	}()
	select {
	case o := <-done:
		return o
	case <-ctx.Done():
		if parent.Err() != nil {
			return outcome{StatusFail, []string{"FAIL: the run was cancelled or reached its deadline before the check finished"}}
		}
		return outcome{StatusFail, []string{fmt.Sprintf("FAIL: the check did not finish within %s", timeout)}}
	}
}

// panicDetail describes a panic value only when it is a runtime error, whose
// text (an index out of range, a nil dereference) holds no data; any other
// value could carry content and is left out.
func panicDetail(v any) string {
	if re, ok := v.(runtime.Error); ok {
		return ": " + re.Error()
	}
	return ""
}

// Cached wraps run so that it runs at most once per maxAge and never twice
// at the same time: callers within maxAge of the last run get its report,
// and callers that arrive during a run wait for it. Serve the /trust page
// through it, since every run writes canary data. A caller whose context
// ends while it waits gets the previous report, or nil if there is none.
// The run itself is detached from the caller's cancellation (each check
// still has its own timeout), so a client that disconnects cannot leave a
// half-finished report in the cache.
func Cached(run func(ctx context.Context) *Report, maxAge time.Duration) func(ctx context.Context) *Report {
	c := &cache{run: run, maxAge: maxAge, sem: make(chan struct{}, 1)}
	return c.get
}

type cache struct {
	run    func(ctx context.Context) *Report
	maxAge time.Duration
	sem    chan struct{} // held while a run is in flight

	mu   sync.Mutex
	last *Report
	at   time.Time
}

func (c *cache) get(ctx context.Context) *Report {
	select {
	case c.sem <- struct{}{}:
	case <-ctx.Done():
		return c.lastReport()
	}
	defer func() { <-c.sem }()
	c.mu.Lock()
	if c.last != nil && time.Since(c.at) < c.maxAge {
		defer c.mu.Unlock()
		return c.last
	}
	c.mu.Unlock()
	rep := c.run(context.WithoutCancel(ctx))
	c.mu.Lock()
	c.last, c.at = rep, time.Now()
	c.mu.Unlock()
	return rep
}

func (c *cache) lastReport() *Report {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.last
}
