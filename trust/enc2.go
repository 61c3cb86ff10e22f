package trust

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/quirehq/quire"
	"github.com/quirehq/quire/barrier"
)

// gcmNonceBound is the number of encryptions under one key after which
// random 96-bit GCM nonces risk colliding (NIST SP 800-38D).
const gcmNonceBound = 1 << 32

// checkENC2 reads the barrier's key state and proves, on a throwaway scope,
// that ciphertexts name their key version, are bound to their record and
// die with their key.
func checkENC2(ctx context.Context, env *Env) (Status, []string) {
	var e evidence
	if env.Barrier == nil {
		e.failf("encryption barrier not available: run with the deployment's configuration so the check can unseal it")
		return e.result()
	}
	st, err := env.Barrier.Status(ctx)
	if err != nil {
		e.failf("read the key status: %v", err)
		return e.result()
	}
	keyStatus(&e, st)
	liveKeyProof(ctx, &e, env.Barrier)
	return e.result()
}

// keyStatus checks the keyring and rotation settings and reports counts.
func keyStatus(e *evidence, st barrier.Status) {
	if st.RootKeySource == "" {
		e.failf("the root key source is not named")
	} else {
		e.notef("root key source: %s", st.RootKeySource)
	}
	var keks int
	var newest barrier.KeyringStatus
	for _, k := range st.Keyring {
		if k.Kind == barrier.KindKEK {
			keks++
			if k.Newest {
				newest = k
			}
		}
	}
	if keks == 0 {
		e.failf("the keyring holds no key-encryption key")
	} else {
		e.notef("keyring: %d key-encryption key version(s), newest v%d created %s ago, plus the blind-index key",
			keks, newest.Version, approx(time.Since(newest.CreatedAt)))
	}
	switch {
	case st.RotateAfter <= 0:
		e.failf("rotation by age is not configured")
	case st.RotateAfterOps <= 0 || st.RotateAfterOps > gcmNonceBound:
		e.failf("rotation by operation count is %d, want between 1 and 2^32", st.RotateAfterOps)
	default:
		e.notef("rotation: keys rotate after %s or %d encryptions, whichever comes first (bound 2^32)", approx(st.RotateAfter), st.RotateAfterOps)
	}
	if st.MaxOps > gcmNonceBound {
		e.failf("a data key has been used for %d encryptions, beyond the 2^32 bound", st.MaxOps)
	}
	e.notef("data keys: %d in %d scope(s); %d older version(s) awaiting retirement; %d wrapped by an older keyring key (quire keys rewrap re-wraps them); most used key: %d encryptions",
		st.DataKeys, st.Scopes, st.OldDataKeys, st.StaleDataKeys, st.MaxOps)
}

// liveKeyProof encrypts a random value on a fresh scope that no tenant uses,
// checks record binding and shredding, and leaves no key behind.
func liveKeyProof(ctx context.Context, e *evidence, b *barrier.Barrier) {
	scope := barrier.Scope("trust-check:" + quire.NewID())
	row := quire.NewID()
	adA, adB := barrier.AD("trust_check", row, "a"), barrier.AD("trust_check", row, "b")
	plain := []byte(newMarker())
	defer func() {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cleanupTimeout)
		defer cancel()
		if err := b.Shred(ctx, scope); err != nil {
			e.failf("cleanup: shred the check's scope: %v", err)
		}
	}()
	ct, err := b.Encrypt(ctx, scope, adA, plain)
	if err != nil {
		e.failf("encrypt on a fresh scope: %v", err)
		return
	}
	v, err := barrier.KeyVersion(ct)
	if err != nil || v == 0 {
		e.failf("the ciphertext does not name a data-key version")
		return
	}
	if got, err := b.Decrypt(ctx, scope, adA, ct); err != nil || !bytes.Equal(got, plain) {
		e.failf("a value did not decrypt with its own associated data")
		return
	}
	if _, err := b.Decrypt(ctx, scope, adB, ct); !errors.Is(err, barrier.ErrAuth) {
		e.failf("decrypting with another record's associated data did not fail authentication (got %v)", err)
		return
	}
	e.notef("live: a value encrypted on a fresh scope names data-key version %d, decrypts for its record and fails authentication for another record", v)
	if err := b.Shred(ctx, scope); err != nil {
		e.failf("shred the check's scope: %v", err)
		return
	}
	if _, err := b.Decrypt(ctx, scope, adA, ct); !errors.Is(err, barrier.ErrNoKey) {
		e.failf("after shredding its keys the value still decrypts or fails otherwise (got %v)", err)
		return
	}
	e.notef("live: after shredding the scope's data keys the value no longer decrypts (no key)")
}

// approx formats a duration for people: whole days when it is at least a
// day, else rounded to the minute.
func approx(d time.Duration) string {
	const day = 24 * time.Hour
	switch {
	case d >= 2*day:
		return fmt.Sprintf("%d days", d/day)
	case d >= day:
		return "1 day"
	default:
		return d.Round(time.Minute).String()
	}
}
