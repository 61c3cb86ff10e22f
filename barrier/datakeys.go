package barrier

import (
	"context"
	"crypto/cipher"
	"errors"
	"fmt"
)

// loadScope reads and unwraps every data key of scope. A scope with no keys
// yields an empty set.
func (b *Barrier) loadScope(ctx context.Context, scope Scope) (*scopeKeys, error) {
	stored, err := b.ks.LoadDataKeys(ctx, scope)
	if err != nil {
		return nil, fmt.Errorf("load data keys: %w", err)
	}
	sk := &scopeKeys{loadedAt: b.opts.Now(), aeads: map[uint32]cipher.AEAD{}}
	for _, k := range stored {
		aead, err := b.unwrapDataKey(ctx, k)
		if err != nil {
			return nil, err
		}
		sk.aeads[k.Version] = aead
		if k.Version > sk.newest.Version {
			sk.newest = k
		}
	}
	return sk, nil
}

func (b *Barrier) unwrapDataKey(ctx context.Context, k DataKey) (cipher.AEAD, error) {
	b.mu.Lock()
	kek, ok := b.keks[k.KEKVersion]
	b.mu.Unlock()
	if !ok { // wrapped under a keyring key this instance has not loaded yet
		if err := b.loadKeyring(ctx); err != nil {
			return nil, err
		}
		b.mu.Lock()
		kek, ok = b.keks[k.KEKVersion]
		b.mu.Unlock()
		if !ok {
			return nil, fmt.Errorf("data key %d of %s is wrapped by missing keyring key %d", k.Version, k.Scope, k.KEKVersion)
		}
	}
	raw, err := open(kek, dataKeyAD(k.Scope, k.Version), k.Wrapped)
	if err != nil {
		return nil, fmt.Errorf("data key %d of %s: %w", k.Version, k.Scope, err)
	}
	defer clear(raw)
	return newGCM(raw)
}

// cached returns scope's cached keys if they are fresh enough.
func (b *Barrier) cached(scope Scope) *scopeKeys {
	b.mu.Lock()
	defer b.mu.Unlock()
	sk := b.scopes[scope]
	if sk != nil && b.opts.Now().Sub(sk.loadedAt) > b.opts.CacheTTL {
		delete(b.scopes, scope)
		return nil
	}
	return sk
}

func (b *Barrier) remember(scope Scope, sk *scopeKeys) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.scopes) >= b.opts.CacheScopes {
		for s := range b.scopes { // evict an arbitrary entry
			delete(b.scopes, s)
			break
		}
	}
	b.scopes[scope] = sk
}

func (b *Barrier) decryptionKey(ctx context.Context, scope Scope, v uint32) (cipher.AEAD, error) {
	if sk := b.cached(scope); sk != nil {
		b.mu.Lock()
		aead := sk.aeads[v]
		b.mu.Unlock()
		if aead != nil {
			return aead, nil
		}
	}
	sk, err := b.loadScope(ctx, scope)
	if err != nil {
		return nil, err
	}
	if len(sk.aeads) > 0 {
		b.remember(scope, sk)
	}
	if aead := sk.aeads[v]; aead != nil {
		return aead, nil
	}
	return nil, ErrNoKey
}

// newestVersion returns scope's newest data-key version without reserving
// an encryption; ErrNoKey if the scope has no keys.
func (b *Barrier) newestVersion(ctx context.Context, scope Scope) (uint32, error) {
	sk := b.cached(scope)
	if sk == nil {
		var err error
		if sk, err = b.loadScope(ctx, scope); err != nil {
			return 0, err
		}
		if len(sk.aeads) == 0 {
			return 0, ErrNoKey
		}
		b.remember(scope, sk)
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	return sk.newest.Version, nil
}

// encryptionKey returns scope's key set with budget reserved for one more
// encryption under its newest key, creating or rotating the key as needed.
func (b *Barrier) encryptionKey(ctx context.Context, scope Scope) (*scopeKeys, error) {
	for range 5 {
		sk, err := b.tryEncryptionKey(ctx, scope)
		if errors.Is(err, errStale) {
			b.mu.Lock()
			delete(b.scopes, scope)
			b.mu.Unlock()
			continue
		}
		return sk, err
	}
	return nil, errors.New("data key: too many concurrent rotations")
}

func (b *Barrier) tryEncryptionKey(ctx context.Context, scope Scope) (*scopeKeys, error) {
	sk := b.cached(scope)
	if sk == nil {
		var err error
		if sk, err = b.loadScope(ctx, scope); err != nil {
			return nil, err
		}
		if len(sk.aeads) == 0 {
			if _, err := b.newDataKey(ctx, scope, 1); err != nil {
				return nil, err
			}
			return nil, errStale
		}
		b.remember(scope, sk)
	}
	b.mu.Lock()
	if sk.budget > 0 {
		sk.budget--
		b.mu.Unlock()
		return sk, nil
	}
	newest := sk.newest
	b.mu.Unlock()
	if b.opts.Now().Sub(newest.CreatedAt) > b.opts.RotateAfter {
		return nil, b.rotateScope(ctx, scope, newest.Version)
	}
	total, err := b.ks.ReserveOps(ctx, scope, newest.Version, b.opts.OpsBatch)
	if err != nil {
		return nil, fmt.Errorf("reserve key operations: %w", err)
	}
	if total > b.opts.RotateAfterOps {
		return nil, b.rotateScope(ctx, scope, newest.Version)
	}
	b.mu.Lock()
	sk.budget += b.opts.OpsBatch - 1
	b.mu.Unlock()
	return sk, nil
}

// rotateScope creates the version after current and reports errStale so the
// caller reloads; losing the race to another instance is fine.
func (b *Barrier) rotateScope(ctx context.Context, scope Scope, current uint32) error {
	if b.opts.Now().Sub(b.newestKEK().CreatedAt) > b.opts.RotateAfter {
		if err := b.addKeyringKey(ctx, KindKEK); err != nil {
			return err
		}
	}
	if _, err := b.newDataKey(ctx, scope, current+1); err != nil {
		return err
	}
	return errStale
}

func (b *Barrier) newestKEK() KeyringKey {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.kekMeta[b.newest]
}

// newDataKey stores a new random data key version for scope, wrapped under
// the newest keyring key. ErrExists from the store is not an error: another
// instance made that version first.
func (b *Barrier) newDataKey(ctx context.Context, scope Scope, version uint32) (DataKey, error) {
	b.mu.Lock()
	stale := b.opts.Now().Sub(b.keyringAt) > b.opts.CacheTTL
	b.mu.Unlock()
	if stale { // another instance may have rotated, and may retire ours
		if err := b.loadKeyring(ctx); err != nil {
			return DataKey{}, err
		}
	}
	b.mu.Lock()
	kv, kek := b.newest, b.keks[b.newest]
	b.mu.Unlock()
	raw := randomKey()
	defer clear(raw)
	k := DataKey{Scope: scope, Version: version, KEKVersion: kv, CreatedAt: b.opts.Now().UTC(),
		Wrapped: seal(kek, kv, dataKeyAD(scope, version), raw)}
	if err := b.ks.InsertDataKey(ctx, k); err != nil && !errors.Is(err, ErrExists) {
		return DataKey{}, fmt.Errorf("store data key: %w", err)
	}
	return k, nil
}
