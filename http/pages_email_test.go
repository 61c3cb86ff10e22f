package http_test

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/quirehq/quire/internal/authtest"
)

// TestVerifyEmailPage follows the emailed link: opening it (as a mail
// scanner would, twice) spends nothing; the button confirms, once.
func TestVerifyEmailPage(t *testing.T) {
	env := newPageEnv(t, authtest.Options{})
	b := env.signUp(t, "verify@example.com", goodPassword)
	link := authtest.Link(t, env.outbox, "verify_email")
	if link.Path != "/verify-email" {
		t.Fatalf("link path %q", link.Path)
	}
	token := link.Query().Get("token")
	for range 2 {
		doc := env.browser(t).get(link.RequestURI()).want(t, http.StatusOK).page(t)
		if got := doc.find("input", "name", "token"); len(got) != 1 || got[0].attrs["value"] != token || got[0].attrs["type"] != "hidden" {
			t.Fatalf("token field %v", got)
		}
		if len(doc.find("form", "action", "/verify-email", "method", "post")) != 1 {
			t.Fatal("no POST form to /verify-email")
		}
	}
	b.post("/verify-email", url.Values{"token": {token}}).redirect(t, "/account?done=email-verified")
	doc := b.get("/account?done=email-verified").want(t, http.StatusOK).page(t)
	doc.byID(t, "email-verified")
	if got := doc.byID(t, "notice").text; got != "Thank you: your email address is confirmed." {
		t.Errorf("notice %q", got)
	}
	resp := b.post("/verify-email", url.Values{"token": {token}}).want(t, http.StatusBadRequest)
	if msg := resp.page(t).byID(t, "error").text; msg != "This link is invalid, expired or already used. Ask for a new one." {
		t.Errorf("second use: %q", msg)
	}
	// Confirming while signed out sends the browser to sign in.
	b2 := env.signUp(t, "verify2@example.com", goodPassword)
	token2 := authtest.Token(t, env.outbox, "verify_email")
	b2.post("/logout", nil)
	b2.post("/verify-email", url.Values{"token": {token2}}).redirect(t, "/login?done=email-verified")
	env.browser(t).get("/verify-email").want(t, http.StatusBadRequest).page(t)
}

func TestResendVerification(t *testing.T) {
	env := newPageEnv(t, authtest.Options{})
	b := env.signUpUnverified(t, "resend@example.com", goodPassword)
	b.post("/account/verify-email", nil).redirect(t, "/account?done=verification-sent")
	if n := len(authtest.Files(t, env.outbox, "verify_email")); n != 2 {
		t.Fatalf("%d verification emails, want 2", n)
	}
	b.post("/verify-email", url.Values{"token": {authtest.Token(t, env.outbox, "verify_email")}})
	resp := b.post("/account/verify-email", nil).want(t, http.StatusConflict)
	resp.page(t).byID(t, "error")
}

func TestForgotAndResetPassword(t *testing.T) {
	env := newPageEnv(t, authtest.Options{})
	old := env.signUp(t, "reset@example.com", goodPassword)
	anon := env.browser(t)
	for _, email := range []string{"reset@example.com", "nobody@example.com"} {
		anon.post("/forgot-password", url.Values{"email": {email}}).redirect(t, "/forgot-password?done=reset-sent")
	}
	if n := len(authtest.Files(t, env.outbox, "reset_password")); n != 1 {
		t.Fatalf("%d reset emails, want 1 (none for an unknown address)", n)
	}
	link := authtest.Link(t, env.outbox, "reset_password")
	token := link.Query().Get("token")
	doc := anon.get(link.RequestURI()).want(t, http.StatusOK).page(t)
	if doc.find("input", "name", "token")[0].attrs["value"] != token {
		t.Fatal("reset form lacks the token")
	}
	// A refused password keeps the token usable and in the form.
	resp := anon.post("/reset-password", url.Values{"token": {token}, "password": {"short"}}).want(t, http.StatusUnprocessableEntity)
	if doc := resp.page(t); doc.find("input", "name", "token")[0].attrs["value"] != token {
		t.Error("the form shown again lost the token")
	}
	const next = "a whole new password 2024"
	anon.post("/reset-password", url.Values{"token": {token}, "password": {next}}).redirect(t, "/login?done=password-reset")
	old.get("/account").redirect(t, "/login") // every session ended
	anon.post("/reset-password", url.Values{"token": {token}, "password": {next + "!"}}).want(t, http.StatusBadRequest)
	b, to := env.signIn(t, "reset@example.com", next)
	if to != "/account" {
		t.Fatalf("sign-in with the new password went to %q", to)
	}
	b.get("/account").want(t, http.StatusOK)
	anon.post("/login", url.Values{"email": {"reset@example.com"}, "password": {goodPassword}}).want(t, http.StatusUnauthorized)
}
