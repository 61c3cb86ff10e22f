package blob_test

import (
	"bytes"
	"context"
	"io"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/quirehq/quire"
	"github.com/quirehq/quire/blob"
)

var allowedTypes = []string{blob.TypePNG, blob.TypeJPEG, blob.TypeGIF, blob.TypeWebP, blob.TypePDF, blob.TypeText,
	blob.TypeMarkdown, blob.TypeMP3, blob.TypeWAV, blob.TypeOgg, blob.TypeWebM, blob.TypeMP4Audio, blob.TypeFLAC}

// FuzzSniff: never panics; passes only allowlisted types, text only when
// it is text; refusals are EINVALID and never carry the file name.
func FuzzSniff(f *testing.F) {
	for _, seed := range [][]byte{encodeImage(f, "png"), encodeImage(f, "gif"), mp3Frames(), oggPage("OpusHead"),
		ebml("webm"), ftyp("M4A "), riff("WAVE", "fmt "), tarHeader(), []byte("<svg>"), []byte("# md"), []byte("\x7fELF")} {
		f.Add(seed, "file.bin")
	}
	f.Add([]byte("hello"), "notes.md")
	f.Fuzz(func(t *testing.T, head []byte, name string) {
		mt, err := blob.Sniff(head, name)
		mt2, err2 := blob.Sniff(head, name)
		if mt != mt2 || (err == nil) != (err2 == nil) {
			t.Fatal("Sniff is not deterministic")
		}
		if err != nil {
			if quire.ErrorCode(err) != quire.EINVALID {
				t.Fatalf("refusal with code %q", quire.ErrorCode(err))
			}
			if len(name) >= 3 && strings.ContainsFunc(name, notInMessages) && strings.Contains(err.Error(), name) {
				t.Fatalf("error names the file: %v", err)
			}
			return
		}
		if !contains(allowedTypes, mt) {
			t.Fatalf("Sniff allowed %q", mt)
		}
		if mt == blob.TypeText || mt == blob.TypeMarkdown {
			h := head[:min(len(head), blob.SniffLen)]
			for i := 0; len(h) == blob.SniffLen-i && i < 3 && !utf8.Valid(h); i++ {
				h = h[:len(h)-1] // a head cut at SniffLen may end inside a character
			}
			if bytes.IndexByte(h, 0) >= 0 || !utf8.Valid(h) {
				t.Fatal("binary content passed as text")
			}
		}
	})
}

// notInMessages reports runes that no Sniff message contains.
func notInMessages(r rune) bool {
	return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune(" .,:()[]-", r))
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// FuzzOpen feeds arbitrary stored bytes to the decryptor. It must never
// panic, and must fail unless the bytes are exactly a blob the store wrote
// for this location, in which case it returns that blob's plaintext.
func FuzzOpen(f *testing.F) {
	mem := newMemBackend()
	s, _ := newStore(f, mem, blob.Options{ChunkSize: 4 << 10})
	ctx := context.Background()
	ws, id := quire.NewID(), quire.NewID()
	authentic := map[string][]byte{} // stored bytes → plaintext
	for _, n := range []int{0, 1, 4 << 10, 9000} {
		plain := bytes.Repeat([]byte{byte(n)}, n)
		if _, err := s.Put(ctx, ws, id, bytes.NewReader(plain), int64(n)); err != nil {
			f.Fatal(err)
		}
		raw := getRaw(f, mem, ws+"/"+id)
		authentic[string(raw)] = plain
		f.Add(raw)
		f.Add(raw[:len(raw)-1])
		f.Add(flipByte(raw, len(raw)/2))
	}
	f.Add([]byte("QBL1\x01\x00\x00\x10\x00\x00\x41"))
	f.Add([]byte("QBL1\x01\xff\xff\xff\xff\xff\xff"))
	f.Fuzz(func(t *testing.T, raw []byte) {
		putRaw(t, mem, ws+"/"+id, raw)
		rc, size, err := s.Open(ctx, ws, id)
		if err != nil {
			return
		}
		got, err := io.ReadAll(rc)
		_ = rc.Close()
		want, ok := authentic[string(raw)]
		if err == nil && (!ok || !bytes.Equal(got, want) || size != int64(len(want))) {
			t.Fatalf("forged blob of %d bytes decrypted to %d bytes", len(raw), len(got))
		}
		if err != nil && ok {
			t.Fatalf("authentic blob failed: %v", err)
		}
	})
}

func flipByte(b []byte, i int) []byte {
	out := bytes.Clone(b)
	out[i] ^= 0x80
	return out
}
