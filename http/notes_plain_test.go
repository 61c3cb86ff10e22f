package http_test

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"net/url"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/quirehq/quire"
	"github.com/quirehq/quire/postgres/pgtest"
)

// plainNotes is the baseline of BenchmarkNotesHTTP: a quire.NoteService
// that runs the real stores' statements and transactions (read, then a
// compare-and-swap write that keeps the replaced state as a version) on
// tables of the same shape, with title and content stored as text and no
// barrier. The difference from the real store is the cost of encryption.
type plainNotes struct{ db plainDB }

var _ quire.NoteService = (*plainNotes)(nil)

// plainDB is the SQL of one engine, as its real note store issues it.
type plainDB interface {
	insert(ctx context.Context, n *quire.Note) error
	find(ctx context.Context, ws, id string) (*quire.Note, error)
	// swap writes next over cur if the row is still at cur's version,
	// keeping cur's title and content as a version if upd changes either.
	swap(ctx context.Context, cur, next *quire.Note, upd quire.NoteUpdate) (bool, error)
	list(ctx context.Context, f quire.NoteFilter) ([]*quire.Note, int, error)
	remove(ctx context.Context, ws, id string) (bool, error)
}

// plainKeep is how many versions the baseline keeps per note: the real
// stores' default policy.
var plainKeep = quire.VersionPolicy{}.Limit()

// plainNow is the stores' clock: UTC in microseconds.
func plainNow() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }

// plainAfter is plainNow, or just after prev, as an update's UpdatedAt.
func plainAfter(prev time.Time) time.Time {
	if t := plainNow(); t.After(prev) {
		return t
	}
	return prev.Add(time.Microsecond)
}

// plainErr maps the drivers' "no rows" to ENOTFOUND, a missing folder (the
// SQLite trigger, the PostgreSQL foreign key) as the stores do, and any
// other failure to EINTERNAL, keeping quire errors as they are.
func plainErr(err error) error {
	var qe *quire.Error
	switch {
	case err == nil || errors.As(err, &qe):
		return err
	case errors.Is(err, sql.ErrNoRows), errors.Is(err, pgx.ErrNoRows):
		return quire.Errorf(quire.ENOTFOUND, "Note not found.")
	case strings.Contains(err.Error(), "folder_not_found"), strings.Contains(err.Error(), "folder_ref"):
		return quire.ErrFolderNotFound()
	}
	return quire.WrapError(quire.EINTERNAL, "Internal database error.", err)
}

// CreateNote implements quire.NoteService.
func (s *plainNotes) CreateNote(ctx context.Context, n *quire.Note) error {
	if err := n.Validate(); err != nil {
		return err
	}
	c, t := *n, plainNow()
	c.ID, c.Version, c.CreatedAt, c.UpdatedAt = quire.NewID(), 1, t, t
	if err := s.db.insert(ctx, &c); err != nil {
		return plainErr(err)
	}
	*n = c
	return nil
}

// FindNoteByID implements quire.NoteService.
func (s *plainNotes) FindNoteByID(ctx context.Context, workspaceID, id string) (*quire.Note, error) {
	n, err := s.db.find(ctx, workspaceID, id)
	return n, plainErr(err)
}

// FindNotes implements quire.NoteService.
func (s *plainNotes) FindNotes(ctx context.Context, f quire.NoteFilter) ([]*quire.Note, int, error) {
	if err := f.Validate(); err != nil {
		return nil, 0, err
	}
	list, total, err := s.db.list(ctx, f)
	return list, total, plainErr(err)
}

// UpdateNote implements quire.NoteService as both stores do: read, check
// IfVersion, then write only if the row is still at the version read,
// reading again when another writer won.
func (s *plainNotes) UpdateNote(ctx context.Context, workspaceID, id string, upd quire.NoteUpdate) (*quire.Note, error) {
	if err := upd.Validate(); err != nil {
		return nil, err
	}
	for range 10 {
		cur, err := s.FindNoteByID(ctx, workspaceID, id)
		if err != nil {
			return nil, err
		}
		if upd.IfVersion != 0 && cur.Version != upd.IfVersion {
			return nil, quire.Errorf(quire.ECONFLICT, "The note was changed by someone else; reload it and try again.")
		}
		next := *cur
		upd.Apply(&next)
		next.Version, next.UpdatedAt = cur.Version+1, plainAfter(cur.UpdatedAt)
		if ok, err := s.db.swap(ctx, cur, &next, upd); err != nil || ok {
			return &next, plainErr(err)
		}
	}
	return nil, quire.Errorf(quire.ECONFLICT, "The note is changing too often; try again.")
}

