package authtest

import (
	"context"
	"crypto/rand"
	"log/slog"
	"path/filepath"
	"testing"

	"github.com/quirehq/quire/auth"
	"github.com/quirehq/quire/barrier"
	"github.com/quirehq/quire/mail"
	"github.com/quirehq/quire/mfa"
	"github.com/quirehq/quire/password"
	"github.com/quirehq/quire/sqlite"
)

// SQLite opens a new SQLite database in a temporary directory, and a
// barrier over it with a random root key, for tests; the database closes
// when t ends. dir is the directory, for the outbox and other files.
func SQLite(t testing.TB) (db *sqlite.DB, b *barrier.Barrier, dir string) {
	t.Helper()
	ctx := context.Background()
	dir = t.TempDir()
	db, err := sqlite.Open(ctx, filepath.Join(dir, "quire.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	key := make([]byte, barrier.RootKeySize)
	_, _ = rand.Read(key)
	if b, err = barrier.Open(ctx, barrier.StaticSource(key), sqlite.NewKeyStore(db), barrier.Options{}); err != nil {
		t.Fatal(err)
	}
	return db, b, dir
}

// OnStore returns a Service over an open SQLite database and its barrier,
// for tests that also look at the store from below (the trust checks), and
// the outbox directory under dir. Passkeys are on, for relying party
// "localhost" and origin https://localhost unless o says otherwise.
func OnStore(t testing.TB, db *sqlite.DB, b *barrier.Barrier, dir string, o Options) (*auth.Service, string) {
	t.Helper()
	hasher, err := password.New(password.Options{Params: FastParams()})
	if err != nil {
		t.Fatalf("authtest: hasher: %v", err)
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Breach == nil {
		o.Breach = offlineBreach(t)
	}
	if o.Config.BaseURL == "" {
		o.Config.BaseURL = BaseURL
	}
	o = o.withPasskeyDefaults()
	passkeys, err := mfa.NewPasskeys(o.PasskeyRPID, "Quire", o.PasskeyOrigins)
	if err != nil {
		t.Fatalf("authtest: passkeys: %v", err)
	}
	outbox := filepath.Join(dir, "outbox")
	svc, err := auth.New(o.Config, auth.Deps{
		Users: sqlite.NewUserService(db, b), Workspaces: sqlite.NewWorkspaceService(db, b),
		Store: sqlite.NewAuthService(db, b), Hasher: hasher, Policy: password.Policy{}, Breach: o.Breach,
		Mail: &mail.Outbox{Dir: outbox, Logger: o.Logger}, Index: b.BlindIndex, Passkeys: passkeys,
		Strength: Strength, Now: o.Now, Logger: o.Logger,
	})
	if err != nil {
		t.Fatalf("authtest: auth service: %v", err)
	}
	return svc, outbox
}

// Defaults of the passkey relying party.
const (
	DefaultRPID   = "localhost"
	DefaultOrigin = "https://localhost"
)

// withPasskeyDefaults fills in the relying party ID and origins left zero.
func (o Options) withPasskeyDefaults() Options {
	if o.PasskeyRPID == "" {
		o.PasskeyRPID = DefaultRPID
	}
	if len(o.PasskeyOrigins) == 0 {
		o.PasskeyOrigins = []string{DefaultOrigin}
	}
	return o
}
