package storetest

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/quirehq/quire"
)

func wantTOTP(t *testing.T, s Stores, userID string, secret []byte, enabled bool) {
	t.Helper()
	got, on, err := s.Auth.FindTOTP(context.Background(), userID)
	mustOK(t, err, "FindTOTP")
	if !bytes.Equal(got, secret) || on != enabled {
		t.Fatalf("FindTOTP = %x, %v; want %x, %v", got, on, secret, enabled)
	}
	c, err := s.Auth.FindCredential(context.Background(), userID)
	mustOK(t, err, "FindCredential")
	if c.TOTPEnabled != enabled {
		t.Fatalf("Credential.TOTPEnabled = %v, want %v", c.TOTPEnabled, enabled)
	}
}

func testTOTP(t *testing.T, s Stores) {
	ctx := context.Background()
	u, _ := mustAccount(t, s)
	wantTOTP(t, s, u.ID, nil, false)
	wantCode(t, s.Auth.EnableTOTP(ctx, u.ID, nil), quire.ENOTFOUND)

	key := []byte("12345678901234567890")
	mustOK(t, s.Auth.SetTOTP(ctx, u.ID, key), "SetTOTP")
	wantTOTP(t, s, u.ID, key, false)
	codes := [][]byte{secret(), secret(), secret()}
	mustOK(t, s.Auth.EnableTOTP(ctx, u.ID, codes), "EnableTOTP")
	wantTOTP(t, s, u.ID, key, true)

	for _, step := range []struct {
		step int64
		want bool
	}{{100, true}, {100, false}, {99, false}, {101, true}} {
		ok, err := s.Auth.UseTOTPStep(ctx, u.ID, step.step)
		mustOK(t, err, "UseTOTPStep")
		if ok != step.want {
			t.Fatalf("UseTOTPStep(%d) = %v, want %v: a step works once, and only forward", step.step, ok, step.want)
		}
	}

	mustOK(t, s.Auth.DisableTOTP(ctx, u.ID), "DisableTOTP")
	wantTOTP(t, s, u.ID, nil, false)
	if n, err := s.Auth.CountRecoveryCodes(ctx, u.ID); err != nil || n != 0 {
		t.Fatalf("CountRecoveryCodes after DisableTOTP = %d, %v; want 0", n, err)
	}
	mustOK(t, s.Auth.DisableTOTP(ctx, u.ID), "DisableTOTP again")

	ghost := quire.NewID()
	_, _, err := s.Auth.FindTOTP(ctx, ghost)
	wantCode(t, err, quire.ENOTFOUND)
	wantCode(t, s.Auth.SetTOTP(ctx, ghost, key), quire.ENOTFOUND)
	wantCode(t, s.Auth.EnableTOTP(ctx, ghost, codes), quire.ENOTFOUND)
	wantCode(t, s.Auth.DisableTOTP(ctx, ghost), quire.ENOTFOUND)
}

// testRecoveryCodes checks that each code works once, for its user only,
// and that enabling TOTP again replaces the whole set.
func testRecoveryCodes(t *testing.T, s Stores) {
	ctx := context.Background()
	u, _ := mustAccount(t, s)
	other, _ := mustAccount(t, s)
	count := func(userID string, want int) {
		t.Helper()
		n, err := s.Auth.CountRecoveryCodes(ctx, userID)
		mustOK(t, err, "CountRecoveryCodes")
		if n != want {
			t.Fatalf("CountRecoveryCodes = %d, want %d", n, want)
		}
	}
	use := func(userID string, hash []byte, want bool) {
		t.Helper()
		ok, err := s.Auth.UseRecoveryCode(ctx, userID, hash)
		mustOK(t, err, "UseRecoveryCode")
		if ok != want {
			t.Fatalf("UseRecoveryCode = %v, want %v", ok, want)
		}
	}
	var codes [][]byte
	for range 10 {
		codes = append(codes, secret())
	}
	mustOK(t, s.Auth.SetTOTP(ctx, u.ID, secret()), "SetTOTP")
	mustOK(t, s.Auth.EnableTOTP(ctx, u.ID, codes), "EnableTOTP")
	mustOK(t, s.Auth.SetTOTP(ctx, other.ID, secret()), "SetTOTP")
	mustOK(t, s.Auth.EnableTOTP(ctx, other.ID, [][]byte{secret()}), "EnableTOTP")
	count(u.ID, 10)

	use(u.ID, codes[3], true)
	use(u.ID, codes[3], false)
	use(other.ID, codes[4], false)
	use(u.ID, secret(), false)
	use(u.ID, codes[3][:16], false)
	count(u.ID, 9)
	count(other.ID, 1)

	fresh := [][]byte{secret(), secret()}
	mustOK(t, s.Auth.EnableTOTP(ctx, u.ID, fresh), "EnableTOTP again")
	count(u.ID, 2)
	use(u.ID, codes[0], false)
	use(u.ID, fresh[1], true)
	count(u.ID, 1)
}

