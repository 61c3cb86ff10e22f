package auth_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/quirehq/quire"
	"github.com/quirehq/quire/auth"
	"github.com/quirehq/quire/mail"
)

func TestSessionIdleAndAbsoluteTimeouts(t *testing.T) {
	e := newEnv(t, auth.Config{SessionIdle: time.Hour, SessionLifetime: 3 * time.Hour})
	ctx := context.Background()
	_, login := e.signUp(t, "idle@example.com", goodPassword)
	for i := 0; i < 5; i++ { // active use keeps it alive past the idle timeout
		e.clock.Add(30 * time.Minute)
		if _, err := e.svc.Authenticate(ctx, login.Token); err != nil {
			t.Fatalf("after %v of activity: %v", time.Duration(i+1)*30*time.Minute, err)
		}
	}
	e.clock.Add(31 * time.Minute) // 3h01m after sign-in: past the absolute lifetime
	_, err := e.svc.Authenticate(ctx, login.Token)
	wantCode(t, err, quire.EUNAUTHORIZED)

	_, idle := e.signUp(t, "idle2@example.com", goodPassword)
	e.clock.Add(time.Hour)
	_, err = e.svc.Authenticate(ctx, idle.Token)
	wantCode(t, err, quire.EUNAUTHORIZED)
}

func TestSessionTokensAreStoredHashed(t *testing.T) {
	e := newEnv(t, auth.Config{})
	_, login := e.signUp(t, "hash@example.com", goodPassword)
	list, err := e.svc.Sessions(context.Background(), login.Session.UserID)
	if err != nil || len(list) != 1 {
		t.Fatalf("Sessions = %v, %v", list, err)
	}
	if string(list[0].TokenHash) == login.Token || strings.Contains(string(list[0].TokenHash), login.Token) {
		t.Error("the store holds the token itself")
	}
	_, err = e.svc.Authenticate(context.Background(), login.Token+"x")
	wantCode(t, err, quire.EUNAUTHORIZED)
}

func TestRevokeSessions(t *testing.T) {
	e := newEnv(t, auth.Config{})
	ctx := context.Background()
	u, a := e.signUp(t, "many@example.com", goodPassword)
	b, err := e.svc.Login(ctx, u.Email, goodPassword, auth.Client{})
	if err != nil {
		t.Fatal(err)
	}
	c, err := e.svc.Login(ctx, u.Email, goodPassword, auth.Client{})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.svc.RevokeSession(ctx, u.ID, b.Session.ID); err != nil {
		t.Fatal(err)
	}
	_, err = e.svc.Authenticate(ctx, b.Token)
	wantCode(t, err, quire.EUNAUTHORIZED)
	other, _ := e.signUp(t, "other@example.com", goodPassword)
	wantCode(t, e.svc.RevokeSession(ctx, other.ID, a.Session.ID), quire.ENOTFOUND)
	if err := e.svc.RevokeOtherSessions(ctx, u.ID, c.Session.ID); err != nil {
		t.Fatal(err)
	}
	_, err = e.svc.Authenticate(ctx, a.Token)
	wantCode(t, err, quire.EUNAUTHORIZED)
	if _, err := e.svc.Authenticate(ctx, c.Token); err != nil {
		t.Errorf("the kept session ended: %v", err)
	}
}

func TestPasswordChangeEndsOtherSessionsAndRotates(t *testing.T) {
	e := newEnv(t, auth.Config{})
	ctx := context.Background()
	u, a := e.signUp(t, "change@example.com", goodPassword)
	b, err := e.svc.Login(ctx, u.Email, goodPassword, auth.Client{})
	if err != nil {
		t.Fatal(err)
	}
	_, err = e.svc.ChangePassword(ctx, a.Session, "not the password", "another good passphrase", auth.Client{})
	wantCode(t, err, quire.EINVALIDCREDENTIALS)
	next, err := e.svc.ChangePassword(ctx, a.Session, goodPassword, "another good passphrase", auth.Client{})
	if err != nil {
		t.Fatal(err)
	}
	for name, tok := range map[string]string{"other": b.Token, "old current": a.Token} {
		if _, err := e.svc.Authenticate(ctx, tok); quire.ErrorCode(err) != quire.EUNAUTHORIZED {
			t.Errorf("the %s session survived the password change (%v)", name, err)
		}
	}
	if _, err := e.svc.Authenticate(ctx, next.Token); err != nil {
		t.Errorf("the rotated session does not work: %v", err)
	}
	_, err = e.svc.Login(ctx, u.Email, goodPassword, auth.Client{})
	wantCode(t, err, quire.EINVALIDCREDENTIALS)
}

