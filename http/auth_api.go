package http

import (
	"net/http"
	"time"

	"github.com/quirehq/quire"
	"github.com/quirehq/quire/auth"
)

// registerAuth adds the account routes of the JSON API (CONTRACT.md).
func (s *Server) registerAuth() {
	s.Handle("POST /api/v1/auth/signup", s.apiSignUp)
	s.Handle("POST /api/v1/auth/login", s.apiLogin)
	s.Handle("POST /api/v1/auth/mfa", s.apiSecondFactor)
	s.Handle("POST /api/v1/auth/logout", s.apiLogout)
	s.Handle("POST /api/v1/auth/verify-email", s.apiVerifyEmail)
	s.Handle("POST /api/v1/auth/verify-email/resend", s.apiResendVerification)
	s.Handle("POST /api/v1/auth/password-reset", s.apiRequestReset)
	s.Handle("POST /api/v1/auth/password-reset/confirm", s.apiResetPassword)
	s.Handle("POST /api/v1/auth/password", s.apiChangePassword)
	s.Handle("POST /api/v1/auth/password-strength", s.apiStrength)
	s.Handle("GET /api/v1/me", s.apiMe)
	s.Handle("GET /api/v1/me/sessions", s.apiSessions)
	s.Handle("DELETE /api/v1/me/sessions/{id}", s.apiRevokeSession)
	s.Handle("DELETE /api/v1/me/sessions", s.apiRevokeOtherSessions)
	s.Handle("GET /api/v1/me/audit", s.apiAudit)
	s.Handle("GET /api/v1/api-keys", s.apiKeys)
	s.Handle("POST /api/v1/api-keys", s.apiCreateKey)
	s.Handle("DELETE /api/v1/api-keys/{id}", s.apiRevokeKey)
	s.Handle("POST /api/v1/me/mfa/totp", s.apiBeginTOTP)
	s.Handle("POST /api/v1/me/mfa/totp/confirm", s.apiConfirmTOTP)
	s.Handle("POST /api/v1/me/mfa/totp/disable", s.apiDisableTOTP)
	s.Handle("POST /api/v1/me/mfa/recovery-codes", s.apiRecoveryCodes)
	s.Handle("POST /api/v1/admin/unlock", s.apiAdminUnlock)
	s.Handle("GET /api/v1/admin/audit/verify", s.apiAdminVerifyAudit)
	s.registerPasskeys()
	s.registerDataRights()
}

// credentials is the body of sign-up and sign-in.
type credentials struct {
	Email    string `json:"email"`
	Password string `json:"password"`
}

// client describes the request's client for session lists and notices.
func client(r *http.Request) auth.Client {
	return auth.Client{UserAgent: r.UserAgent(), IP: clientAddr(r)}
}

// userJSON is the public shape of a user.
type userJSON struct {
	ID            string    `json:"id"`
	Email         string    `json:"email"`
	Name          string    `json:"name"`
	EmailVerified bool      `json:"emailVerified"`
	MFA           bool      `json:"mfaEnabled"`
	Passkeys      int       `json:"passkeys"`
	Admin         bool      `json:"admin,omitempty"`
	CreatedAt     time.Time `json:"createdAt"`
}

func (s *Server) apiSignUp(w http.ResponseWriter, r *http.Request) error {
	var in credentials
	if err := DecodeJSON(r, &in); err != nil {
		return err
	}
	u, login, err := s.cfg.Auth.SignUp(r.Context(), in.Email, in.Password, client(r))
	if err != nil {
		return err
	}
	setSessionCookie(w, login)
	return JSON(w, http.StatusCreated, map[string]any{"user": userJSON{ID: u.ID, Email: u.Email, Name: u.Name, CreatedAt: u.CreatedAt}})
}

// loginJSON answers a sign-in step: what the new session may do.
type loginJSON struct {
	Stage                 string   `json:"stage"`
	MFARequired           bool     `json:"mfaRequired"`
	PasswordResetRequired bool     `json:"passwordResetRequired"`
	ExpiresAt             string   `json:"expiresAt"`
	RecoveryCodes         []string `json:"recoveryCodes,omitempty"`
}

