package barrier

import (
	"context"
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/sha256"
	"errors"
	"fmt"
)

// Encrypt seals plaintext under scope's newest data key, bound to ad (see AD).
// The scope's first data key is created on first use.
func (b *Barrier) Encrypt(ctx context.Context, scope Scope, ad, plaintext []byte) ([]byte, error) {
	sk, err := b.encryptionKey(ctx, scope)
	if err != nil {
		return nil, err
	}
	return seal(sk.aeads[sk.newest.Version], sk.newest.Version, valueAD(scope, ad), plaintext), nil
}

// Decrypt opens a value sealed by Encrypt for the same scope and ad.
func (b *Barrier) Decrypt(ctx context.Context, scope Scope, ad, ct []byte) ([]byte, error) {
	v, err := parseVersion(ct)
	if err != nil {
		return nil, err
	}
	aead, err := b.decryptionKey(ctx, scope, v)
	if err != nil {
		return nil, err
	}
	return open(aead, valueAD(scope, ad), ct)
}

// Reencrypt returns ct sealed under scope's newest data key, and whether it
// changed. Values already under the newest key are returned as they are,
// without using up an encryption, and so are values of a shredded scope
// (one with no keys at all), left behind when a delete stopped between
// shredding and removing its rows.
func (b *Barrier) Reencrypt(ctx context.Context, scope Scope, ad, ct []byte) ([]byte, bool, error) {
	v, err := parseVersion(ct)
	if err != nil {
		return nil, false, err
	}
	newest, err := b.newestVersion(ctx, scope)
	if errors.Is(err, ErrNoKey) {
		return ct, false, nil // the scope was shredded: nothing to keep readable
	} else if err != nil {
		return nil, false, err
	}
	if v == newest {
		return ct, false, nil
	}
	pt, err := b.Decrypt(ctx, scope, ad, ct)
	if err != nil {
		return nil, false, err
	}
	out, err := b.Encrypt(ctx, scope, ad, pt)
	clear(pt)
	return out, err == nil, err
}

// BlindIndex returns a keyed HMAC-SHA256 of value for equality lookups. Each
// purpose (such as "users.email") gets its own derived key, so indexes of
// different columns cannot be correlated.
func (b *Barrier) BlindIndex(purpose string, value []byte) []byte {
	key, ok := b.indexKeys.Load(purpose)
	if !ok {
		b.mu.Lock()
		ik := b.indexKey
		b.mu.Unlock()
		k, err := hkdf.Key(sha256.New, ik, nil, "quire.blindindex.v1\x00"+purpose, 32)
		if err != nil {
			panic("barrier: hkdf: " + err.Error()) // unreachable: fixed, valid lengths
		}
		key, _ = b.indexKeys.LoadOrStore(purpose, k)
	}
	m := hmac.New(sha256.New, key.([]byte))
	m.Write(value)
	return m.Sum(nil)
}

// Shred deletes every data key of scope from the key store, making all data
// encrypted under it unrecoverable with that key store. A backup of the key
// store made before holds its own copy of the wrapped keys, and opens with
// the root key until that backup is deleted.
func (b *Barrier) Shred(ctx context.Context, scope Scope) error {
	if err := b.ks.DeleteDataKeys(ctx, scope); err != nil {
		return fmt.Errorf("shred keys: %w", err)
	}
	b.mu.Lock()
	delete(b.scopes, scope)
	b.mu.Unlock()
	return nil
}

// Rotate adds a new keyring key; new data keys are wrapped under it. Every
// scope that has keys gets a new data key version at once, so that from now
// on all new values are encrypted under fresh keys.
func (b *Barrier) Rotate(ctx context.Context) error {
	if err := b.addKeyringKey(ctx, KindKEK); err != nil {
		return err
	}
	keys, err := b.ks.ListDataKeys(ctx)
	if err != nil {
		return fmt.Errorf("list data keys: %w", err)
	}
	for _, s := range newestPerScope(keys) {
		if _, err := b.newDataKey(ctx, s.Scope, s.Version+1); err != nil {
			return err
		}
	}
	b.mu.Lock()
	clear(b.scopes)
	b.mu.Unlock()
	return nil
}

func newestPerScope(keys []DataKey) map[Scope]DataKey {
	out := map[Scope]DataKey{}
	for _, k := range keys {
		if cur, ok := out[k.Scope]; !ok || k.Version > cur.Version {
			out[k.Scope] = k
		}
	}
	return out
}

// errStale asks encryptionKey to reload and try again.
var errStale = errors.New("stale key set")
