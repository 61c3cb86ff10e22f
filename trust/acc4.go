package trust

import (
	"context"
	"encoding/base64"
	"encoding/hex"
	"net/http"
	"strings"
)

// minTokenChars is the length of 256 random bits in unpadded base64url.
const minTokenChars = 43

// checkACC4 signs a throwaway account in on the live server and checks the
// session cookie's attributes and token, that the token is not stored as
// such, that a new sign-in gets a new token, and that signing out and
// revoking end sessions.
func checkACC4(ctx context.Context, env *Env) (Status, []string) {
	var e evidence
	acc4(ctx, env, &e)
	return e.result()
}

// acc4 runs the check; its deferred clean-up still adds to the evidence.
func acc4(ctx context.Context, env *Env, e *evidence) {
	a, t, r, done, ok := throwawaySession(ctx, env, e, false)
	defer done()
	if !ok {
		return
	}
	first := a.cookie.Value
	cookieProblems(e, r.header)
	tokenNotStored(ctx, env, e, first)
	if r, err := a.login(ctx, t, t.password); err != nil || r.status != http.StatusOK {
		e.failf("sign-in answered %d, want 200", statusOf(r))
		return
	}
	second := a.cookie.Value
	if second == first {
		e.failf("a new sign-in kept the old session token")
	} else {
		e.notef("a new sign-in issued a new session token")
	}
	if r, _ := a.do(ctx, http.MethodPost, "api/v1/auth/logout", nil, nil); statusOf(r) != http.StatusNoContent {
		e.failf("sign-out answered %d, want 204", statusOf(r))
	}
	expectGone(ctx, e, a, second, "after sign-out")
	a.cookie = &http.Cookie{Name: sessionCookie, Value: first}
	revokeCurrent(ctx, e, a)
	expectGone(ctx, e, a, first, "after revoking it from the session list")
	if env.Auth.SessionIdle > 0 {
		e.notef("configured timeouts: idle %v, absolute %v (checked by the server on every request; its tests cover them)", env.Auth.SessionIdle, env.Auth.SessionLifetime)
	}
}

// cookieProblems checks the attributes of the session cookie the server set.
func cookieProblems(e *evidence, h http.Header) {
	var raw string
	for _, v := range h.Values("Set-Cookie") {
		if strings.HasPrefix(v, sessionCookie+"=") {
			raw = v
		}
	}
	if raw == "" {
		e.failf("sign-up set no %s cookie", sessionCookie)
		return
	}
	parts := strings.Split(raw, ";")
	value := strings.TrimPrefix(strings.TrimSpace(parts[0]), sessionCookie+"=")
	attrs := map[string]string{}
	for _, p := range parts[1:] {
		k, v, _ := strings.Cut(strings.TrimSpace(p), "=")
		attrs[strings.ToLower(k)] = v
	}
	_, secure := attrs["secure"]
	_, httpOnly := attrs["httponly"]
	_, domain := attrs["domain"]
	switch {
	case !secure || !httpOnly:
		e.failf("the session cookie lacks Secure or HttpOnly")
	case !strings.EqualFold(attrs["samesite"], "lax") && !strings.EqualFold(attrs["samesite"], "strict"):
		e.failf("the session cookie's SameSite is %q, want Lax or Strict", attrs["samesite"])
	case attrs["path"] != "/" || domain:
		e.failf("the session cookie must have Path=/ and no Domain (the __Host- rules)")
	case len(value) < minTokenChars:
		e.failf("the session token has %d characters, fewer than 256 random bits need", len(value))
	default:
		e.notef("cookie %s: Secure, HttpOnly, SameSite=%s, Path=/, no Domain; token of %d base64url characters (256 bits); Max-Age %ss",
			sessionCookie, attrs["samesite"], len(value), attrs["max-age"])
	}
}

// tokenNotStored scans the store's raw storage for the session token.
func tokenNotStored(ctx context.Context, env *Env, e *evidence, token string) {
	if env.Inspector == nil {
		e.notef("no store access: the raw storage was not scanned for the token")
		return
	}
	forms := map[string][]byte{"as sent": []byte(token)}
	if raw, err := base64.RawURLEncoding.DecodeString(token); err == nil {
		forms["decoded"] = raw
		forms["decoded, in hex"] = []byte(hex.EncodeToString(raw))
	}
	for what, needle := range forms {
		found, err := env.Inspector.ScanRaw(ctx, needle)
		switch {
		case err != nil:
			e.failf("scanning the store for the session token: %v", err)
			return
		case len(found) > 0:
			e.failf("the session token (%s) is stored (%s)", what, strings.Join(found, ", "))
			return
		}
	}
	e.notef("the session token appears nowhere in the store's raw storage, as sent, decoded or in hex (only its hash is kept)")
}

// revokeCurrent revokes the client's session through the session list.
func revokeCurrent(ctx context.Context, e *evidence, a *apiClient) {
	r, err := a.do(ctx, http.MethodGet, "api/v1/me/sessions", nil, nil)
	if err != nil || r.status != http.StatusOK {
		e.failf("listing sessions answered %d", statusOf(r))
		return
	}
	list, _ := r.body["sessions"].([]any)
	for _, x := range list {
		s, _ := x.(map[string]any)
		if cur, _ := s["current"].(bool); cur {
			id, _ := s["id"].(string)
			if r, _ := a.do(ctx, http.MethodDelete, "api/v1/me/sessions/"+id, nil, nil); statusOf(r) != http.StatusNoContent {
				e.failf("revoking the session answered %d, want 204", statusOf(r))
			}
			return
		}
	}
	e.failf("the session list does not mark the current session")
}

// expectGone checks that the token no longer signs anyone in.
func expectGone(ctx context.Context, e *evidence, a *apiClient, token, when string) {
	a.cookie = &http.Cookie{Name: sessionCookie, Value: token}
	r, err := a.do(ctx, http.MethodGet, "api/v1/me", nil, nil)
	if err != nil || r.status != http.StatusUnauthorized {
		e.failf("the old token %s still answered %d, want 401", when, statusOf(r))
		return
	}
	e.notef("the token no longer works %s (401)", when)
}
