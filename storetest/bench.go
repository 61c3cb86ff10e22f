package storetest

import (
	"context"
	"crypto/rand"
	"testing"
	"time"

	"github.com/quirehq/quire"
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

// BenchSessions creates one account with n sessions in auth and returns
// their token hashes, for the session-lookup benchmarks of each store.
func BenchSessions(b *testing.B, auth quire.AuthStore, n int) [][]byte {
	b.Helper()
	ctx := context.Background()
	a := &quire.Account{User: &quire.User{Email: "bench@example.com"}, PasswordHash: "$argon2id$x", WorkspaceName: "bench", Region: quire.RegionUS}
	if _, err := auth.CreateAccount(ctx, a); err != nil {
		b.Fatal(err)
	}
	hashes := make([][]byte, n)
	for i := range hashes {
		hashes[i] = make([]byte, 32)
		_, _ = rand.Read(hashes[i])
		x := &quire.Session{UserID: a.User.ID, TokenHash: hashes[i], Stage: quire.SessionFull,
			UserAgent: "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0", ExpiresAt: time.Now().Add(time.Hour)}
		if err := auth.CreateSession(ctx, x); err != nil {
			b.Fatal(err)
		}
	}
	return hashes
}
