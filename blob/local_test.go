package blob_test

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/quirehq/quire"
	"github.com/quirehq/quire/blob"
)

func newLocal(t *testing.T) (*blob.Local, string) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "blobs")
	l, err := blob.NewLocal(blob.LocalOptions{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = l.Close() })
	return l, dir
}

func TestLocalPermissions(t *testing.T) {
	l, dir := newLocal(t)
	ws, id := quire.NewID(), quire.NewID()
	putRaw(t, l, ws+"/"+id, []byte("secret-ish"))
	for path, want := range map[string]os.FileMode{dir: 0o700, filepath.Join(dir, ws): 0o700, filepath.Join(dir, ws, id): 0o600} {
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if got := fi.Mode().Perm(); got != want {
			t.Errorf("%s has mode %o, want %o", filepath.Base(path), got, want)
		}
	}
}

// TestLocalSymlinkEscape: a workspace directory replaced by a symlink to
// somewhere outside the root cannot be written or read through.
func TestLocalSymlinkEscape(t *testing.T) {
	l, dir := newLocal(t)
	outside := t.TempDir()
	if err := os.WriteFile(filepath.Join(outside, "x"), []byte("outside"), 0o600); err != nil {
		t.Fatal(err)
	}
	ws, id := quire.NewID(), quire.NewID()
	if err := os.Symlink(outside, filepath.Join(dir, ws)); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(outside, "x"), filepath.Join(dir, ws+"2")); err != nil {
		t.Fatal(err)
	}
	if err := l.Put(context.Background(), ws+"/"+id, strings.NewReader("escaped")); err == nil {
		t.Fatal("Put through a symlink out of the root succeeded")
	}
	if entries, _ := os.ReadDir(outside); len(entries) != 1 {
		t.Fatalf("the directory outside the root has %d entries, want its 1", len(entries))
	}
	if _, _, err := l.Get(context.Background(), ws+"/"+id); err == nil {
		t.Fatal("Get through a symlink out of the root succeeded")
	}
}

// TestLocalLeftoversVisible checks the fixture's own leftover detection,
// so that the suite's "nothing left behind" can fail: a temporary file is
// a leftover, and not an object.
func TestLocalLeftoversVisible(t *testing.T) {
	f := newLocalFixture(t)
	ws := quire.NewID()
	putRaw(t, f.backend, ws+"/"+quire.NewID(), []byte("x"))
	dir := f.dir
	if err := os.WriteFile(filepath.Join(dir, ws, ".tmp-abandoned"), []byte("partial"), 0o600); err != nil {
		t.Fatal(err)
	}
	if left := f.leftovers(t); len(left) != 1 {
		t.Fatalf("leftovers = %v, want the temporary file", left)
	}
	keys, _ := f.backend.List(context.Background(), "")
	if slices.ContainsFunc(keys, func(k string) bool { return strings.Contains(k, "tmp") }) {
		t.Fatalf("List shows a temporary file: %v", keys)
	}
	if !f.rawContains(t, []byte("partial")) {
		t.Fatal("rawContains misses temporary files")
	}
	// DeletePrefix takes temporary files too.
	if err := f.backend.DeletePrefix(context.Background(), ws+"/"); err != nil {
		t.Fatal(err)
	}
	if left := f.leftovers(t); len(left) != 0 {
		t.Fatalf("leftovers after DeletePrefix = %v", left)
	}
}

func TestNewLocalErrors(t *testing.T) {
	_, err := blob.NewLocal(blob.LocalOptions{})
	wantCode(t, err, quire.EINVALID)
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := blob.NewLocal(blob.LocalOptions{Dir: file}); err == nil {
		t.Fatal("NewLocal on a regular file succeeded")
	}
}
