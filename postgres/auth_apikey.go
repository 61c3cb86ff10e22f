package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/quirehq/quire"
)

var errAPIKeyNotFound = quire.Errorf(quire.ENOTFOUND, "API key not found.")

// apiKeyRow is an api_keys row as stored.
type apiKeyRow struct {
	k    quire.APIKey
	name []byte
	used *time.Time
}

const apiKeyColumns = "id, user_id, name_enc, prefix, secret_index, created_at, last_used_at"

func scanAPIKey(row pgx.Row) (*apiKeyRow, error) {
	var r apiKeyRow
	if err := row.Scan(&r.k.ID, &r.k.UserID, &r.name, &r.k.Prefix, &r.k.SecretIndex, &r.k.CreatedAt, &r.used); err != nil {
		return nil, err
	}
	return &r, nil
}

func (s *AuthService) openAPIKey(ctx context.Context, r *apiKeyRow) (*quire.APIKey, error) {
	name, err := s.open(ctx, r.k.UserID, "api_keys", r.k.ID, "name", r.name)
	if err != nil {
		return nil, err
	}
	k := r.k
	k.Name, k.CreatedAt, k.LastUsedAt = string(name), k.CreatedAt.UTC(), fromNull(r.used)
	return &k, nil
}

// CreateAPIKey implements quire.AuthStore. An empty ID is generated and a
// zero CreatedAt is now.
func (s *AuthService) CreateAPIKey(ctx context.Context, k *quire.APIKey) error {
	if len(k.SecretIndex) == 0 {
		return quire.Errorf(quire.EINVALID, "API key index is required.")
	} else if k.UserID == "" {
		return errUserNotFound
	}
	r := *k
	if r.ID == "" {
		r.ID = quire.NewID()
	}
	r.CreatedAt, r.LastUsedAt = orNow(r.CreatedAt), utc(r.LastUsedAt)
	name, err := s.seal(ctx, r.UserID, "api_keys", r.ID, "name", []byte(r.Name))
	if err != nil {
		return err
	}
	_, err = s.db.pool.Exec(ctx, "INSERT INTO api_keys ("+apiKeyColumns+") VALUES ($1, $2, $3, $4, $5, $6, $7)",
		r.ID, r.UserID, name, r.Prefix, r.SecretIndex, r.CreatedAt, nullTime(r.LastUsedAt))
	if err := s.insertError(ctx, "API key", r.UserID, err); err != nil {
		return err
	}
	*k = r
	return nil
}

// FindAPIKey implements quire.AuthStore.
func (s *AuthService) FindAPIKey(ctx context.Context, secretIndex []byte) (*quire.APIKey, error) {
	r, err := scanAPIKey(s.db.pool.QueryRow(ctx, "SELECT "+apiKeyColumns+" FROM api_keys WHERE secret_index = $1", secretIndex))
	if notFound(err) {
		return nil, errAPIKeyNotFound
	} else if err != nil {
		return nil, internal("find API key", err)
	}
	return s.openAPIKey(ctx, r)
}

// FindAPIKeysByUser implements quire.AuthStore, oldest first.
func (s *AuthService) FindAPIKeysByUser(ctx context.Context, userID string) ([]*quire.APIKey, error) {
	rows, err := s.db.pool.Query(ctx, "SELECT "+apiKeyColumns+" FROM api_keys WHERE user_id = $1 ORDER BY created_at, id", userID)
	if err != nil {
		return nil, internal("find API keys", err)
	}
	rs, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (*apiKeyRow, error) { return scanAPIKey(r) })
	if err != nil {
		return nil, internal("find API keys", err)
	}
	out := make([]*quire.APIKey, 0, len(rs))
	for _, r := range rs {
		k, err := s.openAPIKey(ctx, r)
		if err != nil {
			return nil, err
		}
		out = append(out, k)
	}
	return out, nil
}

// TouchAPIKey implements quire.AuthStore. LastUsedAt never moves back.
func (s *AuthService) TouchAPIKey(ctx context.Context, id string, at time.Time) error {
	tag, err := s.db.pool.Exec(ctx, `UPDATE api_keys SET last_used_at = GREATEST(last_used_at, $2) WHERE id = $1`, id, orNow(at))
	if err != nil {
		return internal("touch API key", err)
	} else if tag.RowsAffected() == 0 {
		return errAPIKeyNotFound
	}
	return nil
}

// DeleteAPIKey implements quire.AuthStore: another user's key is ENOTFOUND.
func (s *AuthService) DeleteAPIKey(ctx context.Context, userID, id string) error {
	return s.deleteOwned(ctx, "api_keys", userID, id, errAPIKeyNotFound)
}
