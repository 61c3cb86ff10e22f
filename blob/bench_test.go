package blob_test

import (
	"bytes"
	"context"
	"io"
	"runtime"
	"testing"
	"time"

	"github.com/quirehq/quire"
	"github.com/quirehq/quire/blob"
)

const benchSize = 10 << 20

// BenchmarkPutOpen stores and reads back 10 MiB through the Store and,
// alternately in the same loop, the same bytes unencrypted through the
// same kind of backend. It reports both throughputs and their ratio
// ("enc/plain", time encrypted over time plain), so that machine load
// weighs on both alike. On "memory" the plain side is a bare copy of the
// bytes in and out of a buffer, so the ratio is the whole cost of
// encryption; on "local" it is what encryption adds to writing (with
// fsync) and reading a file.
func BenchmarkPutOpen(b *testing.B) {
	data := randomBytes(benchSize)
	for _, bk := range []struct {
		name       string
		enc, plain func(b *testing.B) blob.Backend
	}{
		{"memory", newBufBackend, newBufBackend},
		{"local", newLocalBench, newLocalBench},
	} {
		b.Run(bk.name, func(b *testing.B) {
			encB, plainB := bk.enc(b), bk.plain(b)
			s, _ := newStore(b, encB, blob.Options{})
			ws, id := quire.NewID(), quire.NewID()
			ctx := context.Background()
			enc := func() error {
				if _, err := s.Put(ctx, ws, id, bytes.NewReader(data), benchSize); err != nil {
					return err
				}
				return drain(s.Open(ctx, ws, id))
			}
			plain := func() error {
				if err := plainB.Put(ctx, ws+"/"+id, bytes.NewReader(data)); err != nil {
					return err
				}
				return drain(plainB.Get(ctx, ws+"/"+id))
			}
			paired(b, enc, plain)
		})
	}
}

// bufBackend keeps the last object put in a reused buffer: a plain copy
// in and out, with no allocation once the buffer has grown.
type bufBackend struct{ nullBackend }

func newBufBackend(*testing.B) blob.Backend { return &bufBackend{} }

func (m *bufBackend) Put(_ context.Context, _ string, r io.Reader) error {
	buf := bytes.NewBuffer(m.stored[:0])
	_, err := buf.ReadFrom(r)
	m.stored = buf.Bytes()
	return err
}

func newLocalBench(b *testing.B) blob.Backend {
	l, err := blob.NewLocal(blob.LocalOptions{Dir: b.TempDir()})
	if err != nil {
		b.Fatal(err)
	}
	return l
}

// drain reads an opened stream to the end and closes it.
func drain(rc io.ReadCloser, _ int64, err error) error {
	if err != nil {
		return err
	}
	defer rc.Close()
	_, err = io.Copy(io.Discard, rc)
	return err
}

// paired runs enc and plain alternately and reports their throughputs and
// the ratio of their total times.
func paired(b *testing.B, enc, plain func() error) {
	var encT, plainT time.Duration
	n := 0
	for b.Loop() {
		t0 := time.Now()
		if err := enc(); err != nil {
			b.Fatal(err)
		}
		t1 := time.Now()
		if err := plain(); err != nil {
			b.Fatal(err)
		}
		encT, plainT, n = encT+t1.Sub(t0), plainT+time.Since(t1), n+1
	}
	mb := float64(n) * benchSize / 1e6
	b.ReportMetric(mb/encT.Seconds(), "enc-MB/s")
	b.ReportMetric(mb/plainT.Seconds(), "plain-MB/s")
	b.ReportMetric(float64(encT)/float64(plainT), "enc/plain")
}

// nullBackend stores nothing: Put drains, Get returns fixed bytes. It
// isolates the Store's own allocations.
type nullBackend struct{ stored []byte }

func (n *nullBackend) Put(_ context.Context, _ string, r io.Reader) error {
	_, err := io.Copy(io.Discard, r)
	return err
}
func (n *nullBackend) Get(context.Context, string) (io.ReadCloser, int64, error) {
	return io.NopCloser(bytes.NewReader(n.stored)), int64(len(n.stored)), nil
}
func (n *nullBackend) Delete(context.Context, string) error           { return nil }
func (n *nullBackend) DeletePrefix(context.Context, string) error     { return nil }
func (n *nullBackend) List(context.Context, string) ([]string, error) { return nil, nil }

// BenchmarkAllocPerMiB reports what the Store allocates per MiB streamed,
// for Put and for Open, on a backend that allocates nothing itself. The
// figure falls as blobs grow: the streams hold one chunk at a time, so
// the cost is per blob, not per byte.
func BenchmarkAllocPerMiB(b *testing.B) {
	for _, size := range []int{1 << 20, benchSize} {
		bar := newBarrier(b)
		null := &nullBackend{}
		s, err := blob.New(bar, null, blob.Options{})
		if err != nil {
			b.Fatal(err)
		}
		ctx := context.Background()
		ws, id := quire.NewID(), quire.NewID()
		data := randomBytes(size)
		mem := newMemBackend()
		sMem, _ := blob.New(bar, mem, blob.Options{})
		if _, err := sMem.Put(ctx, ws, id, bytes.NewReader(data), int64(size)); err != nil {
			b.Fatal(err)
		}
		null.stored = getRaw(b, mem, ws+"/"+id)
		name := map[int]string{1 << 20: "1MiB", benchSize: "10MiB"}[size]
		b.Run(name+"/put", func(b *testing.B) {
			measureAlloc(b, size, func() error {
				_, err := s.Put(ctx, ws, id, bytes.NewReader(data), int64(size))
				return err
			})
		})
		b.Run(name+"/open", func(b *testing.B) {
			measureAlloc(b, size, func() error {
				rc, _, err := s.Open(ctx, ws, id)
				if err != nil {
					return err
				}
				defer rc.Close()
				_, err = io.Copy(io.Discard, rc)
				return err
			})
		})
	}
}

// measureAlloc runs op in a loop and reports bytes and allocations per MiB
// of payload.
func measureAlloc(b *testing.B, size int, op func() error) {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	n := 0
	for b.Loop() {
		if err := op(); err != nil {
			b.Fatal(err)
		}
		n++
	}
	runtime.ReadMemStats(&after)
	mib := float64(n) * float64(size) / (1 << 20)
	b.ReportMetric(float64(after.TotalAlloc-before.TotalAlloc)/mib, "B/MiB")
	b.ReportMetric(float64(after.Mallocs-before.Mallocs)/mib, "allocs/MiB")
	b.SetBytes(int64(size))
}
