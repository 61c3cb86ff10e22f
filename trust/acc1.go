package trust

import (
	"context"
	"net/http"
)

// checkACC1 sends state-changing requests to the live server as another
// site would, without and with a signed-in session, and expects each to be
// refused; the same request from the server's own origin must work.
func checkACC1(ctx context.Context, env *Env) (Status, []string) {
	var e evidence
	acc1(ctx, env, &e)
	return e.result()
}

// acc1 runs the check; its deferred clean-up still adds to the evidence.
func acc1(ctx context.Context, env *Env, e *evidence) {
	a, t, _, done, ok := throwawaySession(ctx, env, e, true)
	defer done()
	if !ok {
		return
	}
	forged := map[string]string{"Origin": "https://attacker.invalid", "Sec-Fetch-Site": "cross-site"}
	originOnly := map[string]string{"Origin": "https://attacker.invalid", "Sec-Fetch-Site": ""}
	expectRefused(ctx, e, a, http.MethodPost, "POST /api/v1/auth/login from another site (Sec-Fetch-Site: cross-site)", "api/v1/auth/login",
		map[string]string{"email": "nobody@trust-check.invalid", "password": "irrelevant-password"}, forged)
	expectRefused(ctx, e, a, http.MethodPost, "POST /api/v1/auth/login with a foreign Origin and no Sec-Fetch-Site", "api/v1/auth/login",
		map[string]string{"email": "nobody@trust-check.invalid", "password": "irrelevant-password"}, originOnly)

	expectRefused(ctx, e, a, http.MethodPost, "POST /api/v1/api-keys from another site with the session cookie", "api/v1/api-keys",
		map[string]string{"name": "forged", "password": t.password}, forged)
	if r, err := a.do(ctx, http.MethodGet, "api/v1/api-keys", nil, nil); err != nil || r.status != http.StatusOK {
		e.failf("listing API keys after the forged request failed")
	} else if keys, _ := r.body["keys"].([]any); len(keys) != 0 {
		e.failf("the forged request created an API key")
	} else {
		e.notef("no API key exists after the forged request")
	}
	expectRefused(ctx, e, a, http.MethodDelete, "DELETE /api/v1/me/sessions (sign out everywhere else) from another site", "api/v1/me/sessions", nil, forged)
	expectRefused(ctx, e, a, http.MethodPost, "a form POST to the /logout page from another site", "logout", nil, forged)
	if r, err := a.do(ctx, http.MethodGet, "api/v1/me", nil, nil); err != nil || r.status != http.StatusOK {
		e.failf("the session no longer works after the forged requests (status %d): one of them acted", statusOf(r))
	}
	if r, err := a.do(ctx, http.MethodPost, "api/v1/api-keys", map[string]string{"name": "same-origin", "password": t.password}, nil); err != nil || r.status != http.StatusCreated {
		e.failf("the same request from the server's own origin was not accepted (status %d)", statusOf(r))
	} else {
		e.notef("the same request from the server's own origin: 201 (the protection refuses only cross-origin requests)")
	}
}

// expectRefused sends a forged request and expects 403
// cross_origin_request.
func expectRefused(ctx context.Context, e *evidence, a *apiClient, method, what, path string, body any, hdr map[string]string) {
	r, err := a.do(ctx, method, path, body, hdr)
	switch {
	case err != nil:
		e.failf("%s: %v", what, err)
	case r.status != http.StatusForbidden || r.code != "cross_origin_request":
		e.failf("%s: answered %d %q, want 403 cross_origin_request", what, r.status, r.code)
	default:
		e.notef("%s: refused with 403 cross_origin_request", what)
	}
}

// statusOf is r's status, or 0 when there is no response.
func statusOf(r *apiResponse) int {
	if r == nil {
		return 0
	}
	return r.status
}
