package barrier

import (
	"context"
	"crypto/cipher"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"time"
)

// Options tune rotation and caching. Zero values take the defaults.
type Options struct {
	// RotateAfter is the age after which a data key or keyring key stops
	// encrypting and a new version takes over. Default 30 days.
	RotateAfter time.Duration
	// RotateAfterOps is the number of encryptions after which a data key is
	// rotated. Default 2^28, far below the 2^32 random-nonce bound of GCM.
	RotateAfterOps int64
	// OpsBatch is how many operations an instance reserves at a time in the
	// key store, so that counts hold across instances. Default 1024.
	OpsBatch int64
	// CacheTTL is how long unwrapped data keys are trusted before they are
	// reloaded, which bounds how late an instance notices a rotation or a
	// shred made by another. Default 1 minute.
	CacheTTL time.Duration
	// CacheScopes bounds the number of scopes whose keys are cached.
	// Default 10,000.
	CacheScopes int
	// Now returns the current time; tests replace it.
	Now func() time.Time
}

func (o *Options) defaults() {
	if o.RotateAfter <= 0 {
		o.RotateAfter = 30 * 24 * time.Hour
	}
	if o.RotateAfterOps <= 0 {
		o.RotateAfterOps = 1 << 28
	}
	if o.OpsBatch <= 0 {
		o.OpsBatch = 1024
	}
	if o.CacheTTL <= 0 {
		o.CacheTTL = time.Minute
	}
	if o.CacheScopes <= 0 {
		o.CacheScopes = 10000
	}
	if o.Now == nil {
		o.Now = time.Now
	}
}

// Barrier encrypts and decrypts stored values. It is safe for concurrent use.
type Barrier struct {
	ks   KeyStore
	opts Options
	src  string

	mu       sync.Mutex
	root     cipher.AEAD
	keks     map[uint32]cipher.AEAD
	kekMeta  map[uint32]KeyringKey
	newest   uint32 // newest KEK version
	indexKey []byte
	indexAt  time.Time // when the index key was created; zero if none
	// keyringAt is when the keyring was last loaded; new data keys are
	// wrapped only under a keyring at most CacheTTL old.
	keyringAt time.Time
	// indexKeys caches the per-purpose keys derived from indexKey.
	indexKeys sync.Map
	scopes    map[Scope]*scopeKeys
}

// scopeKeys is the cached, unwrapped key set of one scope.
type scopeKeys struct {
	loadedAt time.Time
	aeads    map[uint32]cipher.AEAD
	newest   DataKey
	budget   int64 // operations reserved and not yet used on newest
}

// ErrWrongRootKey means the root key could not unwrap the stored keyring.
var ErrWrongRootKey = errors.New("the root key does not match this data store: the keyring failed to decrypt (wrong key, or a different data directory)")

// Open unseals the barrier: it reads the root key from src, loads and
// unwraps the keyring from ks, and creates the first keyring keys if the
// store is new.
func Open(ctx context.Context, src RootKeySource, ks KeyStore, opts Options) (*Barrier, error) {
	opts.defaults()
	rk, err := src.RootKey(ctx)
	if err != nil {
		return nil, err
	}
	root, err := newGCM(rk)
	clear(rk)
	if err != nil {
		return nil, fmt.Errorf("root key: %w", err)
	}
	b := &Barrier{ks: ks, opts: opts, src: src.Name(), root: root, scopes: map[Scope]*scopeKeys{}}
	if err := b.loadKeyring(ctx); err != nil {
		return nil, err
	}
	if b.indexKey == nil {
		if err := b.addKeyringKey(ctx, KindIndex); err != nil {
			return nil, err
		}
	}
	if b.newest == 0 || b.opts.Now().Sub(b.kekMeta[b.newest].CreatedAt) > b.opts.RotateAfter {
		if err := b.addKeyringKey(ctx, KindKEK); err != nil {
			return nil, err
		}
	}
	return b, nil
}

// RootKeySource names where the root key came from.
func (b *Barrier) RootKeySource() string { return b.src }

func keyringAD(kind string, version uint32) []byte {
	return []byte("quire.keyring.v1\x00" + kind + "\x00" + strconv.FormatUint(uint64(version), 10))
}

func dataKeyAD(scope Scope, version uint32) []byte {
	return []byte("quire.datakey.v1\x00" + string(scope) + "\x00" + strconv.FormatUint(uint64(version), 10))
}

// loadKeyring replaces the in-memory keyring with the stored one.
func (b *Barrier) loadKeyring(ctx context.Context) error {
	stored, err := b.ks.LoadKeyring(ctx)
	if err != nil {
		return fmt.Errorf("load keyring: %w", err)
	}
	keks, meta := map[uint32]cipher.AEAD{}, map[uint32]KeyringKey{}
	var newest uint32
	var index []byte
	var indexAt time.Time
	for _, k := range stored {
		raw, err := open(b.root, keyringAD(k.Kind, k.Version), k.Wrapped)
		if err != nil {
			return ErrWrongRootKey
		}
		switch k.Kind {
		case KindIndex:
			index, indexAt = raw, k.CreatedAt
		case KindKEK:
			aead, err := newGCM(raw)
			if err != nil {
				return fmt.Errorf("keyring key %d: %w", k.Version, err)
			}
			keks[k.Version], meta[k.Version] = aead, KeyringKey{Version: k.Version, Kind: k.Kind, CreatedAt: k.CreatedAt}
			newest = max(newest, k.Version)
		default:
			return fmt.Errorf("keyring key %d has unknown kind %q", k.Version, k.Kind)
		}
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.keks, b.kekMeta, b.newest, b.indexKey, b.indexAt = keks, meta, newest, index, indexAt
	b.keyringAt = b.opts.Now()
	return nil
}

// addKeyringKey stores a new keyring key of kind, retrying if another
// instance took the version first.
func (b *Barrier) addKeyringKey(ctx context.Context, kind string) error {
	for range 5 {
		b.mu.Lock()
		next := uint32(1)
		for v := range b.kekMeta {
			next = max(next, v+1)
		}
		if kind == KindIndex {
			next = 0 // the one index key has its own row
		}
		b.mu.Unlock()
		k := KeyringKey{Version: next, Kind: kind, CreatedAt: b.opts.Now().UTC(),
			Wrapped: seal(b.root, 1, keyringAD(kind, next), randomKey())}
		err := b.ks.InsertKeyringKey(ctx, k)
		if err != nil && !errors.Is(err, ErrExists) {
			return fmt.Errorf("store keyring key: %w", err)
		}
		if err := b.loadKeyring(ctx); err != nil {
			return err
		}
		if err == nil || kind == KindIndex {
			return nil
		}
	}
	return errors.New("store keyring key: too many concurrent rotations")
}
