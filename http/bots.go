package http

import (
	"net/http"
	"strings"

	"github.com/quirehq/quire"
	"github.com/quirehq/quire/edge/bot"
	"github.com/quirehq/quire/edge/clientip"
)

// botPolicy applies the bot policy of the request's route class: an
// automated client the policy denies gets 403 bot_denied (or, in dry run,
// is recorded and let through). Classes that allow everyone (API routes,
// judged by their key; static files; health checks) are not classified.
func (s *Server) botPolicy(next http.Handler) http.Handler {
	d := s.cfg.Bots
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		class := routeClass(r.URL.Path)
		if class == bot.Health || d.Policy().AllowsAll(class) {
			next.ServeHTTP(w, r)
			return
		}
		addr, _ := clientip.Addr(r.Context())
		dec := d.Decide(r.Context(), class, r, addr)
		if dec.Action != bot.Deny {
			next.ServeHTTP(w, r)
			return
		}
		s.decide(r, layerBot, string(dec.Category), dec.DryRun)
		if dec.DryRun {
			next.ServeHTTP(w, r)
			return
		}
		Error(w, r, s.logger, quire.Errorf(EBOTDENIED, "Automated clients may not use this page. Use the API with an API key instead."))
	})
}

// authPaths are the account pages and APIs: sign-in, sign-up, sign-out,
// password reset and address verification (route class auth).
var authPaths = []string{"/api/v1/auth/", "/login", "/signup", "/logout", "/forgot-password", "/reset-password", "/verify-email"}

// routeClass maps a path to its route class for the bot policy.
func routeClass(path string) bot.RouteClass {
	switch {
	case path == "/healthz" || path == "/readyz":
		return bot.Health
	case strings.HasPrefix(path, "/static/") || path == "/trust" || path == "/trust.json" ||
		strings.HasPrefix(path, "/.well-known/") || path == "/robots.txt" || path == "/security.txt":
		// Assets, and documents published for machines as much as for
		// people: the trust report, security.txt (and the redirect from
		// its legacy location), robots.txt.
		return bot.Static
	case hasAnyPrefix(path, authPaths):
		return bot.Auth
	case path == "/api/v1/security/reports":
		// The anonymous report intake sends mail: it takes the browser
		// pages' policy, like its form at /security/report.
		return bot.Page
	case strings.HasPrefix(path, "/api/") || strings.HasPrefix(path, "/v1/") ||
		strings.HasPrefix(path, "/anthropic/") || path == "/metrics":
		return bot.API
	case strings.HasPrefix(path, "/s/"): // public note links
		return bot.Public
	}
	return bot.Page
}

// hasAnyPrefix reports whether path starts with one of prefixes.
func hasAnyPrefix(path string, prefixes []string) bool {
	for _, p := range prefixes {
		if strings.HasPrefix(path, p) {
			return true
		}
	}
	return false
}
