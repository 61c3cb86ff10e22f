package http_test

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/quirehq/quire/auth"
	quirehttp "github.com/quirehq/quire/http"
	"github.com/quirehq/quire/internal/authtest"
)

func TestSignUpPage(t *testing.T) {
	env := newPageEnv(t, authtest.Options{})
	b := env.browser(t)
	resp := b.post("/signup", url.Values{"email": {"New.User@Example.com"}, "password": {goodPassword}})
	resp.redirect(t, "/account")
	var cookie *http.Cookie
	for _, c := range resp.Cookies() {
		if c.Name == quirehttp.SessionCookie {
			cookie = c
		}
	}
	if cookie == nil || !cookie.Secure || !cookie.HttpOnly || cookie.SameSite != http.SameSiteLaxMode || cookie.Path != "/" {
		t.Fatalf("session cookie %+v: want Secure, HttpOnly, SameSite=Lax, Path=/", cookie)
	}
	doc := b.get("/account").want(t, http.StatusOK).page(t)
	if got := doc.byID(t, "account-email").text; got != "new.user@example.com" {
		t.Errorf("account email %q", got)
	}
	doc.byID(t, "email-unverified")
	if n := len(authtest.Files(t, env.outbox, "verify_email")); n != 1 {
		t.Errorf("%d verification emails, want 1", n)
	}
	// A signed-in browser has no use for the sign-up and sign-in forms.
	b.get("/signup").redirect(t, "/account")
	b.get("/login").redirect(t, "/account")
}

func TestSignUpPageRefusals(t *testing.T) {
	env := newPageEnv(t, authtest.Options{})
	env.signUp(t, "taken@example.com", goodPassword)
	tests := []struct {
		name, email, password string
		status                int
		message               string
	}{
		{"short", "a@example.com", "short", http.StatusUnprocessableEntity, "at least 8"},
		{"breached", "b@example.com", authtest.CommonPassword, http.StatusUnprocessableEntity, "data breach"},
		{"bad email", "not-an-address", goodPassword, http.StatusBadRequest, "Email is not a valid address."},
		{"taken", "taken@example.com", goodPassword, http.StatusConflict, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := env.browser(t)
			resp := b.post("/signup", url.Values{"email": {tt.email}, "password": {tt.password}}).want(t, tt.status)
			doc := resp.page(t)
			if msg := doc.byID(t, "error").text; !strings.Contains(msg, tt.message) || msg == "" {
				t.Errorf("error message %q, want it to contain %q", msg, tt.message)
			}
			if got := doc.byID(t, "email").attrs["value"]; got != tt.email {
				t.Errorf("email field %q, want the address again", got)
			}
			if strings.Contains(resp.body, tt.password) {
				t.Error("the password is echoed in the page")
			}
			if b.session() != "" {
				t.Error("a refused sign-up set a session cookie")
			}
		})
	}
}

func TestLoginPage(t *testing.T) {
	env := newPageEnv(t, authtest.Options{})
	env.signUp(t, "login@example.com", goodPassword)
	for _, email := range []string{"login@example.com", "nobody@example.com"} {
		b := env.browser(t)
		resp := b.post("/login", url.Values{"email": {email}, "password": {"wrong password!"}}).want(t, http.StatusUnauthorized)
		if msg := resp.page(t).byID(t, "error").text; msg != "Email or password is incorrect." {
			t.Errorf("%s: message %q", email, msg)
		}
		if b.session() != "" {
			t.Errorf("%s: a failed sign-in set a session cookie", email)
		}
	}
	b, to := env.signIn(t, "login@example.com", goodPassword)
	if to != "/account" || b.session() == "" {
		t.Fatalf("sign-in went to %q (cookie %t), want /account with a cookie", to, b.session() != "")
	}
	b.get("/account").want(t, http.StatusOK)
}

func TestLoginPageLockout(t *testing.T) {
	env := newPageEnv(t, authtest.Options{Config: auth.Config{LockoutAttempts: 5}})
	env.signUp(t, "locked@example.com", goodPassword)
	b := env.browser(t)
	form := url.Values{"email": {"locked@example.com"}, "password": {"not the password"}}
	for range 4 {
		b.post("/login", form).want(t, http.StatusUnauthorized)
	}
	resp := b.post("/login", form).want(t, http.StatusLocked)
	resp.page(t)
	resp.contains(t, "locked")
	if resp.Header.Get("Retry-After") == "" {
		t.Error("no Retry-After on a locked account")
	}
	// The right password does not open a locked account either.
	form.Set("password", goodPassword)
	b.post("/login", form).want(t, http.StatusLocked)
}

