package postgres

import (
	"context"
	"testing"

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
	hashes := storetest.BenchSessions(b, auth, 200)
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
