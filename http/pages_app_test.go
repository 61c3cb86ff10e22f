package http_test

import (
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/quirehq/quire/internal/authtest"
)

// assetRef matches the versioned asset URLs of the app page.
var assetRef = regexp.MustCompile(`(?:src|href)="(/static/(app\.(?:js|css))\?v=([0-9a-f]+))"`)

// TestAppPageNeedsSession: /app and every path under it serve the app to
// a signed-in browser and send anyone else to sign in.
func TestAppPageNeedsSession(t *testing.T) {
	env := newPageEnv(t, authtest.Options{})
	anon := env.browser(t)
	for _, p := range []string{"/app", "/app/notes/k5qzm3x7w2ab4cd6ef7gh2ij3k", "/app/anything/else"} {
		anon.get(p).redirect(t, "/login")
	}
	b := env.signUp(t, "app@example.com", goodPassword)
	// The page names the user by ID (never by address): the app keys what
	// it keeps in the browser by it.
	user := accountID(t, env, b)
	for _, p := range []string{"/app", "/app/notes/k5qzm3x7w2ab4cd6ef7gh2ij3k", "/app/shared/x/y"} {
		r := b.get(p).want(t, http.StatusOK)
		r.page(t) // CSP and no-store headers, no inline script, style or handler
		if strings.Contains(r.body, "app@example.com") {
			t.Errorf("GET %s: the app page holds the user's address", p)
		}
		r.contains(t, `<div id="app" data-user="`+user+`">`, `<script type="module" src="/static/app.js?v=`, `<link rel="stylesheet" href="/static/app.css?v=`)
		assertSecurityHeaders(t, r.Header, hstsWant)
	}
}

// TestAppAssetsVersioned: the app page names each bundle by the hash of
// the file the server serves, so a new build changes the URL; a URL with
// the current hash may be cached for good, any other only briefly.
func TestAppAssetsVersioned(t *testing.T) {
	env := newPageEnv(t, authtest.Options{})
	b := env.signUp(t, "assets@example.com", goodPassword)
	page := b.get("/app").want(t, http.StatusOK)
	refs := assetRef.FindAllStringSubmatch(page.body, -1)
	if len(refs) != 2 {
		t.Fatalf("the app page names %d versioned assets, want app.js and app.css:\n%s", len(refs), page.body)
	}
	seen := map[string]string{}
	for _, m := range refs {
		url, name, v := m[1], m[2], m[3]
		resp := b.get(url).want(t, http.StatusOK)
		sum := sha256.Sum256([]byte(resp.body))
		if want := hex.EncodeToString(sum[:8]); v != want {
			t.Errorf("%s: version %s, but the served file hashes to %s", name, v, want)
		}
		if cc := resp.Header.Get("Cache-Control"); cc != "public, max-age=31536000, immutable" {
			t.Errorf("%s with its hash: Cache-Control %q, want a year, immutable", name, cc)
		}
		stale := b.get("/static/"+name+"?v=0000000000000000").want(t, http.StatusOK)
		if cc := stale.Header.Get("Cache-Control"); cc != "public, max-age=300" {
			t.Errorf("%s with another hash: Cache-Control %q, want the short default", name, cc)
		}
		wantType := map[string]string{"app.js": "text/javascript; charset=utf-8", "app.css": "text/css; charset=utf-8"}[name]
		if ct := resp.Header.Get("Content-Type"); ct != wantType {
			t.Errorf("%s: Content-Type %q, want %q", name, ct, wantType)
		}
		seen[name] = v
	}
	if seen["app.js"] == "" || seen["app.css"] == "" || seen["app.js"] == seen["app.css"] {
		t.Errorf("versions %v: want one per file, each its own", seen)
	}
	if len(page.body) > 2048 || strings.Contains(page.body, "<style") {
		t.Errorf("the app page should be a small shell with no inline style (%d bytes)", len(page.body))
	}
}

// TestFirstRunWelcome: while the server has no account, / welcomes the
// visitor and leads to sign-up; after the first sign-up it asks to sign
// in, and sends a signed-in browser to the app.
func TestFirstRunWelcome(t *testing.T) {
	env := newPageEnv(t, authtest.Options{})
	r := env.browser(t).get("/").want(t, http.StatusOK)
	doc := r.page(t)
	r.contains(t, "Welcome to Quire", `href="/signup"`, "no accounts yet")
	if links := doc.find("a"); len(links) == 0 {
		t.Fatal("the welcome page has no links")
	}
	b := env.signUp(t, "first@example.com", goodPassword)
	env.browser(t).get("/").redirect(t, "/login")
	b.get("/").redirect(t, "/app")
}

// TestStaticGzip: a browser that accepts gzip gets the bundle compressed,
// the same bytes once inflated; one that does not, or refuses it with q=0,
// gets it as it is. Either way the response varies on Accept-Encoding.
func TestStaticGzip(t *testing.T) {
	env := newPageEnv(t, authtest.Options{})
	b := env.browser(t)
	plain := b.get("/static/app.js").want(t, http.StatusOK)
	if plain.Header.Get("Content-Encoding") != "" || plain.Header.Get("Vary") != "Accept-Encoding" {
		t.Fatalf("without Accept-Encoding: Content-Encoding %q, Vary %q", plain.Header.Get("Content-Encoding"), plain.Header.Get("Vary"))
	}
	for _, ae := range []string{"gzip", "gzip, deflate, br, zstd", "br;q=1.0, gzip;q=0.8"} {
		req := httptest.NewRequest(http.MethodGet, pageOrigin+"/static/app.js", nil)
		req.Header.Set("Accept-Encoding", ae)
		resp := b.send(req).want(t, http.StatusOK)
		if resp.Header.Get("Content-Encoding") != "gzip" || resp.Header.Get("Vary") != "Accept-Encoding" {
			t.Fatalf("Accept-Encoding %q: Content-Encoding %q, Vary %q", ae, resp.Header.Get("Content-Encoding"), resp.Header.Get("Vary"))
		}
		zr, err := gzip.NewReader(strings.NewReader(resp.body))
		if err != nil {
			t.Fatal(err)
		}
		inflated, err := io.ReadAll(zr)
		if err != nil {
			t.Fatal(err)
		}
		if string(inflated) != plain.body {
			t.Fatalf("Accept-Encoding %q: the inflated body differs from the file", ae)
		}
		if len(resp.body)*2 > len(plain.body) {
			t.Errorf("compressed %d bytes of %d: want less than half", len(resp.body), len(plain.body))
		}
	}
	req := httptest.NewRequest(http.MethodGet, pageOrigin+"/static/app.js", nil)
	req.Header.Set("Accept-Encoding", "gzip;q=0, identity")
	if resp := b.send(req).want(t, http.StatusOK); resp.Header.Get("Content-Encoding") != "" || resp.body != plain.body {
		t.Errorf("gzip;q=0 answered with Content-Encoding %q", resp.Header.Get("Content-Encoding"))
	}
}
