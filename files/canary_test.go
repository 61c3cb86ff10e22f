package files_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/quirehq/quire"
	"github.com/quirehq/quire/blob"
)

func bytesReader(s string) *strings.Reader { return strings.NewReader(s) }

func marker() string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return "qcanary" + hex.EncodeToString(b[:])
}

// TestCanary checks claim ENC-1 for files: markers in file names and in
// file bytes (including renamed and deleted files) are found nowhere in
// the blob backend, the database or, on local disk, the data directory,
// while the file's ID, stored in plain text on purpose, is found there.
func TestCanary(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		m := map[string]string{}
		for _, k := range []string{"name", "renamed", "bytes", "deleted name", "deleted bytes", "bytes late in a big file"} {
			m[k] = marker()
		}
		f := e.upload(e.note(e.ws), m["name"]+".txt", []byte("start "+m["bytes"]+" end"))
		renamed := m["renamed"] + ".txt"
		if _, err := e.svc.Update(ctx, e.ws, f.ID, quire.FileUpdate{Name: &renamed}); err != nil {
			t.Fatal(err)
		}
		gone := e.upload("", m["deleted name"]+".md", []byte("# "+m["deleted bytes"]))
		if err := e.svc.Delete(ctx, e.ws, gone.ID); err != nil {
			t.Fatal(err)
		}
		big := append(bytes.Repeat([]byte("filler "), 30_000), m["bytes late in a big file"]...)
		e.upload("", "big.txt", big)

		needles := make([][]byte, 0, len(m))
		for _, v := range m {
			needles = append(needles, []byte(v))
		}
		if hits, err := blob.Scan(ctx, e.backend, "", needles); err != nil || len(hits) != 0 {
			t.Fatalf("markers found in blobs %v (%v)", hits, err)
		}
		for k, v := range m {
			if hits, err := e.db.ScanRaw(ctx, []byte(v)); err != nil || len(hits) != 0 {
				t.Errorf("marker of the %s found in the database at %v (%v)", k, hits, err)
			}
		}
		if hits, err := e.db.ScanRaw(ctx, []byte(f.ID)); err != nil || len(hits) == 0 {
			t.Fatalf("the file ID is not found in the database: the scanner is blind (%v)", err)
		}
		scanDir(t, e.dir, m, f.ID)
	})
}

// scanDir reads every file under dir and fails on a marker; the ID must
// be found (in the database, and as a local blob's file name).
func scanDir(t *testing.T, dir string, m map[string]string, id string) {
	t.Helper()
	seenID := false
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		seenID = seenID || strings.Contains(path, id)
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		seenID = seenID || bytes.Contains(data, []byte(id))
		for k, v := range m {
			if bytes.Contains(data, []byte(v)) || strings.Contains(path, v) {
				t.Errorf("marker of the %s found in %s", k, path)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if !seenID {
		t.Fatal("the file ID is nowhere in the data directory: the scan is blind")
	}
}
