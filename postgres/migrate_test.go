package postgres

import (
	"context"
	"strings"
	"sync"
	"testing"
	"testing/fstest"

	"github.com/jackc/pgx/v5"
)

func tableExists(t *testing.T, c *pgx.Conn, name string) bool {
	t.Helper()
	var ok bool
	if err := c.QueryRow(context.Background(), "SELECT to_regclass($1) IS NOT NULL", name).Scan(&ok); err != nil {
		t.Fatal(err)
	}
	return ok
}

func TestParseMigrationName(t *testing.T) {
	cases := []struct {
		name    string
		version int
		ok      bool
	}{
		{"0001_schema.sql", 1, true},
		{"0042_add_things.sql", 42, true},
		{"7_x.sql", 7, true},
		{"0000_zero.sql", 0, false},
		{"0001.sql", 0, false},
		{"0001_.sql", 0, false},
		{"_schema.sql", 0, false},
		{"x001_schema.sql", 0, false},
		{"-001_schema.sql", 0, false},
		{"+001_schema.sql", 0, false},
		{"0001_schema.txt", 0, false},
		{"0001_schema", 0, false},
		{"9999999999_big.sql", 0, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			v, err := parseMigrationName(tc.name)
			if (err == nil) != tc.ok || v != tc.version {
				t.Fatalf("parseMigrationName = %d, %v; want %d, ok %v", v, err, tc.version, tc.ok)
			}
		})
	}
}

func TestLoadMigrations(t *testing.T) {
	ms, err := loadMigrations(migrationFS)
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) < 2 {
		t.Fatalf("%d embedded migrations, want the schema and row-level security", len(ms))
	}
	for i, m := range ms {
		if m.version != i+1 || strings.TrimSpace(m.sql) == "" {
			t.Fatalf("migration %d is %s (version %d): want versions 1, 2, … without gaps, and SQL", i, m.name, m.version)
		}
	}
	bad := []struct {
		name string
		fs   fstest.MapFS
	}{
		{"duplicate version", fstest.MapFS{"migrations/0001_a.sql": {Data: []byte("x")}, "migrations/01_b.sql": {Data: []byte("y")}}},
		{"bad name", fstest.MapFS{"migrations/first.sql": {Data: []byte("x")}}},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := loadMigrations(tc.fs); err == nil {
				t.Fatal("loadMigrations accepted it")
			}
		})
	}
}

// TestConcurrentOpenMigratesOnce starts several instances at once on an
// empty database: all succeed and each migration is applied exactly once.
func TestConcurrentOpenMigratesOnce(t *testing.T) {
	env := newEnv(t)
	const instances = 4
	var wg sync.WaitGroup
	errs := make([]error, instances)
	for i := range instances {
		wg.Go(func() {
			db, err := Open(context.Background(), env.config())
			if err == nil {
				db.Close()
			}
			errs[i] = err
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("instance %d: %v", i, err)
		}
	}
	ms, _ := loadMigrations(migrationFS)
	var rows, distinct int
	c := conn(t, env.Admin)
	if err := c.QueryRow(context.Background(), "SELECT count(*), count(DISTINCT version) FROM schema_migrations").Scan(&rows, &distinct); err != nil {
		t.Fatal(err)
	}
	if rows != len(ms) || distinct != len(ms) {
		t.Fatalf("schema_migrations has %d rows (%d versions), want %d", rows, distinct, len(ms))
	}
}

// TestMigrateRefusesNewerSchema checks that a binary does not run against
// a database migrated by a newer one.
func TestMigrateRefusesNewerSchema(t *testing.T) {
	env := newEnv(t)
	db := mustOpen(t, env.config())
	c := conn(t, env.OwnerURL)
	if _, err := c.Exec(context.Background(), "INSERT INTO schema_migrations (version, name) VALUES (9999, '9999_future.sql')"); err != nil {
		t.Fatal(err)
	}
	if err := db.Migrate(context.Background()); err == nil || !strings.Contains(err.Error(), "newer") {
		t.Fatalf("Migrate: %v, want a refusal naming a newer version", err)
	}
}

// TestAppRolePrivileges checks what the migration grants the application
// role: DML on the tables, and nothing that changes the schema.
func TestAppRolePrivileges(t *testing.T) {
	env := newEnv(t)
	mustOpen(t, env.config())
	c := conn(t, env.AppURL)
	ctx := context.Background()
	refused := []string{
		"INSERT INTO schema_migrations (version, name) VALUES (9999, '9999_x.sql')",
		"DELETE FROM schema_migrations",
		"CREATE TABLE intruder (x int)",
		"ALTER TABLE users ADD COLUMN x int",
		"DROP TABLE notes",
		"TRUNCATE users",
		"DROP FUNCTION quire_workspace_ids()",
		"DELETE FROM security_reports",
		"TRUNCATE security_reports",
	}
	for _, q := range refused {
		t.Run(q, func(t *testing.T) {
			if _, err := c.Exec(ctx, q); pgCode(err) != "42501" {
				t.Fatalf("err = %v, want permission denied (42501)", err)
			}
		})
	}
	for _, q := range []string{"SELECT count(*) FROM users", "SELECT count(*) FROM keyring", "SELECT count(*) FROM quire_data_keys()",
		"SELECT count(*) FROM quire_share_invite('\\x00')", "SELECT count(*) FROM quire_shares_for_user('x')",
		"SELECT count(*) FROM security_reports", "UPDATE security_reports SET status = status WHERE false",
		"INSERT INTO security_reports SELECT * FROM security_reports WHERE false"} {
		if _, err := c.Exec(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
}
