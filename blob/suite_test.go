package blob_test

import (
	"bytes"
	"context"
	"io"
	"slices"
	"testing"

	"github.com/quirehq/quire"
)

// runSuite runs the conformance suite on the backend that newFixture makes:
// first the Backend contract, then the Store over it.
func runSuite(t *testing.T, newFixture func(*testing.T) *fixture) {
	tests := []struct {
		name string
		fn   func(*testing.T, *fixture)
	}{
		{"Backend/Basics", testBackendBasics},
		{"Backend/BadKeys", testBackendBadKeys},
		{"Backend/List", testBackendList},
		{"Backend/DeletePrefix", testBackendDeletePrefix},
		{"Backend/FailedPut", testBackendFailedPut},
		{"Backend/CancelledPut", testBackendCancelledPut},
		{"Store/RoundTrip", testStoreRoundTrip},
		{"Store/MaxSize", testStoreMaxSize},
		{"Store/CancelledPut", testStoreCancelledPut},
		{"Store/SourceError", testStoreSourceError},
		{"Store/BadIDs", testStoreBadIDs},
		{"Store/Missing", testStoreMissing},
		{"Store/DeleteWorkspace", testStoreDeleteWorkspace},
		{"Store/Shred", testStoreShred},
		{"Store/Canary", testStoreCanary},
		{"Store/Tamper", testStoreTamper},
		{"Store/Relocated", testStoreRelocated},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { tt.fn(t, newFixture(t)) })
	}
}

func testBackendBasics(t *testing.T, f *fixture) {
	ctx := context.Background()
	key := quire.NewID() + "/" + quire.NewID()
	if _, _, err := f.backend.Get(ctx, key); quire.ErrorCode(err) != quire.ENOTFOUND {
		t.Fatalf("Get of a missing key: %v, want ENOTFOUND", err)
	}
	for _, data := range [][]byte{[]byte("first version"), {}, randomBytes(70_000)} {
		putRaw(t, f.backend, key, data)
		if got := getRaw(t, f.backend, key); !bytes.Equal(got, data) {
			t.Fatalf("Get returned %d bytes, want the %d put", len(got), len(data))
		}
	}
	for range 2 { // idempotent
		if err := f.backend.Delete(ctx, key); err != nil {
			t.Fatal(err)
		}
	}
	if _, _, err := f.backend.Get(ctx, key); quire.ErrorCode(err) != quire.ENOTFOUND {
		t.Fatalf("Get after Delete: %v, want ENOTFOUND", err)
	}
}

// badKeys are keys no backend may accept: escapes, wrong shapes, NUL.
func badKeys() []string {
	ws, id := quire.NewID(), quire.NewID()
	return []string{"", "../x", "a/b", "/etc/passwd", ws, ws + "/", "/" + ws + "/" + id, ws + "/" + id + "/x",
		ws + "/../" + id, "../" + ws + "/" + id, ws + "/" + id[:25] + "\x00", ws + "\\" + id, ws + "/.", ws + "/..",
		ws + "/" + ".tmp-" + id[:20], ws + "/" + id[:25] + "A"}
}

func testBackendBadKeys(t *testing.T, f *fixture) {
	ctx := context.Background()
	payload := []byte("bad-key-payload-" + quire.NewID())
	for _, key := range badKeys() {
		wantCode(t, f.backend.Put(ctx, key, bytes.NewReader(payload)), quire.EINVALID)
		_, _, err := f.backend.Get(ctx, key)
		wantCode(t, err, quire.EINVALID)
		wantCode(t, f.backend.Delete(ctx, key), quire.EINVALID)
	}
	for _, prefix := range []string{"", "/", "../", "a/", quire.NewID(), quire.NewID() + "/x/", "/" + quire.NewID() + "/"} {
		wantCode(t, f.backend.DeletePrefix(ctx, prefix), quire.EINVALID)
		if prefix != "" {
			_, err := f.backend.List(ctx, prefix)
			wantCode(t, err, quire.EINVALID)
		}
	}
	if keys, err := f.backend.List(ctx, ""); err != nil || len(keys) != 0 {
		t.Fatalf("List after refused puts = %v, %v; want nothing", keys, err)
	}
	if f.rawContains(t, payload) {
		t.Fatal("a refused Put stored its bytes")
	}
}

