package http

import (
	"context"
	"net/http"
	"time"

	"github.com/quirehq/quire"
)

// readyTimeout bounds one readiness probe, so that a hung dependency makes
// /readyz fail rather than hang the load balancer's check.
const readyTimeout = 3 * time.Second

// registerHealth adds the built-in liveness and readiness routes.
func (s *Server) registerHealth() {
	s.Handle("GET /healthz", s.handleHealthz)
	s.Handle("GET /readyz", s.handleReadyz)
}

// handleHealthz reports that the process serves requests.
func (s *Server) handleHealthz(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Cache-Control", "no-store")
	return JSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

// handleReadyz reports whether the server's dependencies answer. A failure
// is a 503 whose cause is only logged.
func (s *Server) handleReadyz(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Cache-Control", "no-store")
	if s.cfg.Ready != nil {
		ctx, cancel := context.WithTimeout(r.Context(), readyTimeout)
		defer cancel()
		if err := s.cfg.Ready(ctx); err != nil {
			return quire.WrapError(quire.EUNAVAILABLE, "Not ready.", err)
		}
	}
	return JSON(w, http.StatusOK, map[string]string{"status": "ready"})
}
