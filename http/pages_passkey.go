package http

import (
	"context"
	"net/http"

	"github.com/quirehq/quire"
)

// The passkey ceremonies run in the browser (static/passkeys.js) against
// the JSON API (passkey_api.go); the pages list passkeys, remove them with
// a plain form, and offer the buttons that start a ceremony.

// passkeyView is one row of the account page's passkey list.
type passkeyView struct {
	ID       string
	Name     string
	Created  string
	LastUsed string
}

// mfaView is what the second-factor page offers: the code form when the
// user has TOTP, the passkey button when they have a passkey.
type mfaView struct {
	TOTP    bool
	Passkey bool
}

// registerPasskeyPages adds the account page's passkey forms.
func (s *Server) registerPasskeyPages() {
	s.page("POST /account/passkeys", s.needSession(s.postAddPasskey, false))
	s.page("POST /account/passkeys/{id}/remove", s.needSession(s.postRemovePasskey, false))
}

// passkeyRows lists the user's passkeys for the account page.
func (s *Server) passkeyRows(ctx context.Context, userID string) ([]passkeyView, error) {
	keys, err := s.cfg.Auth.Passkeys(ctx, userID)
	if err != nil {
		return nil, err
	}
	rows := make([]passkeyView, 0, len(keys))
	for _, k := range keys {
		rows = append(rows, passkeyView{ID: k.ID, Name: k.Name,
			Created: pageTime(k.CreatedAt), LastUsed: pageTime(k.LastUsedAt)})
	}
	return rows, nil
}

// postAddPasskey answers the add-passkey form when no script took it over.
// The form is shown only by passkeys.js, which runs the ceremony itself;
// a browser that posts it anyway cannot make a passkey, and is told so.
func (s *Server) postAddPasskey(w http.ResponseWriter, r *http.Request, sess *quire.Session) error {
	return s.accountError(w, r, sess, quire.Errorf(quire.EINVALID,
		"Adding a passkey needs a browser that supports passkeys, with JavaScript turned on."))
}

// postRemovePasskey deletes one of the user's passkeys; the password is
// asked again, as for every change to how the account signs in.
func (s *Server) postRemovePasskey(w http.ResponseWriter, r *http.Request, sess *quire.Session) error {
	if err := parseForm(r); err != nil {
		return err
	}
	if err := s.cfg.Auth.RemovePasskey(r.Context(), sess.UserID, r.PathValue("id"), r.PostForm.Get("password")); err != nil {
		return s.accountError(w, r, sess, err)
	}
	return seeOther(w, r, "/account?done=passkey-removed")
}

// mfaPage is the second-factor page's view for the pending session. A
// user with neither factor (a passkey removed from another session
// meanwhile) is offered the code form, which then refuses what it gets.
func (s *Server) mfaPage(ctx context.Context, sess *quire.Session) (*view, error) {
	p, err := s.cfg.Auth.Profile(ctx, sess.UserID)
	if err != nil {
		return nil, err
	}
	m := &mfaView{TOTP: p.TOTPEnabled || p.Passkeys == 0, Passkey: p.Passkeys > 0}
	return &view{Title: titleMFA, MFA: m, PasskeyScript: m.Passkey}, nil
}
