package http_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/quirehq/quire/internal/authtest"
	"github.com/quirehq/quire/internal/webauthntest"
)

// challenge is the answer of a passkey begin call.
type challenge struct {
	ID      string          `json:"id"`
	Options json.RawMessage `json:"options"`
}

// begin starts a passkey ceremony at path as passkeys.js does (a
// same-origin fetch without a body).
func (b *browser) begin(path string) challenge {
	b.t.Helper()
	body := ""
	if path == "/api/v1/me/passkeys/begin" {
		body = `{"password":"` + goodPassword + `"}` // adding a passkey needs the password
	}
	resp := b.send(jsonRequest(http.MethodPost, path, body)).want(b.t, http.StatusOK)
	var c challenge
	if err := json.Unmarshal([]byte(resp.body), &c); err != nil || c.ID == "" || len(c.Options) == 0 {
		b.t.Fatalf("POST %s: %s (%v)", path, resp.body, err)
	}
	return c
}

// finish sends the authenticator's answer to a ceremony as passkeys.js
// does: the ceremony ID, a name for a new passkey, credential.toJSON().
func (b *browser) finish(path, id, name string, credential []byte) *pageResponse {
	b.t.Helper()
	body, err := json.Marshal(map[string]any{"id": id, "name": name, "credential": json.RawMessage(credential)})
	if err != nil {
		b.t.Fatal(err)
	}
	return b.send(jsonRequest(http.MethodPost, path, string(body)))
}

// addPasskey registers a's passkey under name for b's user, as the
// account page's script does.
func addPasskey(t *testing.T, b *browser, a *webauthntest.Authenticator, name string) {
	t.Helper()
	c := b.begin("/api/v1/me/passkeys/begin")
	b.finish("/api/v1/me/passkeys/finish", c.ID, name, a.Create(c.Options)).want(t, http.StatusCreated)
}

// passkeySignIn signs b in with a's passkey, as the sign-in and
// second-factor pages' script does, and returns the session stage.
func passkeySignIn(t *testing.T, b *browser, a *webauthntest.Authenticator) string {
	t.Helper()
	c := b.begin("/api/v1/auth/passkey/begin")
	resp := b.finish("/api/v1/auth/passkey/finish", c.ID, "", a.Get(c.Options)).want(t, http.StatusOK)
	var out struct {
		Stage string `json:"stage"`
	}
	if err := json.Unmarshal([]byte(resp.body), &out); err != nil {
		t.Fatalf("passkey sign-in answer %s: %v", resp.body, err)
	}
	return out.Stage
}

// wantPasskeyControls checks that the page loads passkeys.js, that the
// control with the id is hidden until the script shows it, and that the
// page has the live region the script writes its errors to.
func wantPasskeyControls(t *testing.T, doc *htmlDoc, id string) {
	t.Helper()
	if len(doc.find("script", "src", "/static/passkeys.js")) != 1 {
		t.Error("passkeys.js not loaded")
	}
	ctl := doc.byID(t, id)
	if !ctl.has("data-passkey") {
		t.Errorf("#%s has no data-passkey role", id)
	}
	shown := doc.find("", "data-passkey-show", "")
	if len(shown) != 1 || !shown[0].has("hidden") {
		t.Errorf("want one hidden [data-passkey-show] container, got %d", len(shown))
	}
	if live := doc.byID(t, "passkey-message"); live.attrs["aria-live"] == "" {
		t.Error("#passkey-message is not a live region")
	}
}

// passkeyRemoveForms returns the actions of the passkey remove forms.
func passkeyRemoveForms(doc *htmlDoc) []string {
	var out []string
	for _, f := range doc.find("form") {
		if a := f.attrs["action"]; strings.HasPrefix(a, "/account/passkeys/") && strings.HasSuffix(a, "/remove") {
			out = append(out, a)
		}
	}
	return out
}