// DeleteNote implements quire.NoteService.
func (s *plainNotes) DeleteNote(ctx context.Context, workspaceID, id string) error {
	ok, err := s.db.remove(ctx, workspaceID, id)
	if err == nil && !ok {
		err = sql.ErrNoRows
	}
	return plainErr(err)
}

// FindNoteVersions implements quire.NoteVersionService. The baseline keeps
// versions, as the real stores do, but does not list them: the benchmark
// does not read them.
func (s *plainNotes) FindNoteVersions(ctx context.Context, workspaceID, noteID string) ([]*quire.NoteVersion, error) {
	if _, err := s.FindNoteByID(ctx, workspaceID, noteID); err != nil {
		return nil, err
	}
	return []*quire.NoteVersion{}, nil
}

// FindNoteVersion implements quire.NoteVersionService; see FindNoteVersions.
func (s *plainNotes) FindNoteVersion(ctx context.Context, workspaceID, noteID string, version int) (*quire.NoteVersion, error) {
	return nil, quire.Errorf(quire.ENOTFOUND, "Note version not found.")
}

// plainTimeLayout is the SQLite store's timestamp text.
const plainTimeLayout = "2006-01-02T15:04:05.000000Z"

// plainSQLiteDDL is the SQLite store's schema for notes, versions and the
// folder checks, with title and content as TEXT instead of sealed BLOBs.
const plainSQLiteDDL = `CREATE TABLE workspaces (id TEXT PRIMARY KEY) STRICT;
CREATE TABLE folders (id TEXT PRIMARY KEY, workspace_id TEXT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    UNIQUE (workspace_id, id)) STRICT;
CREATE TABLE notes (
    id           TEXT    PRIMARY KEY,
    workspace_id TEXT    NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    title        TEXT    NOT NULL,
    content      TEXT    NOT NULL,
    folder_id    TEXT,
    pinned       INTEGER NOT NULL DEFAULT 0 CHECK (pinned IN (0, 1)),
    public       INTEGER NOT NULL DEFAULT 0 CHECK (public IN (0, 1)),
    version      INTEGER NOT NULL DEFAULT 1 CHECK (version > 0),
    created_at   TEXT    NOT NULL,
    updated_at   TEXT    NOT NULL
) STRICT;
CREATE INDEX notes_list ON notes (workspace_id, pinned DESC, updated_at DESC, id);
CREATE INDEX notes_folder ON notes (workspace_id, folder_id, pinned DESC, updated_at DESC, id);
CREATE UNIQUE INDEX notes_workspace_id ON notes (workspace_id, id);
CREATE TRIGGER notes_folder_insert BEFORE INSERT ON notes
WHEN NEW.folder_id IS NOT NULL AND NOT EXISTS
    (SELECT 1 FROM folders WHERE id = NEW.folder_id AND workspace_id = NEW.workspace_id)
BEGIN SELECT RAISE(ABORT, 'folder_not_found'); END;
CREATE TRIGGER notes_folder_update BEFORE UPDATE OF folder_id, workspace_id ON notes
WHEN NEW.folder_id IS NOT NULL
    AND (NEW.folder_id IS NOT OLD.folder_id OR NEW.workspace_id IS NOT OLD.workspace_id)
    AND NOT EXISTS (SELECT 1 FROM folders WHERE id = NEW.folder_id AND workspace_id = NEW.workspace_id)
BEGIN SELECT RAISE(ABORT, 'folder_not_found'); END;
CREATE TABLE note_versions (
    id           TEXT    PRIMARY KEY,
    note_id      TEXT    NOT NULL REFERENCES notes (id) ON DELETE CASCADE,
    workspace_id TEXT    NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    version      INTEGER NOT NULL CHECK (version > 0),
    title        TEXT    NOT NULL,
    content      TEXT    NOT NULL,
    saved_at     TEXT    NOT NULL,
    UNIQUE (note_id, version)
) STRICT;
CREATE INDEX note_versions_workspace ON note_versions (workspace_id);`

