package http_test

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/quirehq/quire/internal/authtest"
	"github.com/quirehq/quire/mail"
)

// rightsPages is the page stack of a server with every part configured,
// deletion included.
func rightsPages(t *testing.T) *pageEnv {
	t.Helper()
	e := newFullAPI(t)
	_, logs := newLogger()
	return &pageEnv{srv: e.srv, svc: e.svc, outbox: e.outbox, logs: logs}
}

// TestPageProfileForm changes the name and starts a change of address
// from the account page; the emailed link, opened in the browser, makes
// the change.
func TestPageProfileForm(t *testing.T) {
	e := rightsPages(t)
	b := e.signUp(t, "page-fix@example.com", goodPassword)
	page := b.get("/account").want(t, http.StatusOK)
	page.page(t)
	page.contains(t, `id="profile-form"`, `action="/account/profile"`, `id="delete-account-form"`)
	b.post("/account/profile", url.Values{"name": {""}}).want(t, http.StatusBadRequest)
	b.post("/account/profile", url.Values{"name": {"Grace Hopper"}}).redirect(t, "/account?done=profile-saved")
	b.get("/account?done=profile-saved").contains(t, "Grace Hopper", "Your name is saved")
	b.post("/account/profile", url.Values{"name": {"Grace Hopper"}, "email": {"grace@example.com"}, "password": {"wrong"}}).want(t, http.StatusUnauthorized)
	b.post("/account/profile", url.Values{"name": {"Grace Hopper"}, "email": {"grace@example.com"}, "password": {goodPassword}}).
		redirect(t, "/account?done=email-change-sent")
	b.get("/account").contains(t, "page-fix@example.com")
	token := authtest.Token(t, e.outbox, mail.KindEmailChangeConfirm)
	b.get("/verify-email?token="+token).want(t, http.StatusOK)
	b.post("/verify-email", url.Values{"token": {token}}).redirect(t, "/account?done=email-verified")
	b.get("/account").contains(t, "grace@example.com")
}

// TestPageDeleteAccount deletes the account from its page, after a wrong
// password is refused; a cross-site form is refused before anything.
func TestPageDeleteAccount(t *testing.T) {
	e := rightsPages(t)
	b := e.signUp(t, "page-gone@example.com", goodPassword)
	evil := e.browser(t)
	evil.cookies, evil.site = b.cookies, "cross-site"
	evil.post("/account/delete", url.Values{"password": {goodPassword}}).want(t, http.StatusForbidden)
	b.post("/account/delete", url.Values{"password": {"wrong"}}).want(t, http.StatusUnauthorized)
	gone := b.post("/account/delete", url.Values{"password": {goodPassword}})
	gone.redirect(t, "/login?done=account-deleted")
	if b.session() != "" {
		t.Error("the session cookie outlived the account")
	}
	if got := gone.Header.Get("Clear-Site-Data"); got != `"storage"` {
		t.Errorf("the deletion sent Clear-Site-Data %q, want the site's storage emptied", got)
	}
	b.get("/login?done=account-deleted").contains(t, "Your account is deleted")
	if len(authtest.Files(t, e.outbox, mail.KindAccountDeleted)) != 1 {
		t.Error("no deletion receipt")
	}
	e.browser(t).post("/login", url.Values{"email": {"page-gone@example.com"}, "password": {goodPassword}}).
		want(t, http.StatusUnauthorized).contains(t, "Email or password is incorrect.")
}
