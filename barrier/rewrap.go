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

// A RetirePlan records each scope's newest data key before the records are
// re-encrypted, so that Retire deletes only versions older than the ones the
// records were moved to, even if keys rotate again while the pass runs.
type RetirePlan struct {
	newest map[Scope]DataKey
	taken  time.Time
}

// PlanRetire takes a RetirePlan. Call it before re-encrypting the records.
func (b *Barrier) PlanRetire(ctx context.Context) (*RetirePlan, error) {
	keys, err := b.ks.ListDataKeys(ctx)
	if err != nil {
		return nil, fmt.Errorf("list data keys: %w", err)
	}
	return &RetirePlan{newest: newestPerScope(keys), taken: b.opts.Now()}, nil
}

// Retire is the destructive last step of `quire keys rewrap`. It deletes,
// for each scope in plan, the data-key versions older than the plan's newest,
// and then the keyring keys that wrap no data key and are not the newest.
// The caller must have re-encrypted every stored value after taking plan
// (the store's Rewrap does) or the values left under old versions are lost.
//
// No key is deleted that a running instance may still encrypt or wrap with:
// a scope is skipped unless its newest version was already older than the
// cache TTL when the plan was taken (instances reload their keys within
// the TTL, so none was still writing under an older one during the pass),
// and a keyring key goes only once its successor is older than the TTL.
func (b *Barrier) Retire(ctx context.Context, plan *RetirePlan) (dataKeys, keyringKeys int, err error) {
	keys, err := b.ks.ListDataKeys(ctx)
	if err != nil {
		return 0, 0, fmt.Errorf("list data keys: %w", err)
	}
	usedKEK := map[uint32]bool{}
	for _, k := range keys {
		n, planned := plan.newest[k.Scope]
		settled := planned && n.CreatedAt.Before(plan.taken.Add(-b.opts.CacheTTL))
		if !settled || k.Version >= n.Version {
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
	for _, v := range b.retirableKEKs(usedKEK) {
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

// retirableKEKs lists the keyring keys that wrap nothing and whose successor
// is older than the cache TTL, so that no instance still wraps new data keys
// under them.
func (b *Barrier) retirableKEKs(used map[uint32]bool) []uint32 {
	b.mu.Lock()
	defer b.mu.Unlock()
	cutoff := b.opts.Now().Add(-b.opts.CacheTTL)
	var out []uint32
	for v := range b.kekMeta {
		if v == b.newest || used[v] {
			continue
		}
		next := b.newest
		for w := range b.kekMeta {
			if w > v && w < next {
				next = w
			}
		}
		if b.kekMeta[next].CreatedAt.Before(cutoff) {
			out = append(out, v)
		}
	}
	return out
}

// SettlesAt returns when the plan's newest keys will all be older than the
// cache TTL, the earliest time a plan taken then can retire everything.
func (p *RetirePlan) SettlesAt(ttl time.Duration) time.Time {
	var latest time.Time
	for _, k := range p.newest {
		if k.CreatedAt.After(latest) {
			latest = k.CreatedAt
		}
	}
	return latest.Add(ttl)
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