func TestPasskeyAccountPage(t *testing.T) {
	env := newPageEnv(t, authtest.Options{})
	b := env.signUp(t, "passkeys@example.com", goodPassword)
	doc := b.get("/account").want(t, http.StatusOK).page(t)
	doc.byID(t, "no-passkeys")
	wantPasskeyControls(t, doc, "passkey-add-form")
	if f := doc.byID(t, "passkey-add-form"); f.attrs["data-passkey"] != "register" || f.name != "form" {
		t.Errorf("add form %+v", f)
	}
	if note := doc.byID(t, "passkey-unsupported"); !note.has("data-passkey-fallback") || note.has("hidden") {
		t.Error("the note for browsers without passkeys is not shown by default")
	}

	addPasskey(t, b, webauthntest.New(t, authtest.DefaultRPID), "Laptop <work>")
	resp := b.get("/account?done=passkey-added").want(t, http.StatusOK)
	doc = resp.page(t)
	if got := doc.byID(t, "notice").text; !strings.HasPrefix(got, "Your passkey is added.") {
		t.Errorf("notice %q", got)
	}
	resp.contains(t, "<td>Laptop &lt;work&gt;</td>", "<td>never</td>")
	forms := passkeyRemoveForms(doc)
	if len(forms) != 1 {
		t.Fatalf("%d passkey remove forms, want 1", len(forms))
	}
	id := strings.Split(forms[0], "/")[3]
	doc.byID(t, "passkey-"+id)
	if in := doc.byID(t, "passkey-password-"+id); in.attrs["type"] != "password" || !in.has("required") {
		t.Errorf("remove form password field %+v", in)
	}
}

func TestPasskeyRemovePage(t *testing.T) {
	env := newPageEnv(t, authtest.Options{})
	b := env.signUp(t, "remove@example.com", goodPassword)
	other := env.signUp(t, "other@example.com", goodPassword)
	addPasskey(t, b, webauthntest.New(t, authtest.DefaultRPID), "Phone")
	action := passkeyRemoveForms(b.get("/account").page(t))[0]

	resp := b.post(action, url.Values{"password": {"not my password"}}).want(t, http.StatusUnauthorized)
	doc := resp.page(t)
	if msg := doc.byID(t, "error").text; msg != "The password is incorrect." {
		t.Errorf("wrong password: %q", msg)
	}
	if strings.Contains(resp.body, "not my password") {
		t.Error("the password is echoed in the page")
	}
	if len(passkeyRemoveForms(doc)) != 1 {
		t.Error("the passkey is gone after a wrong password")
	}
	// Another user's right password does not reach this user's passkey.
	other.post(action, url.Values{"password": {goodPassword}}).want(t, http.StatusNotFound).page(t).byID(t, "error")
	b.post("/account/passkeys/"+strings.Repeat("z", 26)+"/remove", url.Values{"password": {goodPassword}}).
		want(t, http.StatusNotFound).page(t)
	if keys, err := env.svc.Passkeys(context.Background(), sessionUser(t, env, b)); err != nil || len(keys) != 1 {
		t.Fatalf("after refused removals: %d passkeys (%v)", len(keys), err)
	}

	b.post(action, url.Values{"password": {goodPassword}}).redirect(t, "/account?done=passkey-removed")
	doc = b.get("/account?done=passkey-removed").want(t, http.StatusOK).page(t)
	doc.byID(t, "no-passkeys")
	if got := doc.byID(t, "notice").text; got != "The passkey is removed." {
		t.Errorf("notice %q", got)
	}
	if _, to := env.signIn(t, "remove@example.com", goodPassword); to != "/account" {
		t.Errorf("sign-in without passkeys went to %q, want /account", to)
	}
	b.post(action, url.Values{"password": {goodPassword}}).want(t, http.StatusNotFound)
}

// sessionUser returns the user ID of b's session.
func sessionUser(t *testing.T, env *pageEnv, b *browser) string {
	t.Helper()
	sess, err := env.svc.Authenticate(context.Background(), b.session())
	if err != nil {
		t.Fatal(err)
	}
	return sess.UserID
}

