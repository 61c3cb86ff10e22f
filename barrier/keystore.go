package barrier

import (
	"context"
	"errors"
	"time"
)

// Key kinds held in the keyring.
const (
	// KindKEK keys wrap data keys; the newest one wraps new data keys.
	KindKEK = "kek"
	// KindIndex keys derive blind-index keys; there is one, never rotated by
	// `keys rotate`, since rotating it would orphan every index.
	KindIndex = "index"
)

// ErrExists is returned by a KeyStore when a key with the same identity was
// stored first (by another instance, say). The barrier then reloads.
var ErrExists = errors.New("key already exists")

// KeyringKey is one key of the keyring, wrapped by the root key.
type KeyringKey struct {
	Version   uint32
	Kind      string
	Wrapped   []byte
	CreatedAt time.Time
}

// DataKey is one version of a scope's data key, wrapped by a keyring key.
// Ops counts encryptions reserved under it (never fewer than were made).
type DataKey struct {
	Scope      Scope
	Version    uint32
	KEKVersion uint32
	Wrapped    []byte
	CreatedAt  time.Time
	Ops        int64
}

// KeyStore persists the keyring and the wrapped data keys. The SQLite and
// PostgreSQL stores implement it; it sees only wrapped key material.
type KeyStore interface {
	// LoadKeyring returns every keyring key, in any order.
	LoadKeyring(ctx context.Context) ([]KeyringKey, error)
	// InsertKeyringKey stores k, or returns ErrExists if its version is taken.
	InsertKeyringKey(ctx context.Context, k KeyringKey) error
	// DeleteKeyringKey removes a retired keyring key.
	DeleteKeyringKey(ctx context.Context, version uint32) error

	// LoadDataKeys returns every version of scope's data key, in any order.
	LoadDataKeys(ctx context.Context, scope Scope) ([]DataKey, error)
	// ListDataKeys returns every data key of every scope (Wrapped may be nil).
	ListDataKeys(ctx context.Context) ([]DataKey, error)
	// InsertDataKey stores k, or returns ErrExists if (scope, version) is taken.
	InsertDataKey(ctx context.Context, k DataKey) error
	// UpdateDataKeyWrap replaces the wrapping of one data key version.
	UpdateDataKeyWrap(ctx context.Context, scope Scope, version, kekVersion uint32, wrapped []byte) error
	// ReserveOps atomically adds n to the key's operation count and returns
	// the new total.
	ReserveOps(ctx context.Context, scope Scope, version uint32, n int64) (int64, error)
	// DeleteDataKey removes one retired data key version.
	DeleteDataKey(ctx context.Context, scope Scope, version uint32) error
	// DeleteDataKeys removes every version of scope's data key: crypto-shredding.
	DeleteDataKeys(ctx context.Context, scope Scope) error
}
