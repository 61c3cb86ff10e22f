package postgres

import (
	"context"
	"slices"
	"time"

	"github.com/quirehq/quire"
)

// emailChangesTable holds pending changes of address (bound into their
// ciphertexts as associated data).
const emailChangesTable = "email_changes"

var _ quire.EmailChangeStore = (*AuthService)(nil)

// PutEmailChange implements quire.EmailChangeStore. The new address is
// sealed under the user's scope, bound to the user's row of email_changes.
func (s *AuthService) PutEmailChange(ctx context.Context, c *quire.EmailChange) error {
	if len(c.TokenHash) == 0 || c.Email == "" {
		return quire.Errorf(quire.EINVALID, "Email change token hash and address are required.")
	}
	// Seal only for a user that exists: a seal creates the user's data key
	// if it has none.
	var n int
	if err := s.db.pool.QueryRow(ctx, "SELECT count(*) FROM users WHERE id = $1", c.UserID).Scan(&n); err != nil {
		return internal("check user", err)
	} else if n == 0 {
		return errUserNotFound
	}
	ct, err := s.seal(ctx, c.UserID, emailChangesTable, c.UserID, "email", []byte(c.Email))
	if err != nil {
		return err
	}
	exp := utc(c.ExpiresAt)
	_, err = s.db.pool.Exec(ctx, `INSERT INTO email_changes (user_id, token_hash, email_enc, expires_at) VALUES ($1, $2, $3, $4)
		ON CONFLICT (user_id) DO UPDATE SET token_hash = excluded.token_hash, email_enc = excluded.email_enc, expires_at = excluded.expires_at`,
		c.UserID, c.TokenHash, ct, exp)
	if err != nil {
		return s.insertError(ctx, "email change", c.UserID, err)
	}
	c.ExpiresAt = exp
	return nil
}

// DeleteEmailChange implements quire.EmailChangeStore.
func (s *AuthService) DeleteEmailChange(ctx context.Context, userID string) error {
	if _, err := s.db.pool.Exec(ctx, "DELETE FROM email_changes WHERE user_id = $1", userID); err != nil {
		return internal("delete email change", err)
	}
	return nil
}

// ConsumeEmailChange implements quire.EmailChangeStore. The one statement
// that deletes the change also returns it, so two concurrent calls cannot
// both have it; an expired change is deleted too, and refused.
func (s *AuthService) ConsumeEmailChange(ctx context.Context, tokenHash []byte, at time.Time) (*quire.EmailChange, error) {
	c := quire.EmailChange{TokenHash: slices.Clone(tokenHash)}
	var ct []byte
	err := s.db.pool.QueryRow(ctx, "DELETE FROM email_changes WHERE token_hash = $1 RETURNING user_id, email_enc, expires_at",
		tokenHash).Scan(&c.UserID, &ct, &c.ExpiresAt)
	if notFound(err) {
		return nil, errTokenInvalid
	} else if err != nil {
		return nil, internal("consume email change", err)
	}
	c.ExpiresAt = c.ExpiresAt.UTC()
	if !orNow(at).Before(c.ExpiresAt) {
		return nil, errTokenInvalid
	}
	email, err := s.open(ctx, c.UserID, emailChangesTable, c.UserID, "email", ct)
	if err != nil {
		return nil, err
	}
	c.Email = string(email)
	return &c, nil
}
