package trust

import (
	"context"
	"crypto/rand"
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/quirehq/quire"
	"github.com/quirehq/quire/barrier"
	"github.com/quirehq/quire/sqlite"
)

// mustOpenSQLite opens a real SQLite store in a fresh data directory and
// returns an Env wired to it, as `quire trust` wires a local deployment.
func mustOpenSQLite(t *testing.T, opts barrier.Options) (*Env, *sqlite.DB) {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	db, err := sqlite.Open(ctx, filepath.Join(dir, "quire.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	root := make([]byte, barrier.RootKeySize)
	_, _ = rand.Read(root)
	b, err := barrier.Open(ctx, barrier.StaticSource(root), sqlite.NewKeyStore(db), opts)
	if err != nil {
		t.Fatal(err)
	}
	return &Env{
		DataDir:    dir,
		Backend:    quire.BackendSQLite,
		Inspector:  db,
		Users:      sqlite.NewUserService(db, b),
		Workspaces: sqlite.NewWorkspaceService(db, b),
		Notes:      sqlite.NewNoteService(db, b),
		Barrier:    b,
	}, db
}

// scopes returns how many scopes hold data keys, to prove that a check
// left no canary behind.
func scopes(t *testing.T, b *barrier.Barrier) int {
	t.Helper()
	st, err := b.Status(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return st.Scopes
}

func assertResult(t *testing.T, st Status, ev []string, want Status, contains ...string) {
	t.Helper()
	joined := strings.Join(ev, "\n")
	if st != want {
		t.Fatalf("status %s, want %s; evidence:\n%s", st, want, joined)
	}
	for _, c := range contains {
		if !strings.Contains(joined, c) {
			t.Fatalf("evidence lacks %q:\n%s", c, joined)
		}
	}
}

// leakyUsers writes every new user's email and name in clear into a file in
// the data directory, as a careless debug log would.
type leakyUsers struct {
	quire.UserService
	path string
}

func (l leakyUsers) CreateUser(ctx context.Context, u *quire.User) error {
	if err := os.WriteFile(l.path, []byte(u.Email+" "+u.Name+"\n"), 0o600); err != nil {
		return err
	}
	return l.UserService.CreateUser(ctx, u)
}

// leakyNotes also stores every note's content in clear in a side table of
// the same database, as a plaintext search index would.
type leakyNotes struct {
	quire.NoteService
	db *sql.DB
}

func (l leakyNotes) CreateNote(ctx context.Context, n *quire.Note) error {
	if _, err := l.db.ExecContext(ctx, "CREATE TABLE IF NOT EXISTS search_index (body TEXT)"); err != nil {
		return err
	}
	if _, err := l.db.ExecContext(ctx, "INSERT INTO search_index (body) VALUES (?)", n.Content); err != nil {
		return err
	}
	return l.NoteService.CreateNote(ctx, n)
}

// blindInspector is a raw scan that never finds anything.
type blindInspector struct{ quire.StoreInspector }

func (blindInspector) ScanRaw(context.Context, []byte) ([]string, error) { return nil, nil }

func TestCheckENC1(t *testing.T) {
	t.Run("real store passes and cleans up", func(t *testing.T) {
		env, _ := mustOpenSQLite(t, barrier.Options{})
		before := scopes(t, env.Barrier)
		st, ev := checkENC1(context.Background(), env)
		assertResult(t, st, ev, StatusPass,
			"5 markers written through the store: user email, user name, workspace name, note title, note content",
			"round trip: the note read back", "store raw scan: 0 of 5 markers found; control: the canary note's ID was found in quire.db",
			"data directory: 0 of 5 markers found in", "canary deleted")
		if after := scopes(t, env.Barrier); after != before {
			t.Fatalf("%d scopes with keys after the check, %d before: the canary's keys were left behind", after, before)
		}
	})
	t.Run("plaintext file in the data directory fails", func(t *testing.T) {
		env, _ := mustOpenSQLite(t, barrier.Options{})
		env.Users = leakyUsers{env.Users, filepath.Join(env.DataDir, "debug.log")}
		st, ev := checkENC1(context.Background(), env)
		assertResult(t, st, ev, StatusFail,
			"FAIL: the user email marker was found in clear in debug.log", "FAIL: the user name marker was found in clear in debug.log")
	})
	t.Run("plaintext column in the database fails", func(t *testing.T) {
		env, db := mustOpenSQLite(t, barrier.Options{})
		side, err := sql.Open("sqlite", db.Path())
		if err != nil {
			t.Fatal(err)
		}
		defer side.Close()
		env.Notes = leakyNotes{env.Notes, side}
		st, ev := checkENC1(context.Background(), env)
		assertResult(t, st, ev, StatusFail, "FAIL: the note content marker was found in clear in the store: quire.db")
		if strings.Contains(strings.Join(ev, ""), "qm") {
			t.Fatal("evidence shows a marker")
		}
	})
	t.Run("a scanner that sees nothing fails its control", func(t *testing.T) {
		env, db := mustOpenSQLite(t, barrier.Options{})
		env.Inspector = blindInspector{db}
		st, ev := checkENC1(context.Background(), env)
		assertResult(t, st, ev, StatusFail, "store raw scan control: the canary note's ID was not found")
	})
	t.Run("wrong data directory fails", func(t *testing.T) {
		env, _ := mustOpenSQLite(t, barrier.Options{})
		env.DataDir = t.TempDir()
		st, ev := checkENC1(context.Background(), env)
		assertResult(t, st, ev, StatusFail, "is outside the data directory, so its scan does not cover the data directory")
	})
	t.Run("scan limit fails rather than passing half-scanned", func(t *testing.T) {
		env, _ := mustOpenSQLite(t, barrier.Options{})
		if err := os.WriteFile(filepath.Join(env.DataDir, "big.log"), make([]byte, 4096), 0o600); err != nil {
			t.Fatal(err)
		}
		env.ScanLimit = 1024
		st, ev := checkENC1(context.Background(), env)
		assertResult(t, st, ev, StatusFail, "data directory scan stopped at its limit of 1.0 kB")
	})
	t.Run("no data directory on SQLite fails", func(t *testing.T) {
		env, _ := mustOpenSQLite(t, barrier.Options{})
		env.DataDir = ""
		st, ev := checkENC1(context.Background(), env)
		assertResult(t, st, ev, StatusFail, "data directory not available")
	})
	t.Run("PostgreSQL without a data directory scans the store only", func(t *testing.T) {
		env, _ := mustOpenSQLite(t, barrier.Options{})
		env.Backend, env.DataDir = quire.BackendPostgres, ""
		st, ev := checkENC1(context.Background(), env)
		assertResult(t, st, ev, StatusPass, "store raw scan: 0 of 5 markers found", "data directory: not given")
	})
	t.Run("no inspector fails", func(t *testing.T) {
		env, _ := mustOpenSQLite(t, barrier.Options{})
		env.Inspector = nil
		st, ev := checkENC1(context.Background(), env)
		assertResult(t, st, ev, StatusFail, "store inspector not available")
	})
}

func TestCheckENC2(t *testing.T) {
	t.Run("real barrier passes and leaves no key", func(t *testing.T) {
		env, _ := mustOpenSQLite(t, barrier.Options{})
		before := scopes(t, env.Barrier)
		st, ev := checkENC2(context.Background(), env)
		assertResult(t, st, ev, StatusPass,
			"root key source: static key", "keyring: 1 key-encryption key version(s), newest v1",
			"keys rotate after 30 days or 268435456 encryptions",
			"names data-key version 1, decrypts for its record and fails authentication for another record",
			"after shredding the scope's data keys the value no longer decrypts")
		if after := scopes(t, env.Barrier); after != before {
			t.Fatalf("%d scopes with keys after the check, %d before", after, before)
		}
	})
	t.Run("operation bound above 2^32 fails", func(t *testing.T) {
		env, _ := mustOpenSQLite(t, barrier.Options{RotateAfterOps: 1 << 33})
		st, ev := checkENC2(context.Background(), env)
		assertResult(t, st, ev, StatusFail, "rotation by operation count is 8589934592, want between 1 and 2^32")
	})
	t.Run("stale keys are reported", func(t *testing.T) {
		env, _ := mustOpenSQLite(t, barrier.Options{})
		ctx := context.Background()
		if _, err := env.Barrier.Encrypt(ctx, barrier.WorkspaceScope(quire.NewID()), nil, []byte("x")); err != nil {
			t.Fatal(err)
		}
		if err := env.Barrier.Rotate(ctx); err != nil {
			t.Fatal(err)
		}
		st, ev := checkENC2(ctx, env)
		assertResult(t, st, ev, StatusPass, "keyring: 2 key-encryption key version(s), newest v2",
			"data keys: 2 in 1 scope(s); 1 older version(s) awaiting retirement; 1 wrapped by an older keyring key")
	})
	t.Run("no barrier fails", func(t *testing.T) {
		st, ev := checkENC2(context.Background(), &Env{})
		assertResult(t, st, ev, StatusFail, "encryption barrier not available")
	})
}

// crossingNotes ignores the workspace a call names, as a store that forgot
// its tenant filter would.
type crossingNotes struct {
	quire.NoteService
	home map[string]string // note ID → its workspace
}

func (c crossingNotes) CreateNote(ctx context.Context, n *quire.Note) error {
	err := c.NoteService.CreateNote(ctx, n)
	c.home[n.ID] = n.WorkspaceID
	return err
}

func (c crossingNotes) FindNoteByID(ctx context.Context, _, id string) (*quire.Note, error) {
	return c.NoteService.FindNoteByID(ctx, c.home[id], id)
}

// postgresInspector reports a PostgreSQL isolation state over the SQLite
// store, to run the PostgreSQL branch end to end.
type postgresInspector struct {
	quire.StoreInspector
	st quire.IsolationStatus
}

func (p postgresInspector) Isolation(context.Context) (*quire.IsolationStatus, error) {
	st := p.st
	return &st, nil
}

func TestCheckISO1(t *testing.T) {
	t.Run("real store passes and cleans up", func(t *testing.T) {
		env, _ := mustOpenSQLite(t, barrier.Options{})
		before := scopes(t, env.Barrier)
		st, ev := checkISO1(context.Background(), env)
		assertResult(t, st, ev, StatusPass,
			"SQLite: tenants are isolated by per-workspace data keys",
			"cross-tenant probe: reading, listing, updating and deleting workspace A's note through workspace B were all refused",
			"deleting workspace B shredded its key (its data no longer decrypts) and left workspace A readable", "canary deleted")
		if after := scopes(t, env.Barrier); after != before {
			t.Fatalf("%d scopes with keys after the check, %d before", after, before)
		}
	})
	t.Run("a store that ignores the workspace fails", func(t *testing.T) {
		env, _ := mustOpenSQLite(t, barrier.Options{})
		env.Notes = crossingNotes{env.Notes, map[string]string{}}
		st, ev := checkISO1(context.Background(), env)
		assertResult(t, st, ev, StatusFail, "FAIL: cross-tenant read of another workspace's note was not refused as not found (got <nil>)")
	})
	t.Run("no barrier on SQLite fails", func(t *testing.T) {
		env, _ := mustOpenSQLite(t, barrier.Options{})
		env.Barrier = nil
		st, ev := checkISO1(context.Background(), env)
		assertResult(t, st, ev, StatusFail, "encryption barrier not available")
	})
	t.Run("backend mismatch fails", func(t *testing.T) {
		env, _ := mustOpenSQLite(t, barrier.Options{})
		env.Backend = quire.BackendPostgres
		st, ev := checkISO1(context.Background(), env)
		assertResult(t, st, ev, StatusFail, `the store reports backend "sqlite" but the deployment is configured for "postgres"`)
	})
	t.Run("PostgreSQL superuser in production fails", func(t *testing.T) {
		env, db := mustOpenSQLite(t, barrier.Options{})
		env.Backend, env.Production = quire.BackendPostgres, true
		env.Inspector = postgresInspector{db, quire.IsolationStatus{Backend: quire.BackendPostgres, Role: "postgres", Superuser: true,
			Tables: []quire.TableIsolation{{Name: "notes", RLSEnabled: true, RLSForced: true, Policies: 1}}}}
		st, ev := checkISO1(context.Background(), env)
		assertResult(t, st, ev, StatusFail, "production mode: role \"postgres\" is a superuser", "cross-tenant probe")
	})
	t.Run("PostgreSQL without a barrier says the key probe was skipped", func(t *testing.T) {
		env, db := mustOpenSQLite(t, barrier.Options{})
		env.Backend, env.Barrier = quire.BackendPostgres, nil
		env.Inspector = postgresInspector{db, quire.IsolationStatus{Backend: quire.BackendPostgres, Role: "quire",
			Tables: []quire.TableIsolation{{Name: "notes", RLSEnabled: true, RLSForced: true, Policies: 1}}}}
		st, ev := checkISO1(context.Background(), env)
		assertResult(t, st, ev, StatusPass, "cross-tenant probe", "per-workspace key probe skipped")
	})
	t.Run("PostgreSQL dedicated role passes", func(t *testing.T) {
		env, db := mustOpenSQLite(t, barrier.Options{})
		env.Backend, env.Production = quire.BackendPostgres, true
		env.Inspector = postgresInspector{db, quire.IsolationStatus{Backend: quire.BackendPostgres, Role: "quire",
			Tables: []quire.TableIsolation{{Name: "notes", RLSEnabled: true, RLSForced: true, Policies: 1}}}}
		st, ev := checkISO1(context.Background(), env)
		assertResult(t, st, ev, StatusPass, "table notes: row-level security enabled and forced", "cross-tenant probe", "per-workspace keys")
	})
}
