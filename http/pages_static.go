package http

import (
	"bytes"
	"compress/gzip"
	"io/fs"
	"net/http"
	"path"
	"strings"
	"sync"
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

// staticVersionedMaxAge is for a URL that names the asset's content hash
// (?v=, see assetURL): a new build has a new URL, so it never goes stale.
const staticVersionedMaxAge = "public, max-age=31536000, immutable"

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
	if len(b) >= gzipMinBytes {
		h.Add("Vary", "Accept-Encoding")
		if acceptsGzip(r) {
			b = gzipped(name, b)
			h.Set("Content-Encoding", "gzip")
		}
	}
	if v := r.URL.Query().Get("v"); v != "" && v == assetHash(name) {
		h.Set("Cache-Control", staticVersionedMaxAge)
	} else {
		h.Set("Cache-Control", staticMaxAge)
	}
	http.ServeContent(w, r, name, time.Time{}, bytes.NewReader(b))
	return nil
}

// gzipMinBytes is the size from which an asset is sent compressed to a
// browser that accepts it (the app's bundle shrinks to about a third).
const gzipMinBytes = 1024

// gzipCache holds each compressed asset by name: the embedded files never
// change while the binary runs, so each is compressed once.
var gzipCache sync.Map

// gzipped returns the gzip form of the embedded asset name with content b.
func gzipped(name string, b []byte) []byte {
	if v, ok := gzipCache.Load(name); ok {
		return v.([]byte)
	}
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression) // a valid level never fails
	_, _ = zw.Write(b)                                       // writes to a bytes.Buffer do not fail
	_ = zw.Close()
	v, _ := gzipCache.LoadOrStore(name, buf.Bytes())
	return v.([]byte)
}

// acceptsGzip reports whether the request's Accept-Encoding allows gzip
// (listed, and not with q=0).
func acceptsGzip(r *http.Request) bool {
	for _, field := range r.Header.Values("Accept-Encoding") {
		for _, part := range strings.Split(field, ",") {
			coding, params, _ := strings.Cut(strings.TrimSpace(part), ";")
			if !strings.EqualFold(strings.TrimSpace(coding), "gzip") {
				continue
			}
			q := strings.ReplaceAll(strings.ToLower(params), " ", "")
			return q != "q=0" && q != "q=0.0" && q != "q=0.00" && q != "q=0.000"
		}
	}
	return false
}
