package auth_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"
	"github.com/quirehq/quire"
	"github.com/quirehq/quire/auth"
	"github.com/quirehq/quire/mail"
)

// TestChangeName changes the name at once and refuses names that are
// empty, too long or hold control characters.
func TestChangeName(t *testing.T) {
	e := newEnv(t, auth.Config{})
	ctx := context.Background()
	u, _ := e.signUp(t, "name@example.com", goodPassword)
	got, err := e.svc.ChangeName(ctx, u.ID, "  Ada Lovelace ")
	if err != nil || got.Name != "Ada Lovelace" {
		t.Fatalf("ChangeName = %+v, %v", got, err)
	}
	if again, _ := e.users.FindUserByID(ctx, u.ID); again.Name != "Ada Lovelace" {
		t.Fatalf("stored name %q", again.Name)
	}
	for _, bad := range []string{"", "   ", string(make([]byte, 201)), "tab\there", "\xff"} {
		_, err := e.svc.ChangeName(ctx, u.ID, bad)
		wantCode(t, err, quire.EINVALID)
	}
	events, _ := e.svc.AuditLog(ctx, u.ID, 10)
	if len(events) == 0 || events[0].Event != auth.EventNameChanged {
		t.Fatalf("no %s audit event: %+v", auth.EventNameChanged, events)
	}
}

// TestEmailChange follows a change of address: the password is checked,
// the new address gets the link and the old one a notice, nothing changes
// until the link is opened, and then the address, its lookup and sign-in
// move together.
func TestEmailChange(t *testing.T) {
	e := newEnv(t, auth.Config{})
	ctx := context.Background()
	u, _ := e.signUp(t, "old@example.com", goodPassword)
	if err := e.svc.RequestReset(ctx, "old@example.com"); err != nil {
		t.Fatal(err)
	}
	oldReset := e.mail.last(t, mail.KindResetPassword)

	_, err := e.svc.RequestEmailChange(ctx, u.ID, "new@example.com", "")
	wantCode(t, err, quire.EINVALID)
	_, err = e.svc.RequestEmailChange(ctx, u.ID, "new@example.com", "not the password")
	wantCode(t, err, quire.EINVALIDCREDENTIALS)
	_, err = e.svc.RequestEmailChange(ctx, u.ID, "not an address", goodPassword)
	wantCode(t, err, quire.EINVALID)
	if pending, err := e.svc.RequestEmailChange(ctx, u.ID, "OLD@example.com", ""); err != nil || pending {
		t.Fatalf("the same address again = %v, %v; want no change and no password asked", pending, err)
	}
	pending, err := e.svc.RequestEmailChange(ctx, u.ID, "New@Example.com", goodPassword)
	if err != nil || !pending {
		t.Fatalf("RequestEmailChange = %v, %v", pending, err)
	}
	link := e.mail.last(t, mail.KindEmailChangeConfirm)
	notice := e.mail.last(t, mail.KindEmailChangeNotice)
	if link.to != "new@example.com" || notice.to != "old@example.com" {
		t.Fatalf("link to %q, notice to %q", link.to, notice.to)
	}
	if still, _ := e.users.FindUserByID(ctx, u.ID); still.Email != "old@example.com" {
		t.Fatalf("the address changed before its link was opened: %q", still.Email)
	}
	if _, err := e.svc.Login(ctx, "new@example.com", goodPassword, auth.Client{}); quire.ErrorCode(err) != quire.EINVALIDCREDENTIALS {
		t.Fatalf("the new address signs in before confirmation (%v)", err)
	}

	if err := e.svc.VerifyEmail(ctx, tokenOf(t, link)); err != nil {
		t.Fatalf("opening the link: %v", err)
	}
	got, err := e.users.FindUserByEmail(ctx, "new@example.com")
	if err != nil || got.ID != u.ID {
		t.Fatalf("FindUserByEmail(new) = %+v, %v", got, err)
	}
	_, err = e.users.FindUserByEmail(ctx, "old@example.com")
	wantCode(t, err, quire.ENOTFOUND)
	if _, err := e.svc.Login(ctx, "new@example.com", goodPassword, auth.Client{}); err != nil {
		t.Fatalf("sign-in with the new address: %v", err)
	}
	if p, _ := e.svc.Profile(ctx, u.ID); !p.EmailVerified {
		t.Error("the confirmed new address is not marked verified")
	}
	if last := e.mail.last(t, mail.KindSecurityChange); last.to != "old@example.com" {
		t.Errorf("the change notice went to %q", last.to)
	}
	wantCode(t, e.svc.VerifyEmail(ctx, tokenOf(t, link)), quire.ETOKENINVALID)
	wantCode(t, e.svc.ResetPassword(ctx, tokenOf(t, oldReset), "another long passphrase 9"), quire.ETOKENINVALID)
	events, _ := e.svc.AuditLog(ctx, u.ID, 20)
	seen := map[string]bool{}
	for _, ev := range events {
		seen[ev.Event] = true
	}
	if !seen[auth.EventEmailChangeRequested] || !seen[auth.EventEmailChanged] {
		t.Errorf("audit events %v", seen)
	}
}

