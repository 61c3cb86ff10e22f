package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/quirehq/quire/barrier"
)

// keyStore keeps the barrier's keyring and wrapped data keys in the keyring
// and data_keys tables. It only ever sees wrapped key material.
type keyStore struct{ db *DB }

// NewKeyStore returns the barrier.KeyStore of db.
func NewKeyStore(db *DB) barrier.KeyStore { return &keyStore{db: db} }

var _ barrier.KeyStore = (*keyStore)(nil)

// LoadKeyring implements barrier.KeyStore.
func (s *keyStore) LoadKeyring(ctx context.Context) ([]barrier.KeyringKey, error) {
	rows, err := s.db.reader.QueryContext(ctx, "SELECT version, kind, wrapped, created_at FROM keyring")
	if err != nil {
		return nil, &opError{"load keyring", err}
	}
	defer rows.Close()
	var out []barrier.KeyringKey
	for rows.Next() {
		var k barrier.KeyringKey
		var created string
		if err := rows.Scan(&k.Version, &k.Kind, &k.Wrapped, &created); err != nil {
			return nil, &opError{"load keyring", err}
		}
		if k.CreatedAt, err = parseTime(created); err != nil {
			return nil, &opError{"load keyring", err}
		}
		out = append(out, k)
	}
	if err := rows.Err(); err != nil {
		return nil, &opError{"load keyring", err}
	}
	return out, nil
}

// InsertKeyringKey implements barrier.KeyStore.
func (s *keyStore) InsertKeyringKey(ctx context.Context, k barrier.KeyringKey) error {
	_, err := s.db.writer.ExecContext(ctx, "INSERT INTO keyring (version, kind, wrapped, created_at) VALUES (?, ?, ?, ?)",
		k.Version, k.Kind, k.Wrapped, formatTime(k.CreatedAt))
	if err != nil {
		return keyStoreError("insert keyring key", err)
	}
	return nil
}

// DeleteKeyringKey implements barrier.KeyStore. The foreign key from
// data_keys refuses to delete a KEK that still wraps a data key.
func (s *keyStore) DeleteKeyringKey(ctx context.Context, version uint32) error {
	_, err := s.db.writer.ExecContext(ctx, "DELETE FROM keyring WHERE version = ? AND kind = ?", version, barrier.KindKEK)
	if err != nil {
		return &opError{"delete keyring key", err}
	}
	return nil
}

const dataKeyColumns = "scope, version, kek_version, wrapped, created_at, ops"

func scanDataKeys(rows *sql.Rows) ([]barrier.DataKey, error) {
	defer rows.Close()
	var out []barrier.DataKey
	for rows.Next() {
		var k barrier.DataKey
		var scope, created string
		if err := rows.Scan(&scope, &k.Version, &k.KEKVersion, &k.Wrapped, &created, &k.Ops); err != nil {
			return nil, err
		}
		t, err := parseTime(created)
		if err != nil {
			return nil, err
		}
		k.Scope, k.CreatedAt = barrier.Scope(scope), t
		out = append(out, k)
	}
	return out, rows.Err()
}

// LoadDataKeys implements barrier.KeyStore.
func (s *keyStore) LoadDataKeys(ctx context.Context, scope barrier.Scope) ([]barrier.DataKey, error) {
	rows, err := s.db.reader.QueryContext(ctx, "SELECT "+dataKeyColumns+" FROM data_keys WHERE scope = ?", string(scope))
	if err != nil {
		return nil, &opError{"load data keys", err}
	}
	keys, err := scanDataKeys(rows)
	if err != nil {
		return nil, &opError{"load data keys", err}
	}
	return keys, nil
}

// ListDataKeys implements barrier.KeyStore. It leaves Wrapped nil.
func (s *keyStore) ListDataKeys(ctx context.Context) ([]barrier.DataKey, error) {
	rows, err := s.db.reader.QueryContext(ctx,
		"SELECT scope, version, kek_version, NULL, created_at, ops FROM data_keys ORDER BY scope, version")
	if err != nil {
		return nil, &opError{"list data keys", err}
	}
	keys, err := scanDataKeys(rows)
	if err != nil {
		return nil, &opError{"list data keys", err}
	}
	return keys, nil
}

// InsertDataKey implements barrier.KeyStore.
func (s *keyStore) InsertDataKey(ctx context.Context, k barrier.DataKey) error {
	_, err := s.db.writer.ExecContext(ctx, "INSERT INTO data_keys ("+dataKeyColumns+") VALUES (?, ?, ?, ?, ?, ?)",
		string(k.Scope), k.Version, k.KEKVersion, k.Wrapped, formatTime(k.CreatedAt), k.Ops)
	if err != nil {
		return keyStoreError("insert data key", err)
	}
	return nil
}

// errNoDataKey means a data key version named in a call does not exist.
var errNoDataKey = errors.New("no such data key version")

// UpdateDataKeyWrap implements barrier.KeyStore.
func (s *keyStore) UpdateDataKeyWrap(ctx context.Context, scope barrier.Scope, version, kekVersion uint32, wrapped []byte) error {
	res, err := s.db.writer.ExecContext(ctx, "UPDATE data_keys SET kek_version = ?, wrapped = ? WHERE scope = ? AND version = ?",
		kekVersion, wrapped, string(scope), version)
	if err != nil {
		return &opError{"rewrap data key", err}
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return &opError{"rewrap data key", errors.Join(errNoDataKey, err)}
	}
	return nil
}

// ReserveOps implements barrier.KeyStore.
func (s *keyStore) ReserveOps(ctx context.Context, scope barrier.Scope, version uint32, n int64) (int64, error) {
	var total int64
	err := s.db.writer.QueryRowContext(ctx, "UPDATE data_keys SET ops = ops + ? WHERE scope = ? AND version = ? RETURNING ops",
		n, string(scope), version).Scan(&total)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, &opError{"reserve key operations", errNoDataKey}
	} else if err != nil {
		return 0, &opError{"reserve key operations", err}
	}
	return total, nil
}

// DeleteDataKey implements barrier.KeyStore.
func (s *keyStore) DeleteDataKey(ctx context.Context, scope barrier.Scope, version uint32) error {
	if _, err := s.db.writer.ExecContext(ctx, "DELETE FROM data_keys WHERE scope = ? AND version = ?", string(scope), version); err != nil {
		return &opError{"delete data key", err}
	}
	return nil
}

// DeleteDataKeys implements barrier.KeyStore. The writer connection runs
// with secure_delete, so the deleted keys are overwritten in the database
// pages; the checkpoint then moves those pages out of the write-ahead log
// and truncates it, so that no old copy of a wrapped key stays in the files.
func (s *keyStore) DeleteDataKeys(ctx context.Context, scope barrier.Scope) error {
	if _, err := s.db.writer.ExecContext(ctx, "DELETE FROM data_keys WHERE scope = ?", string(scope)); err != nil {
		return fmt.Errorf("sqlite: shred data keys: %w", err)
	}
	return s.db.checkpoint(ctx)
}