func TestPasswordResetFlow(t *testing.T) {
	e := newEnv(t, auth.Config{BaseURL: "https://quire.test"})
	ctx := context.Background()
	u, a := e.signUp(t, "reset@example.com", goodPassword)
	if err := e.svc.RequestReset(ctx, "nobody@example.com"); err != nil {
		t.Errorf("reset for an unknown address: %v (must answer as for a known one)", err)
	}
	if err := e.svc.RequestReset(ctx, u.Email); err != nil {
		t.Fatal(err)
	}
	if n := e.mail.count(mail.KindResetPassword); n != 1 {
		t.Fatalf("reset emails = %d, want 1 (none for the unknown address)", n)
	}
	m := e.mail.last(t, mail.KindResetPassword)
	if !strings.HasPrefix(m.data["link"], "https://quire.test/reset-password?token=") {
		t.Errorf("link = %q", m.data["link"])
	}
	token := tokenOf(t, m)
	wantCode(t, e.svc.ResetPassword(ctx, token, "short"), quire.EPASSWORDTOOSHORT)
	if err := e.svc.ResetPassword(ctx, token, "a brand new passphrase"); err != nil {
		t.Fatalf("the token must survive a refused password: %v", err)
	}
	wantCode(t, e.svc.ResetPassword(ctx, token, "yet another passphrase"), quire.ETOKENINVALID)
	if _, err := e.svc.Authenticate(ctx, a.Token); quire.ErrorCode(err) != quire.EUNAUTHORIZED {
		t.Error("a session survived the password reset")
	}
	if _, err := e.svc.Login(ctx, u.Email, "a brand new passphrase", auth.Client{}); err != nil {
		t.Fatal(err)
	}
	if err := e.svc.RequestReset(ctx, u.Email); err != nil {
		t.Fatal(err)
	}
	late := tokenOf(t, e.mail.last(t, mail.KindResetPassword))
	e.clock.Add(61 * time.Minute)
	wantCode(t, e.svc.ResetPassword(ctx, late, "an expired attempt here"), quire.ETOKENINVALID)
}

func TestVerifyEmail(t *testing.T) {
	e := newEnv(t, auth.Config{})
	ctx := context.Background()
	u, _ := e.signUp(t, "verify@example.com", goodPassword)
	p, err := e.svc.Profile(ctx, u.ID)
	if err != nil || p.EmailVerified {
		t.Fatalf("a new account is verified already (%v)", err)
	}
	token := tokenOf(t, e.mail.last(t, mail.KindVerifyEmail))
	wantCode(t, e.svc.VerifyEmail(ctx, "made-up-token"), quire.ETOKENINVALID)
	if err := e.svc.VerifyEmail(ctx, token); err != nil {
		t.Fatal(err)
	}
	wantCode(t, e.svc.VerifyEmail(ctx, token), quire.ETOKENINVALID)
	if p, _ := e.svc.Profile(ctx, u.ID); !p.EmailVerified {
		t.Error("the address is not marked verified")
	}
}

