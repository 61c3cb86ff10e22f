package password

import (
	"context"
	"encoding/base64"
	"encoding/hex"
	"regexp"
	"strings"
	"testing"

	"github.com/quirehq/quire"
)

var phcPattern = regexp.MustCompile(`^\$argon2id\$v=19\$m=65536,t=3,p=4\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$`)

func TestHashDefaultFormat(t *testing.T) {
	h := mustNew(t, Options{})
	if h.Params() != DefaultParams() {
		t.Fatalf("Params = %+v, want the defaults", h.Params())
	}
	enc := mustHash(t, h, "correct horse battery staple")
	if !phcPattern.MatchString(enc) {
		t.Fatalf("Hash = %q, want the reference PHC format", enc)
	}
	ok, rehash, err := h.Verify(context.Background(), enc, "correct horse battery staple")
	if err != nil || !ok || rehash {
		t.Fatalf("Verify = %v, %v, %v; want true, false, nil", ok, rehash, err)
	}
}

// TestVerifyReferenceVector checks a hash of the Argon2 reference
// implementation's test vectors, encoded as that implementation encodes it.
func TestVerifyReferenceVector(t *testing.T) {
	key, _ := hex.DecodeString("655ad15eac652dc59f7170a7332bf49b8469be1fdb9c28bb")
	enc := "$argon2id$v=19$m=64,t=1,p=1$" + base64.RawStdEncoding.EncodeToString([]byte("somesalt")) +
		"$" + base64.RawStdEncoding.EncodeToString(key)
	h := mustNew(t, Options{Params: fast})
	ok, rehash, err := h.Verify(context.Background(), enc, "password")
	if err != nil || !ok {
		t.Fatalf("Verify(reference vector) = %v, %v; want true", ok, err)
	}
	if !rehash {
		t.Fatal("a 24-byte key with an 8-byte salt differs from the configured params: want needsRehash")
	}
}

func TestVerifyWrongPassword(t *testing.T) {
	h := mustNew(t, Options{Params: fast})
	enc := mustHash(t, h, "correct horse battery staple")
	for _, pw := range []string{"correct horse battery stapl", "Correct horse battery staple", "", "correct horse battery staple "} {
		ok, rehash, err := h.Verify(context.Background(), enc, pw)
		if err != nil || ok || rehash {
			t.Errorf("Verify(%q) = %v, %v, %v; want false, false, nil", pw, ok, rehash, err)
		}
	}
}

func TestHashSaltIsFresh(t *testing.T) {
	h := mustNew(t, Options{Params: fast})
	a, b := mustHash(t, h, "same password"), mustHash(t, h, "same password")
	if a == b {
		t.Fatal("two hashes of one password are equal: the salt is not random")
	}
}

func TestNeedsRehash(t *testing.T) {
	old := mustNew(t, Options{Params: fast})
	stronger := fast
	stronger.Time = 2
	cur := mustNew(t, Options{Params: stronger})
	enc := mustHash(t, old, "a long enough password")
	ctx := context.Background()
	if ok, rehash, _ := cur.Verify(ctx, enc, "a long enough password"); !ok || !rehash {
		t.Fatalf("Verify with changed params = %v, %v; want true, true", ok, rehash)
	}
	if ok, rehash, _ := cur.Verify(ctx, enc, "wrong password!!"); ok || rehash {
		t.Fatalf("Verify wrong password = %v, %v; want false, false (never rehash a wrong password)", ok, rehash)
	}
	if _, rehash, _ := old.Verify(ctx, enc, "a long enough password"); rehash {
		t.Fatal("Verify with the same params wants a rehash")
	}
	longer := fast
	longer.KeyLen = 64
	if _, rehash, _ := mustNew(t, Options{Params: longer}).Verify(ctx, enc, "a long enough password"); !rehash {
		t.Fatal("a changed key length must ask for a rehash")
	}
}

// TestNFKC checks that compatibility-equivalent spellings verify alike.
func TestNFKC(t *testing.T) {
	h := mustNew(t, Options{Params: fast})
	cases := [][2]string{
		{"caf\u00e9 au lait", "cafe\u0301 au lait"}, // composed vs combining accent
		{"\ufb01nal answer", "final answer"},        // ligature fi
		{"\uff21\uff22\uff23 secret", "ABC secret"}, // full-width letters
	}
	for _, c := range cases {
		enc := mustHash(t, h, c[0])
		if ok, _, err := h.Verify(context.Background(), enc, c[1]); err != nil || !ok {
			t.Errorf("Verify(%q) against Hash(%q) = %v, %v; want true", c[1], c[0], ok, err)
		}
	}
}

func TestHashRejects(t *testing.T) {
	h := mustNew(t, Options{Params: fast})
	_, err := h.Hash(context.Background(), "bad \xff utf-8")
	wantCode(t, err, quire.EINVALID)
	_, err = h.Hash(context.Background(), strings.Repeat("a", MaxBytes+1))
	wantCode(t, err, quire.EPASSWORDTOOLONG)
}

func TestVerifyOverlongNeverHashes(t *testing.T) {
	h := mustNew(t, Options{Params: fast})
	calls := 0
	h.key = func(pw, salt []byte, p Params) []byte { calls++; return argon2id(pw, salt, p) }
	enc := mustHash(t, h, "some password")
	ok, _, err := h.Verify(context.Background(), enc, strings.Repeat("x", 10<<20))
	if ok || err != nil || calls != 1 {
		t.Fatalf("Verify(10 MB) = %v, %v after %d key derivations; want false, nil, only Hash's", ok, err, calls)
	}
}

func TestVerifyMalformedIsInternal(t *testing.T) {
	h := mustNew(t, Options{Params: fast})
	enc := "$argon2id$v=19$m=65536,t=3,p=4$c2VjcmV0c2FsdHNlY3JldA$NOT*BASE64"
	_, _, err := h.Verify(context.Background(), enc, "pw")
	qe := wantCode(t, err, quire.EINTERNAL)
	if strings.Contains(err.Error(), "NOT*BASE64") || strings.Contains(qe.Message, "argon2") {
		t.Fatalf("error %q leaks the stored hash or detail into the message", err)
	}
}

func TestDummyVerifyDoesTheSameWork(t *testing.T) {
	h := mustNew(t, Options{Params: fast})
	var got []Params
	h.key = func(pw, salt []byte, p Params) []byte {
		got = append(got, p)
		return argon2id(pw, salt, p)
	}
	enc := mustHash(t, h, "anything at all")
	if _, _, err := h.Verify(context.Background(), enc, "anything at all"); err != nil {
		t.Fatal(err)
	}
	if err := h.DummyVerify(context.Background(), "anything at all"); err != nil {
		t.Fatalf("DummyVerify: %v", err)
	}
	if len(got) != 3 || got[2] != h.Params() || got[1] != got[2] {
		t.Fatalf("key derivations = %+v; want DummyVerify to derive once with the configured params", got)
	}
}

func TestNewRejectsBadParams(t *testing.T) {
	for _, p := range []Params{
		{Memory: 64, Time: 0, Threads: 1, SaltLen: 16, KeyLen: 32},
		{Memory: 64, Time: 1, Threads: 256, SaltLen: 16, KeyLen: 32},
		{Memory: 7, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32},
		{Memory: MaxMemory + 1, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32},
		{Memory: 64, Time: 1, Threads: 1, SaltLen: 8, KeyLen: 32},
		{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 65},
	} {
		if _, err := New(Options{Params: p}); err == nil {
			t.Errorf("New(%+v) = nil error, want one", p)
		}
	}
}