func testBackendList(t *testing.T, f *fixture) {
	ctx := context.Background()
	ws1, ws2 := quire.NewID(), quire.NewID()
	var all, in1 []string
	for i := range 5 {
		ws := []string{ws1, ws2}[i%2]
		key := ws + "/" + quire.NewID()
		putRaw(t, f.backend, key, []byte{byte(i)})
		all = append(all, key)
		if ws == ws1 {
			in1 = append(in1, key)
		}
	}
	slices.Sort(all)
	slices.Sort(in1)
	for prefix, want := range map[string][]string{"": all, ws1 + "/": in1, quire.NewID() + "/": nil} {
		got, err := f.backend.List(ctx, prefix)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got, want) {
			t.Errorf("List(%q) = %v, want %v", prefix, got, want)
		}
	}
}

func testBackendDeletePrefix(t *testing.T, f *fixture) {
	ctx := context.Background()
	ws1, ws2 := quire.NewID(), quire.NewID()
	keep := ws2 + "/" + quire.NewID()
	putRaw(t, f.backend, keep, []byte("keep"))
	for range 3 {
		putRaw(t, f.backend, ws1+"/"+quire.NewID(), []byte("drop"))
	}
	for range 2 { // idempotent
		if err := f.backend.DeletePrefix(ctx, ws1+"/"); err != nil {
			t.Fatal(err)
		}
	}
	if got, _ := f.backend.List(ctx, ""); !slices.Equal(got, []string{keep}) {
		t.Fatalf("List after DeletePrefix = %v, want only %s", got, keep)
	}
}

// testBackendFailedPut: a Put whose source fails, small or past the first
// multipart part, leaves the previous object and nothing else.
func testBackendFailedPut(t *testing.T, f *fixture) {
	ctx := context.Background()
	key := quire.NewID() + "/" + quire.NewID()
	putRaw(t, f.backend, key, []byte("previous"))
	for _, n := range []int{0, 100 << 10, 6 << 20} {
		if err := f.backend.Put(ctx, key, &errReader{n: n, err: errSource}); err == nil {
			t.Fatalf("Put with a source failing after %d bytes succeeded", n)
		}
		if got := getRaw(t, f.backend, key); string(got) != "previous" {
			t.Fatalf("after a failed Put the object holds %d bytes, want the previous 8", len(got))
		}
	}
	assertOnly(t, f, []string{key})
}

// cancellingReader yields zeros and cancels after n bytes, then goes on
// yielding up to limit, as a client still sending would.
type cancellingReader struct {
	n, limit int
	cancel   context.CancelFunc
	read     int
}

func (c *cancellingReader) Read(p []byte) (int, error) {
	if c.read >= c.limit {
		return 0, io.EOF
	}
	k := min(len(p), c.limit-c.read)
	clear(p[:k])
	if c.read < c.n && c.read+k >= c.n {
		c.cancel()
	}
	c.read += k
	return k, nil
}

func testBackendCancelledPut(t *testing.T, f *fixture) {
	for _, n := range []int{10 << 10, 6 << 20} {
		ctx, cancel := context.WithCancel(context.Background())
		key := quire.NewID() + "/" + quire.NewID()
		if err := f.backend.Put(ctx, key, &cancellingReader{n: n, limit: 12 << 20, cancel: cancel}); err == nil {
			t.Fatalf("Put cancelled after %d bytes succeeded", n)
		}
		cancel()
	}
	assertOnly(t, f, nil)
}

// assertOnly fails unless the backend lists exactly keys and holds no
// temporary or incomplete uploads.
func assertOnly(t *testing.T, f *fixture, keys []string) {
	t.Helper()
	got, err := f.backend.List(context.Background(), "")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, keys) {
		t.Fatalf("List = %v, want %v", got, keys)
	}
	if left := f.leftovers(t); len(left) != 0 {
		t.Fatalf("storage holds leftovers: %v", left)
	}
}
