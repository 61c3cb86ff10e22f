package http_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"
	"github.com/quirehq/quire/auth"
	quirehttp "github.com/quirehq/quire/http"
	"github.com/quirehq/quire/internal/authtest"
)

// apiClient drives the JSON API through the whole server stack as a
// same-origin browser script would, keeping the session cookie.
type apiClient struct {
	t      *testing.T
	srv    *quirehttp.Server
	cookie string
	bearer string
	site   string
}

// apiResult is a response with its decoded JSON body.
type apiResult struct {
	status int
	header http.Header
	body   map[string]any
}

func (r apiResult) code() string {
	e, _ := r.body["error"].(map[string]any)
	c, _ := e["code"].(string)
	return c
}

func newAPI(t *testing.T, o authtest.Options, burst int) (*apiClient, *auth.Service, string) {
	t.Helper()
	svc, outbox := authtest.NewWith(t, o)
	srv := quirehttp.NewServer(quirehttp.Config{Auth: svc, AuthBurst: burst})
	return &apiClient{t: t, srv: srv, site: "same-origin"}, svc, outbox
}

// clone is another client of the same server with no cookie.
func (c *apiClient) clone() *apiClient { return &apiClient{t: c.t, srv: c.srv, site: "same-origin"} }

func (c *apiClient) raw(method, path string, body []byte) apiResult {
	c.t.Helper()
	req := httptest.NewRequest(method, "https://quire.test"+path, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if c.site != "" {
		req.Header.Set("Sec-Fetch-Site", c.site)
	}
	if c.cookie != "" {
		req.AddCookie(&http.Cookie{Name: quirehttp.SessionCookie, Value: c.cookie})
	}
	if c.bearer != "" {
		req.Header.Set("Authorization", c.bearer)
	}
	rec := httptest.NewRecorder()
	c.srv.ServeHTTP(rec, req)
	res := rec.Result()
	for _, ck := range res.Cookies() {
		if ck.Name == quirehttp.SessionCookie {
			c.cookie = ck.Value
		}
	}
	out := apiResult{status: res.StatusCode, header: res.Header}
	_ = json.Unmarshal(rec.Body.Bytes(), &out.body)
	if out.status >= 500 {
		c.t.Fatalf("%s %s answered %d: %s", method, path, out.status, rec.Body.String())
	}
	return out
}

func (c *apiClient) do(method, path string, body any) apiResult {
	c.t.Helper()
	var b []byte
	if body != nil {
		b, _ = json.Marshal(body)
	}
	return c.raw(method, path, b)
}

func (c *apiClient) want(r apiResult, status int, code string) apiResult {
	c.t.Helper()
	if r.status != status || r.code() != code {
		c.t.Fatalf("answered %d %q, want %d %q (body %v)", r.status, r.code(), status, code, r.body)
	}
	return r
}

const apiPassword = "a long and unbreached passphrase"

// confirm marks the address verified, as its emailed link would.
func confirm(t *testing.T, svc *auth.Service, email string) {
	t.Helper()
	if err := svc.ConfirmAddress(context.Background(), email); err != nil {
		t.Fatal(err)
	}
}

func creds(email, pw string) map[string]string {
	return map[string]string{"email": email, "password": pw}
}

func TestAPISignUpSessionAndLogout(t *testing.T) {
	c, _, outbox := newAPI(t, authtest.Options{}, 1000)
	req := httptest.NewRequest(http.MethodPost, "https://quire.test/api/v1/auth/signup",
		strings.NewReader(`{"email":"Ann@Example.com","password":"`+apiPassword+`"}`))
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	rec := httptest.NewRecorder()
	c.srv.ServeHTTP(rec, req)
	if rec.Code != http.StatusCreated {
		t.Fatalf("sign-up answered %d: %s", rec.Code, rec.Body)
	}
	set := rec.Header().Get("Set-Cookie")
	for _, attr := range []string{quirehttp.SessionCookie + "=", "Path=/", "Secure", "HttpOnly", "SameSite=Lax", "Max-Age="} {
		if !strings.Contains(set, attr) {
			t.Errorf("session cookie %q lacks %s", set, attr)
		}
	}
	if strings.Contains(set, "Domain=") {
		t.Error("a __Host- cookie must not carry Domain")
	}
	c.cookie = strings.TrimPrefix(strings.SplitN(set, ";", 2)[0], quirehttp.SessionCookie+"=")
	if len(authtest.Files(t, outbox, "verify_email")) != 1 {
		t.Error("no verification email in the outbox")
	}
	me := c.want(c.do(http.MethodGet, "/api/v1/me", nil), http.StatusOK, "")
	if me.body["email"] != "ann@example.com" || me.body["emailVerified"] != false {
		t.Errorf("me = %v", me.body)
	}
	out := c.want(c.do(http.MethodPost, "/api/v1/auth/logout", nil), http.StatusNoContent, "")
	if c.cookie != "" {
		t.Error("sign-out did not clear the cookie")
	}
	if got := out.header.Get("Clear-Site-Data"); got != `"storage"` {
		t.Errorf("sign-out sent Clear-Site-Data %q, want the site's storage emptied", got)
	}
	c.want(c.do(http.MethodGet, "/api/v1/me", nil), http.StatusUnauthorized, "unauthorized")
}

func TestAPIRefusesBadInput(t *testing.T) {
	c, _, _ := newAPI(t, authtest.Options{}, 1000)
	for _, tc := range []struct {
		name, body string
		status     int
		code       string
	}{
		{"malformed JSON", `{"email":`, 400, "invalid_input"},
		{"two values", `{"email":"a@example.com"} {}`, 400, "invalid_input"},
		{"wrong type", `{"email":5,"password":"x"}`, 400, "invalid_input"},
		{"missing email", `{"password":"` + apiPassword + `"}`, 400, "invalid_input"},
		{"invalid email", `{"email":"nope","password":"` + apiPassword + `"}`, 400, "invalid_input"},
		{"header injection", `{"email":"a@example.com\r\nBcc: b@example.com","password":"` + apiPassword + `"}`, 400, "invalid_input"},
		{"short password", `{"email":"s@example.com","password":"short"}`, 422, "password_too_short"},
		{"breached password", `{"email":"b@example.com","password":"` + authtest.CommonPassword + `"}`, 422, "password_breached"},
		{"oversized body", `{"email":"o@example.com","password":"` + strings.Repeat("x", 2<<20) + `"}`, 413, "too_large"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c.want(c.raw(http.MethodPost, "/api/v1/auth/signup", []byte(tc.body)), tc.status, tc.code)
		})
	}
	c.want(c.raw(http.MethodPost, "/api/v1/auth/login", []byte(`{"email":"x@example.com","password":"`+strings.Repeat("y", 5000)+`"}`)),
		422, "password_too_long")
	c.want(c.do(http.MethodPost, "/api/v1/auth/verify-email", map[string]string{"token": "forged"}), 400, "token_invalid")
}

