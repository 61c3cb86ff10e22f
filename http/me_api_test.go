package http_test

import (
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"
	"github.com/quirehq/quire/internal/authtest"
	"github.com/quirehq/quire/mail"
)

// TestAPIUpdateMe corrects the name at once and the address through its
// link, by session or API key, and refuses what it must.
func TestAPIUpdateMe(t *testing.T) {
	e := newFullAPI(t)
	u := e.user("fix@example.com")
	e.user("taken@example.com")
	for _, body := range []any{map[string]any{}, map[string]any{"nmae": "x"}, map[string]any{"name": " "},
		map[string]any{"name": strings.Repeat("x", 201)}, map[string]any{"email": "not an address", "password": apiPassword}} {
		u.want(u.do(http.MethodPatch, "/api/v1/me", body), 400, "invalid_input")
	}
	got := u.want(u.do(http.MethodPatch, "/api/v1/me", map[string]any{"name": "Ada Lovelace"}), 200, "")
	if user := got.body["user"].(map[string]any); user["name"] != "Ada Lovelace" || got.body["emailChangePending"] != false {
		t.Fatalf("PATCH name = %v", got.body)
	}

	u.want(u.do(http.MethodPatch, "/api/v1/me", map[string]any{"email": "new@example.com"}), 400, "invalid_input")
	u.want(u.do(http.MethodPatch, "/api/v1/me", map[string]any{"email": "new@example.com", "password": "wrong"}), 401, "invalid_credentials")
	// A refused address leaves the name alone too.
	u.want(u.do(http.MethodPatch, "/api/v1/me", map[string]any{"name": "Not Saved", "email": "new@example.com", "password": "wrong"}), 401, "invalid_credentials")
	got = u.want(u.do(http.MethodPatch, "/api/v1/me", map[string]any{"email": "New@Example.com", "password": apiPassword}), 200, "")
	if user := got.body["user"].(map[string]any); user["email"] != "fix@example.com" || user["name"] != "Ada Lovelace" || got.body["emailChangePending"] != true {
		t.Fatalf("PATCH email = %v", got.body)
	}
	link := authtest.Link(t, e.outbox, mail.KindEmailChangeConfirm)
	if link.Path != "/verify-email" {
		t.Fatalf("the confirmation link is %s", link.Path)
	}
	notices := authtest.Files(t, e.outbox, mail.KindEmailChangeNotice)
	if len(notices) != 1 || !fileHolds(t, notices[0], "fix@example.com") {
		t.Fatalf("notices to the old address: %v", notices)
	}
	anon := u.clone()
	anon.want(anon.do(http.MethodPost, "/api/v1/auth/verify-email", map[string]any{"token": link.Query().Get("token")}), 204, "")
	if me := u.want(u.do(http.MethodGet, "/api/v1/me", nil), 200, ""); me.body["email"] != "new@example.com" || me.body["emailVerified"] != true {
		t.Fatalf("after confirmation: %v", me.body)
	}

	// With an API key too; an address another account has is refused
	// only when its link is opened.
	key := u.want(u.do(http.MethodPost, "/api/v1/api-keys", map[string]any{"name": "script", "password": apiPassword}), 201, "").body["key"].(string)
	script := u.clone()
	script.bearer, script.site = "Bearer "+key, "cross-site"
	script.want(script.do(http.MethodPatch, "/api/v1/me", map[string]any{"name": "By Script"}), 200, "")
	got = script.want(script.do(http.MethodPatch, "/api/v1/me", map[string]any{"email": "taken@example.com", "password": apiPassword}), 200, "")
	if got.body["emailChangePending"] != true {
		t.Fatalf("a taken address answered %v", got.body)
	}
	token := authtest.Token(t, e.outbox, mail.KindEmailChangeConfirm)
	anon.want(anon.do(http.MethodPost, "/api/v1/auth/verify-email", map[string]any{"token": token}), 409, "conflict")

	cross := u.clone()
	cross.cookie, cross.site = u.cookie, "cross-site"
	cross.want(cross.do(http.MethodPatch, "/api/v1/me", map[string]any{"name": "CSRF"}), 403, "cross_origin_request")
}