const plainColumns = "id, workspace_id, title, content, folder_id, pinned, public, version, created_at, updated_at"

// plainSQLite is the baseline on its own SQLite file, opened as sqlite.Open
// opens the real one: one writer connection, a pool of read-only ones.
type plainSQLite struct{ writer, reader *sql.DB }

// openPlainSQLite creates the baseline database in tb.TempDir() with the
// workspace ws in it.
func openPlainSQLite(tb testing.TB, ws string) *plainNotes {
	tb.Helper()
	path := filepath.Join(tb.TempDir(), "plain.db")
	s := &plainSQLite{writer: plainPool(tb, path, 1, "&_txlock=immediate&_pragma=secure_delete(1)")}
	if _, err := s.writer.Exec(plainSQLiteDDL); err != nil {
		tb.Fatalf("create the baseline tables: %v", err)
	}
	if _, err := s.writer.Exec("INSERT INTO workspaces (id) VALUES (?)", ws); err != nil {
		tb.Fatalf("add the baseline workspace: %v", err)
	}
	s.reader = plainPool(tb, path, max(4, runtime.GOMAXPROCS(0)), "&_pragma=query_only(1)")
	return &plainNotes{db: s}
}

// plainPool opens a pool on path with the pragmas of sqlite/db.go.
func plainPool(tb testing.TB, path string, conns int, extra string) *sql.DB {
	tb.Helper()
	dsn := "file:" + (&url.URL{Path: path}).EscapedPath() + "?_pragma=busy_timeout(10000)" +
		"&_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)&_pragma=foreign_keys(1)&_pragma=temp_store(MEMORY)" + extra
	pool, err := sql.Open("sqlite", dsn)
	if err != nil {
		tb.Fatalf("open the baseline database: %v", err)
	}
	pool.SetMaxOpenConns(conns)
	pool.SetMaxIdleConns(conns)
	tb.Cleanup(func() { _ = pool.Close() })
	return pool
}

func sqliteTime(t time.Time) string { return t.UTC().Format(plainTimeLayout) }

func sqliteFolder(id string) sql.NullString { return sql.NullString{String: id, Valid: id != ""} }

func scanPlainSQLite(row interface{ Scan(...any) error }) (*quire.Note, error) {
	var n quire.Note
	var folder sql.NullString
	var created, updated string
	if err := row.Scan(&n.ID, &n.WorkspaceID, &n.Title, &n.Content, &folder, &n.Pinned, &n.Public, &n.Version, &created, &updated); err != nil {
		return nil, err
	}
	n.FolderID = folder.String
	var errC, errU error
	n.CreatedAt, errC = time.Parse(plainTimeLayout, created)
	n.UpdatedAt, errU = time.Parse(plainTimeLayout, updated)
	return &n, errors.Join(errC, errU)
}

// insert checks the workspace, then inserts, as sqlite.NoteService does.
func (s *plainSQLite) insert(ctx context.Context, n *quire.Note) error {
	var count int
	if err := s.reader.QueryRowContext(ctx, "SELECT count(*) FROM workspaces WHERE id = ?", n.WorkspaceID).Scan(&count); err != nil {
		return err
	} else if count == 0 {
		return quire.Errorf(quire.ENOTFOUND, "Workspace not found.")
	}
	_, err := s.writer.ExecContext(ctx, "INSERT INTO notes ("+plainColumns+") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", n.ID, n.WorkspaceID,
		n.Title, n.Content, sqliteFolder(n.FolderID), n.Pinned, n.Public, n.Version, sqliteTime(n.CreatedAt), sqliteTime(n.UpdatedAt))
	return err
}

func (s *plainSQLite) find(ctx context.Context, ws, id string) (*quire.Note, error) {
	return scanPlainSQLite(s.reader.QueryRowContext(ctx, "SELECT "+plainColumns+" FROM notes WHERE id = ? AND workspace_id = ?", id, ws))
}

