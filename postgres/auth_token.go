package postgres

import (
	"context"
	"slices"
	"time"

	"github.com/quirehq/quire"
)

var errTokenInvalid = quire.Errorf(quire.ETOKENINVALID, "The link is invalid or has expired.")

// CreateToken implements quire.AuthStore.
func (s *AuthService) CreateToken(ctx context.Context, t *quire.Token) error {
	if len(t.Hash) == 0 || t.Purpose == "" {
		return quire.Errorf(quire.EINVALID, "Token hash and purpose are required.")
	}
	exp := utc(t.ExpiresAt)
	_, err := s.db.pool.Exec(ctx, "INSERT INTO tokens (hash, user_id, purpose, expires_at) VALUES ($1, $2, $3, $4)",
		t.Hash, t.UserID, t.Purpose, exp)
	if err := s.insertError(ctx, "token", t.UserID, err); err != nil {
		return err
	}
	t.ExpiresAt = exp
	return nil
}

// ConsumeToken implements quire.AuthStore. The one statement that deletes
// the token also returns it, so two concurrent calls cannot both have it.
// A token of another purpose, or expired, is left as it is.
func (s *AuthService) ConsumeToken(ctx context.Context, hash []byte, purpose string, at time.Time) (*quire.Token, error) {
	t := quire.Token{Hash: slices.Clone(hash), Purpose: purpose}
	err := s.db.pool.QueryRow(ctx, `DELETE FROM tokens WHERE hash = $1 AND purpose = $2 AND expires_at > $3
		RETURNING user_id, expires_at`, hash, purpose, orNow(at)).Scan(&t.UserID, &t.ExpiresAt)
	if notFound(err) {
		return nil, errTokenInvalid
	} else if err != nil {
		return nil, internal("consume token", err)
	}
	t.ExpiresAt = t.ExpiresAt.UTC()
	return &t, nil
}

// DeleteTokens implements quire.AuthStore.
func (s *AuthService) DeleteTokens(ctx context.Context, userID, purpose string) error {
	if _, err := s.db.pool.Exec(ctx, "DELETE FROM tokens WHERE user_id = $1 AND purpose = $2", userID, purpose); err != nil {
		return internal("delete tokens", err)
	}
	return nil
}
