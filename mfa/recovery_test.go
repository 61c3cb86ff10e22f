package mfa

import (
	"bytes"
	"math/big"
	"regexp"
	"strings"
	"testing"
)

func TestNewRecoveryCodes(t *testing.T) {
	codes, hashes := NewRecoveryCodes()
	if len(codes) != RecoveryCodeCount || len(hashes) != RecoveryCodeCount {
		t.Fatalf("%d codes, %d hashes", len(codes), len(hashes))
	}
	shape := regexp.MustCompile(`^[` + RecoveryAlphabet + `]{5}-[` + RecoveryAlphabet + `]{5}$`)
	seen := map[string]bool{}
	for i, c := range codes {
		if !shape.MatchString(c) {
			t.Errorf("code %q has the wrong shape", c)
		}
		if seen[c] || seen[string(hashes[i])] {
			t.Errorf("code %d repeats", i)
		}
		seen[c], seen[string(hashes[i])] = true, true
		if len(hashes[i]) != 32 || !bytes.Equal(hashes[i], HashRecoveryCode(c)) {
			t.Errorf("hash %d is not the hash of code %d", i, i)
		}
	}
}

func TestRecoveryCodesUseWholeAlphabet(t *testing.T) {
	// 100 sets are 10,000 characters; a character of the alphabet is
	// missing from them with probability 32·(31/32)^10000 ≈ 10^-136.
	count := map[rune]int{}
	for range 100 {
		codes, _ := NewRecoveryCodes()
		for _, c := range codes {
			for _, r := range strings.ReplaceAll(c, "-", "") {
				count[r]++
			}
		}
	}
	if len(count) != len(RecoveryAlphabet) {
		t.Fatalf("%d distinct characters used, want %d", len(count), len(RecoveryAlphabet))
	}
}

func TestRecoveryAlphabet(t *testing.T) {
	for _, bad := range "0O1Il" {
		if strings.ContainsRune(RecoveryAlphabet, bad) {
			t.Errorf("alphabet has the ambiguous %q", bad)
		}
	}
	uniq := map[rune]bool{}
	for _, r := range RecoveryAlphabet {
		uniq[r] = true
	}
	if len(uniq) != len(RecoveryAlphabet) || len(RecoveryAlphabet) != 32 {
		t.Fatalf("alphabet has %d distinct of %d characters, want 32", len(uniq), len(RecoveryAlphabet))
	}
	// Entropy claim: alphabet^length ≥ 2^50.
	space := new(big.Int).Exp(big.NewInt(int64(len(RecoveryAlphabet))), big.NewInt(RecoveryCodeLength), nil)
	if space.Cmp(new(big.Int).Lsh(big.NewInt(1), 50)) < 0 {
		t.Fatalf("%v codes are fewer than 2^50", space)
	}
}

func TestHashRecoveryCodeVariants(t *testing.T) {
	const code = "ABCDE-FGH23"
	want := HashRecoveryCode(code)
	for _, v := range []string{"abcde-fgh23", "ABCDEFGH23", "abcdefgh23", " AbCdE fGh23 ", "ab-cd-ef-gh-23", "abcde\tfgh23"} {
		if !bytes.Equal(HashRecoveryCode(v), want) {
			t.Errorf("%q does not hash like %q", v, code)
		}
	}
	for _, v := range []string{"ABCDE-FGH24", "ABCDE-FGH2", "ABCDE-FGH233", "", "ABCDE_FGH23", strings.Repeat(" ", 60) + code} {
		if bytes.Equal(HashRecoveryCode(v), want) {
			t.Errorf("%q hashes like %q", v, code)
		}
	}
}
