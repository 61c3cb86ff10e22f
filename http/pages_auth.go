package http

import (
	"net/http"

	"github.com/quirehq/quire"
)

// Page titles of the sign-in pages.
const (
	titleSignUp = "Create your account"
	titleLogin  = "Sign in"
	titleMFA    = "Two-step verification"
)

func (s *Server) pageSignUp(w http.ResponseWriter, r *http.Request) error {
	if signedIn(r) {
		return seeOther(w, r, "/account")
	}
	return render(w, http.StatusOK, "signup", &view{Title: titleSignUp, Strength: true})
}

func (s *Server) postSignUp(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	email := r.PostForm.Get("email")
	_, login, err := s.cfg.Auth.SignUp(r.Context(), email, r.PostForm.Get("password"), client(r))
	if err != nil {
		return formError(w, "signup", &view{Title: titleSignUp, Strength: true, Email: email}, err)
	}
	setSessionCookie(w, login)
	return seeOther(w, r, "/account")
}

func (s *Server) pageLogin(w http.ResponseWriter, r *http.Request) error {
	if signedIn(r) {
		return seeOther(w, r, "/account")
	}
	v := loginView("")
	v.Notice = notice(r)
	return render(w, http.StatusOK, "login", v)
}

// loginView is the sign-in page with the email field filled in. It loads
// passkeys.js for passwordless sign-in.
func loginView(email string) *view {
	return &view{Title: titleLogin, Email: email, PasskeyScript: true}
}

func (s *Server) postLogin(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	email := r.PostForm.Get("email")
	login, err := s.cfg.Auth.Login(r.Context(), email, r.PostForm.Get("password"), client(r))
	if err != nil {
		return formError(w, "login", loginView(email), err)
	}
	setSessionCookie(w, login)
	return seeOther(w, r, landing(login.Session.Stage))
}

// mfaSession returns the session that owes a second factor, or where to
// send a browser that has none.
func mfaSession(r *http.Request) (*quire.Session, string) {
	sess := pageSession(r)
	if sess == nil {
		return nil, "/login"
	}
	if sess.Stage != quire.SessionMFA {
		return nil, landing(sess.Stage)
	}
	return sess, ""
}

// pageSecondFactor offers the factors the user has: the code form, the
// passkey button, or both.
func (s *Server) pageSecondFactor(w http.ResponseWriter, r *http.Request) error {
	sess, to := mfaSession(r)
	if to != "" {
		return seeOther(w, r, to)
	}
	v, err := s.mfaPage(r.Context(), sess)
	if err != nil {
		return err
	}
	return render(w, http.StatusOK, "mfa", v)
}

func (s *Server) postSecondFactor(w http.ResponseWriter, r *http.Request) error {
	sess, to := mfaSession(r)
	if to != "" {
		return seeOther(w, r, to)
	}
	if err := parseForm(r); err != nil {
		return err
	}
	code, recovery := r.PostForm.Get("code"), r.PostForm.Get("recovery")
	v, err := s.mfaPage(r.Context(), sess)
	if err != nil {
		return err
	}
	if code == "" && recovery == "" {
		return formError(w, "mfa", v, quire.Errorf(quire.EINVALID,
			"Enter the code from your authenticator app or a recovery code."))
	}
	login, err := s.cfg.Auth.SecondFactor(r.Context(), sess, code, recovery, client(r))
	if err != nil {
		if quire.ErrorCode(err) == quire.ELOCKED {
			clearSessionCookie(w) // the service ended the pending session
		}
		return formError(w, "mfa", v, err)
	}
	setSessionCookie(w, login)
	return seeOther(w, r, landing(login.Session.Stage))
}

func (s *Server) postLogout(w http.ResponseWriter, r *http.Request) error {
	if sess := pageSession(r); sess != nil {
		if err := s.cfg.Auth.Logout(r.Context(), sess); err != nil {
			return err
		}
	}
	clearSessionCookie(w)
	clearSiteStorage(w)
	return seeOther(w, r, "/login?done=signed-out")
}

// clearSiteStorage asks the browser to empty what the site keeps in it
// (local and session storage, IndexedDB, caches): notes the web app kept
// for sending later must not outlive the session on a shared browser. The
// app sends them before it signs out.
func clearSiteStorage(w http.ResponseWriter) {
	w.Header().Set("Clear-Site-Data", `"storage"`)
}
