package http

import (
	"encoding/base64"
	"net/http"
	"time"

	"github.com/quirehq/quire"
)

func (s *Server) apiStrength(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Password string `json:"password"`
		Email    string `json:"email"`
	}
	if err := DecodeJSON(r, &in); err != nil {
		return err
	}
	return JSON(w, http.StatusOK, s.cfg.Auth.Strength(in.Password, []string{in.Email}))
}

func (s *Server) apiMe(w http.ResponseWriter, r *http.Request) error {
	a, err := requireActor(r)
	if err != nil {
		return err
	}
	p, err := s.cfg.Auth.Profile(r.Context(), a.UserID)
	if err != nil {
		return err
	}
	return JSON(w, http.StatusOK, userJSON{ID: p.User.ID, Email: p.User.Email, Name: p.User.Name,
		EmailVerified: p.EmailVerified, MFA: p.TOTPEnabled, Passkeys: p.Passkeys, Admin: p.Admin,
		CreatedAt: p.User.CreatedAt})
}

// sessionJSON is one session in the list; the token is never shown.
type sessionJSON struct {
	ID         string    `json:"id"`
	UserAgent  string    `json:"userAgent"`
	Current    bool      `json:"current"`
	CreatedAt  time.Time `json:"createdAt"`
	LastSeenAt time.Time `json:"lastSeenAt"`
	ExpiresAt  time.Time `json:"expiresAt"`
}

func (s *Server) apiSessions(w http.ResponseWriter, r *http.Request) error {
	a, err := requireActor(r)
	if err != nil {
		return err
	}
	list, err := s.cfg.Auth.Sessions(r.Context(), a.UserID)
	if err != nil {
		return err
	}
	out := make([]sessionJSON, 0, len(list))
	for _, x := range list {
		out = append(out, sessionJSON{ID: x.ID, UserAgent: x.UserAgent, Current: a.Session != nil && a.Session.ID == x.ID,
			CreatedAt: x.CreatedAt, LastSeenAt: x.LastSeenAt, ExpiresAt: x.ExpiresAt})
	}
	return JSON(w, http.StatusOK, map[string]any{"sessions": out})
}

func (s *Server) apiRevokeSession(w http.ResponseWriter, r *http.Request) error {
	a, err := requireActor(r)
	if err != nil {
		return err
	}
	if err := s.cfg.Auth.RevokeSession(r.Context(), a.UserID, r.PathValue("id")); err != nil {
		return err
	}
	if a.Session != nil && a.Session.ID == r.PathValue("id") {
		clearSessionCookie(w)
	}
	return noContent(w)
}

func (s *Server) apiRevokeOtherSessions(w http.ResponseWriter, r *http.Request) error {
	a, err := requireActor(r)
	if err != nil {
		return err
	}
	keep := ""
	if a.Session != nil {
		keep = a.Session.ID
	}
	if err := s.cfg.Auth.RevokeOtherSessions(r.Context(), a.UserID, keep); err != nil {
		return err
	}
	return noContent(w)
}

func (s *Server) apiAudit(w http.ResponseWriter, r *http.Request) error {
	a, err := requireActor(r)
	if err != nil {
		return err
	}
	events, err := s.cfg.Auth.AuditLog(r.Context(), a.UserID, 100)
	if err != nil {
		return err
	}
	type eventJSON struct {
		At    time.Time         `json:"at"`
		Event string            `json:"event"`
		Meta  map[string]string `json:"meta,omitempty"`
	}
	out := make([]eventJSON, 0, len(events))
	for _, e := range events {
		out = append(out, eventJSON{At: e.At, Event: e.Event, Meta: e.Meta})
	}
	return JSON(w, http.StatusOK, map[string]any{"events": out})
}

// keyJSON is one API key in a list; the secret is only in the answer that
// creates it.
type keyJSON struct {
	ID         string     `json:"id"`
	Name       string     `json:"name"`
	Prefix     string     `json:"prefix"`
	CreatedAt  time.Time  `json:"createdAt"`
	LastUsedAt *time.Time `json:"lastUsedAt"`
	Key        string     `json:"key,omitempty"`
}

func keyBody(k *quire.APIKey, secret string) keyJSON {
	return keyJSON{ID: k.ID, Name: k.Name, Prefix: k.Prefix, CreatedAt: k.CreatedAt, Key: secret, LastUsedAt: ifSet(k.LastUsedAt)}
}

func (s *Server) apiKeys(w http.ResponseWriter, r *http.Request) error {
	a, err := requireActor(r)
	if err != nil {
		return err
	}
	keys, err := s.cfg.Auth.APIKeys(r.Context(), a.UserID)
	if err != nil {
		return err
	}
	out := make([]keyJSON, 0, len(keys))
	for _, k := range keys {
		out = append(out, keyBody(k, ""))
	}
	return JSON(w, http.StatusOK, map[string]any{"keys": out})
}