func TestAPILoginLockoutAndEnumeration(t *testing.T) {
	c, _, _ := newAPI(t, authtest.Options{Config: auth.Config{LockoutAttempts: 5}}, 1000)
	c.want(c.do(http.MethodPost, "/api/v1/auth/signup", creds("lock@example.com", apiPassword)), 201, "")
	other := c.clone()
	known := other.want(other.do(http.MethodPost, "/api/v1/auth/login", creds("lock@example.com", "wrong password!")), 401, "invalid_credentials")
	unknown := other.want(other.do(http.MethodPost, "/api/v1/auth/login", creds("ghost@example.com", "wrong password!")), 401, "invalid_credentials")
	if k, u := known.body["error"].(map[string]any), unknown.body["error"].(map[string]any); k["message"] != u["message"] {
		t.Errorf("known and unknown addresses answer differently: %v vs %v", k, u)
	}
	for i := 0; i < 3; i++ {
		other.want(other.do(http.MethodPost, "/api/v1/auth/login", creds("lock@example.com", "wrong password!")), 401, "invalid_credentials")
	}
	other.want(other.do(http.MethodPost, "/api/v1/auth/login", creds("lock@example.com", "wrong password!")), 423, "account_locked")
	r := other.want(other.do(http.MethodPost, "/api/v1/auth/login", creds("lock@example.com", apiPassword)), 423, "account_locked")
	if ra := r.header.Get("Retry-After"); ra == "" || ra == "0" {
		t.Errorf("Retry-After = %q", ra)
	}
	if other.cookie != "" {
		t.Error("a refused sign-in set a session cookie")
	}
}

