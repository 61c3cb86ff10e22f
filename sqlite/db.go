package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"time"

	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

// busyTimeout is how long a connection waits for another process's lock
// before it fails with SQLITE_BUSY.
const busyTimeout = 10 * time.Second

// DB is one SQLite database: a single writer connection, so that writers in
// this process queue rather than fail, and a pool of read-only connections.
type DB struct {
	path   string
	writer *sql.DB
	reader *sql.DB
	// kept are the handles ScanRaw reads the files through.
	kept keptFiles
}

// Open opens (creating it with mode 0600 if needed) the database at path,
// applies the pragmas Quire depends on and runs the embedded migrations.
// synchronous=FULL makes every acknowledged write survive a crash or kill -9.
func Open(ctx context.Context, path string) (*DB, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("sqlite: database path: %w", err)
	}
	if err := createFile(abs); err != nil {
		return nil, err
	}
	db := &DB{path: abs}
	if db.writer, err = openPool(abs, 1, "&_txlock=immediate&_pragma=secure_delete(1)"); err != nil {
		return nil, err
	}
	readers := max(4, runtime.GOMAXPROCS(0))
	if db.reader, err = openPool(abs, readers, "&_pragma=query_only(1)"); err != nil {
		db.writer.Close()
		return nil, err
	}
	if err := db.Ping(ctx); err != nil {
		db.closePools()
		return nil, describeOpenError(abs, err)
	}
	if err := db.Migrate(ctx); err != nil {
		db.closePools()
		return nil, describeOpenError(abs, err)
	}
	return db, nil
}

// createFile makes the database file with mode 0600 before SQLite does, since
// SQLite would create it with the process umask; the -wal and -shm files
// then inherit its mode.
func createFile(path string) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("sqlite: database directory: %w", err)
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("sqlite: open database file: %w", err)
	}
	return f.Close()
}

// openPool opens a connection pool on path. Pragmas are set in the DSN so
// that every new connection gets them, not only the first.
func openPool(path string, conns int, extra string) (*sql.DB, error) {
	dsn := "file:" + (&url.URL{Path: path}).EscapedPath() +
		fmt.Sprintf("?_pragma=busy_timeout(%d)", busyTimeout.Milliseconds()) +
		"&_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)&_pragma=foreign_keys(1)" +
		"&_pragma=temp_store(MEMORY)" + extra
	pool, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("sqlite: open: %w", err)
	}
	pool.SetMaxOpenConns(conns)
	pool.SetMaxIdleConns(conns)
	pool.SetConnMaxLifetime(0)
	return pool, nil
}

// describeOpenError turns the driver's errors for a file that is not a
// usable database into one that names the file and the likely cause.
func describeOpenError(path string, err error) error {
	switch sqliteCode(err) & 0xff {
	case codeNotADB, codeCorrupt:
		return fmt.Errorf("sqlite: %s is not a Quire database or is corrupt (restore it from a backup): %w", path, err)
	}
	return fmt.Errorf("sqlite: open %s: %w", path, err)
}

// Path returns the absolute path of the database file.
func (db *DB) Path() string { return db.path }

// Ping checks that both the writer and the readers can reach the database.
func (db *DB) Ping(ctx context.Context) error {
	if err := db.writer.PingContext(ctx); err != nil {
		return fmt.Errorf("sqlite: ping writer: %w", err)
	}
	if err := db.reader.PingContext(ctx); err != nil {
		return fmt.Errorf("sqlite: ping reader: %w", err)
	}
	var n int
	if err := db.reader.QueryRowContext(ctx, "SELECT count(*) FROM sqlite_schema").Scan(&n); err != nil {
		return fmt.Errorf("sqlite: read schema: %w", err)
	}
	return nil
}

// Close checkpoints the write-ahead log into the database file and closes
// every connection.
func (db *DB) Close() error {
	return errors.Join(db.checkpoint(context.Background()), db.closePools())
}

// checkpoint copies the write-ahead log into the database file and
// truncates it. A reader holding an old snapshot makes it partial (SQLite
// reports busy rather than an error); the next checkpoint finishes the job.
func (db *DB) checkpoint(ctx context.Context) error {
	if _, err := db.writer.ExecContext(ctx, "PRAGMA wal_checkpoint(TRUNCATE)"); err != nil {
		return fmt.Errorf("sqlite: checkpoint: %w", err)
	}
	return nil
}

func (db *DB) closePools() error {
	err := errors.Join(db.reader.Close(), db.writer.Close())
	// sql.DB.Close leaves a connection still in use (a transaction a
	// request did not finish) open, and its locks with it: the kept
	// handles then stay open too, until the process exits.
	if db.reader.Stats().InUse == 0 && db.writer.Stats().InUse == 0 {
		err = errors.Join(err, db.kept.close())
	}
	return err
}

// write runs fn in a transaction on the writer connection (BEGIN IMMEDIATE),
// committing if fn returns nil.
func (db *DB) write(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := db.writer.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("sqlite: begin: %w", err)
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("sqlite: commit: %w", err)
	}
	return nil
}

// read runs fn in a read-only transaction, so that it sees one snapshot.
func (db *DB) read(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := db.reader.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return fmt.Errorf("sqlite: begin read: %w", err)
	}
	defer tx.Rollback()
	return fn(tx)
}
