package http_test

import (
	"context"
	"errors"
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/webauthn"
	"github.com/chromedp/chromedp"

	quirehttp "github.com/quirehq/quire/http"
	"github.com/quirehq/quire/internal/authtest"
	"github.com/quirehq/quire/internal/browsertest"
	"github.com/quirehq/quire/tlscert"
)

// TestBrowserPasskeys is passkeys tried in a real browser with Chrome's
// virtual authenticator: sign up, confirm the address, add a passkey on the account page, sign
// out, sign in with the passkey alone (after one refused attempt whose
// error the page must show), sign out, sign in with the password and the
// passkey as the second factor. No page may trip the Content-Security-
// Policy, and without WebAuthn the passkey buttons stay hidden.
func TestBrowserPasskeys(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a browser")
	}
	exec := browsertest.Path(t)
	base, outbox := openPasskeyServer(t)
	j := &journey{t: t, base: base, outbox: outbox,
		email: "passkey.user@example.com", password: "a long and unguessable passphrase 9"}
	j.ctx = startBrowser(t, exec)
	j.console = watchConsole(t, j.ctx)
	authenticator := j.virtualAuthenticator()

	j.signUp()
	j.verifyEmail() // adding a passkey needs a confirmed address
	j.addPasskey(authenticator, "Virtual key")
	j.signOutFrom("/account")
	j.refusedPasskeySignIn(authenticator)
	j.passkeySignIn("passkey-login")
	j.checkSessionCookie()
	j.signOutFrom("/account")
	j.passwordThenPasskey()
	j.checkLastUsed()
	j.withoutWebAuthn()
	j.checkNoCSPViolations()
}

// openPasskeyServer serves the pages over TLS on a loopback port and
// returns its base URL as https://localhost:PORT, and the outbox. WebAuthn
// needs a domain as relying party, not an IP address, and the auth service
// must know the origin, port included, before it serves: so the listener
// comes first, then the service, then the server on that listener.
func openPasskeyServer(t *testing.T) (base, outbox string) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	base = "https://localhost:" + strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
	svc, outbox := authtest.NewWith(t, authtest.Options{PasskeyRPID: "localhost", PasskeyOrigins: []string{base}})
	logger, logs := newLogger()
	srv := quirehttp.NewServer(quirehttp.Config{Auth: svc, AuthBurst: 1000, Logger: logger})
	hs := &http.Server{Handler: srv, TLSConfig: tlscert.ServerConfig(testCert(t)), ReadHeaderTimeout: 10 * time.Second}
	served := make(chan error, 1)
	go func() { served <- hs.ServeTLS(ln, "", "") }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := hs.Shutdown(ctx); err != nil {
			t.Errorf("shutdown: %v", err)
		}
		if err := <-served; !errors.Is(err, http.ErrServerClosed) {
			t.Errorf("serve: %v", err)
		}
		if t.Failed() {
			t.Logf("server log:\n%s", logs)
		}
	})
	return base, outbox
}

// virtualAuthenticator replaces the browser's authenticators with a
// virtual platform authenticator that holds discoverable credentials and
// verifies the user at once.
func (j *journey) virtualAuthenticator() webauthn.AuthenticatorID {
	j.t.Helper()
	if _, err := chromedp.Call(j.ctx, webauthn.Enable, webauthn.EnableParams{}); err != nil {
		j.t.Fatalf("enable WebAuthn: %v", err)
	}
	res, err := chromedp.Call(j.ctx, webauthn.AddVirtualAuthenticator, webauthn.AddVirtualAuthenticatorParams{
		Options: &webauthn.VirtualAuthenticatorOptions{
			Protocol:                    webauthn.AuthenticatorProtocolCtap2,
			Ctap2version:                webauthn.Ctap2versionCtap21,
			Transport:                   webauthn.AuthenticatorTransportInternal,
			HasResidentKey:              true,
			HasUserVerification:         true,
			IsUserVerified:              true,
			AutomaticPresenceSimulation: true,
		}})
	if err != nil {
		j.t.Fatalf("add a virtual authenticator: %v", err)
	}
	return res.AuthenticatorID
}

// credentials returns the credentials the virtual authenticator holds.
func (j *journey) credentials(id webauthn.AuthenticatorID) []*webauthn.Credential {
	j.t.Helper()
	res, err := chromedp.Call(j.ctx, webauthn.GetCredentials, webauthn.GetCredentialsParams{AuthenticatorID: id})
	if err != nil {
		j.t.Fatalf("get credentials: %v", err)
	}
	return res.Credentials
}

// addPasskey names and adds a passkey on the account page, which shows
// it in the list once the ceremony is done.
func (j *journey) addPasskey(id webauthn.AuthenticatorID, name string) {
	j.t.Helper()
	j.do("add a passkey", chromedp.WaitVisible(chromedp.ID("passkey-add-form")),
		chromedp.SendKeys(chromedp.ID("passkey-name"), name),
		chromedp.SendKeys(chromedp.ID("passkey-password"), j.password),
		chromedp.Click(chromedp.ID("passkey-add")),
		chromedp.WaitVisible(chromedp.ID("passkeys")))
	if p := j.path(); p != "/account" {
		j.t.Fatalf("after adding a passkey: %s", p)
	}
	if n := eval[bool](j, `document.getElementById("passkey-unsupported").hidden`); !n {
		j.t.Error("the note for browsers without passkeys is shown")
	}
	if got := j.text("notice"); !strings.HasPrefix(got, "Your passkey is added.") {
		j.t.Errorf("notice %q", got)
	}
	if row := j.text("passkeys"); !strings.Contains(row, name) || !strings.Contains(row, "never") {
		j.t.Errorf("passkey list %q, want %q, never used", row, name)
	}
	creds := j.credentials(id)
	if len(creds) != 1 || !creds[0].IsResidentCredential || creds[0].RpID != "localhost" {
		j.t.Fatalf("the authenticator holds %d credentials (%+v), want one discoverable for localhost", len(creds), creds)
	}
}

