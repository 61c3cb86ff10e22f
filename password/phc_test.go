package password

import (
	"strings"
	"testing"
)

const (
	goodSalt = "c29tZXNhbHRzb21lc2FsdA"                     // 16 bytes
	goodKey  = "ZmFrZWtleWZha2VrZXlmYWtla2V5ZmFrZWtleTEyMw" // 31 bytes
)

func phc(params, salt, key string) string {
	return "$argon2id$v=19$" + params + "$" + salt + "$" + key
}

func TestParseValid(t *testing.T) {
	h, err := parse(phc("m=65536,t=3,p=4", goodSalt, goodKey))
	if err != nil {
		t.Fatal(err)
	}
	want := Params{Memory: 65536, Time: 3, Threads: 4, SaltLen: 16, KeyLen: 31}
	if h.params != want || string(h.salt) != "somesaltsomesalt" {
		t.Fatalf("parse = %+v %q, want %+v", h.params, h.salt, want)
	}
}

func TestParseMalformed(t *testing.T) {
	long := strings.Repeat("A", 200)
	for name, s := range map[string]string{
		"empty":            "",
		"argon2i":          "$argon2i$v=19$m=65536,t=3,p=4$" + goodSalt + "$" + goodKey,
		"bcrypt":           "$2b$10$abcdefghijklmnopqrstuu5Ejr7O8PS8i4gQ4eJcUK4W8gpK/uyF.",
		"no leading $":     "argon2id$v=19$m=65536,t=3,p=4$" + goodSalt + "$" + goodKey,
		"version 16":       "$argon2id$v=16$m=65536,t=3,p=4$" + goodSalt + "$" + goodKey,
		"no version":       "$argon2id$m=65536,t=3,p=4$" + goodSalt + "$" + goodKey,
		"extra field":      phc("m=65536,t=3,p=4", goodSalt, goodKey) + "$",
		"params reordered": phc("t=3,m=65536,p=4", goodSalt, goodKey),
		"missing p":        phc("m=65536,t=3", goodSalt, goodKey),
		"extra param":      phc("m=65536,t=3,p=4,k=1", goodSalt, goodKey),
		"keyid":            phc("m=65536,t=3,p=4,keyid=x", goodSalt, goodKey),
		"negative":         phc("m=-1,t=3,p=4", goodSalt, goodKey),
		"plus sign":        phc("m=+65536,t=3,p=4", goodSalt, goodKey),
		"leading zero":     phc("m=065536,t=3,p=4", goodSalt, goodKey),
		"empty value":      phc("m=,t=3,p=4", goodSalt, goodKey),
		"hex":              phc("m=0x10000,t=3,p=4", goodSalt, goodKey),
		"overflow 32 bit":  phc("m=4294967296,t=3,p=4", goodSalt, goodKey),
		"memory > 4 GiB":   phc("m=4194305,t=3,p=4", goodSalt, goodKey),
		"memory < 8p":      phc("m=31,t=3,p=4", goodSalt, goodKey),
		"time 0":           phc("m=65536,t=0,p=4", goodSalt, goodKey),
		"time > 100":       phc("m=65536,t=101,p=4", goodSalt, goodKey),
		"threads 0":        phc("m=65536,t=3,p=0", goodSalt, goodKey),
		"threads > 255":    phc("m=65536,t=3,p=256", goodSalt, goodKey),
		"empty salt":       phc("m=65536,t=3,p=4", "", goodKey),
		"short salt":       phc("m=65536,t=3,p=4", "c2FsdA", goodKey),
		"long salt":        phc("m=65536,t=3,p=4", long, goodKey),
		"short key":        phc("m=65536,t=3,p=4", goodSalt, "a2V5a2V5"),
		"long key":         phc("m=65536,t=3,p=4", goodSalt, long),
		"padded":           phc("m=65536,t=3,p=4", goodSalt, goodKey+"="),
		"url alphabet":     phc("m=65536,t=3,p=4", goodSalt, strings.Repeat("_", 43)),
		"trailing bits":    phc("m=65536,t=3,p=4", "c29tZXNhbHRzb21lc2FsdB", goodKey),
		"spaces":           phc("m=65536, t=3, p=4", goodSalt, goodKey),
		"newline":          phc("m=65536,t=3,p=4", goodSalt, goodKey) + "\n",
		"huge":             phc("m=65536,t=3,p=4", goodSalt, strings.Repeat("A", 1<<20)),
	} {
		if h, err := parse(s); err == nil {
			t.Errorf("%s: parse = %+v, want an error", name, h.params)
		}
	}
}

// FuzzParse checks that parse never panics, accepts only in-bounds
// parameters, and that what it accepts is the one canonical encoding.
func FuzzParse(f *testing.F) {
	f.Add(phc("m=65536,t=3,p=4", goodSalt, goodKey))
	f.Add(phc("m=64,t=1,p=1", "c29tZXNhbHQ", "ZVrRXqxlLcWfcXCnMyv0m4RpvhgfbnCi7"))
	f.Add("$argon2id$v=19$m=4194304,t=100,p=255$" + goodSalt + "$" + goodKey)
	f.Add("$argon2id$v=19$m=1,t=1,p=1$$")
	f.Fuzz(func(t *testing.T, s string) {
		h, err := parse(s)
		if err != nil {
			return
		}
		if err := h.params.check(minStoredSalt, minStoredKey); err != nil {
			t.Fatalf("parse accepted out-of-bounds params: %v", err)
		}
		if got := encode(h.params, h.salt, h.key); got != s {
			t.Fatalf("parse accepted a non-canonical string: %q re-encodes as %q", s, got)
		}
	})
}
