package http

import (
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/quirehq/quire"
)

// maxFormBytes caps the body of every page form: the largest holds an
// email and two passwords.
const maxFormBytes = 64 << 10

// pageFunc is a page handler. It renders its own form errors; an error it
// returns is rendered as an error page by pageError.
type pageFunc func(w http.ResponseWriter, r *http.Request) error

// registerPages adds the server-rendered account pages and their static
// assets. Every GET renders, every POST acts and answers with a redirect
// (303) or the form again with the error. The pages use the same
// auth.Service calls as the JSON API, behind the same stack: the session
// cookie, the per-address throttle and the cross-origin check (claim
// ACC-1) apply to their forms too.
func (s *Server) registerPages() {
	s.page("GET /{$}", s.pageHome)
	s.page("GET /signup", s.pageSignUp)
	s.page("POST /signup", s.postSignUp)
	s.page("GET /login", s.pageLogin)
	s.page("POST /login", s.postLogin)
	s.page("GET /login/mfa", s.pageSecondFactor)
	s.page("POST /login/mfa", s.postSecondFactor)
	s.page("POST /logout", s.postLogout)
	s.page("GET /verify-email", s.pageVerifyEmail)
	s.page("POST /verify-email", s.postVerifyEmail)
	s.page("GET /forgot-password", s.pageForgotPassword)
	s.page("POST /forgot-password", s.postForgotPassword)
	s.page("GET /reset-password", s.pageResetPassword)
	s.page("POST /reset-password", s.postResetPassword)
	s.page("GET /account/password", s.needSession(s.pageChangePassword, true))
	s.page("POST /account/password", s.needSession(s.postChangePassword, true))
	s.registerAccountPages()
	s.registerApp()
	s.registerStatic()
}

// page registers h for pattern with the form body limit and the page
// error renderer.
func (s *Server) page(pattern string, h pageFunc) {
	s.Mount(pattern, BodyLimit(maxFormBytes, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := h(w, r); err != nil {
			s.pageError(w, r, err)
		}
	})))
}

// pageError renders err as an HTML error page with the status of its code
// (the same table as the JSON API). A 5xx shows only a generic message and
// a new error ID, which is logged with the error; nothing else about the
// failure reaches the browser.
func (s *Server) pageError(w http.ResponseWriter, r *http.Request, err error) {
	detail, status := describe(err)
	v := &view{Title: "Something went wrong", SignedIn: signedIn(r)}
	if status >= 500 {
		v.ErrorID = quire.NewID()
		v.Error = detail.Message
		s.logger.ErrorContext(r.Context(), "request failed", "code", detail.Code, "status", status,
			"method", r.Method, "route", r.Pattern, "error_id", v.ErrorID, "error", err)
	} else {
		v.Error = friendly(err)
		s.logger.DebugContext(r.Context(), "request rejected", "code", detail.Code, "status", status,
			"method", r.Method, "route", r.Pattern)
	}
	if responseStarted(w) {
		return
	}
	// A cookie set for a response that then failed must not ride along.
	w.Header().Del("Set-Cookie")
	setRetryAfter(w, err)
	if rerr := render(w, status, "error", v); rerr != nil {
		s.logger.ErrorContext(r.Context(), "render error page", "error", rerr)
	}
}

// formError renders page again with err's message and status, for a form
// the user can correct and send again. A 5xx is returned instead, for the
// error page with its ID.
func formError(w http.ResponseWriter, name string, v *view, err error) error {
	_, status := describe(err)
	if status >= 500 {
		return err
	}
	v.Error = friendly(err)
	setRetryAfter(w, err)
	return render(w, status, name, v)
}

// setRetryAfter tells the client when to try again, for a lockout.
func setRetryAfter(w http.ResponseWriter, err error) {
	if d := quire.ErrorRetryAfter(err); d > 0 {
		w.Header().Set("Retry-After", strconv.FormatInt(int64((d+time.Second-1)/time.Second), 10))
	}
}

// parseForm reads the form body within the page limit.
func parseForm(r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		if tooLarge := (*http.MaxBytesError)(nil); errors.As(err, &tooLarge) {
			return quire.WrapError(quire.ETOOLARGE, "The form was too large to send.", err)
		}
		return quire.WrapError(quire.EINVALID, "The form could not be read.", err)
	}
	return nil
}

// seeOther answers with a 303 to path, the response to every successful
// form: the browser then GETs it, so a reload never sends the form again.
func seeOther(w http.ResponseWriter, r *http.Request, path string) error {
	w.Header().Set("Cache-Control", "no-store")
	http.Redirect(w, r, path, http.StatusSeeOther)
	return nil
}

// landing is where a session of the stage goes after signing in.
func landing(stage string) string {
	switch stage {
	case quire.SessionMFA:
		return "/login/mfa"
	case quire.SessionReset:
		return "/account/password"
	}
	return "/account"
}

// pageSession returns the request's browser session, or nil. An API key
// never opens the pages: they are for browsers.
func pageSession(r *http.Request) *quire.Session {
	if a := ActorFrom(r.Context()); a != nil {
		return a.Session
	}
	return nil
}

// signedIn reports whether the request has a fully signed-in session.
func signedIn(r *http.Request) bool {
	sess := pageSession(r)
	return sess != nil && landing(sess.Stage) == "/account"
}

// sessionPageFunc is a page handler for a signed-in session.
type sessionPageFunc func(w http.ResponseWriter, r *http.Request, sess *quire.Session) error

// needSession wraps h for pages that need a signed-in browser: anyone else
// is sent where their session may go (sign-in, the second factor, or the
// password change a breached password requires). allowReset admits a
// session that may only change its password.
func (s *Server) needSession(h sessionPageFunc, allowReset bool) pageFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		sess := pageSession(r)
		if sess == nil {
			return seeOther(w, r, "/login")
		}
		if to := landing(sess.Stage); to != "/account" && !(allowReset && sess.Stage == quire.SessionReset) {
			return seeOther(w, r, to)
		}
		return h(w, r, sess)
	}
}

// pageHome sends a signed-in browser to the app, a session part-way
// through signing in to its next step, and anyone else to sign in. While
// the server has no account yet, it shows the first-run welcome instead.
func (s *Server) pageHome(w http.ResponseWriter, r *http.Request) error {
	if sess := pageSession(r); sess != nil {
		if to := landing(sess.Stage); to != "/account" {
			return seeOther(w, r, to)
		}
		return seeOther(w, r, "/app")
	}
	first, err := s.cfg.Auth.FirstRun(r.Context())
	if err != nil {
		return err
	}
	if first {
		return pageWelcome(w)
	}
	return seeOther(w, r, "/login")
}
