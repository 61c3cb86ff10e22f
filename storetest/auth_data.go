package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/quirehq/quire"
)

// authSet is one of each auth record of an account, as the store returned
// them, so that a test can check that everything still reads back or that
// everything is gone.
type authSet struct {
	user      *quire.User
	workspace *quire.Workspace
	session   *quire.Session
	key       *quire.APIKey
	token     *quire.Token
	passkey   *quire.Passkey
	totp      []byte
	codes     [][]byte
}

// authValues are the encrypted values seedAuth stores.
type authValues struct{ userAgent, keyName, passkeyName, passkeyData, totp string }

// seedAuth creates an account with a session, an API key, a one-time
// token, a passkey and, if v.totp is set, enabled TOTP with two recovery
// codes.
func seedAuth(t *testing.T, s Stores, v authValues) *authSet {
	t.Helper()
	ctx := context.Background()
	a := &authSet{}
	a.user, a.workspace = mustAccount(t, s)
	a.session = &quire.Session{UserID: a.user.ID, TokenHash: secret(), Stage: quire.SessionFull, UserAgent: v.userAgent, ExpiresAt: usec().Add(time.Hour)}
	mustOK(t, s.Auth.CreateSession(ctx, a.session), "CreateSession")
	a.key = &quire.APIKey{UserID: a.user.ID, Name: v.keyName, Prefix: "qk_seed", SecretIndex: secret()}
	mustOK(t, s.Auth.CreateAPIKey(ctx, a.key), "CreateAPIKey")
	a.token = &quire.Token{Hash: secret(), UserID: a.user.ID, Purpose: quire.TokenVerifyEmail, ExpiresAt: usec().Add(time.Hour)}
	mustOK(t, s.Auth.CreateToken(ctx, a.token), "CreateToken")
	a.passkey = &quire.Passkey{UserID: a.user.ID, CredentialID: secret(), Name: v.passkeyName, Data: []byte(v.passkeyData)}
	mustOK(t, s.Auth.CreatePasskey(ctx, a.passkey), "CreatePasskey")
	if v.totp != "" {
		a.totp, a.codes = []byte(v.totp), [][]byte{secret(), secret()}
		mustOK(t, s.Auth.SetTOTP(ctx, a.user.ID, a.totp), "SetTOTP")
		mustOK(t, s.Auth.EnableTOTP(ctx, a.user.ID, a.codes), "EnableTOTP")
	}
	return a
}

// verify reads every record of a back from s (the token is not consumed).
func (a *authSet) verify(t *testing.T, s Stores) {
	t.Helper()
	ctx := context.Background()
	sameSession(t, findSession(t, s, a.session.TokenHash), a.session)
	k, err := s.Auth.FindAPIKey(ctx, a.key.SecretIndex)
	mustOK(t, err, "FindAPIKey")
	sameAPIKey(t, k, a.key)
	p, err := s.Auth.FindPasskey(ctx, a.passkey.CredentialID)
	mustOK(t, err, "FindPasskey")
	samePasskey(t, p, a.passkey)
	wantTOTP(t, s, a.user.ID, a.totp, a.totp != nil)
	n, err := s.Auth.CountRecoveryCodes(ctx, a.user.ID)
	mustOK(t, err, "CountRecoveryCodes")
	if n != len(a.codes) {
		t.Fatalf("CountRecoveryCodes = %d, want %d", n, len(a.codes))
	}
}

// wantGone checks that no record of a can be found any more.
func (a *authSet) wantGone(t *testing.T, s Stores) {
	t.Helper()
	ctx := context.Background()
	_, err := s.Auth.FindCredential(ctx, a.user.ID)
	wantCode(t, err, quire.ENOTFOUND)
	_, err = s.Auth.FindSession(ctx, a.session.TokenHash)
	wantCode(t, err, quire.ENOTFOUND)
	_, err = s.Auth.FindAPIKey(ctx, a.key.SecretIndex)
	wantCode(t, err, quire.ENOTFOUND)
	_, err = s.Auth.FindPasskey(ctx, a.passkey.CredentialID)
	wantCode(t, err, quire.ENOTFOUND)
	_, err = s.Auth.ConsumeToken(ctx, a.token.Hash, a.token.Purpose, usec())
	wantCode(t, err, quire.ETOKENINVALID)
	if ok, err := s.Auth.UseRecoveryCode(ctx, a.user.ID, a.codes[0]); ok || err != nil {
		t.Fatalf("UseRecoveryCode of a deleted user = %v, %v", ok, err)
	}
	for what, n := range map[string]int{"sessions": len(sessionIDs(t, s, a.user.ID)), "keys": countList(s.Auth.FindAPIKeysByUser(ctx, a.user.ID)),
		"passkeys": countList(s.Auth.FindPasskeysByUser(ctx, a.user.ID))} {
		if n != 0 {
			t.Fatalf("a deleted user still has %d %s", n, what)
		}
	}
}

