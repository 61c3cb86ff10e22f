package barrier

import (
	"bytes"
	"context"
	"errors"
	"sync"
	"testing"
	"time"
)

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func testKey(b byte) StaticSource { return StaticSource(bytes.Repeat([]byte{b}, RootKeySize)) }

func mustOpen(t testing.TB, ks KeyStore, opts Options) *Barrier {
	t.Helper()
	b, err := Open(context.Background(), testKey(7), ks, opts)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	return b
}

func mustEncrypt(t testing.TB, b *Barrier, s Scope, ad, pt []byte) []byte {
	t.Helper()
	ct, err := b.Encrypt(context.Background(), s, ad, pt)
	if err != nil {
		t.Fatalf("Encrypt: %v", err)
	}
	return ct
}

func TestRoundTrip(t *testing.T) {
	b := mustOpen(t, newMemKeyStore(), Options{})
	ctx := context.Background()
	for _, pt := range [][]byte{nil, {}, []byte("x"), bytes.Repeat([]byte("note "), 10000)} {
		ad := AD("notes", "n1", "content")
		ct := mustEncrypt(t, b, WorkspaceScope("w1"), ad, pt)
		if len(ct) != len(pt)+Overhead {
			t.Fatalf("len(ct) = %d, want %d", len(ct), len(pt)+Overhead)
		}
		if len(pt) > 4 && bytes.Contains(ct, pt[:5]) {
			t.Fatal("ciphertext contains plaintext")
		}
		got, err := b.Decrypt(ctx, WorkspaceScope("w1"), ad, ct)
		if err != nil || !bytes.Equal(got, pt) {
			t.Fatalf("Decrypt = %q, %v", got, err)
		}
	}
}

func TestBoundToRecord(t *testing.T) {
	b := mustOpen(t, newMemKeyStore(), Options{})
	ctx := context.Background()
	s := WorkspaceScope("w1")
	ct := mustEncrypt(t, b, s, AD("notes", "n1", "title"), []byte("secret title"))
	mustEncrypt(t, b, WorkspaceScope("w2"), nil, []byte("make w2's key"))
	for name, tc := range map[string]struct {
		scope Scope
		ad    []byte
	}{
		"other row":   {s, AD("notes", "n2", "title")},
		"other field": {s, AD("notes", "n1", "content")},
		"other table": {s, AD("ideas", "n1", "title")},
		"other scope": {WorkspaceScope("w2"), AD("notes", "n1", "title")},
	} {
		if _, err := b.Decrypt(ctx, tc.scope, tc.ad, ct); !errors.Is(err, ErrAuth) {
			t.Errorf("%s: Decrypt err = %v, want ErrAuth", name, err)
		}
	}
}

func TestTampering(t *testing.T) {
	b := mustOpen(t, newMemKeyStore(), Options{})
	ctx := context.Background()
	s, ad := WorkspaceScope("w1"), AD("t", "r", "f")
	ct := mustEncrypt(t, b, s, ad, []byte("hello world"))
	for i := range ct {
		bad := bytes.Clone(ct)
		bad[i] ^= 0x01
		if _, err := b.Decrypt(ctx, s, ad, bad); err == nil {
			t.Fatalf("flipping byte %d went unnoticed", i)
		}
	}
	for _, n := range []int{0, 1, 5, Overhead - 1} {
		if _, err := b.Decrypt(ctx, s, ad, ct[:n]); !errors.Is(err, ErrTruncated) {
			t.Errorf("truncated to %d: err = %v, want ErrTruncated", n, err)
		}
	}
	if _, err := b.Decrypt(ctx, s, ad, ct[:len(ct)-1]); !errors.Is(err, ErrAuth) {
		t.Errorf("one byte short: err = %v, want ErrAuth", err)
	}
	bad := bytes.Clone(ct)
	bad[0] = 0x02
	if _, err := b.Decrypt(ctx, s, ad, bad); !errors.Is(err, ErrFormat) {
		t.Errorf("format 2: err = %v, want ErrFormat", err)
	}
}

