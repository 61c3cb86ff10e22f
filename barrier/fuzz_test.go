package barrier

import (
	"bytes"
	"context"
	"testing"
)

// FuzzDecrypt feeds arbitrary bytes as stored values: the barrier must never
// panic and never accept anything it did not seal.
func FuzzDecrypt(f *testing.F) {
	b := mustOpen(f, newMemKeyStore(), Options{})
	ctx := context.Background()
	s, ad := WorkspaceScope("w"), AD("notes", "1", "content")
	good := mustEncrypt(f, b, s, ad, []byte("sealed"))
	f.Add(good)
	f.Add([]byte{})
	f.Add([]byte{1, 0, 0, 0, 1})
	f.Add(append([]byte{1, 0, 0, 0, 9}, make([]byte, 40)...))
	f.Fuzz(func(t *testing.T, ct []byte) {
		pt, err := b.Decrypt(ctx, s, ad, ct)
		if err == nil && !bytes.Equal(ct, good) {
			t.Fatalf("accepted a forged value: %x → %q", ct, pt)
		}
	})
}

func FuzzParseRootKey(f *testing.F) {
	f.Add(EncodeRootKey(make([]byte, 32)))
	f.Add("")
	f.Add("====")
	f.Fuzz(func(t *testing.T, s string) {
		k, err := ParseRootKey(s)
		if err == nil && len(k) != RootKeySize {
			t.Fatalf("accepted a %d-byte key", len(k))
		}
	})
}
