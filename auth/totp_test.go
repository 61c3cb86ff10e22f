package auth_test

import (
	"context"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"
	"github.com/quirehq/quire"
	"github.com/quirehq/quire/auth"
	"github.com/quirehq/quire/mail"
	"github.com/quirehq/quire/mfa"
)

// enrol turns TOTP on for the user of login and returns the secret, the
// recovery codes and the rotated login.
func enrol(t *testing.T, e *env, u *quire.User, login *auth.Login) (string, []string, *auth.Login) {
	t.Helper()
	ctx := context.Background()
	_, err := e.svc.BeginTOTP(ctx, u, goodPassword)
	wantCode(t, err, quire.EEMAILUNVERIFIED)
	e.verify(t, u)
	_, err = e.svc.BeginTOTP(ctx, u, "not the password")
	wantCode(t, err, quire.EINVALIDCREDENTIALS)
	en, err := e.svc.BeginTOTP(ctx, u, goodPassword)
	if err != nil {
		t.Fatal(err)
	}
	if len(en.PNG) == 0 || !strings.HasPrefix(en.URI, "otpauth://totp/") {
		t.Fatalf("enrolment = %q with %d PNG bytes", en.URI, len(en.PNG))
	}
	q, err := url.Parse(en.URI)
	if err != nil {
		t.Fatal(err)
	}
	secret := q.Query().Get("secret")
	_, _, err = e.svc.ConfirmTOTP(ctx, login.Session, "123456", auth.Client{})
	wantCode(t, err, quire.EINVALIDCREDENTIALS)
	code, _ := totp.GenerateCode(secret, e.clock.Now())
	codes, next, err := e.svc.ConfirmTOTP(ctx, login.Session, code, auth.Client{})
	if err != nil {
		t.Fatal(err)
	}
	if len(codes) != 10 {
		t.Fatalf("%d recovery codes, want 10", len(codes))
	}
	if next.Token == login.Token {
		t.Error("enabling TOTP did not rotate the session")
	}
	return secret, codes, next
}

func TestTOTPSecondFactor(t *testing.T) {
	e := newEnv(t, auth.Config{})
	ctx := context.Background()
	u, first := e.signUp(t, "totp@example.com", goodPassword)
	secret, codes, _ := enrol(t, e, u, first)

	pending, err := e.svc.Login(ctx, u.Email, goodPassword, auth.Client{})
	if err != nil {
		t.Fatal(err)
	}
	if pending.Session.Stage != quire.SessionMFA {
		t.Fatalf("stage after the password = %q, want mfa", pending.Session.Stage)
	}
	_, err = e.svc.SecondFactor(ctx, pending.Session, "000000", "", auth.Client{})
	wantCode(t, err, quire.EINVALIDCREDENTIALS)
	e.clock.Add(30 * time.Second) // the enrolment spent the current step
	code, _ := totp.GenerateCode(secret, e.clock.Now())
	full, err := e.svc.SecondFactor(ctx, pending.Session, code, "", auth.Client{})
	if err != nil {
		t.Fatal(err)
	}
	if full.Session.Stage != quire.SessionFull || full.Token == pending.Token {
		t.Errorf("second factor gave stage %q (new token: %t)", full.Session.Stage, full.Token != pending.Token)
	}
	if _, err := e.svc.Authenticate(ctx, pending.Token); quire.ErrorCode(err) != quire.EUNAUTHORIZED {
		t.Error("the pending session outlived the second factor")
	}

	again, err := e.svc.Login(ctx, u.Email, goodPassword, auth.Client{})
	if err != nil {
		t.Fatal(err)
	}
	_, err = e.svc.SecondFactor(ctx, again.Session, code, "", auth.Client{})
	wantCode(t, err, quire.EINVALIDCREDENTIALS) // the same code again: a replay
	if _, err := e.svc.SecondFactor(ctx, again.Session, "", strings.ToLower(codes[3]), auth.Client{}); err != nil {
		t.Fatalf("recovery code: %v", err)
	}
	third, err := e.svc.Login(ctx, u.Email, goodPassword, auth.Client{})
	if err != nil {
		t.Fatal(err)
	}
	_, err = e.svc.SecondFactor(ctx, third.Session, "", codes[3], auth.Client{})
	wantCode(t, err, quire.EINVALIDCREDENTIALS)
}

func TestSecondFactorFailuresLockTheAccount(t *testing.T) {
	e := newEnv(t, auth.Config{LockoutAttempts: 5})
	ctx := context.Background()
	u, first := e.signUp(t, "guess@example.com", goodPassword)
	enrol(t, e, u, first)
	pending, err := e.svc.Login(ctx, u.Email, goodPassword, auth.Client{})
	if err != nil {
		t.Fatal(err)
	}
	// The password counted once; four wrong codes reach the limit of five.
	for i := 0; i < 3; i++ {
		_, err := e.svc.SecondFactor(ctx, pending.Session, "000000", "", auth.Client{})
		wantCode(t, err, quire.EINVALIDCREDENTIALS)
	}
	_, err = e.svc.SecondFactor(ctx, pending.Session, "", "AAAAA-AAAAA", auth.Client{})
	wantCode(t, err, quire.ELOCKED)
	if _, err := e.svc.Authenticate(ctx, pending.Token); quire.ErrorCode(err) != quire.EUNAUTHORIZED {
		t.Error("the pending session survived the lock")
	}
	_, err = e.svc.Login(ctx, u.Email, goodPassword, auth.Client{})
	wantCode(t, err, quire.ELOCKED)
}

