package trust

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"time"
)

// checkACC3 locks a throwaway account on the live server with wrong
// passwords, checks that the right password is then refused too, and
// compares the answers (and their timing) with those for an address that
// has no account.
func checkACC3(ctx context.Context, env *Env) (Status, []string) {
	var e evidence
	acc3(ctx, env, &e)
	return e.result()
}

// acc3 runs the check; its deferred clean-up still adds to the evidence.
func acc3(ctx context.Context, env *Env, e *evidence) {
	limit := env.Auth.LockoutAttempts
	if limit == 0 {
		limit = 10
	}
	a, t, _, done, ok := throwawaySession(ctx, env, e, false)
	defer done()
	if !ok {
		return
	}
	known, ok := lockOut(ctx, e, a, t, limit)
	if !ok {
		return
	}
	r, err := a.login(ctx, t, t.password)
	if err != nil || r.status != http.StatusLocked || r.code != "account_locked" {
		e.failf("the right password after the lock answered %d %q, want 423 account_locked", statusOf(r), codeOf(r))
	} else {
		checkRetryAfter(e, env, r.header.Get("Retry-After"))
	}
	compareUnknown(ctx, env, e, a, known, limit)
}

// checkRetryAfter compares the locked answer's Retry-After with the
// configured lock: about the lock's duration, or none for a lock only an
// admin lifts.
func checkRetryAfter(e *evidence, env *Env, header string) {
	if env.Auth.LockoutIndefinite {
		if header != "" {
			e.failf("an indefinite lock promised Retry-After %ss", header)
			return
		}
		e.notef("the right password is refused while locked: 423 account_locked, no Retry-After (the lock lasts until an admin lifts it)")
		return
	}
	want := env.Auth.LockoutDuration
	if want == 0 {
		want = time.Hour
	}
	secs, err := strconv.Atoi(header)
	got := time.Duration(secs) * time.Second
	if err != nil || got > want || got < want-2*time.Minute {
		e.failf("the lock's Retry-After is %q, want about %v (the configured lock)", header, want)
		return
	}
	e.notef("the right password is refused while locked: 423 account_locked, Retry-After %ss (the configured lock of %v)", header, want)
}

// failure is one failed attempt as the client saw it.
type failure struct {
	status  int
	code    string
	message string
	took    time.Duration
}

// lockOut sends limit wrong passwords and expects invalid_credentials for
// all but the last, which must lock the account.
func lockOut(ctx context.Context, e *evidence, a *apiClient, t throwaway, limit int) ([]failure, bool) {
	var seen []failure
	for i := 1; i <= limit; i++ {
		r, err := a.login(ctx, t, fmt.Sprintf("wrong-password-%d-%s", i, newMarker()))
		if err != nil {
			e.failf("attempt %d: %v", i, err)
			return nil, false
		}
		f := failure{status: r.status, code: r.code, message: messageOf(r), took: a.took}
		want, code := http.StatusUnauthorized, "invalid_credentials"
		if i == limit {
			want, code = http.StatusLocked, "account_locked"
		}
		if r.status != want || r.code != code {
			e.failf("wrong password %d of %d answered %d %q, want %d %s", i, limit, r.status, r.code, want, code)
			return nil, false
		}
		seen = append(seen, f)
	}
	e.notef("wrong passwords 1–%d answered 401 invalid_credentials; attempt %d locked the account (423 account_locked)", limit-1, limit)
	return seen[:limit-1], true
}

// compareUnknown sends wrong passwords for an address without an account
// until its limit, and expects the same answers as for the real one
// (invalid_credentials, then a lock at the same count), in similar time.
func compareUnknown(ctx context.Context, env *Env, e *evidence, a *apiClient, known []failure, limit int) {
	ghost := newThrowaway()
	defer func() {
		if env.Accounts != nil {
			_ = env.Accounts.Unlock(context.WithoutCancel(ctx), ghost.email, "")
		}
	}()
	var took []time.Duration
	for i := 1; i <= limit; i++ {
		r, err := a.login(ctx, ghost, ghost.password)
		if err != nil {
			e.failf("unknown address: %v", err)
			return
		}
		if i == limit {
			if r.status != http.StatusLocked || r.code != "account_locked" {
				e.failf("attempt %d for an unknown address answered %d %q, a known one was locked: the lock tells them apart", i, r.status, r.code)
				return
			}
			break
		}
		took = append(took, a.took)
		if r.status != known[0].status || r.code != known[0].code || messageOf(r) != known[0].message {
			e.failf("an unknown address answered %d %q, a known one %d %q: the answers tell them apart", r.status, r.code, known[0].status, known[0].code)
			return
		}
	}
	var kt []time.Duration
	for _, f := range known {
		kt = append(kt, f.took)
	}
	km, um := median(kt), median(took)
	ratio := float64(max(km, um)) / float64(max(min(km, um), time.Microsecond))
	e.notef("an address without an account gets the same status, code and message, and is locked at the same count; median time %v (known) vs %v (unknown), ratio %.2f", km.Round(time.Millisecond), um.Round(time.Millisecond), ratio)
	if ratio > 3 {
		e.failf("known and unknown addresses differ in time by a factor of %.1f: the timing tells them apart", ratio)
	}
}

func median(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2]
}

func codeOf(r *apiResponse) string {
	if r == nil {
		return ""
	}
	return r.code
}

func messageOf(r *apiResponse) string {
	if e, ok := r.body["error"].(map[string]any); ok {
		m, _ := e["message"].(string)
		return m
	}
	return ""
}
