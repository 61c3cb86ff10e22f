package sqlite

import (
	"context"
	"database/sql"
	"errors"

	"github.com/quirehq/quire"
)

// SetTOTP implements quire.AuthStore: the secret is stored encrypted and
// unconfirmed until EnableTOTP.
func (s *AuthService) SetTOTP(ctx context.Context, userID string, secret []byte) error {
	if len(secret) == 0 {
		return quire.Errorf(quire.EINVALID, "TOTP secret is required.")
	}
	if _, err := s.FindCredential(ctx, userID); err != nil {
		return err // checked before sealing, so that no key is made for an unknown user
	}
	ct, err := s.sealBytes(ctx, userID, tableCredentials, userID, fieldTOTP, secret)
	if err != nil {
		return err
	}
	return s.updateCredential(ctx, userID, "totp_enc = ?, totp_enabled = 0", ct)
}

// FindTOTP implements quire.AuthStore. A user without a secret has none
// (nil, false); a user without a credential is ENOTFOUND.
func (s *AuthService) FindTOTP(ctx context.Context, userID string) ([]byte, bool, error) {
	var ct []byte
	var enabled bool
	err := s.db.reader.QueryRowContext(ctx, "SELECT totp_enc, totp_enabled FROM credentials WHERE user_id = ?", userID).Scan(&ct, &enabled)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, false, errCredentialNotFound()
	} else if err != nil {
		return nil, false, internal("find TOTP", err)
	}
	if ct == nil {
		return nil, false, nil
	}
	secret, err := s.unsealBytes(ctx, userID, tableCredentials, userID, fieldTOTP, ct)
	if err != nil {
		return nil, false, err
	}
	return secret, enabled, nil
}

// EnableTOTP implements quire.AuthStore: confirming the secret and
// replacing the recovery codes happen in one transaction.
func (s *AuthService) EnableTOTP(ctx context.Context, userID string, recoveryHashes [][]byte) error {
	for _, h := range recoveryHashes {
		if len(h) == 0 {
			return quire.Errorf(quire.EINVALID, "Recovery code hashes must not be empty.")
		}
	}
	return s.writeTx(ctx, "enable TOTP", func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, "UPDATE credentials SET totp_enabled = 1, updated_at = max(updated_at, ?) WHERE user_id = ? AND totp_enc IS NOT NULL",
			formatTime(now()), userID)
		if err := affectedOne(res, err, "enable TOTP", errNoPendingTOTP); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, "DELETE FROM recovery_codes WHERE user_id = ?", userID); err != nil {
			return internal("replace recovery codes", err)
		}
		for _, h := range recoveryHashes {
			if _, err := tx.ExecContext(ctx, "INSERT OR IGNORE INTO recovery_codes (user_id, hash) VALUES (?, ?)", userID, h); err != nil {
				return internal("insert recovery code", err)
			}
		}
		return nil
	})
}

func errNoPendingTOTP() error {
	return quire.Errorf(quire.ENOTFOUND, "No TOTP secret is waiting to be confirmed.")
}

// DisableTOTP implements quire.AuthStore: the secret and the recovery
// codes go together.
func (s *AuthService) DisableTOTP(ctx context.Context, userID string) error {
	return s.writeTx(ctx, "disable TOTP", func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, "UPDATE credentials SET totp_enc = NULL, totp_enabled = 0, updated_at = max(updated_at, ?) WHERE user_id = ?",
			formatTime(now()), userID)
		if err := affectedOne(res, err, "disable TOTP", errCredentialNotFound); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, "DELETE FROM recovery_codes WHERE user_id = ?", userID); err != nil {
			return internal("delete recovery codes", err)
		}
		return nil
	})
}

// UseTOTPStep implements quire.AuthStore: the conditional UPDATE spends the
// step atomically, so a code works once.
func (s *AuthService) UseTOTPStep(ctx context.Context, userID string, step int64) (bool, error) {
	res, err := s.db.writer.ExecContext(ctx, "UPDATE credentials SET totp_step = ? WHERE user_id = ? AND totp_step < ?", step, userID, step)
	if err != nil {
		return false, internal("use totp step", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, internal("use totp step", err)
	}
	return n == 1, nil
}

// UseRecoveryCode implements quire.AuthStore: the code is deleted as it is
// matched, so it works once even under concurrent use.
func (s *AuthService) UseRecoveryCode(ctx context.Context, userID string, hash []byte) (bool, error) {
	res, err := s.db.writer.ExecContext(ctx, "DELETE FROM recovery_codes WHERE user_id = ? AND hash = ?", userID, hash)
	if err != nil {
		return false, internal("use recovery code", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, internal("use recovery code", err)
	}
	return n == 1, nil
}

// CountRecoveryCodes implements quire.AuthStore.
func (s *AuthService) CountRecoveryCodes(ctx context.Context, userID string) (int, error) {
	var n int
	if err := s.db.reader.QueryRowContext(ctx, "SELECT count(*) FROM recovery_codes WHERE user_id = ?", userID).Scan(&n); err != nil {
		return 0, internal("count recovery codes", err)
	}
	return n, nil
}
