package http_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

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
