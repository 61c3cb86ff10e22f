package postgres

import (
	"context"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/quirehq/quire"
	"github.com/quirehq/quire/postgres/pgtest"
	"github.com/quirehq/quire/storetest"
)

// authEnv opens the services in the production layout and returns them
// with their environment, for tests that also act as the owning role.
func authEnv(t *testing.T) (*testEnv, storetest.Stores) {
	t.Helper()
	env := newEnv(t)
	return env, env.stores(t, newKey())
}

// newAccount creates an account through the auth store.
func newAccount(t *testing.T, s storetest.Stores) *quire.User {
	t.Helper()
	a := &quire.Account{User: &quire.User{Email: pgtest.RandomName("user") + "@example.com", Name: "n"},
		PasswordHash: "$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaA", WorkspaceName: "w", Region: quire.RegionUS}
	if _, err := s.Auth.CreateAccount(context.Background(), a); err != nil {
		t.Fatalf("CreateAccount: %v", err)
	}
	return a.User
}

// TestAuditAppendOnly checks that the application role can append to the
// audit log and read it, but neither change nor delete an entry.
func TestAuditAppendOnly(t *testing.T) {
	env, s := authEnv(t)
	ctx := context.Background()
	if err := s.Auth.AppendAudit(ctx, &quire.AuditEvent{Event: "login"}); err != nil {
		t.Fatalf("AppendAudit: %v", err)
	}
	app := conn(t, env.AppURL)
	for _, q := range []string{
		"UPDATE audit_log SET event = 'nothing happened'",
		"DELETE FROM audit_log",
		"TRUNCATE audit_log",
	} {
		_, err := app.Exec(ctx, q)
		if pgCode(err) != "42501" { // insufficient_privilege
			t.Errorf("%s as the application role: err = %v, want permission denied", q, err)
		}
	}
	if n, err := s.Auth.VerifyAudit(ctx); err != nil || n != 1 {
		t.Fatalf("VerifyAudit = %d, %v; want 1 entry intact", n, err)
	}
}

// TestAuditGap checks that an entry removed below the store (as the owner)
// is reported by number.
func TestAuditGap(t *testing.T) {
	env, s := authEnv(t)
	ctx := context.Background()
	for range 4 {
		if err := s.Auth.AppendAudit(ctx, &quire.AuditEvent{Event: "e"}); err != nil {
			t.Fatalf("AppendAudit: %v", err)
		}
	}
	if _, err := conn(t, env.OwnerURL).Exec(ctx, "DELETE FROM audit_log WHERE seq = 2"); err != nil {
		t.Fatal(err)
	}
	n, err := s.Auth.VerifyAudit(ctx)
	if err == nil || !strings.Contains(err.Error(), "entry 2 is missing") || n != 1 {
		t.Fatalf("VerifyAudit after removing entry 2 = %d, %v; want 1 and an error naming entry 2", n, err)
	}
}

// TestAuditRefusesUnstorableText checks that what a text column cannot
// hold exactly is refused before it breaks the chain.
func TestAuditRefusesUnstorableText(t *testing.T) {
	_, s := authEnv(t)
	ctx := context.Background()
	for _, e := range []*quire.AuditEvent{
		{},
		{Event: "a\x00b"},
		{Event: "e", UserID: "\xff"},
		{Event: "e", Meta: map[string]string{"k": "\x00"}},
	} {
		if err := s.Auth.AppendAudit(ctx, e); quire.ErrorCode(err) != quire.EINVALID {
			t.Errorf("AppendAudit(%q): err = %v, want EINVALID", e.Event, err)
		}
	}
	if n, err := s.Auth.VerifyAudit(ctx); err != nil || n != 0 {
		t.Fatalf("VerifyAudit = %d, %v; want an empty, valid log", n, err)
	}
}