// TestEmailChangeRefusals: a newer request voids the older link, a link
// expires, and an address another account has is refused only when the
// link is opened (the request answers the same either way).
func TestEmailChangeRefusals(t *testing.T) {
	e := newEnv(t, auth.Config{})
	ctx := context.Background()
	u, _ := e.signUp(t, "mover@example.com", goodPassword)
	e.signUp(t, "taken@example.com", goodPassword)

	if _, err := e.svc.RequestEmailChange(ctx, u.ID, "first@example.com", goodPassword); err != nil {
		t.Fatal(err)
	}
	first := e.mail.last(t, mail.KindEmailChangeConfirm)
	if _, err := e.svc.RequestEmailChange(ctx, u.ID, "second@example.com", goodPassword); err != nil {
		t.Fatal(err)
	}
	second := e.mail.last(t, mail.KindEmailChangeConfirm)
	wantCode(t, e.svc.VerifyEmail(ctx, tokenOf(t, first)), quire.ETOKENINVALID)
	e.clock.Add(49 * time.Hour)
	wantCode(t, e.svc.VerifyEmail(ctx, tokenOf(t, second)), quire.ETOKENINVALID)

	pending, err := e.svc.RequestEmailChange(ctx, u.ID, "taken@example.com", goodPassword)
	if err != nil || !pending {
		t.Fatalf("a request for a taken address answered %v, %v; want the same as any other", pending, err)
	}
	wantCode(t, e.svc.VerifyEmail(ctx, tokenOf(t, e.mail.last(t, mail.KindEmailChangeConfirm))), quire.ECONFLICT)
	if still, _ := e.users.FindUserByID(ctx, u.ID); still.Email != "mover@example.com" {
		t.Fatalf("address now %q", still.Email)
	}
}

