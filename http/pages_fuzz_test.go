package http_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/quirehq/quire/auth"
	quirehttp "github.com/quirehq/quire/http"
	"github.com/quirehq/quire/internal/authtest"
)

// FuzzPageForms posts arbitrary bodies to every form that takes
// untrusted input before sign-in: none may fail with a 5xx or answer with
// anything but a page or a redirect.
func FuzzPageForms(f *testing.F) {
	paths := []string{"/signup", "/login", "/login/mfa", "/forgot-password", "/reset-password", "/verify-email", "/logout"}
	f.Add(uint8(0), "email=a%40example.com&password=correct+horse+battery+staple")
	f.Add(uint8(1), "email=a%40example.com&password=x&email=b%40example.com")
	f.Add(uint8(2), "code=123456&recovery=abcde-fghij")
	f.Add(uint8(3), "email=%00%ff%fe")
	f.Add(uint8(4), "token=abc&password=%E2%80%AE%E2%80%AE%E2%80%AE%E2%80%AE%E2%80%AE%E2%80%AE")
	f.Add(uint8(5), "token="+strings.Repeat("A", 200))
	f.Add(uint8(6), "%zz=%zz&;;&&==")
	env := newPageEnv(f, authtest.Options{})
	f.Fuzz(func(t *testing.T, which uint8, body string) {
		path := paths[int(which)%len(paths)]
		req := httptest.NewRequest(http.MethodPost, pageOrigin+path, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Sec-Fetch-Site", "same-origin")
		rec := httptest.NewRecorder()
		env.srv.ServeHTTP(rec, req)
		if rec.Code >= 500 {
			t.Fatalf("POST %s %q: status %d\n%s", path, body, rec.Code, rec.Body)
		}
		if rec.Code != http.StatusSeeOther && !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/html") {
			t.Fatalf("POST %s %q: status %d with %q", path, body, rec.Code, rec.Header().Get("Content-Type"))
		}
	})
}

// FuzzPasskeyRemoveForm posts arbitrary passkey IDs and bodies to the
// remove form of a signed-in user: none may fail with a 5xx, and each
// answer is a page, a redirect, or the router's own answer to a path it
// does not route (not found, or a redirect to the cleaned path).
func FuzzPasskeyRemoveForm(f *testing.F) {
	f.Add("01J00000000000000000000000", "password=correct+horse")
	f.Add(strings.Repeat("z", 26), "password=")
	f.Add("..", "password=%00%ff&password=x")
	f.Add("x y/z", "%zz=%zz&;;")
	f.Add("", "password="+strings.Repeat("p", 5000))
	env := newPageEnv(f, authtest.Options{Config: auth.Config{LockoutAttempts: 1 << 20}})
	_, login, err := env.svc.SignUp(context.Background(), "fuzz@example.com", goodPassword, auth.Client{})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, id, body string) {
		b := env.browser(t)
		b.cookies[quirehttp.SessionCookie] = login.Token
		req := httptest.NewRequest(http.MethodPost, pageOrigin+"/account/passkeys/"+url.PathEscape(id)+"/remove", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		resp := b.send(req)
		ctype := resp.Header.Get("Content-Type")
		switch {
		case resp.StatusCode >= 500:
			t.Fatalf("POST remove %q %q: status %d\n%s", id, body, resp.StatusCode, resp.body)
		case resp.StatusCode >= 300 && resp.StatusCode < 400, strings.HasPrefix(ctype, "text/html"):
		case resp.StatusCode == http.StatusNotFound && strings.HasPrefix(ctype, "application/json"):
		default:
			t.Fatalf("POST remove %q %q: status %d with %q", id, body, resp.StatusCode, ctype)
		}
	})
}
