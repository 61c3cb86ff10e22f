package auth_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/quirehq/quire"
	"github.com/quirehq/quire/auth"
	"github.com/quirehq/quire/mail"
	"github.com/quirehq/quire/password"
)

const goodPassword = "correct horse battery staple"

func TestSignUpThenLogin(t *testing.T) {
	e := newEnv(t, auth.Config{})
	ctx := context.Background()
	u, first := e.signUp(t, "  Ada@Example.COM ", goodPassword)
	if u.Email != "ada@example.com" {
		t.Errorf("stored email %q, want the normalised address", u.Email)
	}
	if m := e.mail.last(t, mail.KindVerifyEmail); m.to != u.Email || !strings.Contains(m.data["link"], "/verify-email?token=") {
		t.Errorf("verification email = %+v", m)
	}
	if first.Session.Stage != quire.SessionFull || len(first.Token) < 43 {
		t.Fatalf("sign-up session stage %q, token of %d chars", first.Session.Stage, len(first.Token))
	}
	sess, err := e.svc.Authenticate(ctx, first.Token)
	if err != nil || sess.UserID != u.ID {
		t.Fatalf("Authenticate(sign-up token) = %v, %v", sess, err)
	}
	login, err := e.svc.Login(ctx, "ADA@example.com", goodPassword, auth.Client{})
	if err != nil {
		t.Fatal(err)
	}
	if login.Token == first.Token || login.Session.ID == first.Session.ID {
		t.Error("login reused the earlier session")
	}
	if e.mail.count(mail.KindNewSignIn) != 1 {
		t.Errorf("new sign-in notices = %d, want 1", e.mail.count(mail.KindNewSignIn))
	}
}

func TestSignUpRefusesBadInput(t *testing.T) {
	e := newEnv(t, auth.Config{})
	for _, tc := range []struct {
		name, email, pw, code string
	}{
		{"bad email", "not-an-email", goodPassword, quire.EINVALID},
		{"header injection", "a@example.com\r\nBcc: b@example.com", goodPassword, quire.EINVALID},
		{"display name", "Ada <ada@example.com>", goodPassword, quire.EINVALID},
		{"short password", "b@example.com", "short", quire.EPASSWORDTOOSHORT},
		{"10 MB password", "c@example.com", strings.Repeat("x", 10<<20), quire.EPASSWORDTOOLONG},
		{"breached password", "d@example.com", "password1", quire.EPASSWORDBREACHED},
		{"invalid UTF-8", "e@example.com", "abc\xffdefgh", quire.EINVALID},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := e.svc.SignUp(context.Background(), tc.email, tc.pw, auth.Client{})
			wantCode(t, err, tc.code)
		})
	}
	e.signUp(t, "taken@example.com", goodPassword)
	_, _, err := e.svc.SignUp(context.Background(), "TAKEN@example.com", goodPassword, auth.Client{})
	wantCode(t, err, quire.ECONFLICT)
	for _, addr := range []string{"b@example.com", "c@example.com", "d@example.com"} {
		if _, err := e.users.FindUserByEmail(context.Background(), addr); quire.ErrorCode(err) != quire.ENOTFOUND {
			t.Errorf("a refused sign-up left an account for %s (%v)", addr, err)
		}
	}
}

func TestWrongPasswordAndUnknownEmailAnswerAlike(t *testing.T) {
	e := newEnv(t, auth.Config{})
	e.signUp(t, "known@example.com", goodPassword)
	_, errKnown := e.svc.Login(context.Background(), "known@example.com", "wrong password!", auth.Client{})
	_, errUnknown := e.svc.Login(context.Background(), "nobody@example.com", "wrong password!", auth.Client{})
	wantCode(t, errKnown, quire.EINVALIDCREDENTIALS)
	wantCode(t, errUnknown, quire.EINVALIDCREDENTIALS)
	if quire.ErrorMessage(errKnown) != quire.ErrorMessage(errUnknown) {
		t.Errorf("messages differ: %q vs %q", quire.ErrorMessage(errKnown), quire.ErrorMessage(errUnknown))
	}
	if got := e.hasher.checks.Load(); got != 2 {
		t.Errorf("password checks = %d, want 2: an unknown address must cost a hash too", got)
	}
}