// apiCreateKey creates an API key. Only a signed-in browser session may,
// with the password: a key cannot mint further keys.
func (s *Server) apiCreateKey(w http.ResponseWriter, r *http.Request) error {
	a, in, err := sessionBody[newKeyBody](r, "")
	if err != nil {
		return err
	}
	k, secret, err := s.cfg.Auth.CreateAPIKey(r.Context(), a.UserID, in.Name, in.Password)
	if err != nil {
		return err
	}
	return JSON(w, http.StatusCreated, keyBody(k, secret))
}

// newKeyBody is the body of a new API key: its name and the password.
type newKeyBody struct {
	Name     string `json:"name"`
	Password string `json:"password"`
}

func (s *Server) apiRevokeKey(w http.ResponseWriter, r *http.Request) error {
	a, err := requireActor(r)
	if err != nil {
		return err
	}
	if err := s.cfg.Auth.RevokeAPIKey(r.Context(), a.UserID, r.PathValue("id")); err != nil {
		return err
	}
	return noContent(w)
}

func (s *Server) apiBeginTOTP(w http.ResponseWriter, r *http.Request) error {
	a, in, err := sessionBody[passwordBody](r, "")
	if err != nil {
		return err
	}
	p, err := s.cfg.Auth.Profile(r.Context(), a.UserID)
	if err != nil {
		return err
	}
	e, err := s.cfg.Auth.BeginTOTP(r.Context(), p.User, in.Password)
	if err != nil {
		return err
	}
	return JSON(w, http.StatusOK, map[string]string{"uri": e.URI,
		"qrPng": "data:image/png;base64," + base64.StdEncoding.EncodeToString(e.PNG)})
}

func (s *Server) apiConfirmTOTP(w http.ResponseWriter, r *http.Request) error {
	a, err := requireSession(r, "")
	if err != nil {
		return err
	}
	var in struct {
		Code string `json:"code"`
	}
	if err := DecodeJSON(r, &in); err != nil {
		return err
	}
	codes, login, err := s.cfg.Auth.ConfirmTOTP(r.Context(), a.Session, in.Code, client(r))
	if err != nil {
		return err
	}
	setSessionCookie(w, login)
	body := loginBody(login)
	body.RecoveryCodes = codes
	return JSON(w, http.StatusOK, body)
}

// passwordBody is the body of routes that re-check the password.
type passwordBody struct {
	Password string `json:"password"`
}

func (s *Server) apiDisableTOTP(w http.ResponseWriter, r *http.Request) error {
	a, in, err := sessionBody[passwordBody](r, "")
	if err != nil {
		return err
	}
	login, err := s.cfg.Auth.DisableTOTP(r.Context(), a.Session, in.Password, client(r))
	if err != nil {
		return err
	}
	return sendLogin(w, login)
}

func (s *Server) apiRecoveryCodes(w http.ResponseWriter, r *http.Request) error {
	a, in, err := sessionBody[passwordBody](r, "")
	if err != nil {
		return err
	}
	codes, err := s.cfg.Auth.RecoveryCodes(r.Context(), a.UserID, in.Password)
	if err != nil {
		return err
	}
	return JSON(w, http.StatusOK, map[string]any{"recoveryCodes": codes})
}

// requireAdmin returns the actor if it is a configured admin.
func (s *Server) requireAdmin(r *http.Request) (*Actor, error) {
	a, err := requireActor(r)
	if err != nil {
		return nil, err
	}
	p, err := s.cfg.Auth.Profile(r.Context(), a.UserID)
	if err != nil {
		return nil, err
	}
	if !p.Admin {
		return nil, quire.Errorf(quire.EFORBIDDEN, "Only an administrator may do this.")
	}
	return a, nil
}

func (s *Server) apiAdminUnlock(w http.ResponseWriter, r *http.Request) error {
	a, err := s.requireAdmin(r)
	if err != nil {
		return err
	}
	var in struct {
		Email string `json:"email"`
	}
	if err := DecodeJSON(r, &in); err != nil {
		return err
	}
	if err := s.cfg.Auth.Unlock(r.Context(), in.Email, a.UserID); err != nil {
		return err
	}
	return noContent(w)
}

func (s *Server) apiAdminVerifyAudit(w http.ResponseWriter, r *http.Request) error {
	if _, err := s.requireAdmin(r); err != nil {
		return err
	}
	n, err := s.cfg.Auth.VerifyAudit(r.Context())
	if err != nil {
		return quire.WrapError(quire.ECONFLICT, "The audit log does not verify.", err)
	}
	return JSON(w, http.StatusOK, map[string]any{"entries": n, "verified": true})
}

// noContent answers 204 with no body.
func noContent(w http.ResponseWriter) error {
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// ifSet is t, or nil (JSON null) for the zero time: "never".
func ifSet(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}
