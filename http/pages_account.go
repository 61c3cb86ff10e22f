package http

import (
	"context"
	"net/http"

	"github.com/quirehq/quire"
)

// titleAccount is the account page's title.
const titleAccount = "Your account"

// accountView is what the account page shows.
type accountView struct {
	Email         string
	Name          string
	EmailVerified bool
	TOTPEnabled   bool
	Sessions      []sessionView
	Keys          []keyView
	Passkeys      []passkeyView
	// CanDelete shows the form that deletes the account.
	CanDelete bool
	// Privacy is the privacy section (pages_privacy.go); nil hides it.
	Privacy *privacyView
	// Export is the data export section (pages_export.go); nil hides it.
	Export *exportView
}

// sessionView is one row of the session list; the token is never shown.
type sessionView struct {
	ID        string
	UserAgent string
	Current   bool
	Created   string
	LastSeen  string
}

// keyView is one row of the API key list: only the shown prefix.
type keyView struct {
	ID       string
	Name     string
	Prefix   string
	Created  string
	LastUsed string
}

// registerAccountPages adds the account page and the forms it posts.
func (s *Server) registerAccountPages() {
	s.page("GET /account", s.needSession(s.pageAccount, false))
	s.page("POST /account/verify-email", s.needSession(s.postResendVerification, false))
	s.page("POST /account/sessions/{id}/revoke", s.needSession(s.postRevokeSession, false))
	s.page("POST /account/sessions/revoke-others", s.needSession(s.postRevokeOtherSessions, false))
	s.page("POST /account/api-keys", s.needSession(s.postCreateKey, false))
	s.page("POST /account/api-keys/{id}/revoke", s.needSession(s.postRevokeKey, false))
	s.registerMFAPages()
	s.registerPasskeyPages()
	s.registerRightsPages()
	s.registerPrivacyPages()
	s.registerExportPages()
}

// accountPage builds the account page's view for the session.
func (s *Server) accountPage(r *http.Request, sess *quire.Session) (*view, error) {
	ctx := r.Context()
	p, err := s.cfg.Auth.Profile(ctx, sess.UserID)
	if err != nil {
		return nil, err
	}
	a := &accountView{Email: p.User.Email, Name: p.User.Name, EmailVerified: p.EmailVerified, TOTPEnabled: p.TOTPEnabled,
		CanDelete: s.cfg.Erase != nil}
	if a.Sessions, err = s.sessionRows(ctx, sess); err != nil {
		return nil, err
	}
	if a.Keys, err = s.keyRows(ctx, sess.UserID); err != nil {
		return nil, err
	}
	if a.Passkeys, err = s.passkeyRows(ctx, sess.UserID); err != nil {
		return nil, err
	}
	if a.Privacy, err = s.privacyRow(ctx, sess.UserID); err != nil {
		return nil, err
	}
	if a.Export, err = s.exportRow(ctx, sess.UserID); err != nil {
		return nil, err
	}
	return &view{Title: titleAccount, SignedIn: true, Account: a, PasskeyScript: true}, nil
}

// sessionRows lists the user's sessions, marking the current one.
func (s *Server) sessionRows(ctx context.Context, sess *quire.Session) ([]sessionView, error) {
	sessions, err := s.cfg.Auth.Sessions(ctx, sess.UserID)
	if err != nil {
		return nil, err
	}
	rows := make([]sessionView, 0, len(sessions))
	for _, x := range sessions {
		rows = append(rows, sessionView{ID: x.ID, UserAgent: x.UserAgent, Current: x.ID == sess.ID,
			Created: pageTime(x.CreatedAt), LastSeen: pageTime(x.LastSeenAt)})
	}
	return rows, nil
}

