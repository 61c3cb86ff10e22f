package http

import (
	"bufio"
	"net"
	"net/http"
)

// responseWriter records whether the response has started, so that errors
// and panics are not rendered on top of a response already under way.
// Unwrap keeps http.ResponseController (deadlines, flushing) working.
type responseWriter struct {
	http.ResponseWriter
	started bool
}

// WriteHeader records the start of the response; 1xx informational
// headers other than 101 do not start it.
func (w *responseWriter) WriteHeader(code int) {
	if code >= 200 || code == http.StatusSwitchingProtocols {
		w.started = true
	}
	w.ResponseWriter.WriteHeader(code)
}

// Write records the start of the response.
func (w *responseWriter) Write(p []byte) (int, error) {
	w.started = true
	return w.ResponseWriter.Write(p)
}

// Flush implements http.Flusher for handlers that assert it directly.
func (w *responseWriter) Flush() {
	w.started = true
	_ = http.NewResponseController(w.ResponseWriter).Flush()
}

// Hijack implements http.Hijacker for handlers that assert it directly.
func (w *responseWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	w.started = true
	return http.NewResponseController(w.ResponseWriter).Hijack()
}

// Unwrap returns the wrapped ResponseWriter for http.ResponseController.
func (w *responseWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// responseStarted reports whether a responseWriter in w's Unwrap chain has
// seen the response start. It is false when there is none.
func responseStarted(w http.ResponseWriter) bool {
	for w != nil {
		if rw, ok := w.(*responseWriter); ok {
			return rw.started
		}
		u, ok := w.(interface{ Unwrap() http.ResponseWriter })
		if !ok {
			return false
		}
		w = u.Unwrap()
	}
	return false
}
