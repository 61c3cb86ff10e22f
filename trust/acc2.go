package trust

import (
	"context"
	"net/http"
)

// commonBreached are passwords at the top of every breach corpus: the
// offline list must know them whatever else is configured.
var commonBreached = []string{"iloveyou", "password1", "qwertyuiop"}

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
	t := newThrowaway()
	for _, pw := range commonBreached[:2] {
		r, err := a.do(ctx, http.MethodPost, "api/v1/auth/signup", map[string]string{"email": t.email, "password": pw}, nil)
		expectCode(e, r, err, "sign-up with a top breached password", http.StatusUnprocessableEntity, "password_breached")
	}
	if _, err := a.signUp(ctx, t); err != nil {
		e.failf("%v", err)
		return
	}
	defer cleanUp(ctx, env, e, t)
	r, err := a.do(ctx, http.MethodPost, "api/v1/auth/password",
		map[string]string{"currentPassword": t.password, "newPassword": commonBreached[2]}, nil)
	expectCode(e, r, err, "password change to a top breached password", http.StatusUnprocessableEntity, "password_breached")
	if env.Auth.BreachRangeURL != "" {
		e.notef("the k-anonymity range API is on (%s): 5-character SHA-1 prefixes only, Add-Padding: true, padded entries ignored", env.Auth.BreachRangeURL)
	} else {
		e.notef("the k-anonymity range API is off in this configuration; the offline list of common breached passwords applies")
	}
	e.notef("sign-in re-checks the password and requires a reset when it is breached (tested in the auth package; a live check would need a breached account)")
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