func TestWrongRootKey(t *testing.T) {
	ks := newMemKeyStore()
	mustOpen(t, ks, Options{})
	_, err := Open(context.Background(), testKey(8), ks, Options{})
	if !errors.Is(err, ErrWrongRootKey) {
		t.Fatalf("Open with another root key: err = %v, want ErrWrongRootKey", err)
	}
}

func TestReopenReadsOldData(t *testing.T) {
	ks := newMemKeyStore()
	b1 := mustOpen(t, ks, Options{})
	ct := mustEncrypt(t, b1, UserScope("u1"), nil, []byte("me@example.com"))
	idx := b1.BlindIndex("users.email", []byte("me@example.com"))
	b2 := mustOpen(t, ks, Options{})
	if got, err := b2.Decrypt(context.Background(), UserScope("u1"), nil, ct); err != nil || string(got) != "me@example.com" {
		t.Fatalf("after reopen: %q, %v", got, err)
	}
	if !bytes.Equal(b2.BlindIndex("users.email", []byte("me@example.com")), idx) {
		t.Fatal("blind index changed across reopen")
	}
}

func TestShred(t *testing.T) {
	b := mustOpen(t, newMemKeyStore(), Options{})
	ctx := context.Background()
	a := mustEncrypt(t, b, WorkspaceScope("a"), nil, []byte("a's note"))
	other := mustEncrypt(t, b, WorkspaceScope("b"), nil, []byte("b's note"))
	if err := b.Shred(ctx, WorkspaceScope("a")); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Decrypt(ctx, WorkspaceScope("a"), nil, a); !errors.Is(err, ErrNoKey) {
		t.Fatalf("after shred: err = %v, want ErrNoKey", err)
	}
	if got, err := b.Decrypt(ctx, WorkspaceScope("b"), nil, other); err != nil || string(got) != "b's note" {
		t.Fatalf("other scope after shred: %q, %v", got, err)
	}
	// A second instance that had the key cached loses it within the TTL.
	// A new value in the shredded scope gets a fresh key.
	c := mustEncrypt(t, b, WorkspaceScope("a"), nil, []byte("new"))
	if _, err := b.Decrypt(ctx, WorkspaceScope("a"), nil, a); err == nil {
		t.Fatal("old value readable under the new key")
	}
	if _, err := b.Decrypt(ctx, WorkspaceScope("a"), nil, c); err != nil {
		t.Fatal(err)
	}
}

func TestBlindIndex(t *testing.T) {
	b := mustOpen(t, newMemKeyStore(), Options{})
	x := b.BlindIndex("users.email", []byte("a@b.c"))
	if len(x) != 32 {
		t.Fatalf("len = %d", len(x))
	}
	if !bytes.Equal(x, b.BlindIndex("users.email", []byte("a@b.c"))) {
		t.Fatal("not deterministic")
	}
	if bytes.Equal(x, b.BlindIndex("apikeys.id", []byte("a@b.c"))) {
		t.Fatal("purposes share a key")
	}
	if bytes.Equal(x, b.BlindIndex("users.email", []byte("a@b.d"))) {
		t.Fatal("different values collide")
	}
	other := mustOpen(t, newMemKeyStore(), Options{})
	if bytes.Equal(x, other.BlindIndex("users.email", []byte("a@b.c"))) {
		t.Fatal("index is not keyed per deployment")
	}
	if err := b.Rotate(context.Background()); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(x, b.BlindIndex("users.email", []byte("a@b.c"))) {
		t.Fatal("Rotate changed the blind index")
	}
}

func TestStatusShowsKeyring(t *testing.T) {
	b := mustOpen(t, newMemKeyStore(), Options{})
	mustEncrypt(t, b, WorkspaceScope("w"), nil, []byte("x"))
	st, err := b.Status(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var kinds []string
	for _, k := range st.Keyring {
		if k.CreatedAt.IsZero() {
			t.Errorf("keyring key %d (%s) has no creation time", k.Version, k.Kind)
		}
		kinds = append(kinds, k.Kind)
	}
	if len(kinds) != 2 || kinds[0] != KindIndex || kinds[1] != KindKEK {
		t.Fatalf("keyring kinds = %v, want [index kek]", kinds)
	}
	if st.DataKeys != 1 || st.Scopes != 1 || st.RootKeySource != "static key" {
		t.Fatalf("status = %+v", st)
	}
}
