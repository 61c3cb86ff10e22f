package http

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"html/template"
	"net/http"
	"strconv"
	"sync"

	"github.com/quirehq/quire"
)

// The web app: GET /app (and any path under it, which the app routes in
// the browser) serves one page that loads the bundled app.js and app.css.
// The bundle is built from web/ and committed (see README, "Web app"), so
// the binary needs nothing at run time but its own embedded files.

// appTemplate is the app's page; welcomeTemplate the first-run page, shown
// at / while the server has no account yet.
var (
	appTemplate     = template.Must(template.New("app").ParseFS(pageFS, "templates/app.html"))
	welcomeTemplate = template.Must(template.New("welcome").ParseFS(pageFS, "templates/layout.html", "templates/welcome.html"))
)

// appView is what app.html sees: the asset URLs, each with the hash of the
// embedded file so a new build is fetched at once, and the signed-in
// user's ID, which keys what the app keeps in the browser's storage so
// that another account signed in on the same browser never reads or sends
// it.
type appView struct {
	Script, Style string
	User          string
}

// assetHashes caches the content hash of each embedded asset by name.
var assetHashes sync.Map

// assetHash returns a short hex hash of the embedded asset static/name, or
// "" if there is none.
func assetHash(name string) string {
	if v, ok := assetHashes.Load(name); ok {
		return v.(string)
	}
	b, err := pageFS.ReadFile("static/" + name)
	if err != nil {
		return ""
	}
	v := contentVersion(b)
	assetHashes.Store(name, v)
	return v
}

// contentVersion is the version of an asset's content in its URL: the
// first 64 bits of its SHA-256, in hex.
func contentVersion(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:8])
}

// assetURL is /static/name?v=hash.
func assetURL(name string) string {
	return "/static/" + name + "?v=" + assetHash(name)
}

// registerApp adds the web app's routes.
func (s *Server) registerApp() {
	s.page("GET /app", s.needSession(s.pageApp, false))
	s.page("GET /app/{rest...}", s.needSession(s.pageApp, false))
}

// pageApp serves the app's page to a signed-in browser.
func (s *Server) pageApp(w http.ResponseWriter, r *http.Request, sess *quire.Session) error {
	var buf bytes.Buffer
	v := appView{Script: assetURL("app.js"), Style: assetURL("app.css"), User: sess.UserID}
	if err := appTemplate.ExecuteTemplate(&buf, "app", v); err != nil {
		return fmt.Errorf("http: render the app page: %w", err)
	}
	return writeHTML(w, &buf)
}

// pageWelcome is the first-run page: what Quire is, and the way to the
// first account.
func pageWelcome(w http.ResponseWriter) error {
	var buf bytes.Buffer
	if err := welcomeTemplate.ExecuteTemplate(&buf, "layout", &view{Title: "Welcome to Quire"}); err != nil {
		return fmt.Errorf("http: render the welcome page: %w", err)
	}
	return writeHTML(w, &buf)
}

// writeHTML sends a rendered page with 200, no-store like every page.
func writeHTML(w http.ResponseWriter, buf *bytes.Buffer) error {
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Length", strconv.Itoa(buf.Len()))
	w.WriteHeader(http.StatusOK)
	_, err := w.Write(buf.Bytes())
	return err
}