func TestDisableTOTPNeedsThePassword(t *testing.T) {
	e := newEnv(t, auth.Config{})
	ctx := context.Background()
	u, first := e.signUp(t, "off@example.com", goodPassword)
	_, _, login := enrol(t, e, u, first)
	_, err := e.svc.DisableTOTP(ctx, login.Session, "wrong password!", auth.Client{})
	wantCode(t, err, quire.EINVALIDCREDENTIALS)
	if _, err := e.svc.DisableTOTP(ctx, login.Session, goodPassword, auth.Client{}); err != nil {
		t.Fatal(err)
	}
	l, err := e.svc.Login(ctx, u.Email, goodPassword, auth.Client{})
	if err != nil || l.Session.Stage != quire.SessionFull {
		t.Fatalf("login after disabling TOTP: %v, %v", l, err)
	}
}

func TestAuditChainRecordsEventsWithoutSecrets(t *testing.T) {
	e := newEnv(t, auth.Config{})
	ctx := context.Background()
	u, login := e.signUp(t, "audit@example.com", goodPassword)
	_, _ = e.svc.Login(ctx, u.Email, "a wrong password", auth.Client{})
	e.verify(t, u)
	_, secret, err := e.svc.CreateAPIKey(ctx, u.ID, "ci", goodPassword)
	if err != nil {
		t.Fatal(err)
	}
	events, err := e.svc.AuditLog(ctx, u.ID, 100)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{auth.EventSignUp, auth.EventLoginFailure, auth.EventKeyCreated} {
		if !hasEvent(events, want) {
			t.Errorf("audit lacks %s: %v", want, eventNames(events))
		}
	}
	for _, ev := range events {
		for _, v := range ev.Meta {
			for _, s := range []string{goodPassword, "a wrong password", secret, login.Token, u.Email} {
				if strings.Contains(v, s) {
					t.Errorf("audit event %s holds a secret or personal data", ev.Event)
				}
			}
		}
	}
	n, err := e.svc.VerifyAudit(ctx)
	if err != nil || n < 3 {
		t.Errorf("VerifyAudit = %d, %v", n, err)
	}
}

func TestDeleteAccount(t *testing.T) {
	e := newEnv(t, auth.Config{})
	ctx := context.Background()
	u, login := e.signUp(t, "gone@example.com", goodPassword)
	if err := e.svc.DeleteAccountByEmail(ctx, "GONE@example.com"); err != nil {
		t.Fatal(err)
	}
	if _, err := e.users.FindUserByID(ctx, u.ID); quire.ErrorCode(err) != quire.ENOTFOUND {
		t.Errorf("the user is still there (%v)", err)
	}
	if _, err := e.svc.Authenticate(ctx, login.Token); quire.ErrorCode(err) != quire.EUNAUTHORIZED {
		t.Error("the deleted account's session still works")
	}
	if err := e.svc.DeleteAccountByEmail(ctx, "gone@example.com"); err != nil {
		t.Errorf("deleting an absent account: %v", err)
	}
}

func TestRecoveryCodesAreStoredKeyed(t *testing.T) {
	e := newEnv(t, auth.Config{})
	ctx := context.Background()
	u, first := e.signUp(t, "keyed@example.com", goodPassword)
	_, codes, _ := enrol(t, e, u, first)
	// The plain hash of a real code is not what the store holds.
	ok, err := e.store.UseRecoveryCode(ctx, u.ID, mfa.HashRecoveryCode(codes[0]))
	if err != nil || ok {
		t.Fatalf("the store accepted the unkeyed hash of a recovery code (%v)", err)
	}
	if n, _ := e.store.CountRecoveryCodes(ctx, u.ID); n != 10 {
		t.Fatalf("%d recovery codes stored, want 10", n)
	}
}

func TestSecurityChangesAreNotified(t *testing.T) {
	e := newEnv(t, auth.Config{})
	ctx := context.Background()
	u, first := e.signUp(t, "notice@example.com", goodPassword)
	_, _, login := enrol(t, e, u, first)
	if _, _, err := e.svc.CreateAPIKey(ctx, u.ID, "ci", goodPassword); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.ChangePassword(ctx, login.Session, goodPassword, "another long passphrase", auth.Client{}); err != nil {
		t.Fatal(err)
	}
	var changes []string
	for _, m := range e.mail.sent {
		if m.kind == mail.KindSecurityChange {
			if m.to != u.Email {
				t.Errorf("a security notice went to %q", m.to)
			}
			changes = append(changes, m.data["change"])
		}
	}
	if len(changes) != 3 || !strings.Contains(changes[0], "authenticator app was turned on") ||
		!strings.Contains(changes[1], "API key") || !strings.Contains(changes[2], "password was changed") {
		t.Fatalf("security notices = %q, want TOTP on, API key, password change", changes)
	}
}
