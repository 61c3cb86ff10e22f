// Package pgtest gives tests their own PostgreSQL database and roles on the
// server named by QUIRE_TEST_POSTGRES_URL, laid out as in production: a
// role that owns the tables and a separate application role. Tests that
// call it are skipped, with a one-line message, when the variable is unset.
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// EnvURL names the variable that enables the PostgreSQL tests. It must be a
// URL of a superuser (the tests create databases and roles), such as
// postgres://postgres@127.0.0.1:5432/test?sslmode=disable.
const EnvURL = "QUIRE_TEST_POSTGRES_URL"

// AdminURL returns the test server's superuser URL, or skips the test.
func AdminURL(t testing.TB) string {
	t.Helper()
	u := os.Getenv(EnvURL)
	if u == "" {
		t.Skip("postgres: set QUIRE_TEST_POSTGRES_URL=postgres://user@host:5432/db to run")
	}
	return u
}

// Env is one test's own database, owned by its own non-superuser role,
// and a dedicated application role.
type Env struct {
	Admin    string // superuser, connected to the test database
	OwnerURL string // the owning role
	AppURL   string // the application role
	Owner    string
	App      string
	Base     string // the superuser URL the test was given
	DBName   string // the test database
	roles    []string
}

// RandomName returns prefix followed by 12 random hex digits, a valid
// unquoted SQL identifier when prefix is one.
func RandomName(prefix string) string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	return prefix + hex.EncodeToString(b[:])
}

// WithRole returns base with its database and user replaced (no password:
// the test server trusts local connections).
func WithRole(t testing.TB, base, user, database string) string {
	t.Helper()
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		t.Fatalf("%s must be a postgres:// URL", EnvURL)
	}
	if user != "" {
		u.User = url.User(user)
	}
	u.Path = "/" + database
	return u.String()
}

// New creates a database and two roles that are dropped when t ends.
func New(t testing.TB) *Env {
	t.Helper()
	admin := AdminURL(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	dbName, owner, app := RandomName("quire_test_"), RandomName("quire_owner_"), RandomName("quire_app_")
	conn, err := pgx.Connect(ctx, admin)
	if err != nil {
		t.Fatalf("connect to %s: %v", EnvURL, err)
	}
	defer conn.Close(ctx)
	for _, q := range []string{
		"CREATE ROLE " + owner + " LOGIN",
		"CREATE ROLE " + app + " LOGIN",
		"CREATE DATABASE " + dbName + " OWNER " + owner,
	} {
		if _, err := conn.Exec(ctx, q); err != nil {
			t.Fatalf("set up test database: %v", err)
		}
	}
	env := &Env{
		Admin:    WithRole(t, admin, "", dbName),
		OwnerURL: WithRole(t, admin, owner, dbName),
		AppURL:   WithRole(t, admin, app, dbName),
		Owner:    owner,
		App:      app,
		Base:     admin,
		DBName:   dbName,
		roles:    []string{owner, app},
	}
	t.Cleanup(func() { drop(t, admin, dbName, env.roles...) })
	return env
}

// Role creates a LOGIN role with extra attributes (such as "BYPASSRLS" or
// "IN ROLE x"), dropped with the environment, and returns its URL.
func (env *Env) Role(t testing.TB, attrs string) string {
	t.Helper()
	name := RandomName("quire_role_")
	ctx := context.Background()
	c, err := pgx.Connect(ctx, env.Admin)
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	defer c.Close(ctx)
	if _, err := c.Exec(ctx, "CREATE ROLE "+name+" LOGIN "+attrs); err != nil {
		t.Fatalf("create role: %v", err)
	}
	env.roles = append(env.roles, name)
	return WithRole(t, env.Base, name, env.DBName)
}

func drop(t testing.TB, admin, dbName string, roles ...string) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, admin)
	if err != nil {
		t.Errorf("drop test database: %v", err)
		return
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "DROP DATABASE IF EXISTS "+dbName+" WITH (FORCE)"); err != nil {
		t.Errorf("drop test database: %v", err)
	}
	for _, r := range roles {
		if _, err := conn.Exec(ctx, "DROP ROLE IF EXISTS "+r); err != nil {
			t.Errorf("drop test role: %v", err)
		}
	}
}
