package http

import (
	"context"
	"net/http"

	"github.com/quirehq/quire"
)

// privacyView is the privacy section of the account page: the two choices
// of GET /api/v1/me/privacy, each off until the user turns it on.
type privacyView struct {
	Analytics   bool
	HelpImprove bool
	// Updated is when the user last saved them; "" if never.
	Updated string
}

// registerPrivacyPages adds the account page's privacy form, when a
// privacy store is configured.
func (s *Server) registerPrivacyPages() {
	if s.cfg.Privacy == nil {
		return
	}
	s.page("POST /account/privacy", s.needSession(s.postPrivacy, false))
}

// privacyRow reads the user's privacy settings for the account page; nil
// without a privacy store.
func (s *Server) privacyRow(ctx context.Context, userID string) (*privacyView, error) {
	if s.cfg.Privacy == nil {
		return nil, nil
	}
	p, err := s.cfg.Privacy.FindPrivacySettings(ctx, userID)
	if err != nil {
		return nil, err
	}
	return &privacyView{Analytics: p.Analytics, HelpImprove: p.HelpImprove, Updated: pageTime(p.UpdatedAt)}, nil
}

// checkbox reads the checkbox field name of a parsed form: absent is off,
// "on" (what a browser sends for a ticked box) is on, anything else is
// refused.
func checkbox(r *http.Request, name, label string) (bool, error) {
	vs, ok := r.PostForm[name]
	if !ok {
		return false, nil
	}
	if len(vs) != 1 || vs[0] != "on" {
		return false, quire.Errorf(quire.EINVALID, "The %s choice must be a ticked or cleared checkbox.", label)
	}
	return true, nil
}

// postPrivacy saves both privacy choices of the page's session, as PUT
// /api/v1/me/privacy does: an unticked box is an opt-out.
func (s *Server) postPrivacy(w http.ResponseWriter, r *http.Request, sess *quire.Session) error {
	if err := parseForm(r); err != nil {
		return s.accountError(w, r, sess, err)
	}
	analytics, err := checkbox(r, "analytics", "analytics")
	if err != nil {
		return s.accountError(w, r, sess, err)
	}
	improve, err := checkbox(r, "help_improve", "help improve Quire")
	if err != nil {
		return s.accountError(w, r, sess, err)
	}
	if _, err := s.cfg.Privacy.UpdatePrivacySettings(r.Context(), sess.UserID,
		quire.PrivacySettings{Analytics: analytics, HelpImprove: improve}); err != nil {
		return s.accountError(w, r, sess, err)
	}
	return seeOther(w, r, "/account?done=privacy-saved#privacy")
}
