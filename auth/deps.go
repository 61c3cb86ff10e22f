package auth

import (
	"context"
	"time"
)

// Hasher hashes and verifies passwords (Argon2id in production).
type Hasher interface {
	Hash(ctx context.Context, pw string) (string, error)
	// Verify reports whether pw matches encoded, and whether encoded
	// should be replaced by a hash with the current parameters.
	Verify(ctx context.Context, encoded, pw string) (ok, needsRehash bool, err error)
	// DummyVerify costs what Verify costs, for accounts that do not exist.
	DummyVerify(ctx context.Context, pw string) error
}

// Policy decides whether a new password is acceptable (length rules).
type Policy interface {
	Check(pw string) error
}

// BreachChecker reports whether a password is known from breaches.
type BreachChecker interface {
	Check(ctx context.Context, pw string) (bool, error)
}

// Indexer computes keyed blind indexes (barrier.Barrier.BlindIndex).
type Indexer func(purpose string, value []byte) []byte

// Clock returns the current time; tests move it.
type Clock func() time.Time

// Strength is feedback on how guessable a password is (zxcvbn): advice
// only, never a rule.
type Strength struct {
	Score       int      `json:"score"`
	Warning     string   `json:"warning,omitempty"`
	Suggestions []string `json:"suggestions,omitempty"`
}

// StrengthMeter rates a password; userInputs are words the password should
// not lean on (the email, for one).
type StrengthMeter func(pw string, userInputs []string) Strength
