package postgres

import (
	"context"
	"crypto/rand"
	"testing"
	"time"

	"github.com/quirehq/quire"
	"github.com/quirehq/quire/barrier"
	"github.com/quirehq/quire/storetest"
)

// BenchmarkFindSession measures what every authenticated request pays to
// resolve its session cookie: the lookup by token hash and the decryption
// of the user agent. "paired" reports the ratio against the same indexed
// read without decryption.
func BenchmarkFindSession(b *testing.B) {
	ctx := context.Background()
	db := mustOpen(b, newEnv(b).config())
	br, err := barrier.Open(ctx, barrier.StaticSource(newKey()), NewKeyStore(db), barrier.Options{})
	if err != nil {
		b.Fatal(err)
	}
	auth := NewAuthService(db, br)
	hashes := benchSessions(b, auth, 200)
	i := 0
	find := func() error {
		i++
		_, err := auth.FindSession(ctx, hashes[i%len(hashes)])
		return err
	}
	b.Run("find", func(b *testing.B) {
		for b.Loop() {
			if err := find(); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("paired", func(b *testing.B) {
		j := 0
		storetest.Paired(b, find, func() error {
			j++
			_, err := scanSession(db.pool.QueryRow(ctx, "SELECT "+sessionColumns+" FROM sessions WHERE token_hash = $1", hashes[j%len(hashes)]))
			return err
		})
	})
}

// benchSessions creates n sessions of one account and returns their token
// hashes.
func benchSessions(b *testing.B, auth *AuthService, n int) [][]byte {
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
			UserAgent: "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0", ExpiresAt: now().Add(time.Hour)}
		if err := auth.CreateSession(ctx, x); err != nil {
			b.Fatal(err)
		}
	}
	return hashes
}