func samePasskey(t *testing.T, got, want *quire.Passkey) {
	t.Helper()
	if got.ID != want.ID || got.UserID != want.UserID || !bytes.Equal(got.CredentialID, want.CredentialID) ||
		got.Name != want.Name || !bytes.Equal(got.Data, want.Data) || !sameTime(got.CreatedAt, want.CreatedAt) ||
		!sameTime(got.LastUsedAt, want.LastUsedAt) {
		t.Fatalf("passkey = %+v, want %+v", got, want)
	}
}

func testPasskeys(t *testing.T, s Stores) {
	ctx := context.Background()
	u, _ := mustAccount(t, s)
	other, _ := mustAccount(t, s)
	p := &quire.Passkey{UserID: u.ID, CredentialID: secret(), Name: "YubiKey 5", Data: []byte(`{"signCount":1}`)}
	mustOK(t, s.Auth.CreatePasskey(ctx, p), "CreatePasskey")
	if !quire.ValidID(p.ID) || !p.LastUsedAt.IsZero() {
		t.Fatalf("CreatePasskey left %+v", p)
	}
	checkTimes(t, "CreatePasskey", p.CreatedAt, p.CreatedAt)
	got, err := s.Auth.FindPasskey(ctx, p.CredentialID)
	mustOK(t, err, "FindPasskey")
	samePasskey(t, got, p)
	_, err = s.Auth.FindPasskey(ctx, secret())
	wantCode(t, err, quire.ENOTFOUND)

	phone := &quire.Passkey{UserID: u.ID, CredentialID: secret(), Name: "phone", Data: []byte(`{}`), CreatedAt: p.CreatedAt.Add(time.Second)}
	mustOK(t, s.Auth.CreatePasskey(ctx, phone), "CreatePasskey")
	wantCode(t, s.Auth.CreatePasskey(ctx, &quire.Passkey{UserID: other.ID, CredentialID: p.CredentialID, Name: "clone", Data: []byte("{}")}), quire.ECONFLICT)
	wantCode(t, s.Auth.CreatePasskey(ctx, &quire.Passkey{UserID: u.ID, Name: "no id", Data: []byte("{}")}), quire.EINVALID)
	wantCode(t, s.Auth.CreatePasskey(ctx, &quire.Passkey{UserID: quire.NewID(), CredentialID: secret(), Name: "ghost", Data: []byte("{}")}), quire.ENOTFOUND)

	at := p.CreatedAt.Add(time.Hour)
	p.Data, p.LastUsedAt = []byte(`{"signCount":2}`), at
	mustOK(t, s.Auth.UpdatePasskey(ctx, p.ID, p.Data, at), "UpdatePasskey")
	got, err = s.Auth.FindPasskey(ctx, p.CredentialID)
	mustOK(t, err, "FindPasskey after update")
	samePasskey(t, got, p)
	wantCode(t, s.Auth.UpdatePasskey(ctx, quire.NewID(), p.Data, at), quire.ENOTFOUND)

	list, err := s.Auth.FindPasskeysByUser(ctx, u.ID)
	mustOK(t, err, "FindPasskeysByUser")
	if len(list) != 2 {
		t.Fatalf("FindPasskeysByUser returned %d, want 2", len(list))
	}
	samePasskey(t, list[0], p)
	samePasskey(t, list[1], phone)
	if list, err := s.Auth.FindPasskeysByUser(ctx, other.ID); err != nil || len(list) != 0 {
		t.Fatalf("another user's passkeys = %d, %v; want none", len(list), err)
	}

	wantCode(t, s.Auth.DeletePasskey(ctx, other.ID, p.ID), quire.ENOTFOUND)
	_, err = s.Auth.FindPasskey(ctx, p.CredentialID)
	mustOK(t, err, "FindPasskey after another user's delete")
	mustOK(t, s.Auth.DeletePasskey(ctx, u.ID, p.ID), "DeletePasskey")
	_, err = s.Auth.FindPasskey(ctx, p.CredentialID)
	wantCode(t, err, quire.ENOTFOUND)
	wantCode(t, s.Auth.DeletePasskey(ctx, u.ID, p.ID), quire.ENOTFOUND)
}