func TestAPICrossOriginRefusedBearerAllowed(t *testing.T) {
	c, svc, _ := newAPI(t, authtest.Options{}, 1000)
	c.want(c.do(http.MethodPost, "/api/v1/auth/signup", creds("csrf@example.com", apiPassword)), 201, "")
	c.want(c.do(http.MethodPost, "/api/v1/api-keys", map[string]string{"name": "early", "password": apiPassword}), 403, "email_not_verified")
	confirm(t, svc, "csrf@example.com")
	c.site = "cross-site"
	c.want(c.do(http.MethodPost, "/api/v1/api-keys", map[string]string{"name": "forged", "password": apiPassword}), 403, "cross_origin_request")
	c.want(c.do(http.MethodPost, "/api/v1/auth/login", creds("csrf@example.com", apiPassword)), 403, "cross_origin_request")
	c.site = "same-origin"
	list := c.want(c.do(http.MethodGet, "/api/v1/api-keys", nil), 200, "")
	if keys := list.body["keys"].([]any); len(keys) != 0 {
		t.Fatalf("the forged request created a key: %v", keys)
	}
	c.want(c.do(http.MethodPost, "/api/v1/api-keys", map[string]string{"name": "laptop", "password": "wrong password!"}), 401, "invalid_credentials")
	created := c.want(c.do(http.MethodPost, "/api/v1/api-keys", map[string]string{"name": "laptop", "password": apiPassword}), 201, "")
	key, _ := created.body["key"].(string)
	if !strings.HasPrefix(key, auth.APIKeyPrefix) || created.header.Get("Cache-Control") != "no-store" {
		t.Fatalf("created key %q… (Cache-Control %q)", key[:min(len(key), 6)], created.header.Get("Cache-Control"))
	}
	listed := c.want(c.do(http.MethodGet, "/api/v1/api-keys", nil), 200, "")
	if b, _ := json.Marshal(listed.body); strings.Contains(string(b), key) {
		t.Error("the key list shows the secret")
	}
	script := c.clone()
	script.site, script.bearer = "cross-site", "Bearer "+key
	me := script.want(script.do(http.MethodGet, "/api/v1/me", nil), 200, "")
	if me.body["email"] != "csrf@example.com" {
		t.Errorf("me with the key = %v", me.body)
	}
	// A key cannot mint further keys: that takes a browser session and the password.
	script.want(script.do(http.MethodPost, "/api/v1/api-keys", map[string]string{"name": "from a script", "password": apiPassword}), 401, "unauthorized")
	for _, h := range []string{"Bearer qk_notakey", "Basic dXNlcjpwYXNz", "Bearer"} {
		script.bearer = h
		script.want(script.do(http.MethodGet, "/api/v1/me", nil), 401, "unauthorized")
	}
}

