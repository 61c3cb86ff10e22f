package files_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"io"
	"slices"
	"strings"
	"testing"

	"github.com/quirehq/quire"
	"github.com/quirehq/quire/blob"
	"github.com/quirehq/quire/files"
)

// pngBytes is a PNG signature followed by n random bytes: enough for the
// sniffer, which reads the signature.
func pngBytes(n int) []byte {
	p := make([]byte, n)
	_, _ = rand.Read(p)
	return append([]byte("\x89PNG\r\n\x1a\n"), p...)
}

// upload uploads data as name to the env's workspace and fails on error.
func (e *env) upload(note, name string, data []byte) *quire.File {
	e.t.Helper()
	f, err := e.svc.Upload(context.Background(), e.ws, note, name, bytes.NewReader(data))
	if err != nil {
		e.t.Fatalf("Upload %q: %v", name, err)
	}
	return f
}

// read opens a file and returns its metadata and bytes.
func (e *env) read(ws, id string) (*quire.File, []byte, error) {
	f, rc, err := e.svc.Open(context.Background(), ws, id)
	if err != nil {
		return nil, nil, err
	}
	defer rc.Close()
	data, err := io.ReadAll(rc)
	return f, data, err
}

// TestUploadOpen uploads files of each kind and size class and reads them
// back: the type is sniffed, the name reduced to its last element, the
// bytes and the metadata round-trip.
func TestUploadOpen(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		note := e.note(e.ws)
		big := bytes.Repeat([]byte("lines of text, over several chunks\n"), 10_000)
		for _, tc := range []struct {
			name, note, wantName, wantType string
			data                           []byte
		}{
			{"photo.png", "", "photo.png", blob.TypePNG, pngBytes(100)},
			{`C:\Users\me\scan`, note, "scan", blob.TypePNG, pngBytes(70_000)},
			{"../../etc/notes.md", note, "notes.md", blob.TypeMarkdown, []byte("# Title\n\nSELECT * FROM x WHERE 1=1\n")},
			{"empty.txt", "", "empty.txt", blob.TypeText, nil},
			{"big.log", "", "big.log", blob.TypeText, big},
			{"Überblick ✓.pdf", "", "Überblick ✓.pdf", blob.TypePDF, []byte("%PDF-1.7\n...")},
		} {
			f := e.upload(tc.note, tc.name, tc.data)
			if f.Name != tc.wantName || f.MediaType != tc.wantType || f.Size != int64(len(tc.data)) || f.NoteID != tc.note ||
				!quire.ValidID(f.ID) || f.CreatedAt.IsZero() {
				t.Fatalf("Upload %q = %+v", tc.name, f)
			}
			got, data, err := e.read(e.ws, f.ID)
			if err != nil || !bytes.Equal(data, tc.data) || *got != *f {
				t.Fatalf("Open %q = %+v, %d bytes, %v; want %+v and the bytes uploaded", tc.name, got, len(data), err, f)
			}
		}
		list, total, err := e.svc.List(context.Background(), quire.FileFilter{WorkspaceID: e.ws, NoteID: &note})
		if err != nil || total != 2 || len(list) != 2 {
			t.Fatalf("the note lists %d files (%v), want 2", total, err)
		}
	})
}

// failingReader yields data and then fails.
type failingReader struct {
	data []byte
	err  error
}

func (r *failingReader) Read(p []byte) (int, error) {
	if len(r.data) == 0 {
		return 0, r.err
	}
	n := copy(p, r.data)
	r.data = r.data[n:]
	return n, nil
}

