package blob_test

import (
	"bytes"
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/quirehq/quire"
	"github.com/quirehq/quire/barrier"
	"github.com/quirehq/quire/blob"
)

func testStoreRoundTrip(t *testing.T, f *fixture) {
	s, _ := newStore(t, f.backend, blob.Options{})
	ctx := context.Background()
	ws := quire.NewID()
	const k = 64 << 10
	for _, n := range []int{0, 1, k - 1, k, k + 1, 5 << 20} {
		data, id := randomBytes(n), quire.NewID()
		size, err := s.Put(ctx, ws, id, bytes.NewReader(data), int64(n))
		if err != nil || size != int64(n) {
			t.Fatalf("Put of %d bytes = %d, %v", n, size, err)
		}
		got, size, err := readAll(ctx, s, ws, id)
		if err != nil || size != int64(n) || !bytes.Equal(got, data) {
			t.Fatalf("Open of %d bytes: size %d, read %d, equal %v, err %v", n, size, len(got), bytes.Equal(got, data), err)
		}
		chunks := max(1, (n+k-1)/k)
		raw := getRaw(t, f.backend, ws+"/"+id)
		if want := headerLen(raw) + n + 16*chunks; len(raw) != want {
			t.Fatalf("stored %d bytes for %d, want %d", len(raw), n, want)
		}
	}
}

// headerLen is the length of a stored blob's header.
func headerLen(raw []byte) int { return 11 + (int(raw[9])<<8 | int(raw[10])) }

func testStoreMaxSize(t *testing.T, f *fixture) {
	s, _ := newStore(t, f.backend, blob.Options{})
	ctx := context.Background()
	ws := quire.NewID()
	var kept []string
	for _, n := range []int{0, 1000, 64 << 10, 6 << 20} {
		data := randomBytes(n + 1)
		id := quire.NewID()
		if _, err := s.Put(ctx, ws, id, bytes.NewReader(data[:n]), int64(n)); err != nil {
			t.Fatalf("Put of exactly maxSize %d: %v", n, err)
		}
		kept = append(kept, ws+"/"+id)
		_, err := s.Put(ctx, ws, quire.NewID(), bytes.NewReader(data), int64(n))
		wantCode(t, err, quire.ETOOLARGE)
		// Replacing a blob with one too large keeps the old one.
		_, err = s.Put(ctx, ws, id, bytes.NewReader(data), int64(n))
		wantCode(t, err, quire.ETOOLARGE)
		if got, _, err := readAll(ctx, s, ws, id); err != nil || !bytes.Equal(got, data[:n]) {
			t.Fatalf("blob replaced by a refused Put: %v", err)
		}
	}
	_, err := s.Put(ctx, ws, quire.NewID(), strings.NewReader("x"), -1)
	wantCode(t, err, quire.EINVALID)
	assertOnly(t, f, slices.Sorted(slices.Values(kept)))
}

func testStoreCancelledPut(t *testing.T, f *fixture) {
	s, _ := newStore(t, f.backend, blob.Options{})
	for _, n := range []int{100 << 10, 7 << 20} {
		ctx, cancel := context.WithCancel(context.Background())
		r := &cancellingReader{n: n, limit: 12 << 20, cancel: cancel}
		if _, err := s.Put(ctx, quire.NewID(), quire.NewID(), r, 1<<30); err == nil {
			t.Fatalf("Put cancelled after %d bytes succeeded", n)
		}
		cancel()
	}
	assertOnly(t, f, nil)
}

func testStoreSourceError(t *testing.T, f *fixture) {
	s, _ := newStore(t, f.backend, blob.Options{})
	for _, n := range []int{0, 200 << 10} {
		_, err := s.Put(context.Background(), quire.NewID(), quire.NewID(), &errReader{n: n, err: errSource}, 1<<30)
		if !errors.Is(err, errSource) {
			t.Fatalf("Put with a failing source: %v, want the source's error", err)
		}
	}
	assertOnly(t, f, nil)
}

func testStoreBadIDs(t *testing.T, f *fixture) {
	s, _ := newStore(t, f.backend, blob.Options{})
	ctx := context.Background()
	good := quire.NewID()
	for _, bad := range []string{"", "../x", "a/b", "/etc/passwd", "..", good[:25] + "\x00", strings.ToUpper(good), good + "/" + good} {
		for _, ids := range [][2]string{{bad, good}, {good, bad}} {
			_, err := s.Put(ctx, ids[0], ids[1], strings.NewReader("data"), 100)
			wantCode(t, err, quire.EINVALID)
			_, _, err = s.Open(ctx, ids[0], ids[1])
			wantCode(t, err, quire.EINVALID)
			wantCode(t, s.Delete(ctx, ids[0], ids[1]), quire.EINVALID)
		}
		wantCode(t, s.DeleteWorkspace(ctx, bad), quire.EINVALID)
	}
	assertOnly(t, f, nil)
}

