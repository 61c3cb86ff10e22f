// Package authtest builds a real auth.Service for tests: a fresh SQLite
// database behind the barrier, Argon2id with tiny parameters, the offline
// breach list only, and an outbox directory of .eml files instead of SMTP.
// It is what the HTTP tests and the browser test sign up against.
package authtest

import (
	"context"
	"crypto/rand"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"github.com/quirehq/quire/auth"
	"github.com/quirehq/quire/barrier"
	"github.com/quirehq/quire/password"
	"github.com/quirehq/quire/sqlite"
)

// BaseURL is the base of links in the emails the service sends. Tests
// that follow a link replace it with their server's address (see Link).
const BaseURL = "https://quire.test"

// Options change the service New builds; zero values take the defaults.
type Options struct {
	// Config is the auth configuration; BaseURL defaults to BaseURL.
	Config auth.Config
	// Now is the service's clock; nil means time.Now.
	Now func() time.Time
	// Logger receives the service's and the outbox's logs; nil discards.
	Logger *slog.Logger
	// Breach replaces the offline breach list, for tests that need a
	// password to become breached or the check to fail.
	Breach auth.BreachChecker
	// PasskeyRPID is the passkey relying party ID; "" means "localhost".
	PasskeyRPID string
	// PasskeyOrigins are the origins passkey responses may come from; nil
	// means https://localhost only. A browser test that serves on a port
	// names its origin with the port here.
	PasskeyOrigins []string
}

// New returns a Service over a new database in t.TempDir() and the
// directory its emails are written to. Everything is closed when the test
// ends.
func New(t testing.TB) (*auth.Service, string) {
	t.Helper()
	return NewWith(t, Options{})
}

// NewWith is New with options.
func NewWith(t testing.TB, o Options) (*auth.Service, string) {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	db, err := sqlite.Open(ctx, filepath.Join(dir, "quire.db"))
	if err != nil {
		t.Fatalf("authtest: open database: %v", err)
	}
	t.Cleanup(func() { _ = db.Close() })
	key := make([]byte, barrier.RootKeySize)
	_, _ = rand.Read(key)
	b, err := barrier.Open(ctx, barrier.StaticSource(key), sqlite.NewKeyStore(db), barrier.Options{})
	if err != nil {
		t.Fatalf("authtest: open barrier: %v", err)
	}
	return OnStore(t, db, b, dir, o)
}

// FastParams are Argon2id parameters that cost almost nothing, for tests
// only: 64 KiB, one pass, one lane.
func FastParams() password.Params {
	return password.Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}
}
