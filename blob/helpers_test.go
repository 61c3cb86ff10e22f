package blob_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"io"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/quirehq/quire"
	"github.com/quirehq/quire/barrier"
	"github.com/quirehq/quire/blob"
	"github.com/quirehq/quire/sqlite"
)

// newBarrier opens a barrier over a fresh SQLite key store.
func newBarrier(tb testing.TB) *barrier.Barrier {
	tb.Helper()
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(tb.TempDir(), "quire.db"))
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
	return b
}

// newStore is a Store over backend with a fresh barrier.
func newStore(tb testing.TB, backend blob.Backend, opts blob.Options) (*blob.Store, *barrier.Barrier) {
	tb.Helper()
	b := newBarrier(tb)
	s, err := blob.New(b, backend, opts)
	if err != nil {
		tb.Fatal(err)
	}
	return s, b
}

// randomBytes returns n random bytes.
func randomBytes(n int) []byte {
	p := make([]byte, n)
	_, _ = rand.Read(p)
	return p
}

// wantCode fails unless err carries code.
func wantCode(tb testing.TB, err error, code string) {
	tb.Helper()
	if got := quire.ErrorCode(err); got != code {
		tb.Fatalf("error code = %q (%v), want %q", got, err, code)
	}
}

// readAll opens a blob and reads it to the end; the error is that of Open
// or of the read.
func readAll(ctx context.Context, s *blob.Store, ws, id string) ([]byte, int64, error) {
	rc, size, err := s.Open(ctx, ws, id)
	if err != nil {
		return nil, 0, err
	}
	defer rc.Close()
	data, err := io.ReadAll(rc)
	return data, size, err
}

// getRaw returns the stored bytes of key.
func getRaw(tb testing.TB, b blob.Backend, key string) []byte {
	tb.Helper()
	rc, size, err := b.Get(context.Background(), key)
	if err != nil {
		tb.Fatal(err)
	}
	defer rc.Close()
	data, err := io.ReadAll(rc)
	if err != nil {
		tb.Fatal(err)
	}
	if int64(len(data)) != size {
		tb.Fatalf("Get reported %d bytes, read %d", size, len(data))
	}
	return data
}

// putRaw stores data under key, bypassing the encryption.
func putRaw(tb testing.TB, b blob.Backend, key string, data []byte) {
	tb.Helper()
	if err := b.Put(context.Background(), key, bytes.NewReader(data)); err != nil {
		tb.Fatal(err)
	}
}

// memBackend keeps objects in a map: the backend of the fuzz targets and a
// check that the conformance suite holds for a trivially correct backend.
type memBackend struct {
	mu      sync.Mutex
	objects map[string][]byte
}

func newMemBackend() *memBackend { return &memBackend{objects: map[string][]byte{}} }

func (m *memBackend) Put(ctx context.Context, key string, r io.Reader) error {
	if !validKey(key) {
		return quire.Errorf(quire.EINVALID, "bad key")
	}
	data, err := io.ReadAll(r)
	if err == nil {
		err = ctx.Err()
	}
	if err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.objects[key] = data
	return nil
}

func (m *memBackend) Get(ctx context.Context, key string) (io.ReadCloser, int64, error) {
	if !validKey(key) {
		return nil, 0, quire.Errorf(quire.EINVALID, "bad key")
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	data, ok := m.objects[key]
	if !ok {
		return nil, 0, quire.Errorf(quire.ENOTFOUND, "File not found.")
	}
	return io.NopCloser(bytes.NewReader(data)), int64(len(data)), nil
}

func (m *memBackend) Delete(ctx context.Context, key string) error {
	if !validKey(key) {
		return quire.Errorf(quire.EINVALID, "bad key")
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.objects, key)
	return nil
}

func (m *memBackend) DeletePrefix(ctx context.Context, prefix string) error {
	ws, ok := strings.CutSuffix(prefix, "/")
	if !ok || !quire.ValidID(ws) {
		return quire.Errorf(quire.EINVALID, "bad prefix")
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	for k := range m.objects {
		if strings.HasPrefix(k, prefix) {
			delete(m.objects, k)
		}
	}
	return nil
}

func (m *memBackend) List(ctx context.Context, prefix string) ([]string, error) {
	if ws, ok := strings.CutSuffix(prefix, "/"); prefix != "" && (!ok || !quire.ValidID(ws)) {
		return nil, quire.Errorf(quire.EINVALID, "bad prefix")
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	var keys []string
	for k := range m.objects {
		if strings.HasPrefix(k, prefix) {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	return keys, nil
}

func validKey(key string) bool {
	ws, id, ok := strings.Cut(key, "/")
	return ok && quire.ValidID(ws) && quire.ValidID(id)
}

// errReader fails after yielding n bytes.
type errReader struct {
	n   int
	err error
}

func (e *errReader) Read(p []byte) (int, error) {
	if e.n == 0 {
		return 0, e.err
	}
	k := min(len(p), e.n)
	clear(p[:k])
	e.n -= k
	return k, nil
}

var errSource = errors.New("source failed")
