package http

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"net/http"
	"strconv"
	"time"

	"github.com/quirehq/quire"
)

// pageFS holds the account pages' templates and static assets. They are
// compiled into the binary so that a deployment is one file.
//
//go:embed templates/*.html static/*
var pageFS embed.FS

// pageNames are the templates under templates/, each rendered inside
// layout.html.
var pageNames = []string{"signup", "login", "mfa", "verify_email", "forgot_password", "reset_password",
	"account", "password", "api_key", "totp_enrol", "recovery_codes", "error", "invite",
	"security_report"}

// pageTemplates are parsed once, at start-up: a broken template is a
// build mistake and panics then, not on a user's request.
var pageTemplates = parsePages()

func parsePages() map[string]*template.Template {
	out := make(map[string]*template.Template, len(pageNames))
	for _, name := range pageNames {
		out[name] = template.Must(template.New(name).ParseFS(pageFS, "templates/layout.html", "templates/"+name+".html"))
	}
	return out
}

// view is what a page template sees. html/template escapes every field for
// its context, so user content (an email, a key name, a user agent) can be
// shown as it is.
type view struct {
	Title string
	// Error and Notice are shown above the page's content.
	Error  string
	Notice string
	// ErrorID names a server-side failure in the logs.
	ErrorID string
	// SignedIn shows the sign-out button.
	SignedIn bool
	// Strength loads the password strength meter.
	Strength bool
	// PasskeyScript loads passkeys.js, which shows and runs the passkey
	// buttons of the page.
	PasskeyScript bool
	// Email fills the email field of a form again after an error.
	Email string
	// Token is a one-time link token carried in a hidden field, so that
	// acting on it takes a POST (mail scanners only GET).
	Token string
	// Reset marks a session that must change a breached password.
	Reset   bool
	Account *accountView
	TOTP    *totpView
	MFA     *mfaView
	Codes   []string
	NewKey  *newKeyView
	Invite  *inviteView
	// Report fills the security report form (disclosure_page.go).
	Report *reportView
}

// render writes the page with status. It renders into a buffer first, so
// a template failure becomes an error page instead of half a page. Every
// page is no-store: account pages show personal data, some show secrets
// once, and none should outlive the session in a shared cache or the
// browser's history cache.
func render(w http.ResponseWriter, status int, name string, v *view) error {
	t, ok := pageTemplates[name]
	if !ok {
		return fmt.Errorf("http: no page template %q", name)
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", v); err != nil {
		return fmt.Errorf("http: render page %s: %w", name, err)
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Length", strconv.Itoa(buf.Len()))
	w.WriteHeader(status)
	_, err := w.Write(buf.Bytes())
	return err
}

// pageMessages are the words a page shows for error codes whose service
// message was written for API clients, or that come from layers with no
// page in mind. Other 4xx codes show the error's own client-safe message.
var pageMessages = map[string]string{
	quire.ETOKENINVALID:      "This link is invalid, expired or already used. Ask for a new one.",
	quire.ETOOLARGE:          "The form was too large to send.",
	quire.ERATELIMITED:       "Too many attempts from your network. Wait a moment and try again.",
	quire.EBREACHUNAVAILABLE: "We could not check your password against known breaches just now. Try again in a minute.",
	quire.EUNAUTHORIZED:      "Sign in to continue.",
}

// friendly returns the message a page shows for a 4xx error.
func friendly(err error) string {
	if m, ok := pageMessages[quire.ErrorCode(err)]; ok {
		return m
	}
	return quire.ErrorMessage(err)
}

// notices are the confirmations a redirect can ask a page to show with
// ?done=key. Only these fixed texts are shown, never anything from the URL.
var notices = map[string]string{
	"signed-out":        "You are signed out.",
	"email-verified":    "Thank you: your email address is confirmed.",
	"verification-sent": "A new confirmation link is on its way to your inbox.",
	"reset-sent":        "If that address has an account, a link to reset its password is on its way.",
	"password-reset":    "Your password is changed. Sign in with the new one.",
	"password-changed":  "Your password is changed. Your other sessions were signed out.",
	"session-revoked":   "That session is signed out.",
	"folder-shared":     "The folder is now shared with you.",
	"sessions-revoked":  "Every other session is signed out.",
	"key-revoked":       "The API key is revoked.",
	"mfa-off":           "Two-factor authentication is off.",
	"mfa-on":            "Two-factor authentication is on.",
	"passkey-added":     "Your passkey is added. Signing in with your password now asks for it too.",
	"passkey-removed":   "The passkey is removed.",
	"profile-saved":     "Your name is saved.",
	"privacy-saved":     "Your privacy choices are saved.",
	"export-started":    "Your export is on its way. It is prepared in the background; this page shows its progress.",
	"email-change-sent": "To finish changing your address, open the link we sent to the new one. Until then, your current address stays.",
	"account-deleted":   "Your account is deleted. Its data can no longer be decrypted and is being removed; a receipt is on its way to your address.",
}

// notice returns the confirmation the request asks for, or "".
func notice(r *http.Request) string {
	return notices[r.URL.Query().Get("done")]
}

// pageTime formats a time for the account page (always UTC: the server
// does not know the reader's zone).
func pageTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2 Jan 2006 15:04 UTC")
}