// TestPageFormsRefuseCrossOrigin checks claim ACC-1 on the pages: a form
// posted from another site is refused before it acts, signed in or not.
func TestPageFormsRefuseCrossOrigin(t *testing.T) {
	env := newPageEnv(t, authtest.Options{})
	user := env.signUp(t, "csrf@example.com", goodPassword)
	user.site = "cross-site"
	user.post("/account/api-keys", url.Values{"name": {"stolen"}, "password": {goodPassword}}).want(t, http.StatusForbidden)
	user.post("/logout", nil).want(t, http.StatusForbidden)
	attacker := env.browser(t)
	attacker.site = "cross-site"
	attacker.post("/login", url.Values{"email": {"csrf@example.com"}, "password": {goodPassword}}).want(t, http.StatusForbidden)
	attacker.post("/signup", url.Values{"email": {"x@example.com"}, "password": {goodPassword}}).want(t, http.StatusForbidden)
	// Without Sec-Fetch-Site, an Origin that is not ours is refused too.
	req := plainPost("/signup", url.Values{"email": {"y@example.com"}, "password": {goodPassword}})
	req.Header.Set("Origin", "https://evil.example")
	attacker.site = ""
	attacker.send(req).want(t, http.StatusForbidden)
	user.site = "same-origin"
	keys, err := env.svc.APIKeys(context.Background(), accountID(t, env, user))
	if err != nil || len(keys) != 0 {
		t.Fatalf("keys after a cross-site form: %d (%v), want none", len(keys), err)
	}
	user.get("/account").want(t, http.StatusOK) // still signed in
}

// plainPost builds a form POST without the browser's headers.
func plainPost(path string, form url.Values) *http.Request {
	req, _ := http.NewRequest(http.MethodPost, pageOrigin+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return req
}

// accountID returns the user ID of the browser's session.
func accountID(t *testing.T, env *pageEnv, b *browser) string {
	t.Helper()
	sess, err := env.svc.Authenticate(context.Background(), b.session())
	if err != nil {
		t.Fatalf("session: %v", err)
	}
	return sess.UserID
}

func TestLogoutPage(t *testing.T) {
	env := newPageEnv(t, authtest.Options{})
	b := env.signUp(t, "logout@example.com", goodPassword)
	token := b.session()
	out := b.post("/logout", nil)
	out.redirect(t, "/login?done=signed-out")
	if b.session() != "" {
		t.Error("sign-out left the cookie")
	}
	if got := out.Header.Get("Clear-Site-Data"); got != `"storage"` {
		t.Errorf("sign-out sent Clear-Site-Data %q, want the site's storage emptied", got)
	}
	if _, err := env.svc.Authenticate(context.Background(), token); err == nil {
		t.Error("the session still works after sign-out")
	}
	b.get("/account").redirect(t, "/login")
	doc := b.get("/login?done=signed-out").want(t, http.StatusOK).page(t)
	if got := doc.byID(t, "notice").text; got != "You are signed out." {
		t.Errorf("notice %q", got)
	}
	// Only fixed notices are shown; anything else in ?done= is ignored.
	if doc := b.get("/login?done=%3Cb%3Ehi").page(t); len(doc.find("", "id", "notice")) != 0 {
		t.Error("an unknown notice key is shown")
	}
}

func TestAccountPagesNeedSignIn(t *testing.T) {
	env := newPageEnv(t, authtest.Options{})
	b := env.browser(t)
	for _, path := range []string{"/account", "/account/password", "/login/mfa"} {
		b.get(path).redirect(t, "/login")
	}
	for _, path := range []string{"/account/api-keys", "/account/totp", "/account/sessions/revoke-others", "/account/password"} {
		b.post(path, url.Values{"name": {"x"}}).redirect(t, "/login")
	}
	// An API key does not open the browser pages.
	user := env.signUp(t, "keyonly@example.com", goodPassword)
	_, secret, err := env.svc.CreateAPIKey(context.Background(), accountID(t, env, user), "k", goodPassword)
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest(http.MethodGet, pageOrigin+"/account", nil)
	req.Header.Set("Authorization", "Bearer "+secret)
	env.browser(t).send(req).redirect(t, "/login")
}

// TestPageServerErrorHidesDetail checks that a failure the user cannot fix
// shows a page with an error ID and nothing else about it, and that the
// ID is in the log with the cause.
func TestPageServerErrorHidesDetail(t *testing.T) {
	const cause = "breach-backend-secret-detail"
	env := newPageEnv(t, authtest.Options{Breach: failingBreach{errors.New(cause)}})
	resp := env.browser(t).post("/signup", url.Values{"email": {"e@example.com"}, "password": {goodPassword}})
	resp.want(t, http.StatusInternalServerError)
	id := resp.page(t).byID(t, "error-id").text
	if strings.Contains(resp.body, cause) || id == "" {
		t.Fatalf("error page shows the cause or no ID:\n%s", resp.body)
	}
	entry := env.logs.find(t, "error_id", id)
	if entry == nil || !strings.Contains(entry["error"].(string), cause) {
		t.Errorf("log entry for %s: %v", id, entry)
	}
}

// failingBreach is a breach check that always fails.
type failingBreach struct{ err error }

func (f failingBreach) Check(context.Context, string) (bool, error) { return false, f.err }