// TestConfirmIdentity: the password always, and with TOTP on a TOTP code
// or a recovery code (in either field); every failure counts.
func TestConfirmIdentity(t *testing.T) {
	e := newEnv(t, auth.Config{})
	ctx := context.Background()
	u, login := e.signUp(t, "confirm@example.com", goodPassword)
	wantCode(t, e.svc.ConfirmIdentity(ctx, u.ID, "", "", ""), quire.EINVALID)
	wantCode(t, e.svc.ConfirmIdentity(ctx, u.ID, "wrong password", "", ""), quire.EINVALIDCREDENTIALS)
	if err := e.svc.ConfirmIdentity(ctx, u.ID, goodPassword, "", ""); err != nil {
		t.Fatalf("password only, no second factor: %v", err)
	}
	secret, codes, _ := enrol(t, e, u, login)
	wantCode(t, e.svc.ConfirmIdentity(ctx, u.ID, goodPassword, "", ""), quire.EMFAREQUIRED)
	wantCode(t, e.svc.ConfirmIdentity(ctx, u.ID, goodPassword, "000000", ""), quire.EINVALIDCREDENTIALS)
	wantCode(t, e.svc.ConfirmIdentity(ctx, u.ID, "wrong password", codes[0], ""), quire.EINVALIDCREDENTIALS)
	e.clock.Add(time.Minute)
	code, _ := totp.GenerateCode(secret, e.clock.Now())
	if err := e.svc.ConfirmIdentity(ctx, u.ID, goodPassword, code, ""); err != nil {
		t.Fatalf("password and TOTP: %v", err)
	}
	wantCode(t, e.svc.ConfirmIdentity(ctx, u.ID, goodPassword, code, ""), quire.EINVALIDCREDENTIALS) // a code works once
	if err := e.svc.ConfirmIdentity(ctx, u.ID, goodPassword, codes[1], ""); err != nil {
		t.Fatalf("a recovery code as the code: %v", err)
	}
	if err := e.svc.ConfirmIdentity(ctx, u.ID, goodPassword, "", codes[2]); err != nil {
		t.Fatalf("a recovery code: %v", err)
	}
	wantCode(t, e.svc.ConfirmIdentity(ctx, u.ID, goodPassword, "", codes[2]), quire.EINVALIDCREDENTIALS)
}

// TestConfirmIdentityLocksOnWrongCodes: with the right password, wrong
// second-factor codes still count, one per call, and lock the account at
// the limit; the right password does not reset the count between them.
func TestConfirmIdentityLocksOnWrongCodes(t *testing.T) {
	e := newEnv(t, auth.Config{LockoutAttempts: 5})
	ctx := context.Background()
	u, login := e.signUp(t, "guess-confirm@example.com", goodPassword)
	secret, _, _ := enrol(t, e, u, login)
	for i := 0; i < 4; i++ {
		wantCode(t, e.svc.ConfirmIdentity(ctx, u.ID, goodPassword, "000000", ""), quire.EINVALIDCREDENTIALS)
	}
	wantCode(t, e.svc.ConfirmIdentity(ctx, u.ID, goodPassword, "", "AAAAA-AAAAA"), quire.ELOCKED)
	e.clock.Add(time.Minute)
	code, _ := totp.GenerateCode(secret, e.clock.Now())
	wantCode(t, e.svc.ConfirmIdentity(ctx, u.ID, goodPassword, code, ""), quire.ELOCKED)
	_, err := e.svc.Login(ctx, u.Email, goodPassword, auth.Client{})
	wantCode(t, err, quire.ELOCKED)
	if e.mail.count(mail.KindAccountLocked) != 1 {
		t.Errorf("%d lock notices, want 1", e.mail.count(mail.KindAccountLocked))
	}
}

// TestConfirmIdentitySuccessClearsCount: a confirmation with every factor
// right clears the failures before it, so they do not add up with later ones.
func TestConfirmIdentitySuccessClearsCount(t *testing.T) {
	e := newEnv(t, auth.Config{LockoutAttempts: 5})
	ctx := context.Background()
	u, login := e.signUp(t, "clears@example.com", goodPassword)
	secret, _, _ := enrol(t, e, u, login)
	for i := 0; i < 3; i++ {
		wantCode(t, e.svc.ConfirmIdentity(ctx, u.ID, goodPassword, "000000", ""), quire.EINVALIDCREDENTIALS)
	}
	e.clock.Add(time.Minute)
	code, _ := totp.GenerateCode(secret, e.clock.Now())
	if err := e.svc.ConfirmIdentity(ctx, u.ID, goodPassword, code, ""); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 4; i++ {
		wantCode(t, e.svc.ConfirmIdentity(ctx, u.ID, goodPassword, "000000", ""), quire.EINVALIDCREDENTIALS)
	}
}