// keyRows lists the user's API keys by their shown prefix.
func (s *Server) keyRows(ctx context.Context, userID string) ([]keyView, error) {
	keys, err := s.cfg.Auth.APIKeys(ctx, userID)
	if err != nil {
		return nil, err
	}
	rows := make([]keyView, 0, len(keys))
	for _, k := range keys {
		rows = append(rows, keyView{ID: k.ID, Name: k.Name, Prefix: k.Prefix,
			Created: pageTime(k.CreatedAt), LastUsed: pageTime(k.LastUsedAt)})
	}
	return rows, nil
}

func (s *Server) pageAccount(w http.ResponseWriter, r *http.Request, sess *quire.Session) error {
	v, err := s.accountPage(r, sess)
	if err != nil {
		return err
	}
	v.Notice = notice(r)
	return render(w, http.StatusOK, "account", v)
}

// accountError shows the account page again with the error of one of its
// forms. The only credential those forms ask for is the password, so a
// wrong one is named as such.
func (s *Server) accountError(w http.ResponseWriter, r *http.Request, sess *quire.Session, err error) error {
	if _, status := describe(err); status >= 500 {
		return err
	}
	if quire.ErrorCode(err) == quire.EINVALIDCREDENTIALS {
		err = quire.WrapError(quire.EINVALIDCREDENTIALS, "The password is incorrect.", err)
	}
	v, verr := s.accountPage(r, sess)
	if verr != nil {
		return verr
	}
	return formError(w, "account", v, err)
}

func (s *Server) postResendVerification(w http.ResponseWriter, r *http.Request, sess *quire.Session) error {
	p, err := s.cfg.Auth.Profile(r.Context(), sess.UserID)
	if err != nil {
		return err
	}
	if p.EmailVerified {
		return s.accountError(w, r, sess, quire.Errorf(quire.ECONFLICT, "Your email address is already verified."))
	}
	if err := s.cfg.Auth.SendVerification(r.Context(), p.User); err != nil {
		return s.accountError(w, r, sess, err)
	}
	return seeOther(w, r, "/account?done=verification-sent")
}

// postRevokeSession ends one session; ending the current one signs out.
func (s *Server) postRevokeSession(w http.ResponseWriter, r *http.Request, sess *quire.Session) error {
	id := r.PathValue("id")
	if err := s.cfg.Auth.RevokeSession(r.Context(), sess.UserID, id); err != nil {
		return s.accountError(w, r, sess, err)
	}
	if id == sess.ID {
		clearSessionCookie(w)
		return seeOther(w, r, "/login?done=signed-out")
	}
	return seeOther(w, r, "/account?done=session-revoked")
}

func (s *Server) postRevokeOtherSessions(w http.ResponseWriter, r *http.Request, sess *quire.Session) error {
	if err := s.cfg.Auth.RevokeOtherSessions(r.Context(), sess.UserID, sess.ID); err != nil {
		return s.accountError(w, r, sess, err)
	}
	return seeOther(w, r, "/account?done=sessions-revoked")
}

// newKeyView is a key just created: its secret is shown on this one page.
type newKeyView struct {
	Name   string
	Secret string
}

// postCreateKey creates an API key and shows it once. The answer is not a
// redirect: the secret is never stored, so no later page could show it.
func (s *Server) postCreateKey(w http.ResponseWriter, r *http.Request, sess *quire.Session) error {
	if err := parseForm(r); err != nil {
		return s.accountError(w, r, sess, err)
	}
	k, secret, err := s.cfg.Auth.CreateAPIKey(r.Context(), sess.UserID, r.PostForm.Get("name"), r.PostForm.Get("password"))
	if err != nil {
		return s.accountError(w, r, sess, err)
	}
	return render(w, http.StatusOK, "api_key", &view{Title: "New API key", SignedIn: true,
		NewKey: &newKeyView{Name: k.Name, Secret: secret}})
}

func (s *Server) postRevokeKey(w http.ResponseWriter, r *http.Request, sess *quire.Session) error {
	if err := s.cfg.Auth.RevokeAPIKey(r.Context(), sess.UserID, r.PathValue("id")); err != nil {
		return s.accountError(w, r, sess, err)
	}
	return seeOther(w, r, "/account?done=key-revoked")
}