func TestLockoutAfterTenFailures(t *testing.T) {
	e := newEnv(t, auth.Config{})
	ctx := context.Background()
	u, _ := e.signUp(t, "lock@example.com", goodPassword)
	for i := 1; i <= 9; i++ {
		_, err := e.svc.Login(ctx, u.Email, "wrong password!", auth.Client{})
		wantCode(t, err, quire.EINVALIDCREDENTIALS)
	}
	_, err := e.svc.Login(ctx, u.Email, "wrong password!", auth.Client{})
	wantCode(t, err, quire.ELOCKED)
	if m := e.mail.last(t, mail.KindAccountLocked); m.to != u.Email {
		t.Errorf("lock email went to %q", m.to)
	}
	_, err = e.svc.Login(ctx, u.Email, goodPassword, auth.Client{})
	wantCode(t, err, quire.ELOCKED)
	if ra := quire.ErrorRetryAfter(err); ra <= 59*time.Minute || ra > time.Hour {
		t.Errorf("Retry-After = %v, want about an hour", ra)
	}
	e.clock.Add(time.Hour + time.Second)
	if _, err := e.svc.Login(ctx, u.Email, goodPassword, auth.Client{}); err != nil {
		t.Fatalf("login after the lock expired: %v", err)
	}
	// A success resets the count: nine more failures do not lock.
	for i := 0; i < 9; i++ {
		_, err := e.svc.Login(ctx, u.Email, "wrong password!", auth.Client{})
		wantCode(t, err, quire.EINVALIDCREDENTIALS)
	}
}

func TestLockoutUnknownAddressAlike(t *testing.T) {
	e := newEnv(t, auth.Config{LockoutAttempts: 5})
	for i := 1; i <= 5; i++ {
		_, err := e.svc.Login(context.Background(), "ghost@example.com", "wrong password!", auth.Client{})
		want := quire.EINVALIDCREDENTIALS
		if i == 5 {
			want = quire.ELOCKED
		}
		wantCode(t, err, want)
	}
	if n := e.mail.count(mail.KindAccountLocked); n != 0 {
		t.Errorf("%d lock emails for an address without an account", n)
	}
}

func TestLockoutHoldsUnderParallelAttempts(t *testing.T) {
	e := newEnv(t, auth.Config{})
	u, _ := e.signUp(t, "parallel@example.com", goodPassword)
	var wg sync.WaitGroup
	codes := make(chan string, 100)
	for i := 0; i < 100; i++ {
		wg.Go(func() {
			_, err := e.svc.Login(context.Background(), u.Email, "wrong password!", auth.Client{})
			codes <- quire.ErrorCode(err)
		})
	}
	wg.Wait()
	close(codes)
	count := map[string]int{}
	for c := range codes {
		count[c]++
	}
	if got := e.hasher.checks.Load(); got != 10 {
		t.Errorf("%d passwords were checked in 100 parallel attempts, want exactly the limit of 10", got)
	}
	if count[quire.EINVALIDCREDENTIALS]+count[quire.ELOCKED] != 100 || count[quire.EINVALIDCREDENTIALS] != 9 {
		t.Errorf("answers = %v, want 9 invalid_credentials and 91 account_locked", count)
	}
	_, err := e.svc.Login(context.Background(), u.Email, goodPassword, auth.Client{})
	wantCode(t, err, quire.ELOCKED)
}

