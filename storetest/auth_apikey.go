package storetest

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/quirehq/quire"
)

func sameAPIKey(t *testing.T, got, want *quire.APIKey) {
	t.Helper()
	if got.ID != want.ID || got.UserID != want.UserID || got.Name != want.Name || got.Prefix != want.Prefix ||
		!bytes.Equal(got.SecretIndex, want.SecretIndex) || !sameTime(got.CreatedAt, want.CreatedAt) ||
		!sameTime(got.LastUsedAt, want.LastUsedAt) {
		t.Fatalf("API key = %+v, want %+v", got, want)
	}
}

func mustAPIKey(t *testing.T, s Stores, userID, name string) *quire.APIKey {
	t.Helper()
	k := &quire.APIKey{UserID: userID, Name: name, Prefix: "qk_" + name[:min(4, len(name))], SecretIndex: secret()}
	mustOK(t, s.Auth.CreateAPIKey(context.Background(), k), "CreateAPIKey")
	return k
}

func testAPIKeys(t *testing.T, s Stores) {
	ctx := context.Background()
	u, _ := mustAccount(t, s)
	other, _ := mustAccount(t, s)
	k := mustAPIKey(t, s, u.ID, "deploy bot")
	if !quire.ValidID(k.ID) || !k.LastUsedAt.IsZero() {
		t.Fatalf("CreateAPIKey left %+v", k)
	}
	checkTimes(t, "CreateAPIKey", k.CreatedAt, k.CreatedAt)
	got, err := s.Auth.FindAPIKey(ctx, k.SecretIndex)
	mustOK(t, err, "FindAPIKey")
	sameAPIKey(t, got, k)
	_, err = s.Auth.FindAPIKey(ctx, secret())
	wantCode(t, err, quire.ENOTFOUND)

	second := &quire.APIKey{UserID: u.ID, Name: "ci", Prefix: "qk_ci", SecretIndex: secret(), CreatedAt: k.CreatedAt.Add(time.Second)}
	mustOK(t, s.Auth.CreateAPIKey(ctx, second), "CreateAPIKey")
	mustAPIKey(t, s, other.ID, "someone else's")

	at := k.CreatedAt.Add(time.Minute)
	mustOK(t, s.Auth.TouchAPIKey(ctx, k.ID, at), "TouchAPIKey")
	mustOK(t, s.Auth.TouchAPIKey(ctx, k.ID, at.Add(-time.Second)), "TouchAPIKey with an older time")
	k.LastUsedAt = at
	got, err = s.Auth.FindAPIKey(ctx, k.SecretIndex)
	mustOK(t, err, "FindAPIKey after touch")
	sameAPIKey(t, got, k)
	wantCode(t, s.Auth.TouchAPIKey(ctx, quire.NewID(), at), quire.ENOTFOUND)

	list, err := s.Auth.FindAPIKeysByUser(ctx, u.ID)
	mustOK(t, err, "FindAPIKeysByUser")
	if len(list) != 2 {
		t.Fatalf("FindAPIKeysByUser returned %d keys, want 2", len(list))
	}
	sameAPIKey(t, list[0], k)
	sameAPIKey(t, list[1], second)

	cases := []struct {
		name string
		k    quire.APIKey
		code string
	}{
		{"duplicate index", quire.APIKey{UserID: u.ID, Name: "dup", Prefix: "qk_dup", SecretIndex: k.SecretIndex}, quire.ECONFLICT},
		{"no index", quire.APIKey{UserID: u.ID, Name: "none", Prefix: "qk_none"}, quire.EINVALID},
		{"unknown user", quire.APIKey{UserID: quire.NewID(), Name: "ghost", Prefix: "qk_gh", SecretIndex: secret()}, quire.ENOTFOUND},
	}
	for _, tc := range cases {
		x := tc.k
		if err := s.Auth.CreateAPIKey(ctx, &x); quire.ErrorCode(err) != tc.code {
			t.Fatalf("CreateAPIKey (%s): err = %v, want %s", tc.name, err, tc.code)
		}
	}

	wantCode(t, s.Auth.DeleteAPIKey(ctx, other.ID, k.ID), quire.ENOTFOUND)
	_, err = s.Auth.FindAPIKey(ctx, k.SecretIndex)
	mustOK(t, err, "FindAPIKey after another user's delete")
	mustOK(t, s.Auth.DeleteAPIKey(ctx, u.ID, k.ID), "DeleteAPIKey")
	_, err = s.Auth.FindAPIKey(ctx, k.SecretIndex)
	wantCode(t, err, quire.ENOTFOUND)
	wantCode(t, s.Auth.DeleteAPIKey(ctx, u.ID, k.ID), quire.ENOTFOUND)
	list, err = s.Auth.FindAPIKeysByUser(ctx, u.ID)
	mustOK(t, err, "FindAPIKeysByUser")
	if len(list) != 1 || list[0].ID != second.ID {
		t.Fatalf("keys after delete = %d, want the second only", len(list))
	}
}