// TestUploadRefused tries every refusal: each is precise, and none leaves
// a blob or a row behind.
func TestUploadRefused(t *testing.T) {
	const limit = 100_000
	eachBackendWith(t, func(c *files.Config) { c.MaxSize = limit }, func(t *testing.T, e *env) {
		other := e.workspace()
		foreign := e.note(other)
		cut := errors.New("connection reset")
		for _, tc := range []struct {
			what, ws, note, name string
			r                    io.Reader
			code                 string
		}{
			{"an executable", e.ws, "", "tool", bytes.NewReader([]byte("\x7fELF\x02\x01\x01rest")), quire.EUNSUPPORTEDMEDIATYPE},
			{"an archive", e.ws, "", "a.zip", bytes.NewReader([]byte("PK\x03\x04rest")), quire.EUNSUPPORTEDMEDIATYPE},
			{"HTML", e.ws, "", "page.txt", strings.NewReader("<!DOCTYPE html><script>alert(1)</script>"), quire.EUNSUPPORTEDMEDIATYPE},
			{"text named as an image", e.ws, "", "x.png", strings.NewReader("plain text"), quire.EUNSUPPORTEDMEDIATYPE},
			{"an image named as HTML", e.ws, "", "x.html", bytes.NewReader(pngBytes(10)), quire.EUNSUPPORTEDMEDIATYPE},
			{"too large", e.ws, "", "big.txt", bytes.NewReader(bytes.Repeat([]byte("a"), limit+1)), quire.ETOOLARGE},
			{"no name", e.ws, "", "dir/", strings.NewReader("x"), quire.EINVALID},
			{"a control character in the name", e.ws, "", "a\x07.txt", strings.NewReader("x"), quire.EINVALID},
			{"a bad workspace ID", "../x", "", "a.txt", strings.NewReader("x"), quire.EINVALID},
			{"an unknown workspace", quire.NewID(), "", "a.txt", strings.NewReader("x"), quire.ENOTFOUND},
			{"an unknown note", e.ws, quire.NewID(), "a.txt", strings.NewReader("x"), quire.ENOTFOUND},
			{"another workspace's note", e.ws, foreign, "a.txt", strings.NewReader("x"), quire.ENOTFOUND},
			{"a malformed note ID", e.ws, "1 OR 1=1", "a.txt", strings.NewReader("x"), quire.ENOTFOUND},
		} {
			_, err := e.svc.Upload(context.Background(), tc.ws, tc.note, tc.name, tc.r)
			if quire.ErrorCode(err) != tc.code {
				t.Errorf("%s: %v, want code %s", tc.what, err, tc.code)
			}
		}
		for _, at := range []int{10, blob.SniffLen + 10, 90_000} {
			_, err := e.svc.Upload(context.Background(), e.ws, "", "cut.txt", &failingReader{data: bytes.Repeat([]byte("a"), at), err: cut})
			if !errors.Is(err, cut) {
				t.Errorf("a source failing after %d bytes: %v, want its error", at, err)
			}
		}
		for _, ws := range []string{e.ws, other} {
			if b, r := e.blobIDs(ws), e.rowIDs(ws); len(b) != 0 || len(r) != 0 {
				t.Fatalf("refused uploads left blobs %v and rows %v", b, r)
			}
		}
	})
}

// failingCreate is a file store whose CreateFile first runs hook (to
// delete the note meanwhile) or fails.
type failingCreate struct {
	quire.FileService
	hook func() error
}

func (f failingCreate) CreateFile(ctx context.Context, file *quire.File) error {
	if err := f.hook(); err != nil {
		return err
	}
	return f.FileService.CreateFile(ctx, file)
}

// TestUploadRowFails: when the row cannot be written after the blob was
// stored (the note deleted meanwhile, a database failure), the blob is
// deleted again and the error is the store's.
func TestUploadRowFails(t *testing.T) {
	for name, mk := range backends {
		t.Run(name, func(t *testing.T) {
			var hook func() error
			e := newEnv(t, mk, func(c *files.Config) {
				c.Files = failingCreate{FileService: c.Files, hook: func() error { return hook() }}
			})
			note := e.note(e.ws)
			hook = func() error { return e.notes.DeleteNote(context.Background(), e.ws, note) }
			_, err := e.svc.Upload(context.Background(), e.ws, note, "a.png", bytes.NewReader(pngBytes(100_000)))
			if quire.ErrorCode(err) != quire.ENOTFOUND || quire.ErrorMessage(err) != "Note not found." {
				t.Fatalf("upload to a note deleted meanwhile: %v, want Note not found", err)
			}
			hook = func() error { return quire.Errorf(quire.EUNAVAILABLE, "Database is down.") }
			_, err = e.svc.Upload(context.Background(), e.ws, "", "a.png", bytes.NewReader(pngBytes(10)))
			wantCode(t, err, quire.EUNAVAILABLE)
			if b := e.blobIDs(e.ws); len(b) != 0 {
				t.Fatalf("failed uploads left blobs %v", b)
			}
		})
	}
}

