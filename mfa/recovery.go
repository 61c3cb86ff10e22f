package mfa

import (
	"crypto/rand"
	"crypto/sha256"
)

// Recovery-code shape: RecoveryCodeCount codes of RecoveryCodeLength
// characters from RecoveryAlphabet, shown as two groups of five.
const (
	RecoveryCodeCount  = 10
	RecoveryCodeLength = 10
	// RecoveryAlphabet has 32 characters, so each is 5 random bits and a
	// code is 50. It leaves out 0, O, 1 and I, which people misread; L
	// stays because codes are shown in upper case, where it is unambiguous.
	RecoveryAlphabet = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
)

// maxRecoveryInput bounds what HashRecoveryCode normalises.
const maxRecoveryInput = 64

// NewRecoveryCodes returns RecoveryCodeCount fresh codes to show the user
// once, formatted "XXXXX-XXXXX", and their hashes to store. With 50 random
// bits a code cannot be guessed offline, so a fast hash (SHA-256) is
// enough; a slow password hash would add cost and no safety.
func NewRecoveryCodes() (codes []string, hashes [][]byte) {
	codes = make([]string, 0, RecoveryCodeCount)
	hashes = make([][]byte, 0, RecoveryCodeCount)
	seen := make(map[string]bool, RecoveryCodeCount)
	for len(codes) < RecoveryCodeCount {
		raw := randomRecoveryCode()
		if seen[string(raw)] {
			continue // 2^-50 per pair; kept so the set is always 10 distinct codes.
		}
		seen[string(raw)] = true
		codes = append(codes, string(raw[:5])+"-"+string(raw[5:]))
		sum := sha256.Sum256(raw)
		hashes = append(hashes, sum[:])
	}
	return codes, hashes
}

// randomRecoveryCode returns RecoveryCodeLength uniform characters of
// RecoveryAlphabet: 256 is a multiple of 32, so masking a random byte to
// five bits has no bias.
func randomRecoveryCode() []byte {
	b := make([]byte, RecoveryCodeLength)
	_, _ = rand.Read(b) // crypto/rand.Read never fails on supported platforms.
	for i := range b {
		b[i] = RecoveryAlphabet[b[i]&31]
	}
	return b
}

// HashRecoveryCode returns the hash to look up for a code the user typed.
// Case, dashes and spaces do not matter. Input that cannot be a code still
// gets a hash (of a value no code has), so callers treat every input alike.
func HashRecoveryCode(input string) []byte {
	sum := sha256.Sum256(normaliseRecoveryCode(input))
	return sum[:]
}

// normaliseRecoveryCode upper-cases ASCII letters and drops dashes and
// white space. Over-long input becomes a single byte outside the alphabet.
func normaliseRecoveryCode(input string) []byte {
	if len(input) > maxRecoveryInput {
		return []byte{0}
	}
	out := make([]byte, 0, RecoveryCodeLength)
	for i := 0; i < len(input); i++ {
		c := input[i]
		switch {
		case c == '-' || c == ' ' || c == '\t':
		case c >= 'a' && c <= 'z':
			out = append(out, c-'a'+'A')
		default:
			out = append(out, c)
		}
	}
	return out
}
