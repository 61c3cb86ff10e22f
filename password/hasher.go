package password

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"fmt"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"
	"golang.org/x/text/unicode/norm"

	"github.com/quirehq/quire"
)

// MaxBytes is the longest password, in bytes as received, that a Hasher
// will hash. Policy refuses long passwords with a friendlier message first;
// this bound only keeps normalisation and hashing cheap whatever the input.
const MaxBytes = bytesPerRune * MaxMaxLength

// Options configure a Hasher. Zero values take the defaults.
type Options struct {
	// Params are the parameters of new hashes. Default DefaultParams().
	Params Params
	// MaxConcurrent caps the hashes computed at once; callers beyond it
	// wait, bounded by their context. Default DefaultMaxConcurrent(Params).
	MaxConcurrent int
}

// Hasher hashes and verifies passwords with Argon2id. It is safe for
// concurrent use.
type Hasher struct {
	params Params
	sem    chan struct{}
	// dummy is a PHC string under params with random salt and key, so that
	// DummyVerify does exactly the work of Verify.
	dummy string
	// key derives the Argon2id key; onWait runs when a caller has to queue.
	// Both exist for tests, which count callers inside and waiting.
	key    func(pw, salt []byte, p Params) []byte
	onWait func()
}

// New returns a Hasher, or an error if the parameters are out of bounds.
func New(o Options) (*Hasher, error) {
	if o.Params == (Params{}) {
		o.Params = DefaultParams()
	}
	if err := o.Params.Validate(); err != nil {
		return nil, fmt.Errorf("password: %w", err)
	}
	if o.MaxConcurrent <= 0 {
		o.MaxConcurrent = DefaultMaxConcurrent(o.Params)
	}
	h := &Hasher{
		params: o.Params,
		sem:    make(chan struct{}, o.MaxConcurrent),
		key:    argon2id,
	}
	h.dummy = encode(o.Params, random(o.Params.SaltLen), random(o.Params.KeyLen))
	return h, nil
}

// Params returns the parameters of new hashes.
func (h *Hasher) Params() Params { return h.params }

// Hash returns the PHC string of the NFKC form of pw under a fresh salt:
// $argon2id$v=19$m=65536,t=3,p=4$<salt>$<hash>. It fails with EINVALID
// for invalid UTF-8, EPASSWORDTOOLONG beyond MaxBytes, and EUNAVAILABLE if
// ctx ends while waiting for a free slot.
func (h *Hasher) Hash(ctx context.Context, pw string) (string, error) {
	if len(pw) > MaxBytes {
		return "", quire.Errorf(quire.EPASSWORDTOOLONG, "The password is too long.")
	}
	if !utf8.ValidString(pw) {
		return "", quire.Errorf(quire.EINVALID, "The password is not valid text.")
	}
	salt := random(h.params.SaltLen)
	key, err := h.derive(ctx, pw, salt, h.params)
	if err != nil {
		return "", err
	}
	return encode(h.params, salt, key), nil
}

// Verify reports whether pw matches the PHC string encoded, comparing in
// constant time. needsRehash is true only when ok is true and encoded was
// made with other parameters than the Hasher's: the caller should then
// store Hash(pw). A password longer than MaxBytes never matches (Hash
// refuses it) and is not hashed. A malformed encoded string is EINTERNAL.
func (h *Hasher) Verify(ctx context.Context, encoded, pw string) (ok, needsRehash bool, err error) {
	if len(pw) > MaxBytes {
		return false, false, nil
	}
	stored, err := parse(encoded)
	if err != nil {
		return false, false, quire.WrapError(quire.EINTERNAL, "Internal error.", err)
	}
	key, err := h.derive(ctx, pw, stored.salt, stored.params)
	if err != nil {
		return false, false, err
	}
	ok = subtle.ConstantTimeCompare(key, stored.key) == 1
	return ok, ok && stored.params != h.params, nil
}

// DummyVerify does the work of Verify against an internal hash that no
// password matches, so that a sign-in for an unknown account costs the
// same time as one for a known account. Its only error is EUNAVAILABLE.
func (h *Hasher) DummyVerify(ctx context.Context, pw string) error {
	_, _, err := h.Verify(ctx, h.dummy, pw)
	return err
}

// derive computes the key of the NFKC form of pw inside a concurrency slot.
func (h *Hasher) derive(ctx context.Context, pw string, salt []byte, p Params) ([]byte, error) {
	if err := h.acquire(ctx); err != nil {
		return nil, err
	}
	defer func() { <-h.sem }()
	return h.key([]byte(norm.NFKC.String(pw)), salt, p), nil
}

// acquire takes a slot, waiting until one is free or ctx ends.
func (h *Hasher) acquire(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return busy(err)
	}
	select {
	case h.sem <- struct{}{}:
		return nil
	default:
	}
	if h.onWait != nil {
		h.onWait()
	}
	select {
	case h.sem <- struct{}{}:
		return nil
	case <-ctx.Done():
		return busy(ctx.Err())
	}
}

func busy(cause error) error {
	return quire.WrapError(quire.EUNAVAILABLE, "Too many sign-ins at once. Try again shortly.", cause)
}

func argon2id(pw, salt []byte, p Params) []byte {
	return argon2.IDKey(pw, salt, p.Time, p.Memory, uint8(p.Threads), p.KeyLen)
}

func random(n uint32) []byte {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand.Read never fails on supported platforms.
	return b
}
