package trust

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestScanDir(t *testing.T) {
	dir := t.TempDir()
	outside := t.TempDir()
	write := func(path, body string) {
		t.Helper()
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write(filepath.Join(dir, "db.sqlite"), "header ... marker-one ... tail")
	write(filepath.Join(dir, "logs", "quire-1.log"), strings.Repeat("z", scanBufSize)+"marker-two")
	write(filepath.Join(outside, "secret"), "marker-three")
	if err := os.Symlink(filepath.Join(outside, "secret"), filepath.Join(dir, "link")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(outside, filepath.Join(dir, "linkdir")); err != nil {
		t.Fatal(err)
	}
	needles := [][]byte{[]byte("marker-one"), []byte("marker-two"), []byte("marker-three")}
	res, err := scanDir(context.Background(), dir, needles, 1<<30, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.files != 2 || res.bytes != int64(30+scanBufSize+10) {
		t.Errorf("scanned %d files, %d bytes; want 2 files (links not followed)", res.files, res.bytes)
	}
	if got := res.hits[0]; len(got) != 1 || got[0] != "db.sqlite" {
		t.Errorf("marker-one found in %v", got)
	}
	if got := res.hits[1]; len(got) != 1 || got[0] != "logs/quire-1.log" {
		t.Errorf("marker-two found in %v", got)
	}
	if got := res.hits[2]; len(got) != 0 {
		t.Errorf("the scan followed a link out of the directory: %v", got)
	}
	// The store's own files are left to the store.
	res, err = scanDir(context.Background(), dir, needles, 1<<30, map[string]bool{"db.sqlite": true})
	if err != nil {
		t.Fatal(err)
	}
	if res.files != 1 || len(res.hits[0]) != 0 {
		t.Errorf("with db.sqlite skipped: %d files scanned, marker-one found in %v", res.files, res.hits[0])
	}

	if _, err := scanDir(context.Background(), dir, needles, 100, nil); !errors.Is(err, errScanLimit) {
		t.Errorf("over the limit: err = %v, want errScanLimit", err)
	}
	if _, err := scanDir(context.Background(), filepath.Join(dir, "missing"), needles, 100, nil); err == nil {
		t.Error("a missing directory scanned without error")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := scanDir(ctx, dir, needles, 1<<30, nil); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled scan: err = %v", err)
	}
}

func TestHumanBytes(t *testing.T) {
	for n, want := range map[int64]string{0: "0 B", 999: "999 B", 1000: "1.0 kB", 5_100_000: "5.1 MB", 3 << 30: "3.2 GB"} {
		if got := humanBytes(n); got != want {
			t.Errorf("humanBytes(%d) = %q, want %q", n, got, want)
		}
	}
}