// TestAPIDeleteMe: only a re-authenticated browser session deletes the
// account; an API key, a cross-site request, a wrong password and a
// missing second factor are refused.
func TestAPIDeleteMe(t *testing.T) {
	e := newFullAPI(t)
	u := e.user("gone@example.com")
	key := u.want(u.do(http.MethodPost, "/api/v1/api-keys", map[string]any{"name": "script", "password": apiPassword}), 201, "").body["key"].(string)
	script := u.clone()
	script.bearer = "Bearer " + key
	script.want(script.do(http.MethodDelete, "/api/v1/me", map[string]any{"password": apiPassword}), 403, "forbidden")
	withBoth := u.clone()
	withBoth.cookie, withBoth.bearer = u.cookie, "Bearer "+key
	withBoth.want(withBoth.do(http.MethodDelete, "/api/v1/me", map[string]any{"password": apiPassword}), 403, "forbidden")
	cross := u.clone()
	cross.cookie, cross.site = u.cookie, "cross-site"
	cross.want(cross.do(http.MethodDelete, "/api/v1/me", map[string]any{"password": apiPassword}), 403, "cross_origin_request")
	anon := u.clone()
	anon.want(anon.do(http.MethodDelete, "/api/v1/me", map[string]any{"password": apiPassword}), 401, "unauthorized")
	u.want(u.do(http.MethodDelete, "/api/v1/me", map[string]any{"password": "wrong"}), 401, "invalid_credentials")
	u.want(u.do(http.MethodDelete, "/api/v1/me", map[string]any{}), 400, "invalid_input")
	u.want(u.do(http.MethodDelete, "/api/v1/me", map[string]any{"password": apiPassword, "confirm": true}), 400, "invalid_input")

	cookie := u.cookie
	got := u.want(u.do(http.MethodDelete, "/api/v1/me", map[string]any{"password": apiPassword}), 202, "")
	if got.body["status"] != "shredded" || got.body["deadline"] == nil || u.cookie != "" {
		t.Fatalf("DELETE answered %v (cookie %q)", got.body, u.cookie)
	}
	if cs := got.header.Get("Clear-Site-Data"); cs != `"storage"` {
		t.Errorf("DELETE sent Clear-Site-Data %q, want the site's storage emptied", cs)
	}
	requested, _ := time.Parse(time.RFC3339Nano, got.body["requestedAt"].(string))
	deadline, _ := time.Parse(time.RFC3339Nano, got.body["deadline"].(string))
	if d := deadline.Sub(requested); d != 30*24*time.Hour {
		t.Errorf("deadline is %v after the request", d)
	}
	old := u.clone()
	old.cookie = cookie
	old.want(old.do(http.MethodGet, "/api/v1/me", nil), 401, "unauthorized")
	script.want(script.do(http.MethodGet, "/api/v1/me", nil), 401, "unauthorized")
	receipts := authtest.Files(t, e.outbox, mail.KindAccountDeleted)
	if len(receipts) != 1 || !fileHolds(t, receipts[0], "gone@example.com") {
		t.Fatalf("receipts %v", receipts)
	}
	anon.want(anon.do(http.MethodPost, "/api/v1/auth/login", creds("gone@example.com", apiPassword)), 401, "invalid_credentials")
}

// TestAPIDeleteMeNeedsSecondFactor: with an authenticator app enrolled,
// the password alone does not delete the account.
func TestAPIDeleteMeNeedsSecondFactor(t *testing.T) {
	e := newFullAPI(t)
	u := e.user("mfa-gone@example.com")
	begin := u.want(u.do(http.MethodPost, "/api/v1/me/mfa/totp", map[string]string{"password": apiPassword}), 200, "")
	uri, _ := url.Parse(begin.body["uri"].(string))
	secret := uri.Query().Get("secret")
	code, _ := totp.GenerateCode(secret, time.Now())
	u.want(u.do(http.MethodPost, "/api/v1/me/mfa/totp/confirm", map[string]string{"code": code}), 200, "")
	u.want(u.do(http.MethodDelete, "/api/v1/me", map[string]any{"password": apiPassword}), 403, "mfa_required")
	u.want(u.do(http.MethodDelete, "/api/v1/me", map[string]any{"password": apiPassword, "code": "000000"}), 401, "invalid_credentials")
	code, _ = totp.GenerateCode(secret, time.Now().Add(30*time.Second))
	u.want(u.do(http.MethodDelete, "/api/v1/me", map[string]any{"password": apiPassword, "code": code}), 202, "")
}

// fileHolds reports whether the file at path holds s.
func fileHolds(t *testing.T, path, s string) bool {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return strings.Contains(string(b), s)
}