func TestIndefiniteLockAndUnlock(t *testing.T) {
	e := newEnv(t, auth.Config{LockoutAttempts: 5, LockoutIndefinite: true})
	ctx := context.Background()
	u, _ := e.signUp(t, "forever@example.com", goodPassword)
	for i := 0; i < 5; i++ {
		_, _ = e.svc.Login(ctx, u.Email, "wrong password!", auth.Client{})
	}
	e.clock.Add(365 * 24 * time.Hour)
	_, err := e.svc.Login(ctx, u.Email, goodPassword, auth.Client{})
	wantCode(t, err, quire.ELOCKED)
	if quire.ErrorRetryAfter(err) != 0 {
		t.Error("an indefinite lock must not promise a Retry-After")
	}
	if err := e.svc.Unlock(ctx, "FOREVER@example.com", ""); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Login(ctx, u.Email, goodPassword, auth.Client{}); err != nil {
		t.Fatalf("login after unlock: %v", err)
	}
	events, err := e.svc.AuditLog(ctx, u.ID, 100)
	if err != nil {
		t.Fatal(err)
	}
	if !hasEvent(events, auth.EventLocked) || !hasEvent(events, auth.EventUnlocked) {
		t.Errorf("audit lacks the lock or the unlock: %v", eventNames(events))
	}
}

func TestConfigRefusesWeakLockout(t *testing.T) {
	if _, err := auth.New(auth.Config{LockoutAttempts: 4}, auth.Deps{}); err == nil {
		t.Error("a lockout threshold of 4 was accepted; the minimum is 5")
	}
}

func TestBreachedPasswordAtSignInMustBeReset(t *testing.T) {
	e := newEnv(t, auth.Config{})
	ctx := context.Background()
	u, _ := e.signUp(t, "leaked@example.com", goodPassword)
	e.breach.add(goodPassword) // the password shows up in a breach later
	login, err := e.svc.Login(ctx, u.Email, goodPassword, auth.Client{})
	if err != nil {
		t.Fatal(err)
	}
	if login.Session.Stage != quire.SessionReset {
		t.Fatalf("stage = %q, want %q", login.Session.Stage, quire.SessionReset)
	}
	_, err = e.svc.ChangePassword(ctx, login.Session, goodPassword, "password1", auth.Client{})
	wantCode(t, err, quire.EPASSWORDBREACHED)
	next, err := e.svc.ChangePassword(ctx, login.Session, goodPassword, "a fresh and unbreached one", auth.Client{})
	if err != nil {
		t.Fatal(err)
	}
	if next.Session.Stage != quire.SessionFull {
		t.Errorf("after the change the stage is %q", next.Session.Stage)
	}
	again, err := e.svc.Login(ctx, u.Email, "a fresh and unbreached one", auth.Client{})
	if err != nil || again.Session.Stage != quire.SessionFull {
		t.Fatalf("login with the new password: %v, %v", again, err)
	}
}

func hasEvent(events []*quire.AuditEvent, name string) bool {
	for _, e := range events {
		if e.Event == name {
			return true
		}
	}
	return false
}

func eventNames(events []*quire.AuditEvent) []string {
	var out []string
	for _, e := range events {
		out = append(out, e.Event)
	}
	return out
}

func TestLoginUpgradesTheHashWhenParametersChange(t *testing.T) {
	e := newEnv(t, auth.Config{})
	ctx := context.Background()
	u, _ := e.signUp(t, "rehash@example.com", goodPassword)
	before, err := e.store.FindCredential(ctx, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	stronger := testParams
	stronger.Time = 2
	h, err := password.New(password.Options{Params: stronger})
	if err != nil {
		t.Fatal(err)
	}
	svc, err := auth.New(auth.Config{}, auth.Deps{Users: e.users, Store: e.store, Hasher: h,
		Policy: password.Policy{}, Breach: e.breach, Index: e.b.BlindIndex, Now: e.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Login(ctx, u.Email, goodPassword, auth.Client{}); err != nil {
		t.Fatal(err)
	}
	after, err := e.store.FindCredential(ctx, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(before.PasswordHash, ",t=1,") || !strings.Contains(after.PasswordHash, ",t=2,") {
		t.Fatalf("hash parameters: before %q, after %q; want t=1 upgraded to t=2",
			before.PasswordHash[:strings.LastIndex(before.PasswordHash, "$")], after.PasswordHash[:strings.LastIndex(after.PasswordHash, "$")])
	}
	if _, err := svc.Login(ctx, u.Email, goodPassword, auth.Client{}); err != nil {
		t.Fatalf("login with the upgraded hash: %v", err)
	}
}
