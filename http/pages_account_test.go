package http_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/quirehq/quire/internal/authtest"
)

func TestAPIKeyPages(t *testing.T) {
	env := newPageEnv(t, authtest.Options{})
	b := env.signUp(t, "keys@example.com", goodPassword)
	doc := b.get("/account").want(t, http.StatusOK).page(t)
	doc.byID(t, "no-keys")
	if href := doc.byID(t, "open-workspace").attrs["href"]; href != "/app" {
		t.Errorf("the account page links the workspace at %q, want /app", href)
	}
	resp := b.post("/account/api-keys", url.Values{"name": {"CI <deploy>"}, "password": {goodPassword}}).want(t, http.StatusOK)
	secret := resp.page(t).byID(t, "api-key").text
	if !strings.HasPrefix(secret, "qk_") {
		t.Fatalf("shown key %q", secret)
	}
	me := bearer(env, t, secret).want(t, http.StatusOK)
	if !strings.Contains(me.body, `"email":"keys@example.com"`) {
		t.Errorf("/api/v1/me with the key: %s", me.body)
	}
	account := b.get("/account").want(t, http.StatusOK)
	doc = account.page(t)
	if strings.Contains(account.body, secret) {
		t.Error("the account page shows the whole key")
	}
	rows := doc.find("form")
	var revoke string
	for _, f := range rows {
		if strings.HasPrefix(f.attrs["action"], "/account/api-keys/") {
			revoke = f.attrs["action"]
		}
	}
	account.contains(t, "CI &lt;deploy&gt;", secret[:9]+"…")
	if revoke == "" {
		t.Fatal("no revoke form")
	}
	b.post(revoke, nil).redirect(t, "/account?done=key-revoked")
	bearer(env, t, secret).want(t, http.StatusUnauthorized)
	resp = b.post("/account/api-keys", url.Values{"name": {""}, "password": {goodPassword}}).want(t, http.StatusBadRequest)
	if msg := resp.page(t).byID(t, "error").text; msg != "Key name must be 1 to 100 bytes of text." {
		t.Errorf("empty name: %q", msg)
	}
	b.post("/account/api-keys/"+strings.Repeat("z", 26)+"/revoke", nil).want(t, http.StatusNotFound)
}

// bearer calls GET /api/v1/me with an API key.
func bearer(env *pageEnv, t *testing.T, key string) *pageResponse {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, pageOrigin+"/api/v1/me", nil)
	req.Header.Set("Authorization", "Bearer "+key)
	b := env.browser(t)
	b.site = ""
	return b.send(req)
}

func TestSessionPages(t *testing.T) {
	env := newPageEnv(t, authtest.Options{})
	first := env.signUp(t, "sessions@example.com", goodPassword)
	second, _ := env.signIn(t, "sessions@example.com", goodPassword)
	third, _ := env.signIn(t, "sessions@example.com", goodPassword)
	doc := first.get("/account").want(t, http.StatusOK).page(t)
	var revoke []string
	for _, f := range doc.find("form") {
		if a := f.attrs["action"]; strings.HasPrefix(a, "/account/sessions/") && a != "/account/sessions/revoke-others" {
			revoke = append(revoke, a)
		}
	}
	if len(revoke) != 3 {
		t.Fatalf("%d session rows, want 3", len(revoke))
	}
	secondID := "/account/sessions/" + sessionID(t, env, second) + "/revoke"
	first.post(secondID, nil).redirect(t, "/account?done=session-revoked")
	second.get("/account").redirect(t, "/login")
	first.post("/account/sessions/revoke-others", nil).redirect(t, "/account?done=sessions-revoked")
	third.get("/account").redirect(t, "/login")
	first.post("/account/sessions/"+sessionID(t, env, first)+"/revoke", nil).redirect(t, "/login?done=signed-out")
	if first.session() != "" {
		t.Error("revoking the current session left its cookie")
	}
}

// sessionID returns the ID of the browser's session.
func sessionID(t *testing.T, env *pageEnv, b *browser) string {
	t.Helper()
	sess, err := env.svc.Authenticate(context.Background(), b.session())
	if err != nil {
		t.Fatal(err)
	}
	return sess.ID
}

func TestChangePasswordPage(t *testing.T) {
	env := newPageEnv(t, authtest.Options{})
	b := env.signUp(t, "change@example.com", goodPassword)
	other, _ := env.signIn(t, "change@example.com", goodPassword)
	const next = "another fine password 77"
	resp := b.post("/account/password", url.Values{"current": {"wrong one!"}, "new": {next}}).want(t, http.StatusUnauthorized)
	resp.page(t).byID(t, "error")
	resp = b.post("/account/password", url.Values{"current": {goodPassword}, "new": {authtest.CommonPassword}}).want(t, http.StatusUnprocessableEntity)
	if msg := resp.page(t).byID(t, "error").text; !strings.Contains(msg, "breach") {
		t.Errorf("breached new password: %q", msg)
	}
	before := b.session()
	b.post("/account/password", url.Values{"current": {goodPassword}, "new": {next}}).redirect(t, "/account?done=password-changed")
	if b.session() == before || b.session() == "" {
		t.Error("the session token did not rotate")
	}
	b.get("/account").want(t, http.StatusOK)
	other.get("/account").redirect(t, "/login")
}

// switchBreach reports every password breached once on is set.
type switchBreach struct{ on atomic.Bool }

func (s *switchBreach) Check(context.Context, string) (bool, error) { return s.on.Load(), nil }

// TestResetStageSession signs in with a password found breached after
// sign-up: that session may only change its password.
func TestResetStageSession(t *testing.T) {
	breach := &switchBreach{}
	env := newPageEnv(t, authtest.Options{Breach: breach})
	env.signUp(t, "breached@example.com", goodPassword)
	breach.on.Store(true)
	b, to := env.signIn(t, "breached@example.com", goodPassword)
	if to != "/account/password" {
		t.Fatalf("sign-in went to %q, want /account/password", to)
	}
	for _, path := range []string{"/account", "/", "/login/mfa"} {
		b.get(path).redirect(t, "/account/password")
	}
	b.post("/account/api-keys", url.Values{"name": {"x"}, "password": {goodPassword}}).redirect(t, "/account/password")
	doc := b.get("/account/password").want(t, http.StatusOK).page(t)
	doc.byID(t, "reset-required")
	breach.on.Store(false)
	b.post("/account/password", url.Values{"current": {goodPassword}, "new": {"fresh and unbreached 9"}}).redirect(t, "/account?done=password-changed")
	b.get("/account").want(t, http.StatusOK)
}
