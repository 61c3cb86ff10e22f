package http

import (
	"encoding/base64"
	"html/template"
	"net/http"
	"net/url"

	"github.com/quirehq/quire"
)

// Page titles of two-factor enrolment.
const (
	titleTOTP     = "Set up your authenticator app"
	titleRecovery = "Your recovery codes"
)

// totpView is an enrolment in progress. QR is empty when the page is shown
// again after a wrong code: the secret is kept only server-side, so the
// page cannot show it a second time without starting again.
type totpView struct {
	// QR is the PNG as a data: URL (the CSP allows data: images).
	QR     template.URL
	URI    string
	Secret string
}

// registerMFAPages adds the two-factor forms of the account page.
func (s *Server) registerMFAPages() {
	s.page("POST /account/totp", s.needSession(s.postBeginTOTP, false))
	s.page("POST /account/totp/confirm", s.needSession(s.postConfirmTOTP, false))
	s.page("POST /account/totp/disable", s.needSession(s.postDisableTOTP, false))
	s.page("POST /account/recovery-codes", s.needSession(s.postRecoveryCodes, false))
}

// postBeginTOTP creates a new pending secret and shows it as a QR code and
// as text, with the field for the first code.
func (s *Server) postBeginTOTP(w http.ResponseWriter, r *http.Request, sess *quire.Session) error {
	if err := parseForm(r); err != nil {
		return s.accountError(w, r, sess, err)
	}
	p, err := s.cfg.Auth.Profile(r.Context(), sess.UserID)
	if err != nil {
		return err
	}
	e, err := s.cfg.Auth.BeginTOTP(r.Context(), p.User, r.PostForm.Get("password"))
	if err != nil {
		return s.accountError(w, r, sess, err)
	}
	t := &totpView{URI: e.URI, Secret: totpSecret(e.URI),
		// The PNG comes from our own encoder, never from the client.
		QR: template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(e.PNG))}
	return render(w, http.StatusOK, "totp_enrol", &view{Title: titleTOTP, SignedIn: true, TOTP: t})
}

// totpSecret is the base32 secret of an otpauth URI, for typing by hand.
func totpSecret(uri string) string {
	u, err := url.Parse(uri)
	if err != nil {
		return ""
	}
	return u.Query().Get("secret")
}

// postConfirmTOTP turns TOTP on with the first code and shows the recovery
// codes, once. Enabling a factor rotates the session.
func (s *Server) postConfirmTOTP(w http.ResponseWriter, r *http.Request, sess *quire.Session) error {
	if err := parseForm(r); err != nil {
		return err
	}
	codes, login, err := s.cfg.Auth.ConfirmTOTP(r.Context(), sess, r.PostForm.Get("code"), client(r))
	if quire.ErrorCode(err) == quire.EINVALIDCREDENTIALS {
		return formError(w, "totp_enrol", &view{Title: titleTOTP, SignedIn: true, TOTP: &totpView{}}, err)
	} else if err != nil {
		return s.accountError(w, r, sess, err)
	}
	setSessionCookie(w, login)
	return render(w, http.StatusOK, "recovery_codes", &view{Title: titleRecovery, SignedIn: true,
		Notice: notices["mfa-on"], Codes: codes})
}

func (s *Server) postDisableTOTP(w http.ResponseWriter, r *http.Request, sess *quire.Session) error {
	if err := parseForm(r); err != nil {
		return err
	}
	login, err := s.cfg.Auth.DisableTOTP(r.Context(), sess, r.PostForm.Get("password"), client(r))
	if err != nil {
		return s.accountError(w, r, sess, err)
	}
	setSessionCookie(w, login)
	return seeOther(w, r, "/account?done=mfa-off")
}

// postRecoveryCodes replaces the recovery codes and shows the new ones,
// once.
func (s *Server) postRecoveryCodes(w http.ResponseWriter, r *http.Request, sess *quire.Session) error {
	if err := parseForm(r); err != nil {
		return err
	}
	codes, err := s.cfg.Auth.RecoveryCodes(r.Context(), sess.UserID, r.PostForm.Get("password"))
	if err != nil {
		return s.accountError(w, r, sess, err)
	}
	return render(w, http.StatusOK, "recovery_codes", &view{Title: titleRecovery, SignedIn: true, Codes: codes})
}
