package trust

import (
	"context"
	"fmt"
	"net/url"
	"runtime"
	"sync/atomic"
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
	rep := &Report{Generated: time.Now().UTC(), Version: quire.Version, Target: target(env),
		Subprocessors: append([]quire.SubProcessor{}, env.SubProcessors...),
		Retention:     reportedRules(env)}
	ctx = withDialer(ctx, env)
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
// to finish on its own (it may still be deleting its canary data); Env.Wait
// waits for it.
func runCheck(parent context.Context, env *Env, check func(context.Context, *Env) (Status, []string), timeout time.Duration) outcome {
	ctx, cancel := context.WithTimeout(parent, timeout)
	defer cancel()
	done := make(chan outcome, 1)
	env.checks.Add(1)
	go func() {
		defer env.checks.Done()
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
		if ctx.Err() == nil {
			return o
		}
		// It ended with its context: a check cut short may report what it
		// did not finish, so its result does not count (fail closed).
	case <-ctx.Done():
	}
	if parent.Err() != nil {
		return outcome{StatusFail, []string{"FAIL: the run was cancelled or reached its deadline before the check finished"}}
	}
	return outcome{StatusFail, []string{fmt.Sprintf("FAIL: the check did not finish within %s", timeout)}}
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

// Schedule runs run in the background at once and then every interval
// until ctx ends or stop is called, and returns get, which gives the newest
// report (nil until the first run finishes). get never starts a run, so that
// no request can make the server run the checks, which write canary data and
// scan the whole store; serve the /trust page through it. stop ends the
// schedule and returns once no run is in progress; checks that outlived
// their run are waited for with Env.Wait.
func Schedule(ctx context.Context, run func(ctx context.Context) *Report, every time.Duration) (get func(ctx context.Context) *Report, stop func()) {
	var latest atomic.Pointer[Report]
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			if rep := run(ctx); ctx.Err() == nil {
				latest.Store(rep)
			}
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
		}
	}()
	get = func(context.Context) *Report { return latest.Load() }
	stop = func() {
		cancel()
		<-done
	}
	return get, stop
}
