package trust

import (
	"context"
	"net/http"
	"net/url"
	"time"

	"github.com/pquerna/otp/totp"
)

// checkACC5 enrols TOTP on a throwaway account on the live server, signs in
// again and checks that the second factor is demanded, that a wrong code is
// refused, that a recovery code works once, and that passkey sign-in is
// offered.
func checkACC5(ctx context.Context, env *Env) (Status, []string) {
	var e evidence
	acc5(ctx, env, &e)
	return e.result()
}

// acc5 runs the check; its deferred clean-up still adds to the evidence.
func acc5(ctx context.Context, env *Env, e *evidence) {
	a, t, _, done, ok := throwawaySession(ctx, env, e, true)
	defer done()
	if !ok {
		return
	}
	codes, secret, ok := enrolTOTP(ctx, e, a, t)
	if !ok {
		return
	}
	if !signInOwingFactor(ctx, e, a, t) {
		return
	}
	pending := a.cookie.Value
	r, err := a.do(ctx, http.MethodPost, "api/v1/auth/mfa", map[string]string{"code": "000000"}, nil)
	expectCode(e, r, err, "a wrong TOTP code", http.StatusUnauthorized, "invalid_credentials")
	// The next time step's code: the enrolment spent the current one.
	code, _ := totp.GenerateCode(secret, time.Now().Add(30*time.Second))
	r, err = a.do(ctx, http.MethodPost, "api/v1/auth/mfa", map[string]string{"code": code}, nil)
	if err != nil || r.status != http.StatusOK || r.body["stage"] != "full" || a.cookie == nil || a.cookie.Value == pending {
		e.failf("a right TOTP code did not finish the sign-in with a new session token (status %d)", statusOf(r))
		return
	}
	e.notef("a right TOTP code finished the sign-in, with a new session token")
	if !signInOwingFactor(ctx, e, a, t) {
		return
	}
	r, err = a.do(ctx, http.MethodPost, "api/v1/auth/mfa", map[string]string{"code": code}, nil)
	expectCode(e, r, err, "the same TOTP code again (a replay)", http.StatusUnauthorized, "invalid_credentials")
	r, err = a.do(ctx, http.MethodPost, "api/v1/auth/mfa", map[string]string{"recoveryCode": codes[0]}, nil)
	if err != nil || r.status != http.StatusOK || r.body["stage"] != "full" {
		e.failf("a recovery code did not finish the sign-in (status %d)", statusOf(r))
		return
	}
	e.notef("a recovery code finished the sign-in")
	if !signInOwingFactor(ctx, e, a, t) {
		return
	}
	r, err = a.do(ctx, http.MethodPost, "api/v1/auth/mfa", map[string]string{"recoveryCode": codes[0]}, nil)
	expectCode(e, r, err, "the same recovery code a second time", http.StatusUnauthorized, "invalid_credentials")
	checkPasskeysOffered(ctx, e, a)
}

// enrolTOTP turns TOTP on with a code computed from the enrolment URI and
// returns the recovery codes.
func enrolTOTP(ctx context.Context, e *evidence, a *apiClient, t throwaway) ([]string, string, bool) {
	r, err := a.do(ctx, http.MethodPost, "api/v1/me/mfa/totp", map[string]string{"password": "not-" + t.password}, nil)
	if err != nil || r.status != http.StatusUnauthorized {
		e.failf("TOTP enrolment with a wrong password answered %d, want 401: a stolen session could plant its own factor", statusOf(r))
		return nil, "", false
	}
	e.notef("adding a second factor needs the password again (a wrong one: 401)")
	r, err = a.do(ctx, http.MethodPost, "api/v1/me/mfa/totp", map[string]string{"password": t.password}, nil)
	if err != nil || r.status != http.StatusOK {
		e.failf("starting TOTP enrolment answered %d", statusOf(r))
		return nil, "", false
	}
	uri, _ := r.body["uri"].(string)
	u, err := url.Parse(uri)
	if err != nil || u.Scheme != "otpauth" {
		e.failf("the enrolment did not give an otpauth:// URI")
		return nil, "", false
	}
	secret := u.Query().Get("secret")
	code, err := totp.GenerateCode(secret, time.Now())
	if err != nil {
		e.failf("computing a TOTP code from the enrolment: %v", err)
		return nil, "", false
	}
	r, err = a.do(ctx, http.MethodPost, "api/v1/me/mfa/totp/confirm", map[string]string{"code": code}, nil)
	if err != nil || r.status != http.StatusOK {
		e.failf("confirming TOTP answered %d %q", statusOf(r), codeOf(r))
		return nil, "", false
	}
	raw, _ := r.body["recoveryCodes"].([]any)
	var codes []string
	for _, c := range raw {
		if s, ok := c.(string); ok {
			codes = append(codes, s)
		}
	}
	if len(codes) != 10 {
		e.failf("TOTP enrolment returned %d recovery codes, want 10", len(codes))
		return nil, "", false
	}
	e.notef("TOTP enrolled with a code from the otpauth URI (RFC 6238); 10 one-time recovery codes issued")
	return codes, secret, true
}

// signInOwingFactor signs out and in again with the password and expects a
// session that can do nothing until the second factor is given.
func signInOwingFactor(ctx context.Context, e *evidence, a *apiClient, t throwaway) bool {
	_, _ = a.do(ctx, http.MethodPost, "api/v1/auth/logout", nil, nil)
	r, err := a.login(ctx, t, t.password)
	if err != nil || r.status != http.StatusOK || r.body["mfaRequired"] != true {
		e.failf("sign-in with TOTP on did not ask for the second factor (status %d)", statusOf(r))
		return false
	}
	for _, p := range []struct{ method, path string }{
		{http.MethodGet, "api/v1/me"}, {http.MethodGet, "api/v1/me/sessions"}, {http.MethodPost, "api/v1/api-keys"},
	} {
		var body any
		if p.method == http.MethodPost {
			body = map[string]string{"name": "x", "password": t.password}
		}
		r, err = a.do(ctx, p.method, p.path, body, nil)
		if err != nil || r.status != http.StatusForbidden || r.code != "mfa_required" {
			e.failf("before the second factor, %s /%s answered %d %q, want 403 mfa_required", p.method, p.path, statusOf(r), codeOf(r))
			return false
		}
	}
	e.notef("the password alone gives a session that answers 403 mfa_required (profile, sessions, new API key) until the second factor")
	return true
}

// checkPasskeysOffered starts a passwordless passkey sign-in and expects a
// WebAuthn challenge.
func checkPasskeysOffered(ctx context.Context, e *evidence, a *apiClient) {
	a.cookie = nil
	r, err := a.do(ctx, http.MethodPost, "api/v1/auth/passkey/begin", nil, nil)
	if err != nil || r.status != http.StatusOK {
		e.failf("passkey sign-in is not offered: begin answered %d %q", statusOf(r), codeOf(r))
		return
	}
	opts, _ := r.body["options"].(map[string]any)
	pk, _ := opts["publicKey"].(map[string]any)
	if ch, _ := pk["challenge"].(string); len(ch) < 16 {
		e.failf("the passkey sign-in options carry no challenge")
		return
	}
	e.notef("passkey sign-in is offered: a WebAuthn challenge for relying party %v", pk["rpId"])
}
