package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"time"

	"github.com/quirehq/quire"
	"github.com/quirehq/quire/barrier"
)

// tableEmailChanges holds pending changes of address (bound into their
// ciphertexts as associated data).
const tableEmailChanges = "email_changes"

var _ quire.EmailChangeStore = (*AuthService)(nil)

// PutEmailChange implements quire.EmailChangeStore. The new address is
// sealed under the user's scope, bound to the user's row of email_changes.
func (s *AuthService) PutEmailChange(ctx context.Context, c *quire.EmailChange) error {
	if len(c.TokenHash) == 0 || c.Email == "" {
		return quire.Errorf(quire.EINVALID, "Email change token hash and address are required.")
	}
	if err := s.userExists(ctx, c.UserID); err != nil {
		return err
	}
	ct, err := s.sealBytes(ctx, c.UserID, tableEmailChanges, c.UserID, fieldEmail, []byte(c.Email))
	if err != nil {
		return err
	}
	_, err = s.db.writer.ExecContext(ctx, `INSERT INTO email_changes (user_id, token_hash, email_enc, expires_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (user_id) DO UPDATE SET token_hash = excluded.token_hash, email_enc = excluded.email_enc, expires_at = excluded.expires_at`,
		c.UserID, c.TokenHash, ct, formatTime(c.ExpiresAt))
	if err != nil {
		return s.insertError(ctx, c.UserID, "Email change", err)
	}
	c.ExpiresAt = c.ExpiresAt.UTC().Truncate(time.Microsecond)
	return nil
}

// DeleteEmailChange implements quire.EmailChangeStore.
func (s *AuthService) DeleteEmailChange(ctx context.Context, userID string) error {
	if _, err := s.db.writer.ExecContext(ctx, "DELETE FROM email_changes WHERE user_id = ?", userID); err != nil {
		return internal("delete email change", err)
	}
	return nil
}

// ConsumeEmailChange implements quire.EmailChangeStore. The one statement
// that deletes the change also returns it, so two concurrent calls cannot
// both have it; an expired change is deleted too, and refused.
func (s *AuthService) ConsumeEmailChange(ctx context.Context, tokenHash []byte, at time.Time) (*quire.EmailChange, error) {
	var (
		c       = quire.EmailChange{TokenHash: slices.Clone(tokenHash)}
		ct      []byte
		expires string
	)
	err := s.db.writer.QueryRowContext(ctx, "DELETE FROM email_changes WHERE token_hash = ? RETURNING user_id, email_enc, expires_at",
		tokenHash).Scan(&c.UserID, &ct, &expires)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errTokenInvalid()
	} else if err != nil {
		return nil, internal("consume email change", err)
	}
	if c.ExpiresAt, err = parseTime(expires); err != nil {
		return nil, internal("consume email change", err)
	}
	if !at.Before(c.ExpiresAt) {
		return nil, errTokenInvalid()
	}
	email, err := unseal(ctx, s.b, barrier.UserScope(c.UserID), tableEmailChanges, c.UserID, fieldEmail, ct)
	if err != nil {
		return nil, err
	}
	c.Email = email
	return &c, nil
}
