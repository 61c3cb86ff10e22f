package http_test

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/pquerna/otp/totp"

	quirehttp "github.com/quirehq/quire/http"
	"github.com/quirehq/quire/internal/authtest"
)

// signUp fills in the sign-up form, waits for the strength meter to
// answer, and lands on the account page.
func (j *journey) signUp() {
	j.t.Helper()
	j.do("open /signup", chromedp.Navigate(j.base+"/signup"), chromedp.WaitVisible(chromedp.ID("email")),
		chromedp.SendKeys(chromedp.ID("email"), j.email),
		chromedp.SendKeys(chromedp.ID("password"), j.password))
	meter, err := chromedp.Run(j.ctx, chromedp.Poll[string](
		`document.getElementById("password-strength").textContent`, chromedp.WithPollingTimeout(15*time.Second)))
	if err != nil || !strings.HasPrefix(meter, "Strength: ") {
		j.t.Fatalf("strength meter shows %q (%v)\nbrowser console:\n%s", meter, err, j.console)
	}
	j.submit("signup-form", "account-email")
	if got := j.text("account-email"); got != j.email || j.path() != "/account" {
		j.t.Fatalf("after sign-up: %s shows %q", j.path(), got)
	}
}

// verifyEmail opens the link from the verification email and confirms.
func (j *journey) verifyEmail() {
	j.t.Helper()
	link := authtest.Link(j.t, j.outbox, "verify_email")
	j.do("open the verification link", chromedp.Navigate(j.base+link.RequestURI()),
		chromedp.WaitVisible(chromedp.ID("verify")))
	j.submit("verify-form", "email-verified")
}

// enrolTOTP sets up an authenticator from the secret the page shows and
// returns the secret.
func (j *journey) enrolTOTP() string {
	j.t.Helper()
	j.do("give the password", chromedp.SendKeys(chromedp.ID("totp-password"), j.password))
	j.submit("totp-begin-form", "totp-uri")
	uri, err := url.Parse(j.text("totp-uri"))
	if err != nil || uri.Scheme != "otpauth" {
		j.t.Fatalf("otpauth URI %q: %v", j.text("totp-uri"), err)
	}
	if w := eval[int](j, `document.getElementById("totp-qr").naturalWidth`); w == 0 {
		j.t.Error("the QR code image did not load")
	}
	secret := uri.Query().Get("secret")
	j.do("enter the first code", chromedp.SendKeys(chromedp.ID("code"), j.code(secret, time.Now())))
	j.submit("totp-confirm-form", "recovery-codes")
	codes := eval[[]string](j, `Array.from(document.querySelectorAll("#recovery-codes code"), (e) => e.textContent)`)
	if len(codes) != 10 {
		j.t.Fatalf("%d recovery codes shown, want 10", len(codes))
	}
	return secret
}

// code computes the authenticator's code at t.
func (j *journey) code(secret string, t time.Time) string {
	j.t.Helper()
	c, err := totp.GenerateCode(secret, t)
	if err != nil {
		j.t.Fatal(err)
	}
	return c
}

func (j *journey) signOut() {
	j.t.Helper()
	j.do("back to the account", chromedp.Click(chromedp.ID("done")), chromedp.WaitVisible(chromedp.ID("mfa-on")))
	j.do("sign out", chromedp.Click(chromedp.ID("sign-out")), chromedp.WaitVisible(chromedp.ID("login-form")))
	if got := j.text("notice"); got != "You are signed out." {
		j.t.Errorf("after sign-out: notice %q", got)
	}
}

// signInWithTOTP signs in with the password, then with a code. The code
// is the next time step's (the authenticator's clock may run ahead by
// one): enrolment spent the current step, and a spent step is refused.
func (j *journey) signInWithTOTP(secret string) {
	j.t.Helper()
	j.do("fill in the sign-in form", chromedp.SendKeys(chromedp.ID("email"), j.email),
		chromedp.SendKeys(chromedp.ID("password"), j.password))
	j.submit("login-form", "mfa-form")
	if p := j.path(); p != "/login/mfa" {
		j.t.Fatalf("after the password: %s, want /login/mfa", p)
	}
	j.do("enter the code", chromedp.SendKeys(chromedp.ID("code"), j.code(secret, time.Now().Add(30*time.Second))))
	j.submit("mfa-form", "account-email")
}

// checkSessionCookie checks that the browser holds the session cookie as
// Secure, HttpOnly and SameSite=Lax, and that page scripts cannot read it.
func (j *journey) checkSessionCookie() {
	j.t.Helper()
	found := false
	for _, c := range j.cookies() {
		if c.Name == quirehttp.SessionCookie {
			found = true
			if !c.HTTPOnly || !c.Secure || c.SameSite != "Lax" || c.Path != "/" {
				j.t.Errorf("session cookie: HttpOnly %t, Secure %t, SameSite %q, Path %q", c.HTTPOnly, c.Secure, c.SameSite, c.Path)
			}
		}
	}
	if !found {
		j.t.Fatal("the browser holds no session cookie")
	}
	if dc := eval[string](j, `document.cookie`); strings.Contains(dc, "quire_session") {
		j.t.Errorf("document.cookie shows the session cookie: %q", dc)
	}
}

// createAPIKey creates a key on the account page and reads it from the
// page that shows it once.
func (j *journey) createAPIKey() string {
	j.t.Helper()
	j.do("name a key", chromedp.SendKeys(chromedp.ID("key-name"), "browser test"),
		chromedp.SendKeys(chromedp.ID("key-password"), j.password))
	j.submit("api-key-form", "api-key")
	key := j.text("api-key")
	if !strings.HasPrefix(key, "qk_") {
		j.t.Fatalf("shown API key %q", key)
	}
	return key
}

// callAPI calls GET /api/v1/me with the key, outside the browser.
func (j *journey) callAPI(key string) {
	j.t.Helper()
	req, err := http.NewRequestWithContext(j.ctx, http.MethodGet, j.base+"/api/v1/me", nil)
	if err != nil {
		j.t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+key)
	resp, err := j.client.Do(req)
	if err != nil {
		j.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), `"email":"`+j.email+`"`) {
		j.t.Fatalf("GET /api/v1/me with the key: %d %s", resp.StatusCode, body)
	}
}

// checkNoCSPViolations fails if any page reported a blocked resource or a
// script error, then proves the watch works: an inline style set from the
// console must be refused and reported both by the browser's log and by
// the page's securitypolicyviolation event.
func (j *journey) checkNoCSPViolations() {
	j.t.Helper()
	if v := j.console.violations(); len(v) > 0 {
		j.t.Errorf("the browser reported %d CSP violations or script errors:\n%s", len(v), strings.Join(v, "\n"))
	}
	eval[bool](j, `document.body.setAttribute("style", "color: red"), true`)
	_, err := chromedp.Run(j.ctx, chromedp.Poll[bool](`document.body.style.color === ""`, chromedp.WithPollingTimeout(5*time.Second)))
	if err != nil {
		j.t.Fatalf("inline style applied despite the CSP: %v", err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for !j.console.reported("Content Security Policy", "csp-violation: style-src") {
		if time.Now().After(deadline) {
			j.t.Fatalf("an inline style went unreported: the CSP watch is blind\nbrowser console:\n%s", j.console)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
