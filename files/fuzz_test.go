package files_test

import (
	"bytes"
	"context"
	"io"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/quirehq/quire"
)

// FuzzCleanFileName: whatever a client sends as a file name, the result
// is refused or is a clean last path element, and cleaning it again
// changes nothing.
func FuzzCleanFileName(f *testing.F) {
	for _, s := range []string{"a.txt", "../../etc/passwd", `C:\x\y.png`, " . ", "..", "a\x00b", "\u202egnp.exe", "é/", "/", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		got, err := quire.CleanFileName(name)
		if err != nil {
			if quire.ErrorCode(err) != quire.EINVALID || len(name) > 3 && strings.Contains(quire.ErrorMessage(err), name) {
				t.Fatalf("refusal %v: want EINVALID without the name", err)
			}
			return
		}
		if got == "" || len(got) > quire.MaxFileName || !utf8.ValidString(got) || got == "." || got == ".." ||
			strings.ContainsAny(got, `/\`) || strings.ContainsFunc(got, unicode.IsControl) || got != strings.TrimSpace(got) {
			t.Fatalf("CleanFileName(%q) = %q", name, got)
		}
		if again, err := quire.CleanFileName(got); err != nil || again != got {
			t.Fatalf("cleaning %q again gave %q, %v", got, again, err)
		}
	})
}

// FuzzUpload: whatever bytes and name a client uploads, the upload is
// refused with a client error and leaves nothing, or it stores exactly
// those bytes under a type from the allowlist.
func FuzzUpload(f *testing.F) {
	for _, s := range [][]byte{nil, []byte("hello"), pngBytes(4), []byte("\x7fELF"), []byte("<html>"), []byte("%PDF-1.4"),
		[]byte("ID3\x04\x00\x00\x00\x00\x00\x00"), []byte("RIFF\x00\x00\x00\x00WAVEfmt ")} {
		f.Add(s, "file.bin")
	}
	e := newEnv(f, backends["local"], nil)
	f.Fuzz(func(t *testing.T, data []byte, name string) {
		ctx := context.Background()
		file, err := e.svc.Upload(ctx, e.ws, "", name, bytes.NewReader(data))
		if err != nil {
			if c := quire.ErrorCode(err); c != quire.EINVALID && c != quire.EUNSUPPORTEDMEDIATYPE {
				t.Fatalf("Upload: %v, want a client error", err)
			}
			return
		}
		got, rc, err := e.svc.Open(ctx, e.ws, file.ID)
		if err != nil {
			t.Fatal(err)
		}
		back, err := io.ReadAll(rc)
		_ = rc.Close()
		if err != nil || !bytes.Equal(back, data) || got.Size != int64(len(data)) || !strings.Contains(got.MediaType, "/") {
			t.Fatalf("round trip: %+v, %d bytes, %v", got, len(back), err)
		}
		if err := e.svc.Delete(ctx, e.ws, file.ID); err != nil {
			t.Fatal(err)
		}
	})
}
