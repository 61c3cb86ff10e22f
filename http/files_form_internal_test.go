package http

import (
	"bytes"
	"context"
	"crypto/rand"
	"mime/multipart"
	"path/filepath"
	"testing"

	"github.com/quirehq/quire"
	"github.com/quirehq/quire/barrier"
	"github.com/quirehq/quire/blob"
	"github.com/quirehq/quire/files"
	"github.com/quirehq/quire/sqlite"
)

// FuzzUploadForm feeds arbitrary multipart bodies to the upload form
// reader: it never fails with a server error, and whatever it answers, the
// workspace's blobs and file rows stay in step (nothing half-done).
func FuzzUploadForm(f *testing.F) {
	const boundary = "b0undary"
	note := quire.NewID()
	for _, s := range []string{
		"--b0undary\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.txt\"\r\n\r\nhello\r\n--b0undary--\r\n",
		"--b0undary\r\nContent-Disposition: form-data; name=\"noteId\"\r\n\r\n" + note + "\r\n--b0undary\r\n" +
			"Content-Disposition: form-data; name=\"file\"; filename=\"a.png\"\r\n\r\n\x89PNG\r\n\x1a\nxx\r\n--b0undary--\r\n",
		"--b0undary\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.txt\"\r\n\r\na\r\n--b0undary\r\n" +
			"Content-Disposition: form-data; name=\"file\"; filename=\"b.txt\"\r\n\r\nb\r\n--b0undary--\r\n",
		"--b0undary\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.txt\"\r\n\r\nunterminated",
	} {
		f.Add([]byte(s))
	}
	h, ws, store := newFormFuzzEnv(f)
	f.Fuzz(func(t *testing.T, body []byte) {
		ctx := context.Background()
		file, err := h.readForm(ctx, ws, multipart.NewReader(bytes.NewReader(body), boundary))
		if quire.ErrorCode(err) == quire.EINTERNAL {
			t.Fatalf("readForm: %v, want a client error", err)
		}
		rows, rerr := store.FindFileIDs(ctx, quire.FileFilter{WorkspaceID: ws})
		if rerr != nil {
			t.Fatal(rerr)
		}
		if n, _ := h.files.Sweep(ctx, ws); n != 0 || err != nil && len(rows) != 0 || err == nil && (len(rows) != 1 || rows[0] != file.ID) {
			t.Fatalf("after %v: rows %v", err, rows)
		}
		if err == nil {
			if derr := h.files.Delete(ctx, ws, file.ID); derr != nil {
				t.Fatal(derr)
			}
		}
	})
}

// newFormFuzzEnv is a files service over SQLite and a local blob
// directory with one workspace, and the API handler over it.
func newFormFuzzEnv(tb testing.TB) (*filesAPI, string, quire.FileService) {
	ctx := context.Background()
	dir := tb.TempDir()
	db, err := sqlite.Open(ctx, filepath.Join(dir, "quire.db"))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = db.Close() })
	key := make([]byte, barrier.RootKeySize)
	_, _ = rand.Read(key)
	b, err := barrier.Open(ctx, barrier.StaticSource(key), sqlite.NewKeyStore(db), barrier.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	u := &quire.User{Email: "fuzz@example.com", Name: "fuzz"}
	if err := sqlite.NewUserService(db, b).CreateUser(ctx, u); err != nil {
		tb.Fatal(err)
	}
	w := &quire.Workspace{Name: "fuzz", Region: quire.RegionUS, OwnerID: u.ID}
	if err := sqlite.NewWorkspaceService(db, b).CreateWorkspace(ctx, w); err != nil {
		tb.Fatal(err)
	}
	local, err := blob.NewLocal(blob.LocalOptions{Dir: filepath.Join(dir, "blobs")})
	if err != nil {
		tb.Fatal(err)
	}
	store, _ := blob.New(b, local, blob.Options{})
	meta := sqlite.NewFileService(db, b)
	svc, err := files.New(files.Config{Blobs: store, Backend: local, Files: meta, Grace: 1})
	if err != nil {
		tb.Fatal(err)
	}
	return &filesAPI{files: svc}, w.ID, meta
}