func loginBody(l *auth.Login) loginJSON {
	return loginJSON{Stage: l.Session.Stage, MFARequired: l.Session.Stage == quire.SessionMFA,
		PasswordResetRequired: l.Session.Stage == quire.SessionReset,
		ExpiresAt:             l.Session.ExpiresAt.UTC().Format(time.RFC3339)}
}

func (s *Server) apiLogin(w http.ResponseWriter, r *http.Request) error {
	var in credentials
	if err := DecodeJSON(r, &in); err != nil {
		return err
	}
	login, err := s.cfg.Auth.Login(r.Context(), in.Email, in.Password, client(r))
	if err != nil {
		return err
	}
	return sendLogin(w, login)
}

func (s *Server) apiSecondFactor(w http.ResponseWriter, r *http.Request) error {
	a, err := requireSession(r, quire.SessionMFA)
	if err != nil {
		return err
	}
	var in struct {
		Code         string `json:"code"`
		RecoveryCode string `json:"recoveryCode"`
	}
	if err := DecodeJSON(r, &in); err != nil {
		return err
	}
	if in.Code == "" && in.RecoveryCode == "" {
		return quire.Errorf(quire.EINVALID, "Give a code from your authenticator app or a recovery code.")
	}
	login, err := s.cfg.Auth.SecondFactor(r.Context(), a.Session, in.Code, in.RecoveryCode, client(r))
	if err != nil {
		return err
	}
	return sendLogin(w, login)
}

func (s *Server) apiLogout(w http.ResponseWriter, r *http.Request) error {
	if a := ActorFrom(r.Context()); a != nil && a.Session != nil {
		if err := s.cfg.Auth.Logout(r.Context(), a.Session); err != nil {
			return err
		}
	}
	clearSessionCookie(w)
	clearSiteStorage(w)
	return noContent(w)
}

func (s *Server) apiVerifyEmail(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Token string `json:"token"`
	}
	if err := DecodeJSON(r, &in); err != nil {
		return err
	}
	if err := s.cfg.Auth.VerifyEmail(r.Context(), in.Token); err != nil {
		return err
	}
	return noContent(w)
}

func (s *Server) apiResendVerification(w http.ResponseWriter, r *http.Request) error {
	a, err := requireActor(r)
	if err != nil {
		return err
	}
	p, err := s.cfg.Auth.Profile(r.Context(), a.UserID)
	if err != nil {
		return err
	}
	if p.EmailVerified {
		return quire.Errorf(quire.ECONFLICT, "Your email address is already verified.")
	}
	if err := s.cfg.Auth.SendVerification(r.Context(), p.User); err != nil {
		return err
	}
	w.WriteHeader(http.StatusAccepted)
	return nil
}

func (s *Server) apiRequestReset(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Email string `json:"email"`
	}
	if err := DecodeJSON(r, &in); err != nil {
		return err
	}
	if err := s.cfg.Auth.RequestReset(r.Context(), in.Email); err != nil {
		return err
	}
	return JSON(w, http.StatusAccepted, map[string]string{"status": "If the address has an account, a reset link is on its way."})
}

func (s *Server) apiResetPassword(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Token    string `json:"token"`
		Password string `json:"password"`
	}
	if err := DecodeJSON(r, &in); err != nil {
		return err
	}
	if err := s.cfg.Auth.ResetPassword(r.Context(), in.Token, in.Password); err != nil {
		return err
	}
	clearSessionCookie(w)
	return noContent(w)
}

func (s *Server) apiChangePassword(w http.ResponseWriter, r *http.Request) error {
	a, err := requireSession(r, quire.SessionReset)
	if err != nil {
		return err
	}
	var in struct {
		Current string `json:"currentPassword"`
		New     string `json:"newPassword"`
	}
	if err := DecodeJSON(r, &in); err != nil {
		return err
	}
	login, err := s.cfg.Auth.ChangePassword(r.Context(), a.Session, in.Current, in.New, client(r))
	if err != nil {
		return err
	}
	return sendLogin(w, login)
}
