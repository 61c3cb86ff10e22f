package barrier

import (
	"context"
	"fmt"
	"sort"
	"time"
)

// RewrapDataKeys re-wraps every data key that is not wrapped by the newest
// keyring key. It is idempotent: an interrupted run is finished by the next.
// progress, if not nil, is called after each key with done and total.
func (b *Barrier) RewrapDataKeys(ctx context.Context, progress func(done, total int)) error {
	if err := b.loadKeyring(ctx); err != nil {
		return err
	}
	keys, err := b.ks.ListDataKeys(ctx)
	if err != nil {
		return fmt.Errorf("list data keys: %w", err)
	}
	newest := b.newestKEK().Version
	for i, k := range keys {
		if err := ctx.Err(); err != nil {
			return err
		}
		if k.KEKVersion != newest {
			if err := b.rewrapDataKey(ctx, k.Scope, k.Version, newest); err != nil {
				return err
			}
		}
		if progress != nil {
			progress(i+1, len(keys))
		}
	}
	return nil
}

func (b *Barrier) rewrapDataKey(ctx context.Context, scope Scope, version, kekVersion uint32) error {
	stored, err := b.ks.LoadDataKeys(ctx, scope)
	if err != nil {
		return fmt.Errorf("load data keys: %w", err)
	}
	for _, k := range stored {
		if k.Version != version || k.KEKVersion == kekVersion {
			continue
		}
		raw, err := b.unwrapRaw(ctx, k)
		if err != nil {
			return err
		}
		b.mu.Lock()
		kek := b.keks[kekVersion]
		b.mu.Unlock()
		wrapped := seal(kek, kekVersion, dataKeyAD(scope, version), raw)
		clear(raw)
		if err := b.ks.UpdateDataKeyWrap(ctx, scope, version, kekVersion, wrapped); err != nil {
			return fmt.Errorf("rewrap data key: %w", err)
		}
	}
	return nil
}

func (b *Barrier) unwrapRaw(ctx context.Context, k DataKey) ([]byte, error) {
	if _, err := b.unwrapDataKey(ctx, k); err != nil { // loads the keyring if needed
		return nil, err
	}
	b.mu.Lock()
	kek := b.keks[k.KEKVersion]
	b.mu.Unlock()
	return open(kek, dataKeyAD(k.Scope, k.Version), k.Wrapped)
}

// Retire deletes data keys that are no longer the newest of their scope, and
// keyring keys that wrap no data key and are not the newest. The caller must
// first have re-encrypted every stored value under its scope's newest key
// (the store's Rewrap does) or those values are lost: Retire is the
// destructive last step of `quire keys rewrap`. A version is retired only once
// its successor is older than the cache TTL, so that no instance is still
// encrypting with it.
func (b *Barrier) Retire(ctx context.Context) (dataKeys, keyringKeys int, err error) {
	keys, err := b.ks.ListDataKeys(ctx)
	if err != nil {
		return 0, 0, fmt.Errorf("list data keys: %w", err)
	}
	newest := newestPerScope(keys)
	cutoff := b.opts.Now().Add(-b.opts.CacheTTL)
	usedKEK := map[uint32]bool{}
	for _, k := range keys {
		n := newest[k.Scope]
		if k.Version == n.Version || n.CreatedAt.After(cutoff) {
			usedKEK[k.KEKVersion] = true
			continue
		}
		if err := b.ks.DeleteDataKey(ctx, k.Scope, k.Version); err != nil {
			return dataKeys, 0, fmt.Errorf("retire data key: %w", err)
		}
		dataKeys++
	}
	if err := b.loadKeyring(ctx); err != nil {
		return dataKeys, 0, err
	}
	newestKEK := b.newestKEK().Version
	b.mu.Lock()
	var retire []uint32
	for v := range b.kekMeta {
		if v != newestKEK && !usedKEK[v] {
			retire = append(retire, v)
		}
	}
	b.mu.Unlock()
	for _, v := range retire {
		if err := b.ks.DeleteKeyringKey(ctx, v); err != nil {
			return dataKeys, keyringKeys, fmt.Errorf("retire keyring key: %w", err)
		}
		keyringKeys++
	}
	b.mu.Lock()
	clear(b.scopes)
	b.mu.Unlock()
	return dataKeys, keyringKeys, b.loadKeyring(ctx)
}

// NewestDataKeyVersions returns each scope's newest data-key version, for
// stores that scan their records to find values under older keys.
func (b *Barrier) NewestDataKeyVersions(ctx context.Context) (map[Scope]uint32, error) {
	keys, err := b.ks.ListDataKeys(ctx)
	if err != nil {
		return nil, fmt.Errorf("list data keys: %w", err)
	}
	out := map[Scope]uint32{}
	for s, k := range newestPerScope(keys) {
		out[s] = k.Version
	}
	return out, nil
}

// Status describes the keyring and data keys without revealing key material.
type Status struct {
	RootKeySource string          `json:"rootKeySource"`
	Keyring       []KeyringStatus `json:"keyring"`
	Scopes        int             `json:"scopes"`
	DataKeys      int             `json:"dataKeys"`
	// StaleDataKeys counts data keys wrapped by an older keyring key.
	StaleDataKeys int `json:"staleDataKeys"`
	// OldDataKeys counts data keys that are no longer their scope's newest.
	OldDataKeys    int           `json:"oldDataKeys"`
	MaxOps         int64         `json:"maxOps"`
	RotateAfterOps int64         `json:"rotateAfterOps"`
	RotateAfter    time.Duration `json:"rotateAfter"`
}

// KeyringStatus describes one keyring key.
type KeyringStatus struct {
	Version   uint32    `json:"version"`
	Kind      string    `json:"kind"`
	CreatedAt time.Time `json:"createdAt"`
	DataKeys  int       `json:"dataKeys"`
	Newest    bool      `json:"newest"`
}

// Status reports the state of the keyring and the data keys.
func (b *Barrier) Status(ctx context.Context) (Status, error) {
	if err := b.loadKeyring(ctx); err != nil {
		return Status{}, err
	}
	keys, err := b.ks.ListDataKeys(ctx)
	if err != nil {
		return Status{}, fmt.Errorf("list data keys: %w", err)
	}
	newest := newestPerScope(keys)
	st := Status{RootKeySource: b.src, Scopes: len(newest), DataKeys: len(keys),
		RotateAfterOps: b.opts.RotateAfterOps, RotateAfter: b.opts.RotateAfter}
	perKEK := map[uint32]int{}
	nk := b.newestKEK().Version
	for _, k := range keys {
		perKEK[k.KEKVersion]++
		st.MaxOps = max(st.MaxOps, k.Ops)
		if k.KEKVersion != nk {
			st.StaleDataKeys++
		}
		if k.Version != newest[k.Scope].Version {
			st.OldDataKeys++
		}
	}
	b.mu.Lock()
	for v, m := range b.kekMeta {
		st.Keyring = append(st.Keyring, KeyringStatus{Version: v, Kind: m.Kind, CreatedAt: m.CreatedAt, DataKeys: perKEK[v], Newest: v == nk})
	}
	if b.indexKey != nil {
		st.Keyring = append(st.Keyring, KeyringStatus{Kind: KindIndex, CreatedAt: b.indexAt})
	}
	b.mu.Unlock()
	sort.Slice(st.Keyring, func(i, j int) bool { return st.Keyring[i].Version < st.Keyring[j].Version })
	return st, nil
}
