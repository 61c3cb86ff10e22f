package http

import (
	"net/http"
	"time"

	"github.com/quirehq/quire/edge/limits"
)

// observe records each request's route pattern, status class and time in
// the metrics. It sits just inside the security headers, so that it also
// times the requests the layers below refuse.
func (s *Server) observe(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		next.ServeHTTP(sw, r)
		_, pattern := s.mux.Handler(r)
		s.cfg.Metrics.Request(pattern, sw.statusOr200(), time.Since(start))
	})
}

// statusWriter remembers the status of the response.
type statusWriter struct {
	http.ResponseWriter
	status int
}

// WriteHeader records the first final status.
func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 && code >= 200 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

// Write records an implicit 200.
func (w *statusWriter) Write(p []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(p)
}

// Unwrap lets http.ResponseController reach the connection (flushes,
// deadlines).
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// statusOr200 is the recorded status, 200 when nothing was written.
func (w *statusWriter) statusOr200() int {
	if w.status == 0 {
		return http.StatusOK
	}
	return w.status
}

// registerLimitMetrics exports the in-flight and connection limits'
// counters.
func (s *Server) registerLimitMetrics() {
	m := s.cfg.Metrics
	if m == nil {
		return
	}
	m.GaugeFunc("quire_http_in_flight_requests", "Requests being served now (health checks excepted).",
		func() float64 { return float64(s.inFlight.Stats().InFlight) })
	m.CounterFunc("quire_http_shed_requests_total", "Requests answered 503 because too many were in flight.",
		func() float64 { return float64(s.inFlight.Stats().Shed) })
	m.CounterFunc("quire_http_refused_connections_total", "Connections closed at accept because their client address was at its connection cap.",
		func() float64 { return float64(s.connStats().Refused) })
	m.GaugeFunc("quire_http_open_connections", "Open connections counted against the per-address cap.",
		func() float64 { return float64(s.connStats().Open) })
}

// connStats sums the connection limits of the listeners.
func (s *Server) connStats() limits.ConnStats {
	s.mu.Lock()
	defer s.mu.Unlock()
	var sum limits.ConnStats
	for _, l := range s.connLimits {
		st := l.Stats()
		sum.Open += st.Open
		sum.Peers += st.Peers
		sum.Refused += st.Refused
	}
	return sum
}
