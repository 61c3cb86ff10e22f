package http_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/quirehq/quire/internal/authtest"
)

// TestPagesRender gets every form page and checks that it renders with
// its form, the page rules (no inline code, labels, autocomplete) and the
// headers of a page that must not be cached.
func TestPagesRender(t *testing.T) {
	env := newPageEnv(t, authtest.Options{})
	user := env.signUp(t, "render@example.com", goodPassword)
	anon := env.browser(t)
	tests := []struct {
		b    *browser
		path string
		form string
	}{
		{anon, "/signup", "signup-form"},
		{anon, "/login", "login-form"},
		{anon, "/forgot-password", "forgot-form"},
		{anon, "/verify-email?token=abc", "verify-form"},
		{anon, "/reset-password?token=abc", "reset-form"},
		{user, "/account", "api-key-form"},
		{user, "/account/password", "password-form"},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			doc := tt.b.get(tt.path).want(t, http.StatusOK).page(t)
			if f := doc.byID(t, tt.form); f.name != "form" {
				t.Errorf("#%s is a <%s>", tt.form, f.name)
			}
		})
	}
}

// TestPageRulesCatchInlineCode proves the page checks would fail on what
// the CSP forbids, so that their silence on the real pages means something.
func TestPageRulesCatchInlineCode(t *testing.T) {
	good := `<!doctype html><html lang="en"><head><title>x</title>` +
		`<script src="/static/strength.js" defer></script></head><body><h1>x</h1>BODY</body></html>`
	bad := map[string]string{
		"inline script":    `<script>alert(1)</script>`,
		"style element":    `<style>p{}</style>`,
		"style attribute":  `<p style="color:red">x</p>`,
		"event handler":    `<button onclick="go()">x</button>`,
		"javascript URL":   `<a href=" JavaScript:go()">x</a>`,
		"foreign script":   `<script src="https://cdn.example/x.js"></script>`,
		"GET form":         `<form method="get" action="/login"></form>`,
		"unlabelled input": `<input type="text" id="x" name="x">`,
		"password hint":    `<label for="p">P</label><input type="password" id="p" name="p">`,
	}
	doc, err := parseHTML(strings.Replace(good, "BODY", "", 1))
	if err != nil || len(pageProblems(doc)) != 0 {
		t.Fatalf("clean page: err %v, problems %v", err, pageProblems(doc))
	}
	for name, body := range bad {
		doc, err := parseHTML(strings.Replace(good, "BODY", body, 1))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if len(pageProblems(doc)) == 0 {
			t.Errorf("%s: no problem found", name)
		}
	}
	for _, broken := range []string{`<p class="x>`, `<p a=1 a=2>`, `<!-- x`, `<script>x`} {
		if _, err := parseHTML(broken); err == nil {
			t.Errorf("parseHTML(%q) = nil error", broken)
		}
	}
}

func TestHomeRedirects(t *testing.T) {
	env := newPageEnv(t, authtest.Options{})
	// The first visitor of a server with no account is welcomed (see
	// TestFirstRunWelcome); once an account exists, / asks to sign in.
	env.browser(t).get("/").want(t, http.StatusOK).contains(t, `id="welcome-signup"`)
	signedIn := env.signUp(t, "home@example.com", goodPassword)
	env.browser(t).get("/").redirect(t, "/login")
	signedIn.get("/").redirect(t, "/app")
	// Unknown paths keep the JSON error of the rest of the server.
	resp := env.browser(t).get("/no-such-page").want(t, http.StatusNotFound)
	if e := decodeError(t, resp.body); e.Error.Code != "not_found" {
		t.Errorf("code %q", e.Error.Code)
	}
}

func TestStaticAssets(t *testing.T) {
	env := newPageEnv(t, authtest.Options{})
	b := env.browser(t)
	for path, ctype := range map[string]string{
		"/static/quire.css":   "text/css; charset=utf-8",
		"/static/strength.js": "text/javascript; charset=utf-8",
		"/static/passkeys.js": "text/javascript; charset=utf-8",
	} {
		resp := b.get(path).want(t, http.StatusOK)
		if got := resp.Header.Get("Content-Type"); got != ctype {
			t.Errorf("%s: Content-Type %q, want %q", path, got, ctype)
		}
		if resp.Header.Get("X-Content-Type-Options") != "nosniff" || len(resp.body) < 100 {
			t.Errorf("%s: nosniff missing or body short (%d bytes)", path, len(resp.body))
		}
	}
	for _, path := range []string{"/static/", "/static/missing.js", "/static/layout.html", "/static/..%2flayout.html"} {
		if resp := b.get(path); resp.StatusCode != http.StatusNotFound {
			t.Errorf("%s: status %d, want 404", path, resp.StatusCode)
		}
	}
}

// TestStrengthMeterIsWiredIn checks that the pages that set a new password
// load the meter and name its output, and that the API it calls answers
// a same-origin request from the page.
func TestStrengthMeterIsWiredIn(t *testing.T) {
	env := newPageEnv(t, authtest.Options{})
	for _, path := range []string{"/signup", "/reset-password?token=x"} {
		doc := env.browser(t).get(path).want(t, http.StatusOK).page(t)
		if len(doc.find("script", "src", "/static/strength.js")) != 1 {
			t.Errorf("%s: strength.js not loaded", path)
		}
		in := doc.find("input", "type", "password")
		if len(in) != 1 || doc.byID(t, in[0].attrs["data-strength"]).name != "p" {
			t.Errorf("%s: password input not tied to a strength output", path)
		}
	}
	if doc := env.browser(t).get("/login").page(t); len(doc.find("script", "src", "/static/strength.js")) != 0 {
		t.Error("/login loads the strength meter it does not need")
	}
	b := env.browser(t)
	req := jsonRequest(http.MethodPost, "/api/v1/auth/password-strength", `{"password":"correct horse battery staple","email":"a@example.com"}`)
	resp := b.send(req).want(t, http.StatusOK)
	if !strings.Contains(resp.body, `"score":4`) {
		t.Errorf("strength answer %s, want score 4", resp.body)
	}
}

// jsonRequest is a same-origin fetch() with a JSON body.
func jsonRequest(method, path, body string) *http.Request {
	req, _ := http.NewRequest(method, pageOrigin+path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	return req
}

func TestFormBodyLimit(t *testing.T) {
	env := newPageEnv(t, authtest.Options{})
	form := url.Values{"email": {"a@example.com"}, "password": {strings.Repeat("x", 100<<10)}}
	resp := env.browser(t).post("/login", form).want(t, http.StatusRequestEntityTooLarge)
	resp.page(t)
	resp.contains(t, "The form was too large to send.")
}