// TestCreateAccountRollsBack makes the last insert of CreateAccount fail
// (as the owner adds a constraint that refuses every membership): nothing
// of the account may remain, not even its data keys.
func TestCreateAccountRollsBack(t *testing.T) {
	env, s := authEnv(t)
	ctx := context.Background()
	keys := func() int {
		ks, err := s.Keys.ListDataKeys(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return len(ks)
	}
	before := keys()
	if _, err := conn(t, env.OwnerURL).Exec(ctx, "ALTER TABLE memberships ADD CONSTRAINT refuse CHECK (false) NOT VALID"); err != nil {
		t.Fatal(err)
	}
	email := pgtest.RandomName("atomic") + "@example.com"
	a := &quire.Account{User: &quire.User{Email: email}, PasswordHash: "h", WorkspaceName: "w", Region: quire.RegionUS}
	if _, err := s.Auth.CreateAccount(ctx, a); quire.ErrorCode(err) != quire.EINTERNAL {
		t.Fatalf("CreateAccount with a failing membership insert: err = %v, want EINTERNAL", err)
	}
	if _, err := s.Users.FindUserByEmail(ctx, email); quire.ErrorCode(err) != quire.ENOTFOUND {
		t.Fatalf("the user of a failed CreateAccount remains: %v", err)
	}
	var creds int
	if err := conn(t, env.OwnerURL).QueryRow(ctx, "SELECT count(*) FROM credentials").Scan(&creds); err != nil || creds != 0 {
		t.Fatalf("%d credentials remain (%v), want 0", creds, err)
	}
	if after := keys(); after != before {
		t.Fatalf("a failed CreateAccount left %d data keys", after-before)
	}
}

// TestRecoveryCodeOnceUnderConcurrency uses one code from many goroutines:
// exactly one succeeds.
func TestRecoveryCodeOnceUnderConcurrency(t *testing.T) {
	_, s := authEnv(t)
	ctx := context.Background()
	u := newAccount(t, s)
	code := []byte("recovery code hash")
	if err := s.Auth.SetTOTP(ctx, u.ID, []byte("secret")); err != nil {
		t.Fatal(err)
	}
	if err := s.Auth.EnableTOTP(ctx, u.ID, [][]byte{code, code}); err != nil {
		t.Fatalf("EnableTOTP with a duplicate hash: %v", err)
	}
	var won atomic.Int32
	var wg sync.WaitGroup
	for range 10 {
		wg.Go(func() {
			ok, err := s.Auth.UseRecoveryCode(ctx, u.ID, code)
			if err != nil {
				t.Errorf("UseRecoveryCode: %v", err)
			} else if ok {
				won.Add(1)
			}
		})
	}
	wg.Wait()
	if won.Load() != 1 {
		t.Fatalf("%d concurrent uses of one recovery code succeeded, want 1", won.Load())
	}
}

// TestConsumeTokenOnceUnderConcurrency consumes one token from many
// goroutines: exactly one gets it.
func TestConsumeTokenOnceUnderConcurrency(t *testing.T) {
	_, s := authEnv(t)
	ctx := context.Background()
	u := newAccount(t, s)
	tok := &quire.Token{Hash: []byte("token hash"), UserID: u.ID, Purpose: quire.TokenResetPassword, ExpiresAt: time.Now().Add(time.Hour)}
	if err := s.Auth.CreateToken(ctx, tok); err != nil {
		t.Fatal(err)
	}
	var won atomic.Int32
	var wg sync.WaitGroup
	for range 10 {
		wg.Go(func() {
			_, err := s.Auth.ConsumeToken(ctx, tok.Hash, tok.Purpose, time.Now())
			switch quire.ErrorCode(err) {
			case "":
				won.Add(1)
			case quire.ETOKENINVALID:
			default:
				t.Errorf("ConsumeToken: %v", err)
			}
		})
	}
	wg.Wait()
	if won.Load() != 1 {
		t.Fatalf("%d concurrent consumptions of one token succeeded, want 1", won.Load())
	}
}

// TestRewrapCountsAuthRecords checks that Rewrap's total includes every
// encrypted account record: a user, its credential, session, API key and
// passkey, and its workspace.
func TestRewrapCountsAuthRecords(t *testing.T) {
	_, s := authEnv(t)
	ctx := context.Background()
	u := newAccount(t, s)
	if err := s.Auth.CreateSession(ctx, &quire.Session{UserID: u.ID, TokenHash: []byte("t"), Stage: quire.SessionFull, ExpiresAt: time.Now()}); err != nil {
		t.Fatal(err)
	}
	if err := s.Auth.CreateAPIKey(ctx, &quire.APIKey{UserID: u.ID, Name: "k", SecretIndex: []byte("i")}); err != nil {
		t.Fatal(err)
	}
	if err := s.Auth.CreatePasskey(ctx, &quire.Passkey{UserID: u.ID, CredentialID: []byte("c"), Data: []byte("{}")}); err != nil {
		t.Fatal(err)
	}
	var last int
	if err := s.Rewrap(ctx, func(done, total int) { last = total }); err != nil {
		t.Fatal(err)
	}
	if last != 6 {
		t.Fatalf("Rewrap counted %d records, want 6 (user, credential, session, API key, passkey, workspace)", last)
	}
}
