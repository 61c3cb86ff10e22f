package http

import (
	"crypto/subtle"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/quirehq/quire"
	"github.com/quirehq/quire/edge/limits"
	"github.com/quirehq/quire/metrics"
)

// Layers of the edge, as they appear in decision metrics and logs.
const (
	layerRateLimit = "ratelimit"
	layerThrottle  = "auth_throttle"
	layerBot       = "bot"
	layerShield    = "shield"
)

// decide records a protection's decision to refuse a request: a metric
// always, and a log line (rate-limited, so that a flood cannot flood the
// logs too). dryRun means the request goes on anyway. Nothing of the
// request's content is recorded: the layer, the reason (a policy name or
// category from a fixed set), the route pattern and the client key.
func (s *Server) decide(r *http.Request, layer, reason string, dryRun bool) {
	action := metrics.Deny
	if dryRun {
		action = metrics.DryRun
	}
	s.cfg.Metrics.Decision(layer, action, reason)
	ok, dropped := s.decisionLogs.take(time.Now())
	if !ok {
		return
	}
	msg := "request refused"
	if dryRun {
		msg = "request would be refused (dry run)"
	}
	s.logger.InfoContext(r.Context(), msg, "layer", layer, "reason", reason,
		"client", clientAddr(r), "method", methodLabel(r.Method), "route", routeLabel(s, r), "suppressed_before", dropped)
}

// methodLabel returns the method if it is a standard one, else "other":
// a client cannot write what it likes into the log.
func methodLabel(m string) string {
	switch m {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
		http.MethodDelete, http.MethodOptions, http.MethodConnect, http.MethodTrace:
		return m
	}
	return "other"
}

// routeLabel returns the mux pattern that serves r, or "unrouted": never
// the path itself, which can carry content.
func routeLabel(s *Server, r *http.Request) string {
	if _, pattern := s.mux.Handler(r); pattern != "" {
		return pattern
	}
	return "unrouted"
}

// logBudget lets through at most perSecond log lines a second. Lines over
// the budget are counted, and the next line let through reports how many
// were held back since the one before it.
type logBudget struct {
	perSecond int
	mu        sync.Mutex
	second    int64
	used      int
	dropped   int
}

// take reports whether one more line may be logged at now and, if so, how
// many lines were dropped since the last one logged.
func (b *logBudget) take(now time.Time) (ok bool, dropped int) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if sec := now.Unix(); sec != b.second {
		b.second, b.used = sec, 0
	}
	if b.used >= b.perSecond {
		b.dropped++
		return false, 0
	}
	b.used++
	dropped, b.dropped = b.dropped, 0
	return true, dropped
}

// registerMetrics serves GET /metrics when the server has a metrics
// registry and a metrics token: only a scraper that presents the token may
// read them. Where a request comes from cannot stand in for the token: a
// local proxy that adds no forwarding header (nginx without
// X-Forwarded-For, a TLS passthrough, an SSH tunnel) makes every client
// look like loopback.
func (s *Server) registerMetrics() {
	if s.cfg.Metrics == nil || s.cfg.MetricsToken == "" {
		return
	}
	h := s.cfg.Metrics.Handler()
	s.Handle("GET /metrics", func(w http.ResponseWriter, r *http.Request) error {
		if !s.mayScrape(r) {
			w.Header().Set("WWW-Authenticate", `Bearer realm="metrics"`)
			return quire.Errorf(quire.EUNAUTHORIZED, "The metrics need the metrics token.")
		}
		w.Header().Set("Cache-Control", "no-store")
		h.ServeHTTP(w, r)
		return nil
	})
}

// mayScrape reports whether r carries the metrics token as a Bearer
// credential, compared in constant time.
func (s *Server) mayScrape(r *http.Request) bool {
	got, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	return ok && subtle.ConstantTimeCompare([]byte(got), []byte(s.cfg.MetricsToken)) == 1
}

// decisionLogsPerSecond is the most refused-request log lines a second.
const decisionLogsPerSecond = 20

// layerInFlight names the per-client in-flight cap in decisions.
const layerInFlight = "inflight"

// limitClientInFlight refuses a request with 429 when its client already
// has its share of requests in flight. Health checks are exempt.
func (s *Server) limitClientInFlight(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if limits.HealthCheck(r) {
			next.ServeHTTP(w, r)
			return
		}
		key := clientAddr(r)
		if !s.perClient.Acquire(key) {
			s.decide(r, layerInFlight, "client", false)
			e := quire.Errorf(quire.ERATELIMITED, "Too many requests at once from your address. Wait for some to finish.")
			e.RetryAfter = time.Second
			Error(w, r, s.logger, e)
			return
		}
		defer s.perClient.Release(key)
		next.ServeHTTP(w, r)
	})
}
