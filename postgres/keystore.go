package postgres

import (
	"context"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/quirehq/quire/barrier"
)

// KeyStore keeps the barrier's keyring and wrapped data keys in the keyring
// and data_keys tables. Access to a workspace's data keys runs bound to that
// workspace, like any other tenant row.
type KeyStore struct{ db *DB }

var _ barrier.KeyStore = (*KeyStore)(nil)

// NewKeyStore returns the key store of db.
func NewKeyStore(db *DB) barrier.KeyStore { return &KeyStore{db: db} }

// scopeBinding binds a transaction to the workspace a scope belongs to, if
// any; user and system scopes need no binding.
func scopeBinding(s barrier.Scope) binding {
	if id, ok := strings.CutPrefix(string(s), "ws:"); ok {
		return tenant(id)
	}
	return binding{}
}

// LoadKeyring implements barrier.KeyStore.
func (ks *KeyStore) LoadKeyring(ctx context.Context) ([]barrier.KeyringKey, error) {
	rows, err := ks.db.pool.Query(ctx, "SELECT version, kind, wrapped, created_at FROM keyring")
	if err != nil {
		return nil, fmt.Errorf("postgres: load keyring: %w", err)
	}
	keys, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (barrier.KeyringKey, error) {
		var k barrier.KeyringKey
		var v int64
		err := r.Scan(&v, &k.Kind, &k.Wrapped, &k.CreatedAt)
		k.Version = uint32(v)
		return k, err
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: load keyring: %w", err)
	}
	return keys, nil
}

// InsertKeyringKey implements barrier.KeyStore.
func (ks *KeyStore) InsertKeyringKey(ctx context.Context, k barrier.KeyringKey) error {
	_, err := ks.db.pool.Exec(ctx, "INSERT INTO keyring (version, kind, wrapped, created_at) VALUES ($1, $2, $3, $4)",
		int64(k.Version), k.Kind, k.Wrapped, k.CreatedAt)
	if pgCode(err) == codeUniqueViolation {
		return barrier.ErrExists
	} else if err != nil {
		return fmt.Errorf("postgres: insert keyring key: %w", err)
	}
	return nil
}

// DeleteKeyringKey implements barrier.KeyStore.
func (ks *KeyStore) DeleteKeyringKey(ctx context.Context, version uint32) error {
	if _, err := ks.db.pool.Exec(ctx, "DELETE FROM keyring WHERE version = $1", int64(version)); err != nil {
		return fmt.Errorf("postgres: delete keyring key: %w", err)
	}
	return nil
}

func scanDataKey(r pgx.CollectableRow) (barrier.DataKey, error) {
	var k barrier.DataKey
	var scope string
	var v, kv int64
	err := r.Scan(&scope, &v, &kv, &k.Wrapped, &k.CreatedAt, &k.Ops)
	k.Scope, k.Version, k.KEKVersion = barrier.Scope(scope), uint32(v), uint32(kv)
	return k, err
}

// LoadDataKeys implements barrier.KeyStore.
func (ks *KeyStore) LoadDataKeys(ctx context.Context, scope barrier.Scope) ([]barrier.DataKey, error) {
	var keys []barrier.DataKey
	err := ks.db.inTx(ctx, scopeBinding(scope), func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, "SELECT scope, version, kek_version, wrapped, created_at, ops FROM data_keys WHERE scope = $1", string(scope))
		if err != nil {
			return err
		}
		keys, err = pgx.CollectRows(rows, scanDataKey)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: load data keys: %w", err)
	}
	return keys, nil
}

// ListDataKeys implements barrier.KeyStore. It returns metadata only
// (Wrapped is nil), through the quire_data_keys function, since it spans
// every tenant.
func (ks *KeyStore) ListDataKeys(ctx context.Context) ([]barrier.DataKey, error) {
	rows, err := ks.db.pool.Query(ctx, "SELECT scope, version, kek_version, NULL::bytea, created_at, ops FROM quire_data_keys()")
	if err != nil {
		return nil, fmt.Errorf("postgres: list data keys: %w", err)
	}
	keys, err := pgx.CollectRows(rows, scanDataKey)
	if err != nil {
		return nil, fmt.Errorf("postgres: list data keys: %w", err)
	}
	return keys, nil
}

// InsertDataKey implements barrier.KeyStore.
func (ks *KeyStore) InsertDataKey(ctx context.Context, k barrier.DataKey) error {
	err := ks.db.inTx(ctx, scopeBinding(k.Scope), func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO data_keys (scope, version, kek_version, wrapped, created_at, ops)
			VALUES ($1, $2, $3, $4, $5, $6)`, string(k.Scope), int64(k.Version), int64(k.KEKVersion), k.Wrapped, k.CreatedAt, k.Ops)
		return err
	})
	if pgCode(err) == codeUniqueViolation {
		return barrier.ErrExists
	} else if err != nil {
		return fmt.Errorf("postgres: insert data key: %w", err)
	}
	return nil
}

// UpdateDataKeyWrap implements barrier.KeyStore.
func (ks *KeyStore) UpdateDataKeyWrap(ctx context.Context, scope barrier.Scope, version, kekVersion uint32, wrapped []byte) error {
	err := ks.exec(ctx, scope, "UPDATE data_keys SET kek_version = $3, wrapped = $4 WHERE scope = $1 AND version = $2",
		string(scope), int64(version), int64(kekVersion), wrapped)
	if err != nil {
		return fmt.Errorf("postgres: rewrap data key: %w", err)
	}
	return nil
}

// ReserveOps implements barrier.KeyStore.
func (ks *KeyStore) ReserveOps(ctx context.Context, scope barrier.Scope, version uint32, n int64) (int64, error) {
	var total int64
	err := ks.db.inTx(ctx, scopeBinding(scope), func(tx pgx.Tx) error {
		return tx.QueryRow(ctx, "UPDATE data_keys SET ops = ops + $3 WHERE scope = $1 AND version = $2 RETURNING ops",
			string(scope), int64(version), n).Scan(&total)
	})
	if notFound(err) {
		return 0, fmt.Errorf("postgres: reserve key operations: data key %d of %s does not exist", version, scope)
	} else if err != nil {
		return 0, fmt.Errorf("postgres: reserve key operations: %w", err)
	}
	return total, nil
}

// DeleteDataKey implements barrier.KeyStore.
func (ks *KeyStore) DeleteDataKey(ctx context.Context, scope barrier.Scope, version uint32) error {
	if err := ks.exec(ctx, scope, "DELETE FROM data_keys WHERE scope = $1 AND version = $2", string(scope), int64(version)); err != nil {
		return fmt.Errorf("postgres: delete data key: %w", err)
	}
	return nil
}

// DeleteDataKeys implements barrier.KeyStore.
func (ks *KeyStore) DeleteDataKeys(ctx context.Context, scope barrier.Scope) error {
	if err := ks.exec(ctx, scope, "DELETE FROM data_keys WHERE scope = $1", string(scope)); err != nil {
		return fmt.Errorf("postgres: delete data keys: %w", err)
	}
	return nil
}

// exec runs one statement in a transaction bound to scope's workspace.
func (ks *KeyStore) exec(ctx context.Context, scope barrier.Scope, sql string, args ...any) error {
	return ks.db.inTx(ctx, scopeBinding(scope), func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, sql, args...)
		return err
	})
}
