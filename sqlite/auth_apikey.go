package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/quirehq/quire"
)

const apiKeyColumns = "id, user_id, name_enc, prefix, secret_index, created_at, last_used_at"

// apiKeyRow is an api_keys row as stored.
type apiKeyRow struct {
	id, userID, prefix, created string
	lastUsed                    sql.NullString
	name, index                 []byte
}

func scanAPIKey(row interface{ Scan(...any) error }) (*apiKeyRow, error) {
	var r apiKeyRow
	err := row.Scan(&r.id, &r.userID, &r.name, &r.prefix, &r.index, &r.created, &r.lastUsed)
	return &r, err
}

func (s *AuthService) decodeAPIKey(ctx context.Context, r *apiKeyRow) (*quire.APIKey, error) {
	name, err := s.unsealBytes(ctx, r.userID, tableAPIKeys, r.id, fieldName, r.name)
	if err != nil {
		return nil, err
	}
	k := &quire.APIKey{ID: r.id, UserID: r.userID, Name: string(name), Prefix: r.prefix, SecretIndex: r.index}
	var e1, e2 error
	k.CreatedAt, e1 = parseTime(r.created)
	k.LastUsedAt, e2 = parseNullTime(r.lastUsed)
	if err := errors.Join(e1, e2); err != nil {
		return nil, internal("read API key", err)
	}
	return k, nil
}

func errAPIKeyNotFound() error { return quire.Errorf(quire.ENOTFOUND, "API key not found.") }

// CreateAPIKey implements quire.AuthStore. It sets ID if empty and
// CreatedAt if zero.
func (s *AuthService) CreateAPIKey(ctx context.Context, k *quire.APIKey) error {
	if len(k.SecretIndex) == 0 {
		return quire.Errorf(quire.EINVALID, "API key index is required.")
	}
	if err := s.userExists(ctx, k.UserID); err != nil {
		return err
	}
	id := k.ID
	if id == "" {
		id = quire.NewID()
	}
	created := stamp(k.CreatedAt)
	name, err := s.sealBytes(ctx, k.UserID, tableAPIKeys, id, fieldName, []byte(k.Name))
	if err != nil {
		return err
	}
	_, err = s.db.writer.ExecContext(ctx, "INSERT INTO api_keys ("+apiKeyColumns+") VALUES (?, ?, ?, ?, ?, ?, ?)",
		id, k.UserID, name, k.Prefix, k.SecretIndex, formatTime(created), nullTime(k.LastUsedAt))
	if err != nil {
		return s.insertError(ctx, k.UserID, "An API key", err)
	}
	k.ID, k.CreatedAt = id, created
	if !k.LastUsedAt.IsZero() {
		k.LastUsedAt = stamp(k.LastUsedAt)
	}
	return nil
}

// FindAPIKey implements quire.AuthStore.
func (s *AuthService) FindAPIKey(ctx context.Context, secretIndex []byte) (*quire.APIKey, error) {
	row, err := s.queryRow(ctx, "SELECT "+apiKeyColumns+" FROM api_keys WHERE secret_index = ?", secretIndex)
	if err != nil {
		return nil, internal("find API key", err)
	}
	r, err := scanAPIKey(row)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errAPIKeyNotFound()
	} else if err != nil {
		return nil, internal("find API key", err)
	}
	return s.decodeAPIKey(ctx, r)
}

// FindAPIKeysByUser implements quire.AuthStore, oldest first.
func (s *AuthService) FindAPIKeysByUser(ctx context.Context, userID string) ([]*quire.APIKey, error) {
	rows, err := s.db.reader.QueryContext(ctx, "SELECT "+apiKeyColumns+" FROM api_keys WHERE user_id = ? ORDER BY created_at, id", userID)
	raw, err := collect(rows, err, "find API keys", scanAPIKey)
	if err != nil {
		return nil, err
	}
	out := make([]*quire.APIKey, 0, len(raw))
	for _, r := range raw {
		k, err := s.decodeAPIKey(ctx, r)
		if err != nil {
			return nil, err
		}
		out = append(out, k)
	}
	return out, nil
}

// TouchAPIKey implements quire.AuthStore; the time never moves back.
func (s *AuthService) TouchAPIKey(ctx context.Context, id string, at time.Time) error {
	res, err := s.db.writer.ExecContext(ctx, "UPDATE api_keys SET last_used_at = max(coalesce(last_used_at, ''), ?) WHERE id = ?", formatTime(at), id)
	return affectedOne(res, err, "touch API key", errAPIKeyNotFound)
}

// DeleteAPIKey implements quire.AuthStore: a key of another user is not
// found.
func (s *AuthService) DeleteAPIKey(ctx context.Context, userID, id string) error {
	res, err := s.db.writer.ExecContext(ctx, "DELETE FROM api_keys WHERE id = ? AND user_id = ?", id, userID)
	return affectedOne(res, err, "delete API key", errAPIKeyNotFound)
}

func errTokenInvalid() error {
	return quire.Errorf(quire.ETOKENINVALID, "This link is invalid or has expired.")
}

// CreateToken implements quire.AuthStore. ExpiresAt is left as stored.
func (s *AuthService) CreateToken(ctx context.Context, t *quire.Token) error {
	if len(t.Hash) == 0 || t.Purpose == "" {
		return quire.Errorf(quire.EINVALID, "Token hash and purpose are required.")
	}
	expires := t.ExpiresAt.UTC().Truncate(time.Microsecond)
	_, err := s.db.writer.ExecContext(ctx, "INSERT INTO tokens (hash, user_id, purpose, expires_at) VALUES (?, ?, ?, ?)",
		t.Hash, t.UserID, t.Purpose, formatTime(expires))
	if err != nil {
		return s.insertError(ctx, t.UserID, "A token", err)
	}
	t.ExpiresAt = expires
	return nil
}

// ConsumeToken implements quire.AuthStore in one statement, so that two
// concurrent uses cannot both succeed. A token of another purpose is left
// in place; an expired one is never returned.
func (s *AuthService) ConsumeToken(ctx context.Context, hash []byte, purpose string, at time.Time) (*quire.Token, error) {
	t := &quire.Token{Hash: hash, Purpose: purpose}
	var expires string
	err := s.db.writer.QueryRowContext(ctx, "DELETE FROM tokens WHERE hash = ? AND purpose = ? AND expires_at > ? RETURNING user_id, expires_at",
		hash, purpose, formatTime(at)).Scan(&t.UserID, &expires)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errTokenInvalid()
	} else if err != nil {
		return nil, internal("consume token", err)
	}
	if t.ExpiresAt, err = parseTime(expires); err != nil {
		return nil, internal("read token", err)
	}
	t.Hash = append([]byte(nil), hash...)
	return t, nil
}

// DeleteTokens implements quire.AuthStore.
func (s *AuthService) DeleteTokens(ctx context.Context, userID, purpose string) error {
	if _, err := s.db.writer.ExecContext(ctx, "DELETE FROM tokens WHERE user_id = ? AND purpose = ?", userID, purpose); err != nil {
		return internal("delete tokens", err)
	}
	return nil
}
