package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/quirehq/quire"
)

var errPasskeyNotFound = quire.Errorf(quire.ENOTFOUND, "Passkey not found.")

// passkeyRow is a passkeys row as stored.
type passkeyRow struct {
	p          quire.Passkey
	name, data []byte
	used       *time.Time
}

const passkeyColumns = "id, user_id, credential_id, name_enc, data_enc, created_at, last_used_at"

func scanPasskey(row pgx.Row) (*passkeyRow, error) {
	var r passkeyRow
	if err := row.Scan(&r.p.ID, &r.p.UserID, &r.p.CredentialID, &r.name, &r.data, &r.p.CreatedAt, &r.used); err != nil {
		return nil, err
	}
	return &r, nil
}

func (s *AuthService) openPasskey(ctx context.Context, r *passkeyRow) (*quire.Passkey, error) {
	name, err := s.open(ctx, r.p.UserID, "passkeys", r.p.ID, "name", r.name)
	if err != nil {
		return nil, err
	}
	data, err := s.open(ctx, r.p.UserID, "passkeys", r.p.ID, "data", r.data)
	if err != nil {
		return nil, err
	}
	p := r.p
	p.Name, p.Data, p.CreatedAt, p.LastUsedAt = string(name), data, p.CreatedAt.UTC(), fromNull(r.used)
	return &p, nil
}

// CreatePasskey implements quire.AuthStore. An empty ID is generated and a
// zero CreatedAt is now; a credential ID already registered is ECONFLICT.
func (s *AuthService) CreatePasskey(ctx context.Context, p *quire.Passkey) error {
	if len(p.CredentialID) == 0 {
		return quire.Errorf(quire.EINVALID, "Passkey credential ID is required.")
	} else if p.UserID == "" {
		return errUserNotFound
	}
	r := *p
	if r.ID == "" {
		r.ID = quire.NewID()
	}
	r.CreatedAt, r.LastUsedAt = orNow(r.CreatedAt), utc(r.LastUsedAt)
	name, err := s.seal(ctx, r.UserID, "passkeys", r.ID, "name", []byte(r.Name))
	if err != nil {
		return err
	}
	data, err := s.seal(ctx, r.UserID, "passkeys", r.ID, "data", r.Data)
	if err != nil {
		return err
	}
	_, err = s.db.pool.Exec(ctx, "INSERT INTO passkeys ("+passkeyColumns+") VALUES ($1, $2, $3, $4, $5, $6, $7)",
		r.ID, r.UserID, r.CredentialID, name, data, r.CreatedAt, nullTime(r.LastUsedAt))
	if err := s.insertError(ctx, "passkey", r.UserID, err); err != nil {
		return err
	}
	*p = r
	return nil
}

// FindPasskeysByUser implements quire.AuthStore, oldest first.
func (s *AuthService) FindPasskeysByUser(ctx context.Context, userID string) ([]*quire.Passkey, error) {
	rows, err := s.db.pool.Query(ctx, "SELECT "+passkeyColumns+" FROM passkeys WHERE user_id = $1 ORDER BY created_at, id", userID)
	if err != nil {
		return nil, internal("find passkeys", err)
	}
	rs, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (*passkeyRow, error) { return scanPasskey(r) })
	if err != nil {
		return nil, internal("find passkeys", err)
	}
	out := make([]*quire.Passkey, 0, len(rs))
	for _, r := range rs {
		p, err := s.openPasskey(ctx, r)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, nil
}

// FindPasskey implements quire.AuthStore.
func (s *AuthService) FindPasskey(ctx context.Context, credentialID []byte) (*quire.Passkey, error) {
	r, err := scanPasskey(s.db.pool.QueryRow(ctx, "SELECT "+passkeyColumns+" FROM passkeys WHERE credential_id = $1", credentialID))
	if notFound(err) {
		return nil, errPasskeyNotFound
	} else if err != nil {
		return nil, internal("find passkey", err)
	}
	return s.openPasskey(ctx, r)
}

// UpdatePasskey implements quire.AuthStore: it replaces the credential data
// (its sign counter moves on every use) and records the use.
func (s *AuthService) UpdatePasskey(ctx context.Context, id string, data []byte, at time.Time) error {
	var userID string
	err := s.db.pool.QueryRow(ctx, "SELECT user_id FROM passkeys WHERE id = $1", id).Scan(&userID)
	if notFound(err) {
		return errPasskeyNotFound
	} else if err != nil {
		return internal("update passkey", err)
	}
	ct, err := s.seal(ctx, userID, "passkeys", id, "data", data)
	if err != nil {
		return err
	}
	tag, err := s.db.pool.Exec(ctx, "UPDATE passkeys SET data_enc = $3, last_used_at = GREATEST(last_used_at, $4) WHERE id = $1 AND user_id = $2",
		id, userID, ct, orNow(at))
	if err != nil {
		return internal("update passkey", err)
	} else if tag.RowsAffected() == 0 {
		return errPasskeyNotFound
	}
	return nil
}

// DeletePasskey implements quire.AuthStore: another user's passkey is
// ENOTFOUND.
func (s *AuthService) DeletePasskey(ctx context.Context, userID, id string) error {
	return s.deleteOwned(ctx, "passkeys", userID, id, errPasskeyNotFound)
}
