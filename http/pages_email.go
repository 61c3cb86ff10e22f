package http

import (
	"net/http"

	"github.com/quirehq/quire"
)

// Page titles of the emailed-link pages.
const (
	titleVerify = "Confirm your email address"
	titleForgot = "Reset your password"
	titleReset  = "Choose a new password"
)

// maxLinkToken bounds a token taken from a link before it reaches a page:
// real tokens are 43 characters.
const maxLinkToken = 128

// linkToken returns the token of an emailed link from the query, or "" if
// it is missing or cannot be one.
func linkToken(r *http.Request) string {
	t := r.URL.Query().Get("token")
	if len(t) > maxLinkToken {
		return ""
	}
	return t
}

// pageVerifyEmail shows a button that confirms the address. Opening the
// link does nothing by itself: mail scanners and link previews fetch links
// too, and must not spend the token.
func (s *Server) pageVerifyEmail(w http.ResponseWriter, r *http.Request) error {
	v := &view{Title: titleVerify, Token: linkToken(r), SignedIn: signedIn(r)}
	if v.Token == "" {
		return formError(w, "verify_email", v, quire.Errorf(quire.ETOKENINVALID, "This link is invalid or has expired."))
	}
	return render(w, http.StatusOK, "verify_email", v)
}

func (s *Server) postVerifyEmail(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	if err := s.cfg.Auth.VerifyEmail(r.Context(), r.PostForm.Get("token")); err != nil {
		return formError(w, "verify_email", &view{Title: titleVerify, SignedIn: signedIn(r)}, err)
	}
	if signedIn(r) {
		return seeOther(w, r, "/account?done=email-verified")
	}
	return seeOther(w, r, "/login?done=email-verified")
}

func (s *Server) pageForgotPassword(w http.ResponseWriter, r *http.Request) error {
	return render(w, http.StatusOK, "forgot_password", &view{Title: titleForgot, Notice: notice(r)})
}

// postForgotPassword answers the same whether the address has an account
// or not, so the form cannot be used to find out who has one.
func (s *Server) postForgotPassword(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	email := r.PostForm.Get("email")
	if err := s.cfg.Auth.RequestReset(r.Context(), email); err != nil {
		return formError(w, "forgot_password", &view{Title: titleForgot, Email: email}, err)
	}
	return seeOther(w, r, "/forgot-password?done=reset-sent")
}

func (s *Server) pageResetPassword(w http.ResponseWriter, r *http.Request) error {
	v := &view{Title: titleReset, Token: linkToken(r), Strength: true}
	if v.Token == "" {
		return formError(w, "reset_password", v, quire.Errorf(quire.ETOKENINVALID, "This link is invalid or has expired."))
	}
	return render(w, http.StatusOK, "reset_password", v)
}

// postResetPassword sets the new password. A password the policy refuses
// leaves the token unspent (the service checks it first), so the form is
// shown again with the same token; a spent or expired token is not.
func (s *Server) postResetPassword(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	token := r.PostForm.Get("token")
	if err := s.cfg.Auth.ResetPassword(r.Context(), token, r.PostForm.Get("password")); err != nil {
		v := &view{Title: titleReset, Strength: true}
		if quire.ErrorCode(err) != quire.ETOKENINVALID && len(token) <= maxLinkToken {
			v.Token = token
		}
		return formError(w, "reset_password", v, err)
	}
	clearSessionCookie(w)
	return seeOther(w, r, "/login?done=password-reset")
}
