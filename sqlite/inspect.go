package sqlite

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path/filepath"

	"github.com/quirehq/quire"
	"github.com/quirehq/quire/rawscan"
)

var _ quire.StoreInspector = (*DB)(nil)

// Isolation implements quire.StoreInspector. SQLite has no roles or
// row-level security: tenants are kept apart by per-workspace keys and by
// binding every query to the workspace named in the call.
func (db *DB) Isolation(ctx context.Context) (*quire.IsolationStatus, error) {
	if err := db.Ping(ctx); err != nil {
		return nil, err
	}
	return &quire.IsolationStatus{Backend: quire.BackendSQLite}, nil
}

// maxFindings bounds the locations ScanRaw reports.
const maxFindings = 100

// scanChunk is how much of a file ScanRaw reads at a time.
const scanChunk = 1 << 20

// ScanRaw implements quire.StoreInspector: it searches the database file and
// its -wal, -shm and -journal files byte for byte, as they are on disk, for
// needle, and returns "file@offset" for each place it occurs. It does not
// checkpoint first, so data still in the write-ahead log is seen too.
func (db *DB) ScanRaw(ctx context.Context, needle []byte) ([]string, error) {
	if len(needle) == 0 {
		return nil, quire.Errorf(quire.EINVALID, "Nothing to search for.")
	}
	var found []string
	for _, path := range db.RawFiles() {
		offsets, err := db.scanFile(ctx, path, needle, maxFindings-len(found))
		if err != nil {
			return nil, err
		}
		for _, off := range offsets {
			found = append(found, fmt.Sprintf("%s@%d", filepath.Base(path), off))
		}
	}
	return found, nil
}

// RawFiles implements quire.StoreInspector: the database file and its
// -wal, -shm and -journal files (which may not exist).
func (db *DB) RawFiles() []string {
	return []string{db.path, db.path + "-wal", db.path + "-shm", db.path + "-journal"}
}

// scanFile returns up to limit offsets of needle in the file at path; a
// missing file has none. It reads through a kept handle, never closing
// one while SQLite may hold locks on the file (see keptFiles).
func (db *DB) scanFile(ctx context.Context, path string, needle []byte, limit int) ([]int64, error) {
	if limit <= 0 {
		return nil, nil
	}
	f, err := db.kept.open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	} else if err != nil {
		return nil, fmt.Errorf("sqlite: scan: %w", err)
	}
	fi, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("sqlite: scan: %w", err)
	}
	var out []int64
	_, err = rawscan.Reader(ctx, io.NewSectionReader(f, 0, fi.Size()), [][]byte{needle}, make([]byte, scanChunk+len(needle)), -1, func(_ int, off int64) bool {
		out = append(out, off)
		return len(out) < limit
	})
	if err != nil {
		return nil, fmt.Errorf("sqlite: scan: %w", err)
	}
	return out, nil
}
