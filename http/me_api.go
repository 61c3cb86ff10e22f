package http

import (
	"net/http"
	"time"

	"github.com/quirehq/quire"
	"github.com/quirehq/quire/auth"
)

// registerDataRights adds the routes of claims GDPR-2 and GDPR-3:
// correcting the account (session or API key) and deleting it (browser
// session only, when an erase service is configured).
func (s *Server) registerDataRights() {
	s.Handle("PATCH /api/v1/me", s.apiUpdateMe)
	if s.cfg.Erase != nil {
		s.Handle("DELETE /api/v1/me", s.apiDeleteMe)
	}
}

// meUpdate is the body of PATCH /api/v1/me: the fields to change, and the
// current password, which a change of address needs.
type meUpdate struct {
	Name     *string `json:"name"`
	Email    *string `json:"email"`
	Password string  `json:"password"`
}

// apiUpdateMe changes the name at once and starts a change of address,
// which takes effect once the new address confirms it. Nothing changes if
// any part is refused.
func (s *Server) apiUpdateMe(w http.ResponseWriter, r *http.Request) error {
	a, err := requireActor(r)
	if err != nil {
		return err
	}
	var in meUpdate
	if err := decodeStrict(r, &in); err != nil {
		return err
	}
	if in.Name == nil && in.Email == nil {
		return quire.Errorf(quire.EINVALID, "Give a name or an email address to change.")
	}
	var name string
	if in.Name != nil {
		if name, err = auth.CleanName(*in.Name); err != nil {
			return err
		}
	}
	pending := false
	if in.Email != nil {
		if pending, err = s.cfg.Auth.RequestEmailChange(r.Context(), a.UserID, *in.Email, in.Password); err != nil {
			return err
		}
	}
	if in.Name != nil {
		if _, err := s.cfg.Auth.ChangeName(r.Context(), a.UserID, name); err != nil {
			return err
		}
	}
	p, err := s.cfg.Auth.Profile(r.Context(), a.UserID)
	if err != nil {
		return err
	}
	return JSON(w, http.StatusOK, map[string]any{"user": profileJSON(p), "emailChangePending": pending})
}

// profileJSON is the public shape of the signed-in user's profile.
func profileJSON(p *auth.Profile) userJSON {
	return userJSON{ID: p.User.ID, Email: p.User.Email, Name: p.User.Name, EmailVerified: p.EmailVerified,
		MFA: p.TOTPEnabled, Passkeys: p.Passkeys, Admin: p.Admin, CreatedAt: p.User.CreatedAt}
}

// deleteBody is the body of DELETE /api/v1/me: the password, and a code
// from the authenticator app or a recovery code if two-factor
// authentication is on.
type deleteBody struct {
	Password     string `json:"password"`
	Code         string `json:"code"`
	RecoveryCode string `json:"recoveryCode"`
}

// apiDeleteMe deletes the caller's account. Only a signed-in browser
// session may, re-authenticated in the body: an API key alone never can
// (403), and the session cookie is CSRF-protected like every other.
func (s *Server) apiDeleteMe(w http.ResponseWriter, r *http.Request) error {
	if a := ActorFrom(r.Context()); a != nil && a.Key != nil {
		return quire.Errorf(quire.EFORBIDDEN, "An API key cannot delete the account: sign in with a browser and confirm with your password.")
	}
	a, in, err := strictSessionBody[deleteBody](r)
	if err != nil {
		return err
	}
	d, err := s.cfg.Erase.Request(r.Context(), a.UserID, in.Password, in.Code, in.RecoveryCode)
	if err != nil {
		return err
	}
	clearSessionCookie(w)
	clearSiteStorage(w)
	return JSON(w, http.StatusAccepted, deletionJSON{Status: d.Status, RequestedAt: d.RequestedAt, Deadline: d.Deadline})
}

// strictSessionBody is sessionBody that refuses unknown fields.
func strictSessionBody[T any](r *http.Request) (*Actor, T, error) {
	var in T
	a, err := requireSession(r, "")
	if err != nil {
		return nil, in, err
	}
	return a, in, decodeStrict(r, &in)
}

// deletionJSON answers a deletion: the keys are gone ("shredded"), or
// going ("pending"), and everything is purged by the deadline.
type deletionJSON struct {
	Status      string    `json:"status"`
	RequestedAt time.Time `json:"requestedAt"`
	Deadline    time.Time `json:"deadline"`
}
