package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/quirehq/quire"
)

const passkeyColumns = "id, user_id, credential_id, name_enc, data_enc, created_at, last_used_at"

// passkeyRow is a passkeys row as stored.
type passkeyRow struct {
	id, userID, created      string
	lastUsed                 sql.NullString
	credentialID, name, data []byte
}

func scanPasskey(row interface{ Scan(...any) error }) (*passkeyRow, error) {
	var r passkeyRow
	err := row.Scan(&r.id, &r.userID, &r.credentialID, &r.name, &r.data, &r.created, &r.lastUsed)
	return &r, err
}

func (s *AuthService) decodePasskey(ctx context.Context, r *passkeyRow) (*quire.Passkey, error) {
	name, err := s.unsealBytes(ctx, r.userID, tablePasskeys, r.id, fieldName, r.name)
	if err != nil {
		return nil, err
	}
	data, err := s.unsealBytes(ctx, r.userID, tablePasskeys, r.id, fieldData, r.data)
	if err != nil {
		return nil, err
	}
	p := &quire.Passkey{ID: r.id, UserID: r.userID, CredentialID: r.credentialID, Name: string(name), Data: data}
	var e1, e2 error
	p.CreatedAt, e1 = parseTime(r.created)
	p.LastUsedAt, e2 = parseNullTime(r.lastUsed)
	if err := errors.Join(e1, e2); err != nil {
		return nil, internal("read passkey", err)
	}
	return p, nil
}

func errPasskeyNotFound() error { return quire.Errorf(quire.ENOTFOUND, "Passkey not found.") }

// CreatePasskey implements quire.AuthStore. It sets ID if empty and
// CreatedAt if zero.
func (s *AuthService) CreatePasskey(ctx context.Context, p *quire.Passkey) error {
	if len(p.CredentialID) == 0 {
		return quire.Errorf(quire.EINVALID, "Passkey credential ID is required.")
	}
	if err := s.userExists(ctx, p.UserID); err != nil {
		return err
	}
	id := p.ID
	if id == "" {
		id = quire.NewID()
	}
	created := stamp(p.CreatedAt)
	name, err := s.sealBytes(ctx, p.UserID, tablePasskeys, id, fieldName, []byte(p.Name))
	if err != nil {
		return err
	}
	data, err := s.sealBytes(ctx, p.UserID, tablePasskeys, id, fieldData, p.Data)
	if err != nil {
		return err
	}
	_, err = s.db.writer.ExecContext(ctx, "INSERT INTO passkeys ("+passkeyColumns+") VALUES (?, ?, ?, ?, ?, ?, ?)",
		id, p.UserID, p.CredentialID, name, data, formatTime(created), nullTime(p.LastUsedAt))
	if err != nil {
		return s.insertError(ctx, p.UserID, "A passkey", err)
	}
	p.ID, p.CreatedAt = id, created
	if !p.LastUsedAt.IsZero() {
		p.LastUsedAt = stamp(p.LastUsedAt)
	}
	return nil
}

// FindPasskeysByUser implements quire.AuthStore, oldest first.
func (s *AuthService) FindPasskeysByUser(ctx context.Context, userID string) ([]*quire.Passkey, error) {
	rows, err := s.db.reader.QueryContext(ctx, "SELECT "+passkeyColumns+" FROM passkeys WHERE user_id = ? ORDER BY created_at, id", userID)
	raw, err := collect(rows, err, "find passkeys", scanPasskey)
	if err != nil {
		return nil, err
	}
	out := make([]*quire.Passkey, 0, len(raw))
	for _, r := range raw {
		p, err := s.decodePasskey(ctx, r)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, nil
}

// FindPasskey implements quire.AuthStore.
func (s *AuthService) FindPasskey(ctx context.Context, credentialID []byte) (*quire.Passkey, error) {
	r, err := scanPasskey(s.db.reader.QueryRowContext(ctx, "SELECT "+passkeyColumns+" FROM passkeys WHERE credential_id = ?", credentialID))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errPasskeyNotFound()
	} else if err != nil {
		return nil, internal("find passkey", err)
	}
	return s.decodePasskey(ctx, r)
}

// UpdatePasskey implements quire.AuthStore: it stores the credential's new
// data (sign count) after a sign-in at the given time.
func (s *AuthService) UpdatePasskey(ctx context.Context, id string, data []byte, at time.Time) error {
	var userID string
	err := s.db.reader.QueryRowContext(ctx, "SELECT user_id FROM passkeys WHERE id = ?", id).Scan(&userID)
	if errors.Is(err, sql.ErrNoRows) {
		return errPasskeyNotFound()
	} else if err != nil {
		return internal("find passkey", err)
	}
	ct, err := s.sealBytes(ctx, userID, tablePasskeys, id, fieldData, data)
	if err != nil {
		return err
	}
	res, err := s.db.writer.ExecContext(ctx, "UPDATE passkeys SET data_enc = ?, last_used_at = max(coalesce(last_used_at, ''), ?) WHERE id = ? AND user_id = ?",
		ct, formatTime(at), id, userID)
	return affectedOne(res, err, "update passkey", errPasskeyNotFound)
}

// DeletePasskey implements quire.AuthStore: a passkey of another user is
// not found.
func (s *AuthService) DeletePasskey(ctx context.Context, userID, id string) error {
	res, err := s.db.writer.ExecContext(ctx, "DELETE FROM passkeys WHERE id = ? AND user_id = ?", id, userID)
	return affectedOne(res, err, "delete passkey", errPasskeyNotFound)
}