// swap is sqlite.NoteService's: one BEGIN IMMEDIATE transaction with the
// conditional UPDATE of the changed fields, the kept version and the prune.
func (s *plainSQLite) swap(ctx context.Context, cur, next *quire.Note, upd quire.NoteUpdate) (bool, error) {
	sets := []string{"folder_id = ?", "pinned = ?", "public = ?", "version = ?", "updated_at = ?"}
	args := []any{sqliteFolder(next.FolderID), next.Pinned, next.Public, next.Version, sqliteTime(next.UpdatedAt)}
	if upd.Title != nil {
		sets, args = append(sets, "title = ?"), append(args, next.Title)
	}
	if upd.Content != nil {
		sets, args = append(sets, "content = ?"), append(args, next.Content)
	}
	keep, vid := upd.Title != nil || upd.Content != nil, quire.NewID()
	tx, err := s.writer.BeginTx(ctx, nil)
	if err != nil {
		return false, err
	}
	defer func() { _ = tx.Rollback() }()
	res, err := tx.ExecContext(ctx, "UPDATE notes SET "+strings.Join(sets, ", ")+" WHERE id = ? AND workspace_id = ? AND version = ?",
		append(args, cur.ID, cur.WorkspaceID, cur.Version)...)
	if err != nil {
		return false, err
	}
	if n, err := res.RowsAffected(); err != nil || n != 1 {
		return false, errors.Join(err, tx.Commit())
	}
	if keep {
		if _, err := tx.ExecContext(ctx, `INSERT INTO note_versions (id, note_id, workspace_id, version, title, content, saved_at)
			VALUES (?, ?, ?, ?, ?, ?, ?)`, vid, cur.ID, cur.WorkspaceID, cur.Version, cur.Title, cur.Content, sqliteTime(cur.UpdatedAt)); err != nil {
			return false, err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM note_versions WHERE note_id = ? AND workspace_id = ? AND (saved_at < ?
			OR version NOT IN (SELECT version FROM note_versions WHERE note_id = ? ORDER BY version DESC LIMIT ?))`,
			cur.ID, cur.WorkspaceID, "", cur.ID, plainKeep); err != nil {
			return false, err
		}
	}
	return true, tx.Commit()
}

// list counts and reads a page in one read-only transaction.
func (s *plainSQLite) list(ctx context.Context, f quire.NoteFilter) ([]*quire.Note, int, error) {
	where, args := "workspace_id = ?", []any{f.WorkspaceID}
	if f.FolderID != nil && *f.FolderID == "" {
		where += " AND folder_id IS NULL"
	} else if f.FolderID != nil {
		where, args = where+" AND folder_id = ?", append(args, *f.FolderID)
	}
	if f.PinnedOnly {
		where += " AND pinned = 1"
	}
	limit := cmp.Or(f.Limit, -1)
	tx, err := s.reader.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, 0, err
	}
	defer func() { _ = tx.Rollback() }()
	var total int
	if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM notes WHERE "+where, args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	rows, err := tx.QueryContext(ctx, "SELECT "+plainColumns+" FROM notes WHERE "+where+
		" ORDER BY pinned DESC, updated_at DESC, id LIMIT ? OFFSET ?", append(args, limit, f.Offset)...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	var out []*quire.Note
	for rows.Next() {
		n, err := scanPlainSQLite(rows)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, n)
	}
	return out, total, rows.Err()
}

func (s *plainSQLite) remove(ctx context.Context, ws, id string) (bool, error) {
	res, err := s.writer.ExecContext(ctx, "DELETE FROM notes WHERE id = ? AND workspace_id = ?", id, ws)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// plainPGDDL is the PostgreSQL store's schema for notes and versions, with
// the same keys, indexes and row-level security, title and content as text.
// It goes into the test database next to the real tables.
const plainPGDDL = `CREATE TABLE plain_notes (
    id           text        NOT NULL PRIMARY KEY,
    workspace_id text        NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    title        text        NOT NULL,
    content      text        NOT NULL,
    folder_id    text        NOT NULL DEFAULT '',
    pinned       boolean     NOT NULL DEFAULT false,
    public       boolean     NOT NULL DEFAULT false,
    version      integer     NOT NULL CHECK (version > 0),
    created_at   timestamptz NOT NULL,
    updated_at   timestamptz NOT NULL,
    folder_ref   text GENERATED ALWAYS AS (NULLIF(folder_id, '')) STORED,
    FOREIGN KEY (workspace_id, folder_ref) REFERENCES folders (workspace_id, id),
    UNIQUE (workspace_id, id)
);
CREATE INDEX plain_notes_list_idx ON plain_notes (workspace_id, pinned DESC, updated_at DESC, id);
CREATE INDEX plain_notes_folder_idx ON plain_notes (workspace_id, folder_ref);
CREATE TABLE plain_note_versions (
    id           text        NOT NULL PRIMARY KEY,
    note_id      text        NOT NULL REFERENCES plain_notes (id) ON DELETE CASCADE,
    workspace_id text        NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    version      integer     NOT NULL CHECK (version > 0),
    title        text        NOT NULL,
    content      text        NOT NULL,
    saved_at     timestamptz NOT NULL,
    UNIQUE (note_id, version)
);
CREATE INDEX plain_note_versions_workspace_idx ON plain_note_versions (workspace_id);
ALTER TABLE plain_notes ENABLE ROW LEVEL SECURITY;
ALTER TABLE plain_notes FORCE ROW LEVEL SECURITY;
ALTER TABLE plain_note_versions ENABLE ROW LEVEL SECURITY;
ALTER TABLE plain_note_versions FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant ON plain_notes USING (workspace_id = current_setting('quire.workspace_id', true))
    WITH CHECK (workspace_id = current_setting('quire.workspace_id', true));
CREATE POLICY tenant ON plain_note_versions USING (workspace_id = current_setting('quire.workspace_id', true))
    WITH CHECK (workspace_id = current_setting('quire.workspace_id', true));`

// plainPG is the baseline in the test database, as the application role,
// through a pool sized as the real store's.
type plainPG struct{ pool *pgxpool.Pool }

// openPlainPG creates the baseline tables as the owning role and connects
// as the application role with maxConns connections.
func openPlainPG(tb testing.TB, env *pgtest.Env, maxConns int32) *plainNotes {
	tb.Helper()
	ctx := context.Background()
	owner, err := pgx.Connect(ctx, env.OwnerURL)
	if err != nil {
		tb.Fatalf("connect as the owner: %v", err)
	}
	defer owner.Close(ctx)
	grant := ";\nGRANT SELECT, INSERT, UPDATE, DELETE ON plain_notes, plain_note_versions TO " + env.App
	if _, err := owner.Exec(ctx, plainPGDDL+grant); err != nil {
		tb.Fatalf("create the baseline tables: %v", err)
	}
	cfg, err := pgxpool.ParseConfig(env.AppURL)
	if err != nil {
		tb.Fatalf("baseline pool: %v", err)
	}
	cfg.MaxConns = maxConns
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		tb.Fatalf("baseline pool: %v", err)
	}
	tb.Cleanup(pool.Close)
	return &plainNotes{db: &plainPG{pool: pool}}
}

// inTx is postgres.DB.inTx: a transaction bound to the workspace.
func (s *plainPG) inTx(ctx context.Context, ws string, fn func(tx pgx.Tx) error) error {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return err
	}
	defer func() { _ = tx.Rollback(context.WithoutCancel(ctx)) }()
	if _, err := tx.Exec(ctx, "SELECT set_config('quire.workspace_id', $1, true), set_config('quire.user_id', $2, true)", ws, ""); err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		return err
	}
	return tx.Commit(ctx)
}

func scanPlainPG(row pgx.Row) (*quire.Note, error) {
	var n quire.Note
	err := row.Scan(&n.ID, &n.WorkspaceID, &n.Title, &n.Content, &n.FolderID, &n.Pinned, &n.Public, &n.Version, &n.CreatedAt, &n.UpdatedAt)
	n.CreatedAt, n.UpdatedAt = n.CreatedAt.UTC(), n.UpdatedAt.UTC()
	return &n, err
}

func (s *plainPG) insert(ctx context.Context, n *quire.Note) error {
	return s.inTx(ctx, n.WorkspaceID, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, "INSERT INTO plain_notes ("+plainColumns+") VALUES ($1, $2, $3, $4, $5, $6, $7, 1, $8, $8)",
			n.ID, n.WorkspaceID, n.Title, n.Content, n.FolderID, n.Pinned, n.Public, n.CreatedAt)
		return err
	})
}

func (s *plainPG) find(ctx context.Context, ws, id string) (*quire.Note, error) {
	var n *quire.Note
	err := s.inTx(ctx, ws, func(tx pgx.Tx) error {
		var err error
		n, err = scanPlainPG(tx.QueryRow(ctx, "SELECT "+plainColumns+" FROM plain_notes WHERE id = $1 AND workspace_id = $2", id, ws))
		return err
	})
	return n, err
}

// swap is postgres.NoteService's: one transaction with the conditional
// UPDATE of every column, the kept version and the prune.
func (s *plainPG) swap(ctx context.Context, cur, next *quire.Note, upd quire.NoteUpdate) (bool, error) {
	keep, vid, changed := upd.Title != nil || upd.Content != nil, quire.NewID(), false
	err := s.inTx(ctx, cur.WorkspaceID, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE plain_notes SET title = $3, content = $4, folder_id = $5, pinned = $6, public = $7,
			version = $8, updated_at = $9 WHERE id = $1 AND workspace_id = $2 AND version = $10`,
			cur.ID, cur.WorkspaceID, next.Title, next.Content, next.FolderID, next.Pinned, next.Public, next.Version, next.UpdatedAt, cur.Version)
		if err != nil || tag.RowsAffected() != 1 || !keep {
			changed = err == nil && tag.RowsAffected() == 1
			return err
		}
		changed = true
		if _, err := tx.Exec(ctx, `INSERT INTO plain_note_versions (id, note_id, workspace_id, version, title, content, saved_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7)`, vid, cur.ID, cur.WorkspaceID, cur.Version, cur.Title, cur.Content, cur.UpdatedAt); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `DELETE FROM plain_note_versions WHERE note_id = $1 AND (saved_at < $2
			OR version NOT IN (SELECT version FROM plain_note_versions WHERE note_id = $1 ORDER BY version DESC LIMIT $3))`,
			cur.ID, time.Time{}, plainKeep)
		return err
	})
	return changed && err == nil, err
}

