package blob_test

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/quirehq/quire"
	"github.com/quirehq/quire/blob"
)

const tamperChunk = 4 << 10 // the smallest chunk size: several chunks cheaply

// tamperBlob is a stored blob of four chunks (the last one short) and what
// its parts are.
type tamperBlob struct {
	plain []byte
	raw   []byte
	hdr   int // header length
}

// segment returns the bounds of sealed chunk i in raw.
func (b *tamperBlob) segment(i int) (int, int) {
	start := b.hdr + i*(tamperChunk+16)
	return start, min(len(b.raw), start+tamperChunk+16)
}

func (b *tamperBlob) chunks() int {
	return (len(b.raw) - b.hdr + tamperChunk + 15) / (tamperChunk + 16)
}

func flip(raw []byte, i int) []byte {
	out := bytes.Clone(raw)
	out[i] ^= 0x01
	return out
}

func cut(raw []byte, from, to int) []byte {
	return append(bytes.Clone(raw[:from]), raw[to:]...)
}

func testStoreTamper(t *testing.T, f *fixture) {
	s, _ := newStore(t, f.backend, blob.Options{ChunkSize: tamperChunk})
	ctx := context.Background()
	ws, id, otherID := quire.NewID(), quire.NewID(), quire.NewID()
	key := ws + "/" + id
	marker := "TAMPER-" + quire.NewID()
	b := &tamperBlob{plain: []byte(strings.Repeat(marker, 3*tamperChunk/len(marker)+3))}
	mustPut(t, s, ws, id, b.plain)
	mustPut(t, s, ws, otherID, bytes.Repeat([]byte{'o'}, len(b.plain)))
	b.raw, b.hdr = getRaw(t, f.backend, key), headerLen(getRaw(t, f.backend, key))
	other := getRaw(t, f.backend, ws+"/"+otherID)
	if b.chunks() != 4 {
		t.Fatalf("test blob has %d chunks, want 4", b.chunks())
	}
	seg := func(i int) []byte { s, e := b.segment(i); return b.raw[s:e] }
	s1, e1 := b.segment(1)
	s2, _ := b.segment(2)
	s3, _ := b.segment(3)
	cases := []struct {
		name string
		raw  []byte
		good int    // plaintext chunks that may be released before the failure
		code string // EINTERNAL unless set
	}{
		{"magic", flip(b.raw, 0), 0, ""},
		{"version", flip(b.raw, 4), 0, ""},
		{"chunk size", flip(b.raw, 7), 0, ""}, // 4096 → 4352: valid, but not what was sealed
		{"key length", flip(b.raw, 10), 0, ""},
		{"wrapped key version", flip(b.raw, 14), 0, quire.ENOTFOUND}, // names a key that does not exist
		{"wrapped key nonce", flip(b.raw, 20), 0, ""},
		{"wrapped key tag", flip(b.raw, b.hdr-1), 0, ""},
		{"chunk 0 body", flip(b.raw, b.hdr), 0, ""},
		{"chunk 2 body", flip(b.raw, s2+100), 2, ""},
		{"last tag", flip(b.raw, len(b.raw)-1), 3, ""},
		{"empty", nil, 0, ""},
		{"header only", bytes.Clone(b.raw[:b.hdr]), 0, ""},
		{"half header", bytes.Clone(b.raw[:b.hdr/2]), 0, ""},
		{"cut at boundary 1", bytes.Clone(b.raw[:s1]), 0, ""},
		{"cut at boundary 2", bytes.Clone(b.raw[:s2]), 1, ""},
		{"drop last chunk", bytes.Clone(b.raw[:s3]), 2, ""},
		{"cut inside chunk 1", bytes.Clone(b.raw[:s1+500]), 1, ""},
		{"cut the last byte", bytes.Clone(b.raw[:len(b.raw)-1]), 3, ""},
		{"drop chunk 1", cut(b.raw, s1, e1), 1, ""},
		{"swap chunks 1 and 2", concat(b.raw[:s1], seg(2), seg(1), seg(3)), 1, ""},
		{"repeat chunk 1", concat(b.raw[:e1], seg(1), b.raw[e1:]), 2, ""},
		{"append a byte", concat(b.raw, []byte{0}), 3, ""},
		{"append a chunk", concat(b.raw[:s3], seg(2), seg(3)), 3, ""},
		{"chunk 1 of another blob", concat(b.raw[:s1], other[s1:e1], b.raw[e1:]), 1, ""},
		{"header of another blob", concat(other[:b.hdr], b.raw[b.hdr:]), 0, ""},
		{"another blob's bytes", bytes.Clone(other), 0, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			putRaw(t, f.backend, key, tc.raw)
			got, _, err := readAll(ctx, s, ws, id)
			wantTamperError(t, err, tc.code, marker)
			if want := b.plain[:tc.good*tamperChunk]; !bytes.Equal(got, want) {
				t.Fatalf("released %d bytes before failing, want the %d of the intact chunks before the damage", len(got), len(want))
			}
		})
	}
}

// testStoreRelocated: a blob's bytes copied to another ID or another
// workspace do not decrypt there.
func testStoreRelocated(t *testing.T, f *fixture) {
	s, _ := newStore(t, f.backend, blob.Options{})
	ctx := context.Background()
	ws, id := quire.NewID(), quire.NewID()
	marker := "MOVED-" + quire.NewID()
	mustPut(t, s, ws, id, []byte(marker))
	raw := getRaw(t, f.backend, ws+"/"+id)
	for _, to := range [][2]string{{ws, quire.NewID()}, {quire.NewID(), id}, {quire.NewID(), quire.NewID()}} {
		putRaw(t, f.backend, to[0]+"/"+to[1], raw)
		got, _, err := readAll(ctx, s, to[0], to[1])
		// The other workspace has no keys yet: ENOTFOUND; one with keys:
		// an integrity failure. Either way nothing is released.
		if err == nil || len(got) != 0 {
			t.Fatalf("blob moved to %v opened: %d bytes, %v", to, len(got), err)
		}
		if c := quire.ErrorCode(err); c != quire.EINTERNAL && c != quire.ENOTFOUND {
			t.Fatalf("blob moved to %v: code %q", to, c)
		}
	}
	// Into a workspace that has keys of its own.
	ws2 := quire.NewID()
	mustPut(t, s, ws2, quire.NewID(), []byte("ws2 has keys"))
	putRaw(t, f.backend, ws2+"/"+id, raw)
	_, _, err := readAll(ctx, s, ws2, id)
	wantTamperError(t, err, "", marker)
}

// wantTamperError checks the error of a tampered blob: the expected code
// (EINTERNAL by default) and a message that tells nothing of the contents.
func wantTamperError(t *testing.T, err error, code, marker string) {
	t.Helper()
	if code == "" {
		code = quire.EINTERNAL
	}
	wantCode(t, err, code)
	if strings.Contains(err.Error(), marker[:10]) {
		t.Fatalf("error reveals content: %v", err)
	}
	if code == quire.EINTERNAL && quire.ErrorMessage(err) != "Stored file failed its integrity check." {
		t.Fatalf("message = %q", quire.ErrorMessage(err))
	}
}

func concat(parts ...[]byte) []byte { return bytes.Join(parts, nil) }