// TestOpenFailures: a blob whose bytes were changed fails to read with an
// integrity error; a row whose blob is gone is an internal error; an
// unknown or foreign file is not found.
func TestOpenFailures(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		f := e.upload("", "a.txt", bytes.Repeat([]byte("x"), 200_000))
		key := e.ws + "/" + f.ID
		rc, _, err := e.backend.Get(ctx, key)
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := io.ReadAll(rc)
		_ = rc.Close()
		raw[len(raw)-20] ^= 1
		if err := e.backend.Put(ctx, key, bytes.NewReader(raw)); err != nil {
			t.Fatal(err)
		}
		_, data, err := e.read(e.ws, f.ID)
		wantCode(t, err, quire.EINTERNAL)
		if len(data) == 0 || len(data) >= 200_000 {
			t.Fatalf("read %d bytes before the tampered chunk, want the chunks before it only", len(data))
		}
		if err := e.backend.Delete(ctx, key); err != nil {
			t.Fatal(err)
		}
		_, _, err = e.read(e.ws, f.ID)
		wantCode(t, err, quire.EINTERNAL)
		for _, id := range []string{quire.NewID(), "../" + f.ID, ""} {
			_, _, err = e.read(e.ws, id)
			wantCode(t, err, quire.ENOTFOUND)
		}
		_, _, err = e.read(e.workspace(), f.ID)
		wantCode(t, err, quire.ENOTFOUND)
	})
}

// TestUpdate renames, attaches and detaches; a new name must agree with
// the content as the upload's did.
func TestUpdate(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		note := e.note(e.ws)
		txt := e.upload("", "a.txt", []byte("plain words"))
		img := e.upload("", "a.png", pngBytes(10))
		for _, tc := range []struct {
			id, name, code string
		}{
			{txt.ID, "renamed.log", ""},
			{txt.ID, "dir/no extension", ""},
			{img.ID, "shot.PNG", ""},
			{img.ID, "shot.bin", ""},
			{txt.ID, "page.html", quire.EUNSUPPORTEDMEDIATYPE},
			{txt.ID, "readme.md", quire.EUNSUPPORTEDMEDIATYPE}, // text would become Markdown
			{img.ID, "shot.jpg", quire.EUNSUPPORTEDMEDIATYPE},
			{img.ID, "", quire.EINVALID},
			{quire.NewID(), "x.txt", quire.ENOTFOUND},
		} {
			name := tc.name
			_, err := e.svc.Update(ctx, e.ws, tc.id, quire.FileUpdate{Name: &name})
			wantCode(t, err, tc.code)
		}
		got, err := e.svc.Update(ctx, e.ws, txt.ID, quire.FileUpdate{NoteID: &note})
		if err != nil || got.NoteID != note || got.Name != "no extension" || got.MediaType != blob.TypeText {
			t.Fatalf("attach = %+v, %v", got, err)
		}
		empty := ""
		if got, err = e.svc.Update(ctx, e.ws, txt.ID, quire.FileUpdate{NoteID: &empty}); err != nil || got.NoteID != "" {
			t.Fatalf("detach = %+v, %v", got, err)
		}
		foreign := e.note(e.workspace())
		_, err = e.svc.Update(ctx, e.ws, txt.ID, quire.FileUpdate{NoteID: &foreign})
		wantCode(t, err, quire.ENOTFOUND)
		if _, err = e.svc.Update(ctx, e.workspace(), txt.ID, quire.FileUpdate{NoteID: &empty}); quire.ErrorCode(err) != quire.ENOTFOUND {
			t.Fatalf("another workspace's update: %v", err)
		}
		if ids := e.rowIDs(e.ws); !slices.Contains(ids, txt.ID) || len(ids) != 2 {
			t.Fatalf("rows %v", ids)
		}
	})
}
