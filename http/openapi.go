package http

import (
	"bytes"
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"net/http"
	"time"
)

// openAPIDocument is the OpenAPI 3.1 description of every route of the
// JSON API, the AI gateway and the health and trust routes. The tests
// check it against the routes the server registers, both ways.
//
//go:embed openapi.json
var openAPIDocument []byte

// openAPIPath is where the server publishes openAPIDocument.
const openAPIPath = "/api/v1/openapi.json"

// openAPIETag is the document's entity tag: its hash, so that it changes
// with every edit and a client's cached copy is revalidated.
var openAPIETag = func() string {
	sum := sha256.Sum256(openAPIDocument)
	return `"` + hex.EncodeToString(sum[:16]) + `"`
}()

// registerOpenAPI serves GET /api/v1/openapi.json. The document holds no
// user data, so unlike every other API answer it may be cached, by anyone.
func (s *Server) registerOpenAPI() {
	s.Handle("GET "+openAPIPath, func(w http.ResponseWriter, r *http.Request) error {
		h := w.Header()
		h.Set("Content-Type", "application/json")
		h.Set("Cache-Control", "public, max-age=300")
		h.Set("ETag", openAPIETag)
		// ServeContent answers If-None-Match (304), HEAD and ranges.
		http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(openAPIDocument))
		return nil
	})
}
