package trust

import (
	"context"
	"net/http"
)

// commonBreached are passwords near the top of every breach corpus, by
// length: the offline list must know them whatever else is configured.
var commonBreached = []string{"iloveyou", "password1", "qwertyuiop", "1qaz2wsx3edc4rfv"}

// breachProbes returns the common breached passwords at least min long;
// when none is, the longest, which the length rule must refuse instead.
func breachProbes(min int) ([]string, bool) {
	var out []string
	for _, pw := range commonBreached {
		if len(pw) >= min {
			out = append(out, pw)
		}
	}
	if len(out) == 0 {
		return commonBreached[len(commonBreached)-1:], false
	}
	return out, true
}

// checkACC2 tries to sign up and to change a password to well-known
// breached passwords on the live server and expects each to be refused.
func checkACC2(ctx context.Context, env *Env) (Status, []string) {
	var e evidence
	acc2(ctx, env, &e)
	return e.result()
}

// acc2 runs the check; its deferred clean-up still adds to the evidence.
func acc2(ctx context.Context, env *Env, e *evidence) {
	a, err := newAPIClient(env)
	if err != nil {
		e.failf("%v", err)
		return
	}
	probes, long := breachProbes(max(env.Auth.MinPasswordLength, 8))
	status, code := http.StatusUnprocessableEntity, "password_breached"
	if !long {
		code = "password_too_short"
		e.notef("no common breached password is as long as the minimum length (%d): the length rule refuses them", env.Auth.MinPasswordLength)
	}
	t := newThrowaway()
	defer cleanUp(ctx, env, e, t) // registered first: a sign-up that should fail may not
	r, err := a.do(ctx, http.MethodPost, "api/v1/auth/signup", map[string]string{"email": t.email, "password": probes[0]}, nil)
	expectCode(e, r, err, "sign-up with a top breached password", status, code)
	if _, err := a.signUp(ctx, t); err != nil {
		e.failf("%v", err)
		return
	}
	if !inStore(ctx, env, e, t) {
		return
	}
	r, err = a.do(ctx, http.MethodPost, "api/v1/auth/password",
		map[string]string{"currentPassword": t.password, "newPassword": probes[len(probes)-1]}, nil)
	expectCode(e, r, err, "password change to a top breached password", status, code)
	if env.Auth.BreachRangeURL != "" {
		e.notef("configured: the k-anonymity range API at %s (5-character SHA-1 prefixes, Add-Padding: true; failures fail %s)", env.Auth.BreachRangeURL, openOrClosed(env))
	} else {
		e.notef("configured: the range API is off; the offline list of common breached passwords applies")
	}
	e.notef("sign-in re-checks the password and requires a reset when it is breached (covered by the auth package's tests; a live check would need a breached account)")
}

// openOrClosed says how the range API's failures are handled.
func openOrClosed(env *Env) string {
	if env.Auth.BreachFailClosed {
		return "closed"
	}
	return "open"
}

// expectCode records whether a probe got the wanted status and code.
func expectCode(e *evidence, r *apiResponse, err error, what string, status int, code string) {
	switch {
	case err != nil:
		e.failf("%s: %v", what, err)
	case r.status != status || r.code != code:
		e.failf("%s: answered %d %q, want %d %s", what, r.status, r.code, status, code)
	default:
		e.notef("%s: refused with %d %s", what, status, code)
	}
}
