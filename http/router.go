package http

import (
	"net/http"
	"slices"
	"sync"

	"github.com/quirehq/quire"
)

// HandlerFunc is a handler that returns an error instead of writing it; the
// server renders the error with Error.
type HandlerFunc func(w http.ResponseWriter, r *http.Request) error

// Handle registers h for pattern, a net/http ServeMux pattern such as
// "GET /api/v1/notes/{id}". An error h returns is rendered with Error. Like
// ServeMux, it panics on an invalid or conflicting pattern: that is a wiring
// mistake, found at start-up.
func (s *Server) Handle(pattern string, h HandlerFunc) {
	s.mux.Handle(pattern, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := h(w, r); err != nil {
			Error(w, r, s.logger, err)
		}
	}))
	s.routes.add(pattern) // after: a pattern the mux refused is not recorded
}

// Mount registers a plain http.Handler for pattern, for handlers that render
// their own responses (a file server, a sub-router). It panics on an invalid
// or conflicting pattern, like Handle.
func (s *Server) Mount(pattern string, h http.Handler) {
	s.mux.Handle(pattern, h)
	s.routes.add(pattern)
}

// Routes returns the patterns registered with Handle and Mount, sorted, as
// they were given to the ServeMux ("GET /api/v1/notes/{id}"): what the
// OpenAPI document is checked against.
func (s *Server) Routes() []string {
	s.routes.mu.Lock()
	defer s.routes.mu.Unlock()
	out := slices.Clone(s.routes.patterns)
	slices.Sort(out)
	return out
}

// routeList records the registered patterns. Registration goes on after
// NewServer (cmd/quire mounts the gateway and the trust report), so reads
// and writes are guarded.
type routeList struct {
	mu       sync.Mutex
	patterns []string
}

// add records pattern.
func (l *routeList) add(pattern string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.patterns = append(l.patterns, pattern)
}

// route dispatches r through the ServeMux. ServeMux answers unknown routes
// (404) and wrong methods (405, with Allow) in plain text; those responses
// are intercepted and rendered in the JSON error shape instead.
func (s *Server) route(w http.ResponseWriter, r *http.Request) {
	if _, pattern := s.mux.Handler(r); pattern != "" {
		s.mux.ServeHTTP(w, r)
		return
	}
	fw := &fallbackWriter{ResponseWriter: w}
	s.mux.ServeHTTP(fw, r)
	switch fw.status {
	case http.StatusNotFound:
		Error(w, r, s.logger, quire.Errorf(quire.ENOTFOUND, "Not found."))
	case http.StatusMethodNotAllowed:
		Error(w, r, s.logger, quire.Errorf(EMETHODNOTALLOWED, "Method not allowed."))
	}
}

// fallbackWriter swallows ServeMux's own 404 and 405 responses, keeping the
// headers it set (Allow), and passes anything else through (a redirect to a
// cleaned path).
type fallbackWriter struct {
	http.ResponseWriter
	status int
}

// WriteHeader records a 404 or 405 instead of sending it.
func (f *fallbackWriter) WriteHeader(code int) {
	if code == http.StatusNotFound || code == http.StatusMethodNotAllowed {
		f.status = code
		return
	}
	f.ResponseWriter.WriteHeader(code)
}

// Write drops the plain-text body of an intercepted response.
func (f *fallbackWriter) Write(p []byte) (int, error) {
	if f.status != 0 {
		return len(p), nil
	}
	return f.ResponseWriter.Write(p)
}

// Unwrap returns the wrapped ResponseWriter.
func (f *fallbackWriter) Unwrap() http.ResponseWriter { return f.ResponseWriter }