func testTokens(t *testing.T, s Stores) {
	ctx := context.Background()
	u, _ := mustAccount(t, s)
	now := usec()
	tok := &quire.Token{Hash: secret(), UserID: u.ID, Purpose: quire.TokenResetPassword, ExpiresAt: now.Add(time.Hour)}
	mustOK(t, s.Auth.CreateToken(ctx, tok), "CreateToken")

	_, err := s.Auth.ConsumeToken(ctx, tok.Hash, quire.TokenVerifyEmail, now)
	wantCode(t, err, quire.ETOKENINVALID)
	_, err = s.Auth.ConsumeToken(ctx, tok.Hash, quire.TokenResetPassword, tok.ExpiresAt.Add(time.Second))
	wantCode(t, err, quire.ETOKENINVALID)
	got, err := s.Auth.ConsumeToken(ctx, tok.Hash, quire.TokenResetPassword, now)
	mustOK(t, err, "ConsumeToken")
	if !bytes.Equal(got.Hash, tok.Hash) || got.UserID != u.ID || got.Purpose != tok.Purpose || !got.ExpiresAt.Equal(tok.ExpiresAt) {
		t.Fatalf("ConsumeToken = %+v, want %+v", got, tok)
	}
	_, err = s.Auth.ConsumeToken(ctx, tok.Hash, quire.TokenResetPassword, now)
	wantCode(t, err, quire.ETOKENINVALID)
	_, err = s.Auth.ConsumeToken(ctx, secret(), quire.TokenResetPassword, now)
	wantCode(t, err, quire.ETOKENINVALID)

	// DeleteTokens removes the user's tokens of one purpose only.
	other, _ := mustAccount(t, s)
	resets := []*quire.Token{
		{Hash: secret(), UserID: u.ID, Purpose: quire.TokenResetPassword, ExpiresAt: now.Add(time.Hour)},
		{Hash: secret(), UserID: u.ID, Purpose: quire.TokenResetPassword, ExpiresAt: now.Add(time.Hour)},
	}
	keep := []*quire.Token{
		{Hash: secret(), UserID: u.ID, Purpose: quire.TokenVerifyEmail, ExpiresAt: now.Add(time.Hour)},
		{Hash: secret(), UserID: other.ID, Purpose: quire.TokenResetPassword, ExpiresAt: now.Add(time.Hour)},
	}
	for _, x := range append(resets, keep...) {
		mustOK(t, s.Auth.CreateToken(ctx, x), "CreateToken")
	}
	mustOK(t, s.Auth.DeleteTokens(ctx, u.ID, quire.TokenResetPassword), "DeleteTokens")
	for _, x := range resets {
		_, err = s.Auth.ConsumeToken(ctx, x.Hash, x.Purpose, now)
		wantCode(t, err, quire.ETOKENINVALID)
	}
	for _, x := range keep {
		_, err = s.Auth.ConsumeToken(ctx, x.Hash, x.Purpose, now)
		mustOK(t, err, "ConsumeToken of a token DeleteTokens must keep")
	}

	expired := &quire.Token{Hash: secret(), UserID: u.ID, Purpose: quire.TokenVerifyEmail, ExpiresAt: now.Add(-time.Second)}
	mustOK(t, s.Auth.CreateToken(ctx, expired), "CreateToken (already expired)")
	_, err = s.Auth.ConsumeToken(ctx, expired.Hash, quire.TokenVerifyEmail, now)
	wantCode(t, err, quire.ETOKENINVALID)

	cases := []struct {
		name string
		tok  quire.Token
		code string
	}{
		{"duplicate hash", *expired, quire.ECONFLICT},
		{"no hash", quire.Token{UserID: u.ID, Purpose: quire.TokenVerifyEmail, ExpiresAt: now.Add(time.Hour)}, quire.EINVALID},
		{"unknown user", quire.Token{Hash: secret(), UserID: quire.NewID(), Purpose: quire.TokenVerifyEmail, ExpiresAt: now.Add(time.Hour)}, quire.ENOTFOUND},
	}
	for _, tc := range cases {
		x := tc.tok
		if err := s.Auth.CreateToken(ctx, &x); quire.ErrorCode(err) != tc.code {
			t.Fatalf("CreateToken (%s): err = %v, want %s", tc.name, err, tc.code)
		}
	}
}
