package main

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/quirehq/quire/postgres/pgtest"
	"github.com/quirehq/quire/rawscan"
)

// TestExportEndToEnd exports an account through quire serve (claim
// GDPR-1): the archive is built in the background, no file of the data
// directory holds its content in plain text, it downloads once (then
// 410), and `quire admin export` writes the same archive for an operator.
func TestExportEndToEnd(t *testing.T) { exportEndToEnd(t, "") }

// TestExportEndToEndPostgres runs the same on PostgreSQL laid out as in
// production.
func TestExportEndToEndPostgres(t *testing.T) {
	env := pgtest.New(t)
	t.Setenv("QUIRE_TEST_APP_URL", env.AppURL)
	t.Setenv("QUIRE_TEST_OWNER_URL", env.OwnerURL)
	exportEndToEnd(t, "database:\n  driver: postgres\n  url: ${QUIRE_TEST_APP_URL}\n  owner_url: ${QUIRE_TEST_OWNER_URL}\n")
}

// exportEndToEnd is the test on the database of dbYAML (SQLite when
// empty).
func exportEndToEnd(t *testing.T, dbYAML string) {
	data := filepath.Join(t.TempDir(), "data")
	cfgPath := filepath.Join(filepath.Dir(data), "quire.yaml")
	if err := os.WriteFile(cfgPath, []byte(dbYAML), 0o600); err != nil {
		t.Fatal(err)
	}
	s := startServe(t, data, "--config", cfgPath)
	const canary = "export-canary-8e41c7"
	u := rightsSignUp(t, s, "porter@example.com")
	u.call(http.MethodPost, "/api/v1/auth/verify-email", map[string]any{"token": rightsMail(t, data, "verify_email", 1)}, 204)
	u.call(http.MethodPost, "/api/v1/notes", map[string]any{"title": "Title " + canary, "content": "Content " + canary}, 201)
	u.upload("bytes.txt", strings.Repeat("file-"+canary+"\n", 100))

	id := u.call(http.MethodPost, "/api/v1/me/exports", nil, 202)["exportId"].(string)
	var x map[string]any
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		x = u.call(http.MethodGet, "/api/v1/me/exports/"+id, nil, 200)
		if x["state"] == "ready" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("export still %v", x["state"])
		}
	}
	if hits := scanDir(t, data, "file-"+canary); len(hits) > 0 {
		t.Fatalf("plain text of the archive in %v", hits)
	}
	if n := countRegular(t, exportsDir(data)); n != 1 {
		t.Fatalf("%d archive files stored, want 1", n)
	}
	resp, err := u.hc.Do(u.request(http.MethodGet, "/api/v1/me/exports/"+id+"/download", nil, "application/json"))
	if err != nil {
		t.Fatal(err)
	}
	archive, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !zipHolds(t, archive, "file-"+canary) || !zipHolds(t, archive, "Content "+canary) {
		t.Fatalf("download answered %d with %d bytes lacking the canary: %.200s", resp.StatusCode, len(archive), archive)
	}
	u.call(http.MethodGet, "/api/v1/me/exports/"+id+"/download", nil, 410)
	if n := countRegular(t, exportsDir(data)); n != 0 {
		t.Fatalf("%d archive files left after the download", n)
	}
	s.stop(t)

	out := filepath.Join(t.TempDir(), "porter.zip")
	var stdout, stderr bytes.Buffer
	if err := run(context.Background(), []string{"admin", "export", "porter@example.com", "-o", out, "--data", data, "--config", cfgPath}, &stdout, &stderr); err != nil {
		t.Fatalf("admin export: %v\n%s", err, stderr.String())
	}
	if !strings.Contains(stdout.String(), "Wrote the data of user") || !strings.Contains(stderr.String(), "Exporting") {
		t.Errorf("stdout %q, stderr %q", stdout.String(), stderr.String())
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Stat(out); fi.Mode().Perm() != 0o600 {
		t.Errorf("archive mode %v, want 0600", fi.Mode().Perm())
	}
	if !zipHolds(t, b, "file-"+canary) {
		t.Error("the operator's archive lacks the user's file")
	}
	if err := run(context.Background(), []string{"admin", "export", "porter@example.com", "-o", out, "--data", data, "--config", cfgPath}, io.Discard, io.Discard); err == nil {
		t.Error("admin export replaced an existing file")
	}
	if err := run(context.Background(), []string{"admin", "export", "nobody@example.com", "-o", out + "2", "--data", data, "--config", cfgPath}, io.Discard, io.Discard); err == nil {
		t.Error("admin export of an unknown user succeeded")
	}
}

