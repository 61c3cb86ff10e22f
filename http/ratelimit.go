package http

import (
	"net/http"
	"strings"

	"github.com/quirehq/quire"
	"github.com/quirehq/quire/edge/ratelimit"
)

// RateLimits are the request rate limits (claim RL-1). Limiter holds the
// budgets (in process, or shared through Redis); each request spends from
// its client address's budget, and a signed-in request also from its
// user's or API key's budget for the route group.
type RateLimits struct {
	Limiter                ratelimit.Limiter
	PerIP, PerUser, PerKey ratelimit.Limit
	// DryRun records and logs the requests the limits would refuse, and
	// lets them through.
	DryRun bool
}

// limitClients spends one request from the client address's budget, before
// any session or key is looked up. Health checks are exempt.
func (s *Server) limitClients(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/healthz" || r.URL.Path == "/readyz" {
			next.ServeHTTP(w, r)
			return
		}
		if s.spend(w, r, "ip", ratelimit.Key("ip", clientAddr(r)), s.cfg.RateLimit.PerIP) {
			next.ServeHTTP(w, r)
		}
	})
}

// limitActors spends one request from the signed-in user's and, for an API
// key, the key's budget for the route group.
func (s *Server) limitActors(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a := ActorFrom(r.Context())
		if a == nil {
			next.ServeHTTP(w, r)
			return
		}
		group := "unrouted" // one budget for every path no route serves
		if _, pattern := s.mux.Handler(r); pattern != "" {
			group = routeGroup(r.URL.Path)
		}
		if a.Key != nil && !s.spend(w, r, "key", ratelimit.Key("key", a.Key.ID, group), s.cfg.RateLimit.PerKey) {
			return
		}
		if s.spend(w, r, "user", ratelimit.Key("user", a.UserID, group), s.cfg.RateLimit.PerUser) {
			next.ServeHTTP(w, r)
		}
	})
}

// spend takes one request from key's budget under l, sets the RateLimit
// headers, and answers 429 (reporting false) when the budget is spent. A
// limiter error (Redis down) is logged; its decision still holds.
func (s *Server) spend(w http.ResponseWriter, r *http.Request, policy, key string, l ratelimit.Limit) bool {
	d, err := s.cfg.RateLimit.Limiter.Allow(r.Context(), key, l)
	if err != nil {
		s.logger.WarnContext(r.Context(), "rate limiter failed", "policy", policy, "allowed", d.Allowed, "err", err)
	}
	ratelimit.Headers(w.Header(), d, policy)
	if d.Allowed {
		return true
	}
	s.decide(r, layerRateLimit, policy, s.cfg.RateLimit.DryRun)
	if s.cfg.RateLimit.DryRun {
		return true
	}
	e := quire.Errorf(quire.ERATELIMITED, "Too many requests. Slow down and try again shortly.")
	e.RetryAfter = d.RetryAfter
	Error(w, r, s.logger, e)
	return false
}

// routeGroup names the part of the product a path belongs to, for the
// per-user and per-key budgets: the first segment under /api/v1/, the AI
// gateway, or the pages. Callers pass only paths a route serves, so a
// client cannot make up groups (and budgets) of its own.
func routeGroup(path string) string {
	if rest, ok := strings.CutPrefix(path, "/api/v1/"); ok {
		group, _, _ := strings.Cut(rest, "/")
		return "api:" + group
	}
	if strings.HasPrefix(path, "/v1/") || strings.HasPrefix(path, "/anthropic/") {
		return "gateway"
	}
	return "pages"
}