// TestConfirmIdentityPasskeyOnly: an account whose second factor is a
// passkey is not confirmed by its password alone, and is told how to
// confirm; codes given are checked and count.
func TestConfirmIdentityPasskeyOnly(t *testing.T) {
	e := newEnv(t, auth.Config{LockoutAttempts: 5})
	ctx := context.Background()
	u, _ := e.signUp(t, "passkey-only@example.com", goodPassword)
	pk := &quire.Passkey{ID: quire.NewID(), UserID: u.ID, CredentialID: []byte("credential-1"), Name: "Laptop",
		Data: []byte("{}"), CreatedAt: e.clock.Now()}
	if err := e.store.CreatePasskey(ctx, pk); err != nil {
		t.Fatal(err)
	}
	err := e.svc.ConfirmIdentity(ctx, u.ID, goodPassword, "", "")
	wantCode(t, err, quire.EMFAREQUIRED)
	if !strings.Contains(err.Error(), "authenticator app") {
		t.Errorf("the refusal does not say what to do: %v", err)
	}
	wantCode(t, e.svc.ConfirmIdentity(ctx, u.ID, goodPassword, "123456", ""), quire.EINVALIDCREDENTIALS)
	wantCode(t, e.svc.ConfirmIdentity(ctx, u.ID, goodPassword, "", "AAAAA-AAAAA"), quire.EINVALIDCREDENTIALS)
	wantCode(t, e.svc.ConfirmIdentity(ctx, u.ID, "wrong password", "", ""), quire.EINVALIDCREDENTIALS)
	// Five attempts in all, none of them complete: locked.
	wantCode(t, e.svc.ConfirmIdentity(ctx, u.ID, goodPassword, "", ""), quire.ELOCKED)
}

// TestEmailChangeVoidedBySecurityChanges: a pending change of address
// does not survive a password reset, a password change, signing out the
// other sessions, or a change of the second factors.
func TestEmailChangeVoidedBySecurityChanges(t *testing.T) {
	ctx := context.Background()
	cases := []struct {
		name string
		act  func(t *testing.T, e *env, u *quire.User, login *auth.Login)
	}{
		{"password reset", func(t *testing.T, e *env, u *quire.User, _ *auth.Login) {
			if err := e.svc.RequestReset(ctx, u.Email); err != nil {
				t.Fatal(err)
			}
			if err := e.svc.ResetPassword(ctx, tokenOf(t, e.mail.last(t, mail.KindResetPassword)), "another long passphrase 9"); err != nil {
				t.Fatal(err)
			}
		}},
		{"password change", func(t *testing.T, e *env, _ *quire.User, login *auth.Login) {
			if _, err := e.svc.ChangePassword(ctx, login.Session, goodPassword, "another long passphrase 9", auth.Client{}); err != nil {
				t.Fatal(err)
			}
		}},
		{"other sessions signed out", func(t *testing.T, e *env, u *quire.User, login *auth.Login) {
			if err := e.svc.RevokeOtherSessions(ctx, u.ID, login.Session.ID); err != nil {
				t.Fatal(err)
			}
		}},
		{"TOTP turned on", func(t *testing.T, e *env, u *quire.User, login *auth.Login) {
			enrol(t, e, u, login)
		}},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, auth.Config{})
			u, login := e.signUp(t, fmt.Sprintf("voided%d@example.com", i), goodPassword)
			if _, err := e.svc.RequestEmailChange(ctx, u.ID, fmt.Sprintf("elsewhere%d@example.com", i), goodPassword); err != nil {
				t.Fatal(err)
			}
			link := e.mail.last(t, mail.KindEmailChangeConfirm)
			tc.act(t, e, u, login)
			wantCode(t, e.svc.VerifyEmail(ctx, tokenOf(t, link)), quire.ETOKENINVALID)
			if still, _ := e.users.FindUserByID(ctx, u.ID); still.Email != u.Email {
				t.Fatalf("the address moved to %q", still.Email)
			}
		})
	}
}
