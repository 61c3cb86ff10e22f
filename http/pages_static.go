package http

import (
	"bytes"
	"io/fs"
	"net/http"
	"path"
	"time"

	"github.com/quirehq/quire"
)

// staticTypes are the asset types served under /static/; any other file
// name is not found.
var staticTypes = map[string]string{
	".css": "text/css; charset=utf-8",
	".js":  "text/javascript; charset=utf-8",
}

// staticMaxAge lets browsers reuse assets for a while without asking; the
// names are not versioned, so it stays short.
const staticMaxAge = "public, max-age=300"

// registerStatic serves the embedded stylesheet and scripts. The CSP allows
// scripts and styles from this origin only, so everything the pages need
// comes from here.
func (s *Server) registerStatic() {
	s.Handle("GET /static/{name}", serveStatic)
}

// serveStatic serves one embedded asset by name. Names are single path
// segments (ServeMux matched {name}), so nothing outside static/ is
// reachable.
func serveStatic(w http.ResponseWriter, r *http.Request) error {
	name := r.PathValue("name")
	ctype, ok := staticTypes[path.Ext(name)]
	if !ok || !fs.ValidPath(name) {
		return quire.Errorf(quire.ENOTFOUND, "Not found.")
	}
	b, err := pageFS.ReadFile("static/" + name)
	if err != nil {
		return quire.Errorf(quire.ENOTFOUND, "Not found.")
	}
	h := w.Header()
	h.Set("Content-Type", ctype)
	h.Set("Cache-Control", staticMaxAge)
	http.ServeContent(w, r, name, time.Time{}, bytes.NewReader(b))
	return nil
}
