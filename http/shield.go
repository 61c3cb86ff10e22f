package http

import (
	"net/http"

	"github.com/quirehq/quire"
	"github.com/quirehq/quire/edge/shield"
)

// shieldRequests puts every request to the shield (claim WAF-1) before any
// session or key is looked up: an attack is refused with 403
// shield_blocked (400 for a body the rules cannot parse), a client in the
// penalty box with 403 and Retry-After, and in dry-run mode the refusal
// is only counted and logged. Health checks are not inspected.
func (s *Server) shieldRequests(next http.Handler) http.Handler {
	sh := s.cfg.Shield
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/healthz" || r.URL.Path == "/readyz" {
			next.ServeHTTP(w, r)
			return
		}
		v := sh.Inspect(r, clientAddr(r))
		switch {
		case v.DryRun && v.WouldBlock:
			s.decide(r, layerShield, shieldReason(v), true)
		case v.Blocked:
			s.decide(r, layerShield, shieldReason(v), false)
			Error(w, r, s.logger, shieldError(v))
			return
		}
		next.ServeHTTP(w, r)
	})
}

// shieldReason is the metric and log reason of a verdict: the penalty box,
// or the attack class (a protocol finding only when nothing else matched:
// it often comes along, as for a numeric Host), or the anomaly score alone.
func shieldReason(v shield.Verdict) string {
	if v.Penalised {
		return "penalty"
	}
	for _, c := range v.Categories {
		if c != "protocol" {
			return c
		}
	}
	if len(v.Categories) > 0 {
		return v.Categories[0]
	}
	return "anomaly"
}

// shieldError is the refusal of a blocked verdict. It never says which
// rules matched.
func shieldError(v shield.Verdict) error {
	if v.Status == http.StatusBadRequest {
		return quire.Errorf(quire.EINVALID, "The request could not be parsed.")
	}
	e := quire.Errorf(ESHIELDBLOCKED, "The request was refused by the security shield.")
	if v.Penalised {
		e.RetryAfter = v.RetryAfter
	}
	return e
}