// list counts and reads a page in one transaction bound to the workspace.
func (s *plainPG) list(ctx context.Context, f quire.NoteFilter) ([]*quire.Note, int, error) {
	where, args := "workspace_id = $1", []any{f.WorkspaceID}
	if f.FolderID != nil {
		args = append(args, *f.FolderID)
		where += " AND folder_id = $" + strconv.Itoa(len(args))
	}
	if f.PinnedOnly {
		where += " AND pinned"
	}
	var limit *int
	if f.Limit > 0 {
		limit = &f.Limit
	}
	var out []*quire.Note
	var total int
	err := s.inTx(ctx, f.WorkspaceID, func(tx pgx.Tx) error {
		if err := tx.QueryRow(ctx, "SELECT count(*) FROM plain_notes WHERE "+where, args...).Scan(&total); err != nil {
			return err
		}
		n := strconv.Itoa(len(args) + 1)
		rows, err := tx.Query(ctx, "SELECT "+plainColumns+" FROM plain_notes WHERE "+where+
			" ORDER BY pinned DESC, updated_at DESC, id LIMIT $"+n+" OFFSET $"+strconv.Itoa(len(args)+2), append(args, limit, f.Offset)...)
		if err != nil {
			return err
		}
		out, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (*quire.Note, error) { return scanPlainPG(r) })
		return err
	})
	return out, total, err
}

func (s *plainPG) remove(ctx context.Context, ws, id string) (bool, error) {
	var ok bool
	err := s.inTx(ctx, ws, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, "DELETE FROM plain_notes WHERE id = $1 AND workspace_id = $2", id, ws)
		ok = err == nil && tag.RowsAffected() == 1
		return err
	})
	return ok, err
}
