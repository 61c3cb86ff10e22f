package postgres

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// migrateLockKey is the advisory lock that serialises migrations, so that
// instances starting together migrate once.
const migrateLockKey int64 = 0x71756972_65000001

// dmlTables lists the tables the application reads and writes freely.
var dmlTables = []string{"keyring", "data_keys", "users", "workspaces", "memberships", "notes",
	"note_versions", "credentials", "login_attempts", "sessions", "api_keys", "tokens", "recovery_codes", "passkeys", "ai_usage", "ai_policies", "conversations", "chat_messages", "folders", "ideas", "files", "embeddings", "note_links", "folder_shares",
	"account_deletions", "email_changes", "privacy_settings", "exports"}

// keepTables lists the tables the application reads, adds to and
// updates, but may not delete from: a vulnerability report is answered,
// never made to disappear.
var keepTables = []string{"security_reports"}

// appendOnlyTables lists the tables the application may only read and
// append to: it can neither change nor delete their rows.
var appendOnlyTables = []string{"audit_log"}

// readOnlyTables lists the tables the application may only read: the
// audit log's anchor is written by quire_trim_audit alone.
var readOnlyTables = []string{"audit_anchor"}

// allTables lists every table of the schema that the application uses.
var allTables = slices.Concat(dmlTables, keepTables, appendOnlyTables, readOnlyTables)

// tenantTables lists the tables under row-level security.
var tenantTables = []string{"ai_policies", "chat_messages", "conversations", "data_keys", "embeddings", "files", "folder_shares", "folders", "ideas", "memberships", "note_links", "note_versions", "notes", "workspaces"}

// migration is one numbered SQL file.
type migration struct {
	version int
	name    string
	sql     string
}

// loadMigrations reads the numbered .sql files of fsys, in order.
func loadMigrations(fsys fs.FS) ([]migration, error) {
	names, err := fs.Glob(fsys, "migrations/*.sql")
	if err != nil {
		return nil, err
	}
	var out []migration
	seen := map[int]string{}
	for _, p := range names {
		name := path.Base(p)
		v, err := parseMigrationName(name)
		if err != nil {
			return nil, err
		}
		if prev, dup := seen[v]; dup {
			return nil, fmt.Errorf("migrations %s and %s share version %d", prev, name, v)
		}
		seen[v] = name
		b, err := fs.ReadFile(fsys, p)
		if err != nil {
			return nil, err
		}
		out = append(out, migration{version: v, name: name, sql: string(b)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].version < out[j].version })
	return out, nil
}

// parseMigrationName returns the version of a file named like
// "0001_schema.sql": a positive number, an underscore, a name.
func parseMigrationName(name string) (int, error) {
	num, rest, ok := strings.Cut(strings.TrimSuffix(name, ".sql"), "_")
	if !ok || rest == "" || !strings.HasSuffix(name, ".sql") || num == "" || strings.TrimLeft(num, "0123456789") != "" || len(num) > 9 {
		return 0, fmt.Errorf("migration file %q is not named NNNN_name.sql", name)
	}
	v, err := strconv.Atoi(num)
	if err != nil || v <= 0 {
		return 0, fmt.Errorf("migration file %q is not named NNNN_name.sql with NNNN > 0", name)
	}
	return v, nil
}

// Migrate applies pending migrations, as the role of Config.OwnerURL if set
// (and then grants the role of Config.URL its DML), else as Config.URL. In
// production mode without OwnerURL it applies nothing: it fails if a
// migration is pending, since tables created by the application role would
// be owned by it.
func (db *DB) Migrate(ctx context.Context) error {
	ms, err := loadMigrations(migrationFS)
	if err != nil {
		return fmt.Errorf("postgres: embedded migrations: %w", err)
	}
	if db.cfg.OwnerURL == "" {
		if db.cfg.Production {
			return db.requireMigrated(ctx, ms)
		}
		conn, err := db.pool.Acquire(ctx)
		if err != nil {
			return fmt.Errorf("postgres: migrate: %w", err)
		}
		defer conn.Release()
		return applyMigrations(ctx, conn.Conn(), ms, "")
	}
	return db.migrateAsOwner(ctx, ms)
}

