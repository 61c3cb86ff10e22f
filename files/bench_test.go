package files_test

import (
	"bytes"
	"context"
	"io"
	"testing"
	"time"

	"github.com/quirehq/quire"
)

// BenchmarkUploadOpen uploads and reads back a file through the service
// and, alternately in the same loop, the same bytes through the blob
// store alone, on local disk. It reports the ratio of their times
// ("service/blob"): what sniffing, the sealed metadata row and its
// delete add to the encrypted blob's own cost.
func BenchmarkUploadOpen(b *testing.B) {
	for _, size := range []int{64 << 10, 4 << 20} {
		b.Run(map[int]string{64 << 10: "64KiB", 4 << 20: "4MiB"}[size], func(b *testing.B) {
			e := newEnv(b, backends["local"], nil)
			ctx := context.Background()
			data := pngBytes(size - 8)
			viaService := func() error {
				f, err := e.svc.Upload(ctx, e.ws, "", "bench.png", bytes.NewReader(data))
				if err != nil {
					return err
				}
				_, rc, err := e.svc.Open(ctx, e.ws, f.ID)
				if err != nil {
					return err
				}
				_, err = io.Copy(io.Discard, rc)
				_ = rc.Close()
				if err != nil {
					return err
				}
				return e.svc.Delete(ctx, e.ws, f.ID)
			}
			viaBlobs := func() error {
				id := quire.NewID()
				if _, err := e.blobs.Put(ctx, e.ws, id, bytes.NewReader(data), int64(len(data))); err != nil {
					return err
				}
				rc, _, err := e.blobs.Open(ctx, e.ws, id)
				if err != nil {
					return err
				}
				_, err = io.Copy(io.Discard, rc)
				_ = rc.Close()
				if err != nil {
					return err
				}
				return e.blobs.Delete(ctx, e.ws, id)
			}
			var svcT, blobT time.Duration
			for b.Loop() {
				t0 := time.Now()
				if err := viaService(); err != nil {
					b.Fatal(err)
				}
				t1 := time.Now()
				if err := viaBlobs(); err != nil {
					b.Fatal(err)
				}
				svcT, blobT = svcT+t1.Sub(t0), blobT+time.Since(t1)
			}
			b.ReportMetric(float64(svcT)/float64(blobT), "service/blob")
		})
	}
}