// signOutFrom signs out from the page at path and lands on the sign-in
// form.
func (j *journey) signOutFrom(path string) {
	j.t.Helper()
	if p := j.path(); p != path {
		j.t.Fatalf("signing out from %s, want %s", p, path)
	}
	j.do("sign out", chromedp.Click(chromedp.ID("sign-out")), chromedp.WaitVisible(chromedp.ID("login-form")))
	if got := j.text("notice"); got != "You are signed out." {
		j.t.Errorf("after sign-out: notice %q", got)
	}
}

// refusedPasskeySignIn has the authenticator sign with a bogus signature:
// the server refuses it, and the page must say so in its live region and
// let the user try again.
func (j *journey) refusedPasskeySignIn(id webauthn.AuthenticatorID) {
	j.t.Helper()
	bogus := true
	if _, err := chromedp.Call(j.ctx, webauthn.SetResponseOverrideBits,
		webauthn.SetResponseOverrideBitsParams{AuthenticatorID: id, IsBogusSignature: &bogus}); err != nil {
		j.t.Fatalf("set a bogus signature: %v", err)
	}
	j.do("try a bad passkey", chromedp.WaitVisible(chromedp.ID("passkey-login")), chromedp.Click(chromedp.ID("passkey-login")))
	msg, err := chromedp.Run(j.ctx, chromedp.Poll[string](`document.getElementById("passkey-message").textContent`,
		chromedp.WithPollingTimeout(15*time.Second)))
	if err != nil || msg != "The sign-in details are not valid." {
		j.t.Fatalf("refused passkey: message %q (%v)\nbrowser console:\n%s", msg, err, j.console)
	}
	if j.path() != "/login" || eval[bool](j, `document.getElementById("passkey-login").disabled`) {
		j.t.Fatalf("after a refused passkey: %s, button still disabled or page left", j.path())
	}
	if _, err := chromedp.Call(j.ctx, webauthn.SetResponseOverrideBits,
		webauthn.SetResponseOverrideBitsParams{AuthenticatorID: id}); err != nil {
		j.t.Fatalf("reset the signature: %v", err)
	}
}

// passkeySignIn clicks the passkey button with the id and lands signed in
// on the account page.
func (j *journey) passkeySignIn(button string) {
	j.t.Helper()
	j.do("sign in with the passkey", chromedp.WaitVisible(chromedp.ID(button)), chromedp.Click(chromedp.ID(button)),
		chromedp.WaitVisible(chromedp.ID("account-email")))
	if got := j.text("account-email"); got != j.email || j.path() != "/account" {
		j.t.Fatalf("after the passkey: %s shows %q", j.path(), got)
	}
}

// passwordThenPasskey signs in with the password, which with a passkey
// registered owes a second factor, and gives it with the passkey.
func (j *journey) passwordThenPasskey() {
	j.t.Helper()
	j.do("fill in the sign-in form", chromedp.SendKeys(chromedp.ID("email"), j.email),
		chromedp.SendKeys(chromedp.ID("password"), j.password))
	j.submit("login-form", "passkey-mfa")
	if p := j.path(); p != "/login/mfa" {
		j.t.Fatalf("after the password: %s, want /login/mfa", p)
	}
	if n := eval[int](j, `document.querySelectorAll("#mfa-form").length`); n != 0 {
		j.t.Error("the code form is offered to a user without TOTP")
	}
	j.passkeySignIn("passkey-mfa")
}

// checkLastUsed checks that the account page shows when the passkey was
// last used.
func (j *journey) checkLastUsed() {
	j.t.Helper()
	if row := j.text("passkeys"); strings.Contains(row, "never") {
		j.t.Errorf("passkey list %q after two passkey sign-ins", row)
	}
}

// withoutWebAuthn reloads the sign-in page in a browser without the
// WebAuthn API: the passkey button must stay hidden.
func (j *journey) withoutWebAuthn() {
	j.t.Helper()
	if _, err := chromedp.Call(j.ctx, page.AddScriptToEvaluateOnNewDocument,
		page.AddScriptToEvaluateOnNewDocumentParams{Source: `delete window.PublicKeyCredential;`}); err != nil {
		j.t.Fatalf("remove WebAuthn: %v", err)
	}
	j.signOutFrom("/account")
	if eval[bool](j, `typeof window.PublicKeyCredential !== "undefined"`) {
		j.t.Fatal("WebAuthn is still there")
	}
	if !eval[bool](j, `document.getElementById("passkey-signin").hidden`) {
		j.t.Error("the passkey button is shown in a browser without WebAuthn")
	}
}