// countList returns the length of a list, or -1 if reading it failed.
func countList[T any](list []T, err error) int {
	if err != nil {
		return -1
	}
	return len(list)
}

// testAuthCascade deletes a user: every auth record goes with it, while
// the audit log, which outlives users, still verifies.
func testAuthCascade(t *testing.T, s Stores) {
	ctx := context.Background()
	doomed := seedAuth(t, s, authValues{"ua", "key", "passkey", "{}", "totp secret"})
	kept := seedAuth(t, s, authValues{"ua 2", "key 2", "passkey 2", `{"a":1}`, "totp secret 2"})
	e := mustAudit(t, s, &quire.AuditEvent{Event: "signup", UserID: doomed.user.ID})

	mustOK(t, s.Workspaces.DeleteWorkspace(ctx, doomed.workspace.ID), "DeleteWorkspace")
	mustOK(t, s.Users.DeleteUser(ctx, doomed.user.ID), "DeleteUser")
	doomed.wantGone(t, s)
	kept.verify(t, s)
	list, err := s.Auth.FindAudit(ctx, doomed.user.ID, 0)
	mustOK(t, err, "FindAudit of a deleted user")
	if len(list) != 1 {
		t.Fatalf("the deleted user's audit trail has %d entries, want 1", len(list))
	}
	sameAudit(t, list[0], e)
	wantVerified(t, s, 1)
}

// testAuthRewrap checks that key rotation covers the auth records: after
// Rotate, Rewrap and Retire every encrypted auth value still reads back.
func testAuthRewrap(t *testing.T, s Stores) {
	ctx := context.Background()
	sets := []*authSet{
		seedAuth(t, s, authValues{"Safari on macOS", "laptop", "Touch ID", `{"signCount":7}`, "JBSWY3DPEHPK3PXP"}),
		seedAuth(t, s, authValues{"curl/8", "ci", "phone", "{}", ""}),
	}
	mustOK(t, s.Barrier.Rotate(ctx), "Rotate")
	plan := planRetire(t, s)
	mustOK(t, s.Rewrap(ctx, nil), "Rewrap")
	retire(t, s, plan)
	wantCleanKeys(t, s)
	for _, a := range sets {
		a.verify(t, s)
	}
	r := s.Reopen(t)
	for _, a := range sets {
		a.verify(t, r)
	}
}

// authCanaries puts markers (added to m) into every auth field that is
// encrypted at rest, and into the address of a login attempt, which is
// stored only as a blind index. It returns values stored in plain text on
// purpose, which the scanner must find.
func authCanaries(t *testing.T, s Stores, m map[string]string) map[string]string {
	t.Helper()
	if s.Auth == nil {
		t.Fatal("the backend's Stores has no Auth")
	}
	ctx := context.Background()
	for _, f := range []string{"user agent", "key name", "passkey name", "passkey data", "new passkey data", "totp", "login email", "deleted user agent"} {
		m[f] = marker()
	}
	a := seedAuth(t, s, authValues{m["user agent"], m["key name"], m["passkey name"], `{"x":"` + m["passkey data"] + `"}`, m["totp"]})
	mustOK(t, s.Auth.UpdatePasskey(ctx, a.passkey.ID, []byte(m["new passkey data"]), usec()), "UpdatePasskey")
	gone := &quire.Session{UserID: a.user.ID, TokenHash: secret(), Stage: quire.SessionMFA, UserAgent: m["deleted user agent"], ExpiresAt: usec().Add(time.Hour)}
	mustOK(t, s.Auth.CreateSession(ctx, gone), "CreateSession")
	mustOK(t, s.Auth.DeleteSession(ctx, a.user.ID, gone.ID), "DeleteSession")
	_, err := s.Auth.ReserveLoginAttempt(ctx, m["login email"]+"@example.com", 10, time.Hour, usec())
	mustOK(t, err, "ReserveLoginAttempt")
	return map[string]string{"session ID": a.session.ID, "API key ID": a.key.ID, "passkey ID": a.passkey.ID}
}
