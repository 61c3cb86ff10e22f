package http_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"github.com/quirehq/quire/auth"
	"github.com/quirehq/quire/internal/authtest"
)

// clock is a test clock the auth service reads; tests are sequential, so
// a plain field is enough.
type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

// totpCode computes the code of the secret at t, as an authenticator app
// would.
func totpCode(t *testing.T, secret string, at time.Time) string {
	t.Helper()
	code, err := totp.GenerateCode(secret, at)
	if err != nil {
		t.Fatal(err)
	}
	return code
}

// enrolTOTP turns TOTP on through the pages and returns the secret and
// the recovery codes.
func enrolTOTP(t *testing.T, b *browser, c *clock) (string, []string) {
	t.Helper()
	doc := b.post("/account/totp", url.Values{"password": {goodPassword}}).want(t, http.StatusOK).page(t)
	if src := doc.byID(t, "totp-qr").attrs["src"]; !strings.HasPrefix(src, "data:image/png;base64,") {
		t.Fatalf("QR src %.40q", src)
	}
	uri, err := url.Parse(doc.byID(t, "totp-uri").text)
	if err != nil || uri.Scheme != "otpauth" {
		t.Fatalf("otpauth URI %q: %v", doc.byID(t, "totp-uri").text, err)
	}
	secret := uri.Query().Get("secret")
	if secret == "" || doc.byID(t, "totp-secret").text != secret {
		t.Fatalf("secret %q, shown %q", secret, doc.byID(t, "totp-secret").text)
	}
	resp := b.post("/account/totp/confirm", url.Values{"code": {"000000"}})
	if resp.StatusCode != http.StatusUnauthorized {
		// 000000 is right once in a million: then the test goes on enrolled.
		t.Fatalf("wrong code: status %d", resp.StatusCode)
	}
	resp.page(t).byID(t, "totp-confirm-form")
	before := b.session()
	resp = b.post("/account/totp/confirm", url.Values{"code": {totpCode(t, secret, c.now())}}).want(t, http.StatusOK)
	doc = resp.page(t)
	var codes []string
	for _, tag := range doc.find("code") {
		codes = append(codes, tag.text)
	}
	if len(codes) != 10 || b.session() == before {
		t.Fatalf("%d recovery codes, session rotated %t", len(codes), b.session() != before)
	}
	return secret, codes
}

func TestTOTPPages(t *testing.T) {
	c := &clock{t: time.Now()}
	env := newPageEnv(t, authtest.Options{Now: c.now})
	b := env.signUp(t, "totp@example.com", goodPassword)
	secret, codes := enrolTOTP(t, b, c)
	b.get("/account").want(t, http.StatusOK).page(t).byID(t, "mfa-on")
	b.post("/logout", nil)

	b, to := env.signIn(t, "totp@example.com", goodPassword)
	if to != "/login/mfa" {
		t.Fatalf("sign-in went to %q, want /login/mfa", to)
	}
	b.get("/account").redirect(t, "/login/mfa")
	b.get("/login/mfa").want(t, http.StatusOK).page(t).byID(t, "mfa-form")
	resp := b.post("/login/mfa", url.Values{"code": {"12345"}}).want(t, http.StatusUnauthorized)
	resp.page(t).byID(t, "error")
	b.post("/login/mfa", url.Values{}).want(t, http.StatusBadRequest)
	c.t = c.t.Add(30 * time.Second) // the next step: the enrolment's code is spent
	b.post("/login/mfa", url.Values{"code": {totpCode(t, secret, c.now())}}).redirect(t, "/account")
	b.get("/account").want(t, http.StatusOK)
	b.get("/login/mfa").redirect(t, "/account")
	b.post("/logout", nil)

	// A recovery code works once.
	b, _ = env.signIn(t, "totp@example.com", goodPassword)
	b.post("/login/mfa", url.Values{"recovery": {codes[0]}}).redirect(t, "/account")
	b2, _ := env.signIn(t, "totp@example.com", goodPassword)
	b2.post("/login/mfa", url.Values{"recovery": {codes[0]}}).want(t, http.StatusUnauthorized)

	// New recovery codes need the password; the old ones stop working.
	b.post("/account/recovery-codes", url.Values{"password": {"wrong!"}}).want(t, http.StatusUnauthorized).page(t)
	doc := b.post("/account/recovery-codes", url.Values{"password": {goodPassword}}).want(t, http.StatusOK).page(t)
	if n := len(doc.find("code")); n != 10 {
		t.Fatalf("%d new recovery codes", n)
	}
	b2.post("/login/mfa", url.Values{"recovery": {codes[1]}}).want(t, http.StatusUnauthorized)

	// Turning it off needs the password too.
	b.post("/account/totp/disable", url.Values{"password": {"wrong!"}}).want(t, http.StatusUnauthorized).page(t).byID(t, "mfa-on")
	b.post("/account/totp/disable", url.Values{"password": {goodPassword}}).redirect(t, "/account?done=mfa-off")
	b.get("/account").want(t, http.StatusOK).page(t).byID(t, "mfa-off")
	if _, to := env.signIn(t, "totp@example.com", goodPassword); to != "/account" {
		t.Errorf("sign-in after turning TOTP off went to %q", to)
	}
}

// TestTOTPBeginTwice checks that enrolling again while TOTP is on is
// refused on the account page.
func TestTOTPBeginTwice(t *testing.T) {
	c := &clock{t: time.Now()}
	env := newPageEnv(t, authtest.Options{Now: c.now})
	b := env.signUp(t, "twice@example.com", goodPassword)
	enrolTOTP(t, b, c)
	resp := b.post("/account/totp", url.Values{"password": {goodPassword}}).want(t, http.StatusConflict)
	resp.page(t).byID(t, "error")
}

// TestSecondFactorLockout checks that wrong codes count toward the
// lockout, and that the lock ends the pending session and its cookie.
func TestSecondFactorLockout(t *testing.T) {
	c := &clock{t: time.Now()}
	env := newPageEnv(t, authtest.Options{Now: c.now, Config: auth.Config{LockoutAttempts: 5}})
	b := env.signUp(t, "mfalock@example.com", goodPassword)
	enrolTOTP(t, b, c)
	b, _ = env.signIn(t, "mfalock@example.com", goodPassword)
	status := 0
	for i := 0; i < 5 && status != http.StatusLocked; i++ {
		resp := b.post("/login/mfa", url.Values{"code": {"99999"}})
		if status = resp.StatusCode; status != http.StatusUnauthorized && status != http.StatusLocked {
			t.Fatalf("wrong code %d: status %d", i, status)
		}
	}
	if status != http.StatusLocked {
		t.Fatal("five wrong codes did not lock the account")
	}
	if b.session() != "" {
		t.Error("the locked pending session kept its cookie")
	}
	b.get("/login/mfa").redirect(t, "/login")
}
