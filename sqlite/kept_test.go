package sqlite

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// locksHeld counts the POSIX locks this process holds, from /proc/locks.
func locksHeld(t *testing.T) int {
	t.Helper()
	b, err := os.ReadFile("/proc/locks")
	if err != nil {
		t.Skipf("no /proc/locks: %v", err)
	}
	pid := strconv.Itoa(os.Getpid())
	n := 0
	for line := range strings.Lines(string(b)) {
		if f := strings.Fields(line); len(f) > 4 && f[1] == "POSIX" && f[4] == pid {
			n++
		}
	}
	return n
}

// TestScanRawKeepsSQLiteLocks guards against a scan that opens and closes
// the database files: closing any descriptor of a file drops every POSIX
// lock the process holds on it, and with SQLite's locks gone another
// process can checkpoint or delete the write-ahead log under a live
// connection.
func TestScanRawKeepsSQLiteLocks(t *testing.T) {
	ctx := context.Background()
	db, err := Open(ctx, filepath.Join(t.TempDir(), "quire.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.writer.ExecContext(ctx, "CREATE TABLE probe (v TEXT)"); err != nil {
		t.Fatal(err)
	}
	if _, err := db.writer.ExecContext(ctx, "INSERT INTO probe VALUES ('x')"); err != nil {
		t.Fatal(err)
	}
	before := locksHeld(t)
	if before == 0 {
		t.Fatal("SQLite holds no POSIX locks with the database open: the test cannot see a lost lock")
	}
	for range 3 {
		if _, err := db.ScanRaw(ctx, []byte("needle")); err != nil {
			t.Fatal(err)
		}
	}
	if after := locksHeld(t); after < before {
		t.Fatalf("ScanRaw dropped SQLite's locks: %d held before, %d after", before, after)
	}
}