// zipHolds reports whether a file of the archive b holds s.
func zipHolds(t *testing.T, b []byte, s string) bool {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		data, _ := io.ReadAll(rc)
		_ = rc.Close()
		if bytes.Contains(data, []byte(s)) {
			return true
		}
	}
	return false
}

// scanDir lists the files under dir that hold needle.
func scanDir(t *testing.T, dir, needle string) []string {
	t.Helper()
	var hits []string
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return err
		}
		f, err := os.Open(path)
		if err != nil {
			return err
		}
		defer f.Close()
		_, err = rawscan.Reader(context.Background(), f, [][]byte{[]byte(needle)}, make([]byte, 64<<10), -1, func(int, int64) bool {
			hits = append(hits, path)
			return false
		})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return hits
}

// countRegular counts the files under dir, but those being written.
func countRegular(t *testing.T, dir string) int {
	t.Helper()
	n := 0
	_ = filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() && !strings.HasPrefix(d.Name(), ".") {
			n++
		}
		return nil
	})
	return n
}

// TestAdminExportLeavesNoPlaintextBehind: the operator's archive is written
// to a temporary file beside its target, 0600, and renamed once complete;
// a failure, or an interrupt in the middle, leaves no file behind, and an
// existing file is never replaced.
func TestAdminExportLeavesNoPlaintextBehind(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "archive.zip")
	entries := func() []string {
		t.Helper()
		list, err := os.ReadDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, e := range list {
			names = append(names, e.Name())
		}
		return names
	}

	// A failure half way.
	_, err := writeNew(context.Background(), out, func(_ context.Context, w io.Writer) error {
		_, _ = io.WriteString(w, "PK plaintext half")
		return errors.New("export failed")
	})
	if err == nil {
		t.Fatal("writeNew succeeded over a failed write")
	}
	if names := entries(); len(names) != 0 {
		t.Fatalf("files left after a failed export: %v", names)
	}

	// An interrupt half way: the write is cancelled and the file removed.
	entered := make(chan struct{})
	go func() {
		<-entered
		_ = syscall.Kill(os.Getpid(), syscall.SIGINT)
	}()
	_, err = writeNew(context.Background(), out, func(ctx context.Context, w io.Writer) error {
		_, _ = io.WriteString(w, "PK plaintext half")
		close(entered)
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(10 * time.Second):
			return errors.New("the interrupt did not cancel the export")
		}
	})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("interrupted export: %v, want cancelled", err)
	}
	if names := entries(); len(names) != 0 {
		t.Fatalf("files left after an interrupted export: %v", names)
	}

	// A complete one: the target alone, owner-only.
	size, err := writeNew(context.Background(), out, func(_ context.Context, w io.Writer) error {
		_, err := io.WriteString(w, "PK whole archive")
		return err
	})
	if err != nil || size != int64(len("PK whole archive")) {
		t.Fatalf("writeNew = %d, %v", size, err)
	}
	if names := entries(); len(names) != 1 || names[0] != "archive.zip" {
		t.Fatalf("files after the export: %v, want archive.zip alone", names)
	}
	if fi, _ := os.Stat(out); fi.Mode().Perm() != 0o600 {
		t.Errorf("archive mode %v, want 0600", fi.Mode().Perm())
	}
	if _, err := writeNew(context.Background(), out, func(context.Context, io.Writer) error { return nil }); err == nil {
		t.Error("writeNew replaced an existing file")
	}
	if b, _ := os.ReadFile(out); string(b) != "PK whole archive" {
		t.Errorf("existing file changed to %q", b)
	}
	if names := entries(); len(names) != 1 {
		t.Fatalf("files after a refused export: %v", names)
	}
}