func TestAPITOTPStageAndSessions(t *testing.T) {
	c, svc, _ := newAPI(t, authtest.Options{}, 1000)
	c.want(c.do(http.MethodPost, "/api/v1/auth/signup", creds("mfa@example.com", apiPassword)), 201, "")
	confirm(t, svc, "mfa@example.com")
	c.want(c.do(http.MethodPost, "/api/v1/me/mfa/totp", nil), 400, "invalid_input")
	begin := c.want(c.do(http.MethodPost, "/api/v1/me/mfa/totp", map[string]string{"password": apiPassword}), 200, "")
	uri, _ := begin.body["uri"].(string)
	secret := uri[strings.Index(uri, "secret=")+len("secret="):]
	secret = strings.SplitN(secret, "&", 2)[0]
	code, err := totp.GenerateCode(secret, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	before := c.cookie
	conf := c.want(c.do(http.MethodPost, "/api/v1/me/mfa/totp/confirm", map[string]string{"code": code}), 200, "")
	if codes, _ := conf.body["recoveryCodes"].([]any); len(codes) != 10 || c.cookie == before {
		t.Fatalf("confirm gave %d codes (session rotated: %t)", len(codes), c.cookie != before)
	}
	recovery := conf.body["recoveryCodes"].([]any)[0].(string)

	second := c.clone()
	login := second.want(second.do(http.MethodPost, "/api/v1/auth/login", creds("mfa@example.com", apiPassword)), 200, "")
	if login.body["mfaRequired"] != true {
		t.Fatalf("login = %v, want mfaRequired", login.body)
	}
	second.want(second.do(http.MethodGet, "/api/v1/me", nil), 403, "mfa_required")
	second.want(second.do(http.MethodPost, "/api/v1/api-keys", map[string]string{"name": "x"}), 403, "mfa_required")
	second.want(second.do(http.MethodPost, "/api/v1/auth/mfa", map[string]string{}), 400, "invalid_input")
	second.want(second.do(http.MethodPost, "/api/v1/auth/mfa", map[string]string{"code": "000000"}), 401, "invalid_credentials")
	done := second.want(second.do(http.MethodPost, "/api/v1/auth/mfa", map[string]string{"recoveryCode": recovery}), 200, "")
	if done.body["stage"] != "full" {
		t.Fatalf("after the recovery code: %v", done.body)
	}
	sessions := c.want(c.do(http.MethodGet, "/api/v1/me/sessions", nil), 200, "")
	list := sessions.body["sessions"].([]any)
	if len(list) != 2 {
		t.Fatalf("%d sessions, want 2", len(list))
	}
	c.want(c.do(http.MethodDelete, "/api/v1/me/sessions", nil), 204, "")
	second.want(second.do(http.MethodGet, "/api/v1/me", nil), 401, "unauthorized")
	c.want(c.do(http.MethodGet, "/api/v1/me", nil), 200, "")
}

func TestAPIThrottlePerAddress(t *testing.T) {
	c, _, _ := newAPI(t, authtest.Options{}, 3)
	for i := 0; i < 3; i++ {
		c.want(c.do(http.MethodPost, "/api/v1/auth/login", creds("spray@example.com", "wrong password!")), 401, "invalid_credentials")
	}
	r := c.want(c.do(http.MethodPost, "/api/v1/auth/login", creds("other@example.com", "wrong password!")), 429, "rate_limited")
	if r.header.Get("Retry-After") == "" || r.header.Get("Content-Security-Policy") == "" {
		t.Errorf("429 headers: Retry-After %q, CSP set: %t", r.header.Get("Retry-After"), r.header.Get("Content-Security-Policy") != "")
	}
	c.want(c.do(http.MethodPost, "/api/v1/auth/password-strength", map[string]string{"password": "hunter2"}), 200, "")
}

func TestAPIAdminUnlock(t *testing.T) {
	c, svc, _ := newAPI(t, authtest.Options{Config: auth.Config{LockoutAttempts: 5, Admins: []string{"boss@example.com"}}}, 1000)
	boss := c.clone()
	boss.want(boss.do(http.MethodPost, "/api/v1/auth/signup", creds("boss@example.com", apiPassword)), 201, "")
	boss.want(boss.do(http.MethodPost, "/api/v1/admin/unlock", map[string]string{"email": "user@example.com"}), 403, "forbidden")
	confirm(t, svc, "boss@example.com") // admin rights need the admin's address confirmed
	user := c.clone()
	user.want(user.do(http.MethodPost, "/api/v1/auth/signup", creds("user@example.com", apiPassword)), 201, "")
	user.want(user.do(http.MethodPost, "/api/v1/admin/unlock", map[string]string{"email": "user@example.com"}), 403, "forbidden")
	guess := c.clone()
	for i := 0; i < 5; i++ {
		guess.do(http.MethodPost, "/api/v1/auth/login", creds("user@example.com", "wrong password!"))
	}
	guess.want(guess.do(http.MethodPost, "/api/v1/auth/login", creds("user@example.com", apiPassword)), 423, "account_locked")
	boss.want(boss.do(http.MethodPost, "/api/v1/admin/unlock", map[string]string{"email": "USER@example.com"}), 204, "")
	guess.want(guess.do(http.MethodPost, "/api/v1/auth/login", creds("user@example.com", apiPassword)), 200, "")
	v := boss.want(boss.do(http.MethodGet, "/api/v1/admin/audit/verify", nil), 200, "")
	if v.body["verified"] != true {
		t.Errorf("audit verify = %v", v.body)
	}
}

func FuzzAPIAuthBodies(f *testing.F) {
	for _, s := range []string{`{"email":"a@example.com","password":"x"}`, `{`, `[]`, `{"email":null}`, `{"email":"\u0000@x.y"}`} {
		f.Add("/api/v1/auth/login", s)
		f.Add("/api/v1/auth/signup", s)
	}
	svc, _ := authtest.New(f)
	srv := quirehttp.NewServer(quirehttp.Config{Auth: svc, AuthBurst: 1 << 30})
	f.Fuzz(func(t *testing.T, path, body string) {
		if path != "/api/v1/auth/login" && path != "/api/v1/auth/signup" && path != "/api/v1/auth/password-reset" {
			return
		}
		req := httptest.NewRequest(http.MethodPost, "https://quire.test"+path, strings.NewReader(body))
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, req)
		if rec.Code >= 500 {
			t.Fatalf("%s with %q answered %d", path, body, rec.Code)
		}
	})
}
