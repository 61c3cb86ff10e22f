package sqlite_test

import (
	"context"
	"crypto/rand"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/quirehq/quire"
	"github.com/quirehq/quire/barrier"
	"github.com/quirehq/quire/sqlite"
)

func TestOpenCreatesPrivateFiles(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	path := filepath.Join(dir, "quire.db")
	s := mustOpen(t, path, newKey())
	u := &quire.User{Email: "mode@example.com", Name: "mode"}
	if err := s.Users.CreateUser(context.Background(), u); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		path string
		want os.FileMode
	}{
		{dir, 0o700},
		{path, 0o600},
		{path + "-wal", 0o600},
		{path + "-shm", 0o600},
	}
	for _, tc := range cases {
		fi, err := os.Stat(tc.path)
		if err != nil {
			t.Fatalf("stat %s: %v", filepath.Base(tc.path), err)
		}
		if got := fi.Mode().Perm(); got != tc.want {
			t.Errorf("%s has mode %v, want %v", filepath.Base(tc.path), got, tc.want)
		}
	}
}

func TestMigrationsIdempotent(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "quire.db")
	key := newKey()
	s := mustOpen(t, path, key)
	u := &quire.User{Email: "twice@example.com", Name: "opened twice"}
	if err := s.Users.CreateUser(ctx, u); err != nil {
		t.Fatal(err)
	}
	s = s.Reopen(t)
	got, err := s.Users.FindUserByEmail(ctx, u.Email)
	if err != nil || got.ID != u.ID {
		t.Fatalf("after reopen: %v, %v", got, err)
	}
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "again.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for i := range 3 {
		if err := db.Migrate(ctx); err != nil {
			t.Fatalf("Migrate run %d: %v", i+2, err)
		}
	}
}

func TestOpenRejectsBadFiles(t *testing.T) {
	garbage := make([]byte, 8192)
	_, _ = rand.Read(garbage)
	cases := []struct {
		name    string
		content []byte
		want    string
	}{
		{"random bytes", garbage, "not a Quire database or is corrupt"},
		{"text file", []byte(strings.Repeat("this is not a database\n", 300)), "not a Quire database or is corrupt"},
		{"truncated header", []byte("SQLite format 3\x00\x10\x00"), ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "quire.db")
			if err := os.WriteFile(path, tc.content, 0o600); err != nil {
				t.Fatal(err)
			}
			db, err := sqlite.Open(context.Background(), path)
			if err == nil {
				db.Close()
				t.Fatal("Open accepted a file that is not a database")
			}
			if !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %q should name the file and say %q", err, tc.want)
			}
		})
	}
	t.Run("directory", func(t *testing.T) {
		if db, err := sqlite.Open(context.Background(), t.TempDir()); err == nil {
			db.Close()
			t.Fatal("Open accepted a directory")
		}
	})
}

func TestWrongRootKey(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "quire.db")
	s := mustOpen(t, path, newKey())
	if err := s.Users.CreateUser(ctx, &quire.User{Email: "key@example.com"}); err != nil {
		t.Fatal(err)
	}
	s.Reopen(t) // closes cleanly; the reopened handle is closed at cleanup
	db, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	_, err = barrier.Open(ctx, barrier.StaticSource(newKey()), sqlite.NewKeyStore(db), barrier.Options{})
	if !errors.Is(err, barrier.ErrWrongRootKey) {
		t.Fatalf("barrier.Open with another root key: err = %v, want barrier.ErrWrongRootKey", err)
	}
}

func TestScanRawRejectsEmptyNeedle(t *testing.T) {
	s := mustOpen(t, filepath.Join(t.TempDir(), "quire.db"), newKey())
	_, err := s.Inspector.ScanRaw(context.Background(), nil)
	if quire.ErrorCode(err) != quire.EINVALID {
		t.Fatalf("ScanRaw(nil): %v, want EINVALID", err)
	}
	st, err := s.Inspector.Isolation(context.Background())
	if err != nil || st.Backend != quire.BackendSQLite {
		t.Fatalf("Isolation = %+v, %v", st, err)
	}
}