func testStoreMissing(t *testing.T, f *fixture) {
	s, _ := newStore(t, f.backend, blob.Options{})
	ctx := context.Background()
	_, _, err := s.Open(ctx, quire.NewID(), quire.NewID())
	wantCode(t, err, quire.ENOTFOUND)
	if err := s.Delete(ctx, quire.NewID(), quire.NewID()); err != nil {
		t.Fatalf("Delete of a missing blob: %v", err)
	}
}

func testStoreDeleteWorkspace(t *testing.T, f *fixture) {
	s, _ := newStore(t, f.backend, blob.Options{})
	ctx := context.Background()
	gone, kept := quire.NewID(), quire.NewID()
	ids := map[string][]string{}
	for _, ws := range []string{gone, kept} {
		for range 3 {
			id := quire.NewID()
			mustPut(t, s, ws, id, []byte("content of "+id))
			ids[ws] = append(ids[ws], id)
		}
	}
	if err := s.DeleteWorkspace(ctx, gone); err != nil {
		t.Fatal(err)
	}
	for _, id := range ids[gone] {
		_, _, err := s.Open(ctx, gone, id)
		wantCode(t, err, quire.ENOTFOUND)
	}
	for _, id := range ids[kept] {
		if got, _, err := readAll(ctx, s, kept, id); err != nil || string(got) != "content of "+id {
			t.Fatalf("blob of another workspace lost: %v", err)
		}
	}
	if keys, _ := f.backend.List(ctx, gone+"/"); len(keys) != 0 {
		t.Fatalf("deleted workspace still lists %v", keys)
	}
}

func testStoreShred(t *testing.T, f *fixture) {
	s, b := newStore(t, f.backend, blob.Options{})
	ctx := context.Background()
	shredded, other := quire.NewID(), quire.NewID()
	id1, id2 := quire.NewID(), quire.NewID()
	mustPut(t, s, shredded, id1, []byte("shredded content"))
	mustPut(t, s, other, id2, []byte("other content"))
	if err := b.Shred(ctx, barrier.WorkspaceScope(shredded)); err != nil {
		t.Fatal(err)
	}
	// The bytes are still there, and useless.
	getRaw(t, f.backend, shredded+"/"+id1)
	_, _, err := s.Open(ctx, shredded, id1)
	wantCode(t, err, quire.ENOTFOUND)
	if got, _, err := readAll(ctx, s, other, id2); err != nil || string(got) != "other content" {
		t.Fatalf("blob of another workspace after shred: %v", err)
	}
}

// testStoreCanary: a marker in the plaintext, at every offset that matters
// (start, chunk boundaries, end), is never in the stored bytes.
func testStoreCanary(t *testing.T, f *fixture) {
	s, _ := newStore(t, f.backend, blob.Options{})
	ctx := context.Background()
	marker := []byte("CANARY-" + quire.NewID())
	ws := quire.NewID()
	for _, n := range []int{0, 64 << 10, 200 << 10} {
		data := bytes.Repeat(marker, n/len(marker)+1)
		mustPut(t, s, ws, quire.NewID(), data)
	}
	hits, err := blob.Scan(ctx, f.backend, "", [][]byte{marker})
	if err != nil || len(hits) != 0 {
		t.Fatalf("Scan found the plaintext marker in %v (err %v)", hits, err)
	}
	if f.rawContains(t, marker) {
		t.Fatal("the plaintext marker is in raw storage")
	}
	// The checks can fail: a marker stored raw is found by both.
	leak := ws + "/" + quire.NewID()
	putRaw(t, f.backend, leak, append([]byte("xx"), marker...))
	if hits, err := blob.Scan(ctx, f.backend, ws+"/", [][]byte{marker}); err != nil || len(hits) != 1 || hits[0] != leak {
		t.Fatalf("Scan missed a raw marker: %v, %v", hits, err)
	}
	if !f.rawContains(t, marker) {
		t.Fatal("rawContains missed a raw marker")
	}
}

func mustPut(t *testing.T, s *blob.Store, ws, id string, data []byte) {
	t.Helper()
	if _, err := s.Put(context.Background(), ws, id, bytes.NewReader(data), int64(len(data))); err != nil {
		t.Fatal(err)
	}
}
