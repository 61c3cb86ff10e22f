package http

import (
	"net/http"
	"strings"

	"github.com/quirehq/quire"
	"github.com/quirehq/quire/auth"
)

// registerRightsPages adds the account page's forms that correct the
// profile and delete the account (claims GDPR-2 and GDPR-3).
func (s *Server) registerRightsPages() {
	s.page("POST /account/profile", s.needSession(s.postProfile, false))
	if s.cfg.Erase != nil {
		s.page("POST /account/delete", s.needSession(s.postDeleteAccount, false))
	}
}

// postProfile saves the name and, for a new address, sends its link: as
// PATCH /api/v1/me does, nothing changes if any part is refused.
func (s *Server) postProfile(w http.ResponseWriter, r *http.Request, sess *quire.Session) error {
	if err := parseForm(r); err != nil {
		return s.accountError(w, r, sess, err)
	}
	name, err := auth.CleanName(r.PostForm.Get("name"))
	if err != nil {
		return s.accountError(w, r, sess, err)
	}
	pending := false
	if email := strings.TrimSpace(r.PostForm.Get("email")); email != "" {
		if pending, err = s.cfg.Auth.RequestEmailChange(r.Context(), sess.UserID, email, r.PostForm.Get("password")); err != nil {
			return s.accountError(w, r, sess, err)
		}
	}
	if _, err := s.cfg.Auth.ChangeName(r.Context(), sess.UserID, name); err != nil {
		return s.accountError(w, r, sess, err)
	}
	if pending {
		return seeOther(w, r, "/account?done=email-change-sent")
	}
	return seeOther(w, r, "/account?done=profile-saved")
}

// postDeleteAccount deletes the account of the page's session, confirmed
// with the password (and a second factor if the account has one), and
// signs the browser out.
func (s *Server) postDeleteAccount(w http.ResponseWriter, r *http.Request, sess *quire.Session) error {
	if err := parseForm(r); err != nil {
		return s.accountError(w, r, sess, err)
	}
	// A missing second factor is told as ConfirmIdentity words it: for an
	// account whose only second factor is a passkey, that says what to do.
	_, err := s.cfg.Erase.Request(r.Context(), sess.UserID, r.PostForm.Get("password"), r.PostForm.Get("code"), "")
	if err != nil {
		return s.accountError(w, r, sess, err)
	}
	clearSessionCookie(w)
	clearSiteStorage(w)
	return seeOther(w, r, "/login?done=account-deleted")
}
