package http

import (
	"encoding/json"
	"net/http"
	"time"

	"github.com/quirehq/quire"
	"github.com/quirehq/quire/auth"
)

// registerPasskeys adds the WebAuthn routes: adding and removing passkeys,
// and signing in with one (second factor or passwordless).
func (s *Server) registerPasskeys() {
	s.Handle("GET /api/v1/me/passkeys", s.apiPasskeys)
	s.Handle("POST /api/v1/me/passkeys/begin", s.apiBeginPasskey)
	s.Handle("POST /api/v1/me/passkeys/finish", s.apiFinishPasskey)
	s.Handle("POST /api/v1/me/passkeys/{id}/remove", s.apiRemovePasskey)
	s.Handle("POST /api/v1/auth/passkey/begin", s.apiBeginPasskeyLogin)
	s.Handle("POST /api/v1/auth/passkey/finish", s.apiFinishPasskeyLogin)
}

// challengeJSON is a started ceremony for the browser.
type challengeJSON struct {
	ID      string          `json:"id"`
	Options json.RawMessage `json:"options"`
}

// ceremonyAnswer is the browser's answer to a ceremony: the JSON of the
// PublicKeyCredential.
type ceremonyAnswer struct {
	ID         string          `json:"id"`
	Name       string          `json:"name"`
	Credential json.RawMessage `json:"credential"`
}

func challengeBody(c *auth.PasskeyChallenge) challengeJSON {
	return challengeJSON{ID: c.ID, Options: c.Options}
}

func (s *Server) apiPasskeys(w http.ResponseWriter, r *http.Request) error {
	a, err := requireActor(r)
	if err != nil {
		return err
	}
	keys, err := s.cfg.Auth.Passkeys(r.Context(), a.UserID)
	if err != nil {
		return err
	}
	type passkeyJSON struct {
		ID         string     `json:"id"`
		Name       string     `json:"name"`
		CreatedAt  time.Time  `json:"createdAt"`
		LastUsedAt *time.Time `json:"lastUsedAt"`
	}
	out := make([]passkeyJSON, 0, len(keys))
	for _, k := range keys {
		out = append(out, passkeyJSON{ID: k.ID, Name: k.Name, CreatedAt: k.CreatedAt, LastUsedAt: ifSet(k.LastUsedAt)})
	}
	return JSON(w, http.StatusOK, map[string]any{"passkeys": out})
}

func (s *Server) apiBeginPasskey(w http.ResponseWriter, r *http.Request) error {
	a, in, err := sessionBody[passwordBody](r, "")
	if err != nil {
		return err
	}
	c, err := s.cfg.Auth.BeginPasskeyRegistration(r.Context(), a.Session, in.Password)
	if err != nil {
		return err
	}
	return JSON(w, http.StatusOK, challengeBody(c))
}

func (s *Server) apiFinishPasskey(w http.ResponseWriter, r *http.Request) error {
	a, in, err := sessionBody[ceremonyAnswer](r, "")
	if err != nil {
		return err
	}
	pk, login, err := s.cfg.Auth.FinishPasskeyRegistration(r.Context(), a.Session, in.ID, in.Name, in.Credential, client(r))
	if err != nil {
		return err
	}
	setSessionCookie(w, login)
	return JSON(w, http.StatusCreated, map[string]any{"id": pk.ID, "name": pk.Name})
}

func (s *Server) apiRemovePasskey(w http.ResponseWriter, r *http.Request) error {
	a, in, err := sessionBody[passwordBody](r, "")
	if err != nil {
		return err
	}
	if err := s.cfg.Auth.RemovePasskey(r.Context(), a.UserID, r.PathValue("id"), in.Password); err != nil {
		return err
	}
	return noContent(w)
}

// pendingSession is the session at the MFA stage, if the request has one:
// a passkey then completes it; otherwise the sign-in is passwordless.
func pendingSession(r *http.Request) *quire.Session {
	if a := ActorFrom(r.Context()); a != nil && a.Session != nil && a.Session.Stage == quire.SessionMFA {
		return a.Session
	}
	return nil
}

func (s *Server) apiBeginPasskeyLogin(w http.ResponseWriter, r *http.Request) error {
	c, err := s.cfg.Auth.BeginPasskeyLogin(r.Context(), pendingSession(r))
	if err != nil {
		return err
	}
	return JSON(w, http.StatusOK, challengeBody(c))
}

func (s *Server) apiFinishPasskeyLogin(w http.ResponseWriter, r *http.Request) error {
	var in ceremonyAnswer
	if err := DecodeJSON(r, &in); err != nil {
		return err
	}
	login, err := s.cfg.Auth.FinishPasskeyLogin(r.Context(), pendingSession(r), in.ID, in.Credential, client(r))
	if err != nil {
		return err
	}
	return sendLogin(w, login)
}
