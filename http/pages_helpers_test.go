package http_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/quirehq/quire/auth"
	quirehttp "github.com/quirehq/quire/http"
	"github.com/quirehq/quire/internal/authtest"
)

// pageOrigin is the origin the page tests send requests to.
const pageOrigin = "https://quire.test"

// pageEnv is a full server stack with the account pages over a real
// auth.Service (SQLite, Argon2id, outbox).
type pageEnv struct {
	srv    *quirehttp.Server
	svc    *auth.Service
	outbox string
	logs   *logBuffer
}

// newPageEnv builds the stack; o configures the auth service.
func newPageEnv(t testing.TB, o authtest.Options) *pageEnv {
	t.Helper()
	svc, outbox := authtest.NewWith(t, o)
	logger, logs := newLogger()
	// A high throttle: these tests sign in more often than a person would.
	srv := quirehttp.NewServer(quirehttp.Config{Auth: svc, AuthBurst: 1 << 30, Logger: logger})
	return &pageEnv{srv: srv, svc: svc, outbox: outbox, logs: logs}
}

// browser is a cookie-keeping client of a pageEnv that sends what a
// browser sends with a same-origin form.
type browser struct {
	t       *testing.T
	env     *pageEnv
	cookies map[string]string
	// site is the Sec-Fetch-Site header sent with every request.
	site string
}

func (e *pageEnv) browser(t *testing.T) *browser {
	return &browser{t: t, env: e, cookies: map[string]string{}, site: "same-origin"}
}

// pageResponse is a response with its body read.
type pageResponse struct {
	*http.Response
	body   string
	method string
	path   string
}

// get fetches path.
func (b *browser) get(path string) *pageResponse {
	b.t.Helper()
	return b.send(httptest.NewRequest(http.MethodGet, pageOrigin+path, nil))
}

// post sends form to path as a browser form would.
func (b *browser) post(path string, form url.Values) *pageResponse {
	b.t.Helper()
	req := httptest.NewRequest(http.MethodPost, pageOrigin+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", pageOrigin)
	return b.send(req)
}

// send runs req through the whole stack with the browser's cookies and
// keeps the cookies of the response.
func (b *browser) send(req *http.Request) *pageResponse {
	b.t.Helper()
	if b.site != "" {
		req.Header.Set("Sec-Fetch-Site", b.site)
	}
	req.Header.Set("User-Agent", "PageTest/1.0")
	for name, value := range b.cookies {
		req.AddCookie(&http.Cookie{Name: name, Value: value})
	}
	rec := httptest.NewRecorder()
	b.env.srv.ServeHTTP(rec, req)
	resp := rec.Result()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		b.t.Fatal(err)
	}
	for _, c := range resp.Cookies() {
		if c.MaxAge < 0 || c.Value == "" {
			delete(b.cookies, c.Name)
		} else {
			b.cookies[c.Name] = c.Value
		}
	}
	return &pageResponse{Response: resp, body: string(body), method: req.Method, path: req.URL.Path}
}

// session returns the session cookie the browser holds, or "".
func (b *browser) session() string { return b.cookies[quirehttp.SessionCookie] }

// want fails the test unless the response has the status.
func (r *pageResponse) want(t *testing.T, status int) *pageResponse {
	t.Helper()
	if r.StatusCode != status {
		t.Fatalf("%s %s: status %d, want %d; body:\n%s", r.method, r.path, r.StatusCode, status, r.body)
	}
	return r
}

// redirect fails the test unless the response is a 303 to location.
func (r *pageResponse) redirect(t *testing.T, location string) {
	t.Helper()
	r.want(t, http.StatusSeeOther)
	if got := r.Header.Get("Location"); got != location {
		t.Fatalf("%s %s: Location %q, want %q", r.method, r.path, got, location)
	}
}

// contains fails the test unless the body holds each of parts.
func (r *pageResponse) contains(t *testing.T, parts ...string) {
	t.Helper()
	for _, p := range parts {
		if !strings.Contains(r.body, p) {
			t.Errorf("%s %s: body lacks %q:\n%s", r.method, r.path, p, r.body)
		}
	}
}

// page parses the body as an HTML page and checks the rules every page
// keeps (see checkPage).
func (r *pageResponse) page(t *testing.T) *htmlDoc {
	t.Helper()
	if ct := r.Header.Get("Content-Type"); ct != "text/html; charset=utf-8" {
		t.Fatalf("%s: Content-Type %q", r.path, ct)
	}
	if cc := r.Header.Get("Cache-Control"); cc != "no-store" {
		t.Errorf("%s: Cache-Control %q, want no-store", r.path, cc)
	}
	if csp := r.Header.Get("Content-Security-Policy"); csp != quirehttp.ContentSecurityPolicy {
		t.Errorf("%s: Content-Security-Policy %q", r.path, csp)
	}
	doc, err := parseHTML(r.body)
	if err != nil {
		t.Fatalf("%s: %v", r.path, err)
	}
	checkPage(t, r.path, doc)
	return doc
}

// signUp creates an account through the sign-up page and returns its
// browser, signed in.
func (e *pageEnv) signUp(t *testing.T, email, password string) *browser {
	t.Helper()
	b := e.signUpUnverified(t, email, password)
	// Confirm the address as its link would: adding a second factor or an
	// API key needs it.
	if err := e.svc.ConfirmAddress(context.Background(), email); err != nil {
		t.Fatal(err)
	}
	return b
}

// signUpUnverified signs up through the page and leaves the address
// unconfirmed.
func (e *pageEnv) signUpUnverified(t *testing.T, email, password string) *browser {
	t.Helper()
	b := e.browser(t)
	b.post("/signup", url.Values{"email": {email}, "password": {password}}).redirect(t, "/account")
	if b.session() == "" {
		t.Fatal("sign-up set no session cookie")
	}
	return b
}

// signIn signs in through the login page and returns the browser and
// where the login page sent it.
func (e *pageEnv) signIn(t *testing.T, email, password string) (*browser, string) {
	t.Helper()
	b := e.browser(t)
	resp := b.post("/login", url.Values{"email": {email}, "password": {password}}).want(t, http.StatusSeeOther)
	return b, resp.Header.Get("Location")
}

// goodPassword is a password every check accepts.
const goodPassword = "correct horse battery staple 42"