// TestPasskeyAddWithoutScript checks that the add form, posted without
// the script that runs the ceremony, says what is needed.
func TestPasskeyAddWithoutScript(t *testing.T) {
	env := newPageEnv(t, authtest.Options{})
	b := env.signUp(t, "noscript@example.com", goodPassword)
	resp := b.post("/account/passkeys", url.Values{"name": {"x"}}).want(t, http.StatusBadRequest)
	if msg := resp.page(t).byID(t, "error").text; !strings.Contains(msg, "JavaScript") {
		t.Errorf("error %q", msg)
	}
	env.browser(t).post("/account/passkeys", nil).redirect(t, "/login")
}

func TestPasskeyLoginPage(t *testing.T) {
	env := newPageEnv(t, authtest.Options{})
	a := webauthntest.New(t, authtest.DefaultRPID)
	addPasskey(t, env.signUp(t, "passwordless@example.com", goodPassword), a, "Key")

	anon := env.browser(t)
	doc := anon.get("/login").want(t, http.StatusOK).page(t)
	wantPasskeyControls(t, doc, "passkey-login")
	// The form shown again after a wrong password keeps the button.
	doc = anon.post("/login", url.Values{"email": {"passwordless@example.com"}, "password": {"wrong"}}).
		want(t, http.StatusUnauthorized).page(t)
	wantPasskeyControls(t, doc, "passkey-login")

	if stage := passkeySignIn(t, anon, a); stage != "full" {
		t.Fatalf("passwordless sign-in: stage %q", stage)
	}
	anon.get("/login").redirect(t, "/account")
	resp := anon.get("/account").want(t, http.StatusOK)
	resp.page(t)
	if strings.Contains(resp.body, "<td>never</td>") {
		t.Error("the passkey's last use is not shown")
	}
}

func TestPasskeySecondFactorPage(t *testing.T) {
	c := &clock{t: time.Now()}
	env := newPageEnv(t, authtest.Options{Now: c.now})
	a := webauthntest.New(t, authtest.DefaultRPID)
	b := env.signUp(t, "twostep@example.com", goodPassword)
	addPasskey(t, b, a, "Key")

	b, to := env.signIn(t, "twostep@example.com", goodPassword)
	if to != "/login/mfa" {
		t.Fatalf("password sign-in with a passkey went to %q, want /login/mfa", to)
	}
	doc := b.get("/login/mfa").want(t, http.StatusOK).page(t)
	wantPasskeyControls(t, doc, "passkey-mfa")
	if len(doc.find("form", "id", "mfa-form")) != 0 {
		t.Error("the code form is offered to a user without TOTP")
	}
	doc.byID(t, "passkey-unsupported")
	// A code posted anyway is refused on the same page.
	b.post("/login/mfa", url.Values{"code": {"123456"}}).want(t, http.StatusUnauthorized).page(t).byID(t, "passkey-mfa")
	if stage := passkeySignIn(t, b, a); stage != "full" {
		t.Fatalf("passkey as second factor: stage %q", stage)
	}
	b.get("/account").want(t, http.StatusOK)

	// With TOTP too, the page offers both, and needs no fallback note.
	enrolTOTP(t, b, c)
	b, _ = env.signIn(t, "twostep@example.com", goodPassword)
	doc = b.get("/login/mfa").want(t, http.StatusOK).page(t)
	doc.byID(t, "mfa-form")
	doc.byID(t, "passkey-mfa")
	if len(doc.find("", "id", "passkey-unsupported")) != 0 {
		t.Error("the passkey-only note is shown to a user with TOTP")
	}
}

// TestSecondFactorPageWithoutPasskeys checks that a TOTP-only user gets
// the code form and no passkey script.
func TestSecondFactorPageWithoutPasskeys(t *testing.T) {
	c := &clock{t: time.Now()}
	env := newPageEnv(t, authtest.Options{Now: c.now})
	enrolTOTP(t, env.signUp(t, "codes@example.com", goodPassword), c)
	b, _ := env.signIn(t, "codes@example.com", goodPassword)
	doc := b.get("/login/mfa").want(t, http.StatusOK).page(t)
	doc.byID(t, "mfa-form")
	doc.byID(t, "recovery-form")
	if len(doc.find("script")) != 0 || len(doc.find("", "data-passkey", "sign-in")) != 0 {
		t.Error("the page offers a passkey to a user without one")
	}
}
