package authtest_test

import (
	"context"
	"testing"

	"github.com/quirehq/quire"
	"github.com/quirehq/quire/auth"
	"github.com/quirehq/quire/internal/authtest"
	"github.com/quirehq/quire/internal/webauthntest"
	"github.com/quirehq/quire/mail"
)

const pw = "correct horse battery staple 42"

// signUp signs up email with pw, verifies the address from the outbox
// (a passkey needs a verified address) and returns the session.
func signUp(t *testing.T, svc *auth.Service, outbox, email string) *quire.Session {
	t.Helper()
	ctx := context.Background()
	_, login, err := svc.SignUp(ctx, email, pw, auth.Client{})
	if err != nil {
		t.Fatal(err)
	}
	if err := svc.VerifyEmail(ctx, authtest.Token(t, outbox, mail.KindVerifyEmail)); err != nil {
		t.Fatal(err)
	}
	return login.Session
}

// register adds the authenticator's passkey to the signed-up user.
func register(t *testing.T, svc *auth.Service, sess *quire.Session, a *webauthntest.Authenticator) {
	t.Helper()
	ctx := context.Background()
	c, err := svc.BeginPasskeyRegistration(ctx, sess, pw)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := svc.FinishPasskeyRegistration(ctx, sess, c.ID, "soft", a.Create(c.Options), auth.Client{}); err != nil {
		t.Fatalf("finish registration: %v", err)
	}
}

// TestPasskeyRoundTrip checks that the service New builds accepts a
// software authenticator's passkey for DefaultRPID at DefaultOrigin,
// passwordless and as a second factor.
func TestPasskeyRoundTrip(t *testing.T) {
	ctx := context.Background()
	svc, outbox := authtest.New(t)
	a := webauthntest.New(t, authtest.DefaultRPID)
	register(t, svc, signUp(t, svc, outbox, "soft@example.com"), a)

	c, err := svc.BeginPasskeyLogin(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	full, err := svc.FinishPasskeyLogin(ctx, nil, c.ID, a.Get(c.Options), auth.Client{})
	if err != nil || full.Session.Stage != quire.SessionFull {
		t.Fatalf("passwordless: %v", err)
	}

	pending, err := svc.Login(ctx, "soft@example.com", pw, auth.Client{})
	if err != nil || pending.Session.Stage != quire.SessionMFA {
		t.Fatalf("password with a passkey registered: %v (stage %v)", err, pending)
	}
	c, err = svc.BeginPasskeyLogin(ctx, pending.Session)
	if err != nil {
		t.Fatal(err)
	}
	done, err := svc.FinishPasskeyLogin(ctx, pending.Session, c.ID, a.Get(c.Options), auth.Client{})
	if err != nil || done.Session.Stage != quire.SessionFull {
		t.Fatalf("second factor: %v", err)
	}
}

// TestPasskeyRelyingParty checks that Options set the relying party: a
// service for another origin refuses an authenticator at DefaultOrigin and
// accepts one that names that origin.
func TestPasskeyRelyingParty(t *testing.T) {
	ctx := context.Background()
	origin := "https://localhost:8443"
	svc, outbox := authtest.NewWith(t, authtest.Options{PasskeyOrigins: []string{origin}})
	sess := signUp(t, svc, outbox, "rp@example.com")
	wrong := webauthntest.New(t, authtest.DefaultRPID)
	c, err := svc.BeginPasskeyRegistration(ctx, sess, pw)
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = svc.FinishPasskeyRegistration(ctx, sess, c.ID, "", wrong.Create(c.Options), auth.Client{})
	if quire.ErrorCode(err) != quire.EINVALID {
		t.Fatalf("origin %s accepted by a service for %s: %v", wrong.Origin, origin, err)
	}
	right := webauthntest.New(t, authtest.DefaultRPID)
	right.Origin = origin
	register(t, svc, sess, right)
	keys, err := svc.Passkeys(ctx, sess.UserID)
	if err != nil || len(keys) != 1 || keys[0].Name != "soft" {
		t.Fatalf("passkeys after registration: %v, %d", err, len(keys))
	}
}
