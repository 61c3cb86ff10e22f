package auth_test

import (
	"context"
	"crypto/sha256"
	"testing"

	"github.com/quirehq/quire/auth"
)

// BenchmarkAuthenticate measures the session lookup every signed-in request
// makes (token hash, indexed read, expiry checks; the touch is skipped
// within a minute) on SQLite. The baseline is the store's FindSession
// alone, so "x-store" is the service's overhead over the raw lookup; the
// target is under 20 µs per lookup.
func BenchmarkAuthenticate(b *testing.B) {
	e := newEnvTB(b, auth.Config{})
	_, login, err := e.svc.SignUp(context.Background(), "bench@example.com", goodPassword, auth.Client{UserAgent: "bench"})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	hash := sha256.Sum256([]byte(login.Token))
	var base float64
	b.Run("store", func(b *testing.B) {
		for b.Loop() {
			if _, err := e.store.FindSession(ctx, hash[:]); err != nil {
				b.Fatal(err)
			}
		}
		base = float64(b.Elapsed().Nanoseconds()) / float64(b.N)
	})
	b.Run("service", func(b *testing.B) {
		for b.Loop() {
			if _, err := e.svc.Authenticate(ctx, login.Token); err != nil {
				b.Fatal(err)
			}
		}
		per := float64(b.Elapsed().Nanoseconds()) / float64(b.N)
		b.ReportMetric(per/1000, "µs/lookup")
		if base > 0 {
			b.ReportMetric(per/base, "x-store")
		}
	})
}
