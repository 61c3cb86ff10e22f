package password

import (
	"context"
	"runtime"
	"runtime/metrics"
	"sync"
	"testing"
)

// BenchmarkHash measures one hash with the default parameters (RFC 9106
// second option). Compare against BenchmarkHashFast, measured in the same
// run, rather than against an absolute time.
func BenchmarkHash(b *testing.B) {
	h := mustNew(b, Options{})
	for b.Loop() {
		mustHash(b, h, "correct horse battery staple")
	}
}

// BenchmarkHashFast is the baseline: the smallest parameters.
func BenchmarkHashFast(b *testing.B) {
	h := mustNew(b, Options{Params: fast})
	for b.Loop() {
		mustHash(b, h, "correct horse battery staple")
	}
}

// BenchmarkHashPeakMemory starts 200 hashes at once with the default
// parameters and cap, and reports the peak heap seen meanwhile (peak-MiB,
// above the heap before the burst) next to the bound the cap promises for
// live hashing memory (bound-MiB = cap × 64 MiB). The peak can exceed the
// bound by the garbage of finished hashes that the GC has not yet reclaimed.
func BenchmarkHashPeakMemory(b *testing.B) {
	h := mustNew(b, Options{})
	var peak uint64
	for b.Loop() {
		peak = max(peak, peakHeapDuring(func() { burst(b, h, 200) }))
	}
	b.ReportMetric(float64(peak)/(1<<20), "peak-MiB")
	b.ReportMetric(float64(cap(h.sem))*float64(h.params.Memory)/1024, "bound-MiB")
}

// burst runs n concurrent Hash calls and waits for them.
func burst(b *testing.B, h *Hasher, n int) {
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() {
			if _, err := h.Hash(context.Background(), "correct horse battery staple"); err != nil {
				b.Error(err)
			}
		})
	}
	wg.Wait()
}

// peakHeapDuring samples the heap while fn runs and returns its peak growth.
func peakHeapDuring(fn func()) uint64 {
	runtime.GC()
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	read := func() uint64 { metrics.Read(sample); return sample[0].Value.Uint64() }
	base, peak := read(), uint64(0)
	done := make(chan struct{})
	go func() { fn(); close(done) }()
	for {
		select {
		case <-done:
			return peak - min(base, peak)
		default:
			peak = max(peak, read())
			runtime.Gosched()
		}
	}
}
