package postgres

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/quirehq/quire/barrier"
	"github.com/quirehq/quire/storetest"
)

// envURL names the variable that enables the PostgreSQL tests. It must be a
// URL of a superuser (the tests create databases and roles), such as
// postgres://postgres@127.0.0.1:5432/test?sslmode=disable.
const envURL = "QUIRE_TEST_POSTGRES_URL"

// adminURL returns the test server's superuser URL, or skips the test.
func adminURL(t testing.TB) string {
	t.Helper()
	u := os.Getenv(envURL)
	if u == "" {
		t.Skip("postgres: set QUIRE_TEST_POSTGRES_URL=postgres://user@host:5432/db to run")
	}
	return u
}

// testEnv is one test's own database, owned by its own non-superuser role,
// and a dedicated application role: the production layout.
type testEnv struct {
	admin    string // superuser, connected to the test database
	ownerURL string // the owning role
	appURL   string // the application role
	owner    string
	app      string
	base     string   // the superuser URL the test was given
	dbName   string   // the test database
	roles    []string // every role to drop at the end
}

func randomName(prefix string) string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	return prefix + hex.EncodeToString(b[:])
}

// withRole returns base with its database and user replaced (no password:
// the test server trusts local connections).
func withRole(t testing.TB, base, user, database string) string {
	t.Helper()
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		t.Fatalf("%s must be a postgres:// URL", envURL)
	}
	if user != "" {
		u.User = url.User(user)
	}
	u.Path = "/" + database
	return u.String()
}

// newEnv creates a database and two roles that are dropped when t ends.
func newEnv(t testing.TB) *testEnv {
	t.Helper()
	admin := adminURL(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	dbName, owner, app := randomName("quire_test_"), randomName("quire_owner_"), randomName("quire_app_")
	conn, err := pgx.Connect(ctx, admin)
	if err != nil {
		t.Fatalf("connect to %s: %v", envURL, err)
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
	env := &testEnv{
		admin:    withRole(t, admin, "", dbName),
		ownerURL: withRole(t, admin, owner, dbName),
		appURL:   withRole(t, admin, app, dbName),
		owner:    owner,
		app:      app,
		base:     admin,
		dbName:   dbName,
		roles:    []string{owner, app},
	}
	t.Cleanup(func() { dropEnv(t, admin, dbName, env.roles...) })
	return env
}

// role creates a LOGIN role with extra attributes (such as "BYPASSRLS" or
// "IN ROLE x"), dropped with the environment, and returns its URL.
func (env *testEnv) role(t testing.TB, attrs string) string {
	t.Helper()
	name := randomName("quire_role_")
	c := conn(t, env.admin)
	if _, err := c.Exec(context.Background(), "CREATE ROLE "+name+" LOGIN "+attrs); err != nil {
		t.Fatalf("create role: %v", err)
	}
	env.roles = append(env.roles, name)
	return withRole(t, env.base, name, env.dbName)
}

func dropEnv(t testing.TB, admin, dbName string, roles ...string) {
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

// config is the production configuration of env.
func (env *testEnv) config() Config {
	return Config{URL: env.appURL, OwnerURL: env.ownerURL, Production: true, MaxConns: 8}
}

// mustOpen opens cfg and closes it when t ends.
func mustOpen(t testing.TB, cfg Config) *DB {
	t.Helper()
	db, err := Open(context.Background(), cfg)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { _ = db.Close() })
	return db
}

// conn connects to url and closes the connection when t ends.
func conn(t testing.TB, url string) *pgx.Conn {
	t.Helper()
	c, err := pgx.Connect(context.Background(), url)
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	t.Cleanup(func() { _ = c.Close(context.Background()) })
	return c
}

// stores opens the services on env as its application role, in production
// mode, with a barrier under key.
func (env *testEnv) stores(t *testing.T, key []byte) storetest.Stores {
	t.Helper()
	db := mustOpen(t, env.config())
	b, err := barrier.Open(context.Background(), barrier.StaticSource(key), NewKeyStore(db), storetest.BarrierOptions())
	if err != nil {
		t.Fatalf("barrier.Open: %v", err)
	}
	return storetest.Stores{
		Users:      NewUserService(db, b),
		Workspaces: NewWorkspaceService(db, b),
		Notes:      NewNoteService(db, b),
		Keys:       NewKeyStore(db),
		Barrier:    b,
		Inspector:  db,
		Rewrap: func(ctx context.Context, progress func(done, total int)) error {
			return db.Rewrap(ctx, b, progress)
		},
		Reopen: func(t *testing.T) storetest.Stores {
			_ = db.Close()
			return env.stores(t, key)
		},
	}
}

func newKey() []byte {
	k := make([]byte, barrier.RootKeySize)
	_, _ = rand.Read(k)
	return k
}
