package postgres

import (
	"context"

	"github.com/jackc/pgx/v5"
	"github.com/quirehq/quire"
)

// The associated data of a TOTP secret: the credentials row of the user.
const totpTable, totpField = "credentials", "totp"

// SetTOTP implements quire.AuthStore. The secret is stored unconfirmed:
// TOTP is off until EnableTOTP.
func (s *AuthService) SetTOTP(ctx context.Context, userID string, secret []byte) error {
	if len(secret) == 0 {
		return quire.Errorf(quire.EINVALID, "TOTP secret is required.")
	}
	// Seal only for a user that has a credential: a seal creates the
	// user's data key if it has none.
	if _, err := s.FindCredential(ctx, userID); err != nil {
		return err
	}
	ct, err := s.seal(ctx, userID, totpTable, userID, totpField, secret)
	if err != nil {
		return err
	}
	return s.updateCredential(ctx, nil, "totp_enc = $3, totp_enabled = false", userID, ct)
}

// FindTOTP implements quire.AuthStore. A user without a secret gets a nil
// secret, not enabled; a user without a credential ENOTFOUND.
func (s *AuthService) FindTOTP(ctx context.Context, userID string) ([]byte, bool, error) {
	var ct []byte
	var enabled bool
	err := s.db.pool.QueryRow(ctx, "SELECT totp_enc, totp_enabled FROM credentials WHERE user_id = $1", userID).Scan(&ct, &enabled)
	if notFound(err) {
		return nil, false, errCredentialNotFound
	} else if err != nil {
		return nil, false, internal("find TOTP", err)
	}
	if ct == nil {
		return nil, false, nil
	}
	secret, err := s.open(ctx, userID, totpTable, userID, totpField, ct)
	if err != nil {
		return nil, false, err
	}
	return secret, enabled, nil
}

// EnableTOTP implements quire.AuthStore. Confirming the secret and
// replacing the recovery codes happen in one transaction. Without a stored
// secret it is ENOTFOUND.
func (s *AuthService) EnableTOTP(ctx context.Context, userID string, recoveryHashes [][]byte) error {
	for _, h := range recoveryHashes {
		if len(h) == 0 {
			return quire.Errorf(quire.EINVALID, "Recovery code hashes must not be empty.")
		}
	}
	return s.db.inTx(ctx, binding{}, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, "UPDATE credentials SET totp_enabled = true, "+touchCredential+
			" WHERE user_id = $1 AND totp_enc IS NOT NULL", userID, now())
		if err != nil {
			return internal("enable TOTP", err)
		} else if tag.RowsAffected() == 0 {
			return quire.Errorf(quire.ENOTFOUND, "No TOTP secret is set up.")
		}
		return replaceRecoveryCodes(ctx, tx, userID, recoveryHashes)
	})
}

// replaceRecoveryCodes makes hashes the user's only recovery codes.
func replaceRecoveryCodes(ctx context.Context, tx pgx.Tx, userID string, hashes [][]byte) error {
	if _, err := tx.Exec(ctx, "DELETE FROM recovery_codes WHERE user_id = $1", userID); err != nil {
		return internal("replace recovery codes", err)
	}
	if len(hashes) == 0 {
		return nil
	}
	_, err := tx.Exec(ctx, `INSERT INTO recovery_codes (user_id, hash) SELECT $1, unnest($2::bytea[])
		ON CONFLICT DO NOTHING`, userID, hashes)
	return internal("replace recovery codes", err)
}

// DisableTOTP implements quire.AuthStore: the secret and every recovery
// code go in one transaction.
func (s *AuthService) DisableTOTP(ctx context.Context, userID string) error {
	return s.db.inTx(ctx, binding{}, func(tx pgx.Tx) error {
		if err := s.updateCredential(ctx, tx, "totp_enc = NULL, totp_enabled = false", userID); err != nil {
			return err
		}
		return replaceRecoveryCodes(ctx, tx, userID, nil)
	})
}

// UseTOTPStep implements quire.AuthStore. The conditional UPDATE spends
// the step atomically, so a code works once across instances.
func (s *AuthService) UseTOTPStep(ctx context.Context, userID string, step int64) (bool, error) {
	tag, err := s.db.pool.Exec(ctx, "UPDATE credentials SET totp_step = $2 WHERE user_id = $1 AND totp_step < $2", userID, step)
	if err != nil {
		return false, internal("use totp step", err)
	}
	return tag.RowsAffected() == 1, nil
}

// UseRecoveryCode implements quire.AuthStore. The DELETE that finds the
// code consumes it, so a code works once even under concurrent use.
func (s *AuthService) UseRecoveryCode(ctx context.Context, userID string, hash []byte) (bool, error) {
	tag, err := s.db.pool.Exec(ctx, "DELETE FROM recovery_codes WHERE user_id = $1 AND hash = $2", userID, hash)
	if err != nil {
		return false, internal("use recovery code", err)
	}
	return tag.RowsAffected() == 1, nil
}

// CountRecoveryCodes implements quire.AuthStore.
func (s *AuthService) CountRecoveryCodes(ctx context.Context, userID string) (int, error) {
	var n int
	err := s.db.pool.QueryRow(ctx, "SELECT count(*) FROM recovery_codes WHERE user_id = $1", userID).Scan(&n)
	return n, internal("count recovery codes", err)
}
