package storetest

import (
	"testing"
	"time"
)

// Paired runs enc and plain alternately in every iteration and reports the
// ratio of their total times as "enc/plain", so that load on a shared
// machine weighs on both sides alike. Stores use it to measure what
// encryption costs against the same operation on a plain-text table.
func Paired(b *testing.B, enc, plain func() error) {
	var encT, plainT time.Duration
	for b.Loop() {
		t0 := time.Now()
		if err := enc(); err != nil {
			b.Fatal(err)
		}
		t1 := time.Now()
		if err := plain(); err != nil {
			b.Fatal(err)
		}
		encT, plainT = encT+t1.Sub(t0), plainT+time.Since(t1)
	}
	b.ReportMetric(float64(encT)/float64(plainT), "enc/plain")
}