func (db *DB) migrateAsOwner(ctx context.Context, ms []migration) error {
	occ, err := ownerConnConfig(db.cfg)
	if err != nil {
		return err
	}
	var app string
	if err := db.pool.QueryRow(ctx, "SELECT current_user::text").Scan(&app); err != nil {
		return fmt.Errorf("postgres: read the application role: %w", err)
	}
	conn, err := pgx.ConnectConfig(ctx, occ)
	if err != nil {
		return fmt.Errorf("postgres: cannot connect to the database as database.owner_url (check it, and that the server runs and accepts connections): %w", err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	return applyMigrations(ctx, conn, ms, app)
}

// requireMigrated fails unless every migration in ms has been applied.
func (db *DB) requireMigrated(ctx context.Context, ms []migration) error {
	applied, err := appliedVersions(ctx, db.pool)
	if err != nil {
		return fmt.Errorf("postgres: read schema version: %w", err)
	}
	for _, m := range ms {
		if !applied[m.version] {
			return fmt.Errorf("postgres: migration %s is pending, and in production quire does not migrate as the application role "+
				"(the tables would belong to it, and a table owner bypasses row-level security): set database.owner_url to a URL of the role that owns the tables", m.name)
		}
	}
	return nil
}

type querier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
}

// appliedVersions returns the applied migration versions; none if the
// schema_migrations table does not exist yet.
func appliedVersions(ctx context.Context, q querier) (map[int]bool, error) {
	rows, err := q.Query(ctx, "SELECT version FROM schema_migrations")
	if err != nil {
		var pgErr *pgconn.PgError
		if errors.As(err, &pgErr) && pgErr.Code == "42P01" { // undefined_table
			return map[int]bool{}, nil
		}
		return nil, err
	}
	vs, err := pgx.CollectRows(rows, pgx.RowTo[int])
	if err != nil {
		var pgErr *pgconn.PgError
		if errors.As(err, &pgErr) && pgErr.Code == "42P01" {
			return map[int]bool{}, nil
		}
		return nil, err
	}
	out := make(map[int]bool, len(vs))
	for _, v := range vs {
		out[v] = true
	}
	return out, nil
}

// applyMigrations applies the pending migrations of ms in one transaction
// under the migration lock, then grants appRole its privileges if it is not
// the connected role.
func applyMigrations(ctx context.Context, conn *pgx.Conn, ms []migration, appRole string) error {
	tx, err := conn.Begin(ctx)
	if err != nil {
		return fmt.Errorf("postgres: migrate: %w", err)
	}
	defer func() { _ = tx.Rollback(context.WithoutCancel(ctx)) }()
	if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock($1)", migrateLockKey); err != nil {
		return fmt.Errorf("postgres: migrate: take the migration lock: %w", err)
	}
	if _, err := tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`); err != nil {
		return fmt.Errorf("postgres: migrate: create schema_migrations: %w", err)
	}
	applied, err := appliedVersions(ctx, tx)
	if err != nil {
		return fmt.Errorf("postgres: migrate: read schema version: %w", err)
	}
	if err := checkNotNewer(applied, ms); err != nil {
		return err
	}
	for _, m := range ms {
		if applied[m.version] {
			continue
		}
		if _, err := tx.Exec(ctx, m.sql); err != nil {
			return fmt.Errorf("postgres: migration %s: %w", m.name, err)
		}
		if _, err := tx.Exec(ctx, "INSERT INTO schema_migrations (version, name) VALUES ($1, $2)", m.version, m.name); err != nil {
			return fmt.Errorf("postgres: migration %s: record it: %w", m.name, err)
		}
	}
	if err := grantApp(ctx, tx, appRole); err != nil {
		return err
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("postgres: migrate: commit: %w", err)
	}
	return nil
}

// checkNotNewer fails if the database has a migration this binary lacks:
// it was migrated by a newer quire.
func checkNotNewer(applied map[int]bool, ms []migration) error {
	known := map[int]bool{}
	for _, m := range ms {
		known[m.version] = true
	}
	for v := range applied {
		if !known[v] {
			return fmt.Errorf("postgres: the database has migration %d, which this quire does not know: it was migrated by a newer version; upgrade quire", v)
		}
	}
	return nil
}
