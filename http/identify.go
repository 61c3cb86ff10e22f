package http

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/quirehq/quire"
	"github.com/quirehq/quire/auth"
)

// SessionCookie is the browser session cookie. The __Host- prefix makes
// browsers refuse it unless it is Secure, has Path=/ and no Domain, so no
// subdomain or plain-HTTP page can set or overwrite it (claim ACC-4).
const SessionCookie = "__Host-quire_session"

// identify finds who a request acts for: a Bearer API key or the session
// cookie; it also marks API answers uncacheable. A request that presents a bad key is refused; a stale or unknown
// cookie is cleared and the request goes on anonymous.
func (s *Server) identify(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/metrics" {
			// Its Bearer credential is the metrics token, not an API key;
			// the route checks it.
			next.ServeHTTP(w, r)
			return
		}
		if strings.HasPrefix(r.URL.Path, "/api/") || gatewayPath(r.URL.Path) {
			// Every API answer is personal (a user, a key, a session
			// cookie): no cache may keep it.
			w.Header().Set("Cache-Control", "no-store")
		}
		a, err := s.actorOf(w, r)
		if err != nil && gatewayPath(r.URL.Path) && quire.ErrorCode(err) == quire.EUNAUTHORIZED {
			// The gateway answers in the client's own dialect (OpenAI's or
			// Anthropic's error shape): it is told, and refuses the call.
			next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), keyRefusedKey{}, true)))
			return
		}
		if err != nil {
			Error(w, r, s.logger, err)
			return
		}
		if a != nil {
			r = r.WithContext(withActor(r.Context(), a))
		}
		next.ServeHTTP(w, r)
	})
}

// gatewayPath reports whether path is one of the AI gateway's routes.
func gatewayPath(path string) bool {
	return strings.HasPrefix(path, "/v1/") || strings.HasPrefix(path, "/anthropic/")
}

type keyRefusedKey struct{}

// KeyRefused reports whether the request presented an API key that was
// refused (unknown, revoked, or its account locked). Only the gateway's
// routes get this far with one; everywhere else it is answered 401.
func KeyRefused(ctx context.Context) bool {
	v, _ := ctx.Value(keyRefusedKey{}).(bool)
	return v
}

// actorOf authenticates r, preferring an Authorization header; on the
// Anthropic-compatible routes an x-api-key header is an API key too.
func (s *Server) actorOf(w http.ResponseWriter, r *http.Request) (*Actor, error) {
	if h := r.Header.Get("Authorization"); h != "" {
		scheme, key, ok := strings.Cut(h, " ")
		if !ok || !strings.EqualFold(scheme, "Bearer") {
			return nil, quire.Errorf(quire.EUNAUTHORIZED, "Authorization must be a Bearer API key.")
		}
		k, err := s.cfg.Auth.AuthenticateKey(r.Context(), strings.TrimSpace(key))
		if err != nil {
			return nil, err
		}
		return &Actor{UserID: k.UserID, Key: k}, nil
	}
	if strings.HasPrefix(r.URL.Path, "/anthropic/") {
		// Anthropic's clients send their key as x-api-key, and no cookie
		// is accepted on the gateway routes.
		key := r.Header.Get("X-Api-Key")
		if key == "" {
			return nil, nil
		}
		k, err := s.cfg.Auth.AuthenticateKey(r.Context(), strings.TrimSpace(key))
		if err != nil {
			return nil, err
		}
		return &Actor{UserID: k.UserID, Key: k}, nil
	}
	c, err := r.Cookie(SessionCookie)
	if err != nil {
		return nil, nil
	}
	sess, err := s.cfg.Auth.Authenticate(r.Context(), c.Value)
	if quire.ErrorCode(err) == quire.EUNAUTHORIZED {
		clearSessionCookie(w)
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	return &Actor{UserID: sess.UserID, Session: sess}, nil
}

// setSessionCookie hands the client a new session token.
func setSessionCookie(w http.ResponseWriter, login *auth.Login) {
	http.SetCookie(w, &http.Cookie{
		Name: SessionCookie, Value: login.Token, Path: "/",
		Expires: login.Session.ExpiresAt, MaxAge: int(time.Until(login.Session.ExpiresAt).Seconds()),
		Secure: true, HttpOnly: true, SameSite: http.SameSiteLaxMode,
	})
}

// clearSessionCookie tells the client to drop its session cookie.
func clearSessionCookie(w http.ResponseWriter) {
	http.SetCookie(w, &http.Cookie{Name: SessionCookie, Value: "", Path: "/", MaxAge: -1,
		Secure: true, HttpOnly: true, SameSite: http.SameSiteLaxMode})
}

// crossOrigin refuses state-changing browser requests from other origins
// (claim ACC-1): every request a cookie could authenticate, sign-in and
// sign-up included (login CSRF). A request with a Bearer key carries no
// ambient credential, so it passes; so do safe methods.
func (s *Server) crossOrigin(next http.Handler) http.Handler {
	cop := http.NewCrossOriginProtection()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if a := ActorFrom(r.Context()); a == nil || a.Key == nil {
			if err := cop.Check(r); err != nil {
				Error(w, r, s.logger, quire.WrapError(ECROSSORIGIN,
					"Cross-origin request refused. Send it from Quire's own pages or with an API key.", err))
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

// sendLogin hands the client the new session of login and describes it.
func sendLogin(w http.ResponseWriter, login *auth.Login) error {
	setSessionCookie(w, login)
	return JSON(w, http.StatusOK, loginBody(login))
}
