package http

import (
	"net/http"

	"github.com/quirehq/quire"
)

// titlePassword is the change-password page's title.
const titlePassword = "Change your password"

// passwordPage is the change-password page's view. A session whose
// password was found breached sees why it is here and no way around it.
func (s *Server) passwordPage(r *http.Request, sess *quire.Session) (*view, error) {
	p, err := s.cfg.Auth.Profile(r.Context(), sess.UserID)
	if err != nil {
		return nil, err
	}
	return &view{Title: titlePassword, SignedIn: true, Strength: true, Email: p.User.Email,
		Reset: sess.Stage == quire.SessionReset}, nil
}

func (s *Server) pageChangePassword(w http.ResponseWriter, r *http.Request, sess *quire.Session) error {
	v, err := s.passwordPage(r, sess)
	if err != nil {
		return err
	}
	return render(w, http.StatusOK, "password", v)
}

// postChangePassword sets the new password; every other session ends and
// this one gets a new token (and becomes a full session after a reset).
func (s *Server) postChangePassword(w http.ResponseWriter, r *http.Request, sess *quire.Session) error {
	if err := parseForm(r); err != nil {
		return err
	}
	login, err := s.cfg.Auth.ChangePassword(r.Context(), sess, r.PostForm.Get("current"), r.PostForm.Get("new"), client(r))
	if err != nil {
		if _, status := describe(err); status >= 500 {
			return err
		}
		v, verr := s.passwordPage(r, sess)
		if verr != nil {
			return verr
		}
		return formError(w, "password", v, err)
	}
	setSessionCookie(w, login)
	return seeOther(w, r, "/account?done=password-changed")
}