func TestAPIKeys(t *testing.T) {
	e := newEnv(t, auth.Config{})
	ctx := context.Background()
	u, _ := e.signUp(t, "keys@example.com", goodPassword)
	_, _, err := e.svc.CreateAPIKey(ctx, u.ID, "   ", goodPassword)
	wantCode(t, err, quire.EINVALID)
	_, _, err = e.svc.CreateAPIKey(ctx, u.ID, "laptop", goodPassword)
	wantCode(t, err, quire.EEMAILUNVERIFIED)
	e.verify(t, u)
	_, _, err = e.svc.CreateAPIKey(ctx, u.ID, "laptop", "not the password")
	wantCode(t, err, quire.EINVALIDCREDENTIALS)
	k, secret, err := e.svc.CreateAPIKey(ctx, u.ID, "laptop", goodPassword)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(secret, auth.APIKeyPrefix) || len(secret) < len(auth.APIKeyPrefix)+43 || !strings.HasPrefix(secret, k.Prefix) {
		t.Errorf("key %q… with prefix %q has the wrong shape", secret[:6], k.Prefix)
	}
	got, err := e.svc.AuthenticateKey(ctx, secret)
	if err != nil || got.UserID != u.ID {
		t.Fatalf("AuthenticateKey = %v, %v", got, err)
	}
	list, err := e.svc.APIKeys(ctx, u.ID)
	if err != nil || len(list) != 1 || list[0].LastUsedAt.IsZero() {
		t.Fatalf("APIKeys = %+v, %v (want one, with its last use)", list, err)
	}
	last := "A" // change the secret's last character, whatever it is
	if strings.HasSuffix(secret, last) {
		last = "B"
	}
	_, err = e.svc.AuthenticateKey(ctx, secret[:len(secret)-1]+last)
	wantCode(t, err, quire.EUNAUTHORIZED)
	if err := e.svc.RevokeAPIKey(ctx, u.ID, k.ID); err != nil {
		t.Fatal(err)
	}
	_, err = e.svc.AuthenticateKey(ctx, secret)
	wantCode(t, err, quire.EUNAUTHORIZED)
}

func TestAdminNeedsAVerifiedAddress(t *testing.T) {
	e := newEnv(t, auth.Config{Admins: []string{"boss@example.com"}})
	ctx := context.Background()
	u, _ := e.signUp(t, "boss@example.com", goodPassword)
	if p, err := e.svc.Profile(ctx, u.ID); err != nil || p.Admin {
		t.Fatalf("an unverified admin address has admin rights (%v)", err)
	}
	e.verify(t, u)
	if p, err := e.svc.Profile(ctx, u.ID); err != nil || !p.Admin {
		t.Fatalf("the verified admin has no admin rights (%v)", err)
	}
}

func TestRevokedSessionCannotBeRotated(t *testing.T) {
	e := newEnv(t, auth.Config{})
	ctx := context.Background()
	u, login := e.signUp(t, "rotate@example.com", goodPassword)
	e.verify(t, u)
	if err := e.svc.RevokeSession(ctx, u.ID, login.Session.ID); err != nil {
		t.Fatal(err)
	}
	_, err := e.svc.DisableTOTP(ctx, login.Session, goodPassword, auth.Client{})
	if err == nil {
		t.Fatal("a revoked session was rotated into a new one")
	}
	if list, _ := e.svc.Sessions(ctx, u.ID); len(list) != 0 {
		t.Errorf("%d sessions exist after the refused rotation, want 0", len(list))
	}
}

func TestResetEndsOlderResetLinks(t *testing.T) {
	e := newEnv(t, auth.Config{})
	ctx := context.Background()
	u, _ := e.signUp(t, "links@example.com", goodPassword)
	for range 2 {
		if err := e.svc.RequestReset(ctx, u.Email); err != nil {
			t.Fatal(err)
		}
	}
	var tokens []string
	for _, m := range e.mail.sent {
		if m.kind == mail.KindResetPassword {
			tokens = append(tokens, tokenOf(t, m))
		}
	}
	if err := e.svc.ResetPassword(ctx, tokens[1], "the newest passphrase"); err != nil {
		t.Fatal(err)
	}
	wantCode(t, e.svc.ResetPassword(ctx, tokens[0], "an older link's passphrase"), quire.ETOKENINVALID)
}

func TestResetRevokesAPIKeys(t *testing.T) {
	e := newEnv(t, auth.Config{})
	ctx := context.Background()
	u, _ := e.signUp(t, "revoke@example.com", goodPassword)
	e.verify(t, u)
	_, secret, err := e.svc.CreateAPIKey(ctx, u.ID, "laptop", goodPassword)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.svc.RequestReset(ctx, u.Email); err != nil {
		t.Fatal(err)
	}
	if err := e.svc.ResetPassword(ctx, tokenOf(t, e.mail.last(t, mail.KindResetPassword)), "a fresh reset passphrase"); err != nil {
		t.Fatal(err)
	}
	_, err = e.svc.AuthenticateKey(ctx, secret)
	wantCode(t, err, quire.EUNAUTHORIZED)
}
