package barrier

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"testing"
	"time"
)

var benchSizes = []struct {
	name string
	n    int
}{{"1KiB", 1 << 10}, {"1MiB", 1 << 20}}

// rawGCM returns AES-256-GCM under a fresh random key: the baseline the
// barrier is measured against.
func rawGCM() cipher.AEAD {
	key := make([]byte, 32)
	rand.Read(key)
	block, _ := aes.NewCipher(key)
	aead, _ := cipher.NewGCM(block)
	return aead
}

// BenchmarkSeal compares the barrier with raw crypto/cipher AES-256-GCM on
// the same data: the ratio of the two is the barrier's overhead.
func BenchmarkSeal(b *testing.B) {
	br := mustOpen(b, newMemKeyStore(), Options{})
	ctx := context.Background()
	for _, sz := range benchSizes {
		pt := make([]byte, sz.n)
		b.Run("raw-gcm/"+sz.name, func(b *testing.B) {
			aead := rawGCM()
			nonce := make([]byte, 12)
			b.SetBytes(int64(sz.n))
			for b.Loop() {
				rand.Read(nonce)
				aead.Seal(nil, nonce, pt, []byte("notes\x00id\x00content"))
			}
		})
		b.Run("barrier/"+sz.name, func(b *testing.B) {
			b.SetBytes(int64(sz.n))
			ad := AD("notes", "id", "content")
			for b.Loop() {
				if _, err := br.Encrypt(ctx, WorkspaceScope("w"), ad, pt); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkOpen(b *testing.B) {
	br := mustOpen(b, newMemKeyStore(), Options{})
	ctx := context.Background()
	for _, sz := range benchSizes {
		pt := make([]byte, sz.n)
		b.Run("raw-gcm/"+sz.name, func(b *testing.B) {
			aead := rawGCM()
			nonce := make([]byte, 12)
			ad := []byte("notes\x00id\x00content")
			ct := aead.Seal(nil, nonce, pt, ad)
			b.SetBytes(int64(sz.n))
			for b.Loop() {
				if _, err := aead.Open(nil, nonce, ct, ad); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run("barrier/"+sz.name, func(b *testing.B) {
			ad := AD("notes", "id", "content")
			ct := mustEncrypt(b, br, WorkspaceScope("w"), ad, pt)
			b.SetBytes(int64(sz.n))
			for b.Loop() {
				if _, err := br.Decrypt(ctx, WorkspaceScope("w"), ad, ct); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkPaired alternates the barrier and raw AES-256-GCM on the same
// data in every iteration (seal then open) and reports barrier/raw, which
// stays steady on a loaded machine.
func BenchmarkPaired(b *testing.B) {
	br := mustOpen(b, newMemKeyStore(), Options{})
	ctx := context.Background()
	aead := rawGCM()
	for _, sz := range benchSizes {
		pt := make([]byte, sz.n)
		b.Run(sz.name, func(b *testing.B) {
			b.SetBytes(int64(sz.n))
			ad, rawAD := AD("notes", "id", "content"), []byte("notes\x00id\x00content")
			nonce := make([]byte, 12)
			var barrierT, rawT time.Duration
			for b.Loop() {
				t0 := time.Now()
				ct, err := br.Encrypt(ctx, WorkspaceScope("w"), ad, pt)
				if err == nil {
					_, err = br.Decrypt(ctx, WorkspaceScope("w"), ad, ct)
				}
				if err != nil {
					b.Fatal(err)
				}
				t1 := time.Now()
				rand.Read(nonce)
				if _, err := aead.Open(nil, nonce, aead.Seal(nil, nonce, pt, rawAD), rawAD); err != nil {
					b.Fatal(err)
				}
				barrierT, rawT = barrierT+t1.Sub(t0), rawT+time.Since(t1)
			}
			b.ReportMetric(float64(barrierT)/float64(rawT), "barrier/raw")
		})
	}
}
