package sqlite

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/quirehq/quire"
	"github.com/quirehq/quire/barrier"
)

// TestRewrapCoversEveryEncryptedColumn reads the live schema: every column
// named *_enc must be listed in encryptedTables, or a key rotation would
// leave it under a retired key and make it unreadable.
func TestRewrapCoversEveryEncryptedColumn(t *testing.T) {
	s := newTestStore(t)
	listed := map[string]bool{}
	for _, et := range encryptedTables {
		for _, c := range et.columns {
			listed[et.name+"."+c.column] = true
		}
	}
	rows, err := s.db.reader.Query(`SELECT m.name, p.name FROM sqlite_schema m, pragma_table_info(m.name) p
		WHERE m.type = 'table' AND p.name LIKE '%\_enc' ESCAPE '\'`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	seen := 0
	for rows.Next() {
		var table, column string
		if err := rows.Scan(&table, &column); err != nil {
			t.Fatal(err)
		}
		seen++
		if !listed[table+"."+column] {
			t.Errorf("encrypted column %s.%s is missing from encryptedTables", table, column)
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if seen != len(listed) {
		t.Fatalf("the schema has %d *_enc columns, encryptedTables lists %d", seen, len(listed))
	}
}

// authFixture is an account with two of each encrypted auth record.
type authFixture struct {
	auth     *AuthService
	user     *quire.User
	sessions [2]*quire.Session
	keys     [2]*quire.APIKey
	passkeys [2]*quire.Passkey
}

func newAuthFixture(t *testing.T, s *testStore, email string) *authFixture {
	t.Helper()
	ctx := context.Background()
	f := &authFixture{auth: NewAuthService(s.db, s.b)}
	a := &quire.Account{User: &quire.User{Email: email}, PasswordHash: "$argon2id$x", WorkspaceName: "w", Region: quire.RegionUS}
	if _, err := f.auth.CreateAccount(ctx, a); err != nil {
		t.Fatal(err)
	}
	f.user = a.User
	for i := range 2 {
		f.sessions[i] = &quire.Session{UserID: f.user.ID, TokenHash: []byte(quire.NewID()), Stage: quire.SessionFull, UserAgent: "secret agent", ExpiresAt: now().Add(time.Hour)}
		f.keys[i] = &quire.APIKey{UserID: f.user.ID, Name: "secret name", SecretIndex: []byte(quire.NewID())}
		f.passkeys[i] = &quire.Passkey{UserID: f.user.ID, CredentialID: []byte(quire.NewID()), Name: "secret key", Data: []byte("secret data")}
		if err := errors.Join(f.auth.CreateSession(ctx, f.sessions[i]), f.auth.CreateAPIKey(ctx, f.keys[i]),
			f.auth.CreatePasskey(ctx, f.passkeys[i])); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.auth.SetTOTP(ctx, f.user.ID, []byte("secret totp")); err != nil {
		t.Fatal(err)
	}
	return f
}

// TestMovedAuthCiphertext moves encrypted auth values to other records or
// fields with raw SQL: each read fails with EINTERNAL caused by
// barrier.ErrAuth, with a message that reveals nothing of the value.
func TestMovedAuthCiphertext(t *testing.T) {
	ctx := context.Background()
	s := newTestStore(t)
	f := newAuthFixture(t, s, "one@example.com")
	other := newAuthFixture(t, s, "two@example.com")
	cases := []struct {
		name string
		move string
		args []any
		read func() error
	}{
		{"user agent to another session", "UPDATE sessions SET user_agent_enc = (SELECT user_agent_enc FROM sessions WHERE id = ?) WHERE id = ?",
			[]any{f.sessions[0].ID, f.sessions[1].ID}, func() error { _, err := f.auth.FindSession(ctx, f.sessions[1].TokenHash); return err }},
		{"key name to another key", "UPDATE api_keys SET name_enc = (SELECT name_enc FROM api_keys WHERE id = ?) WHERE id = ?",
			[]any{f.keys[0].ID, f.keys[1].ID}, func() error { _, err := f.auth.FindAPIKey(ctx, f.keys[1].SecretIndex); return err }},
		{"passkey name into data", "UPDATE passkeys SET data_enc = name_enc WHERE id = ?",
			[]any{f.passkeys[0].ID}, func() error { _, err := f.auth.FindPasskey(ctx, f.passkeys[0].CredentialID); return err }},
		{"passkey data to another passkey", "UPDATE passkeys SET data_enc = (SELECT data_enc FROM passkeys WHERE id = ?) WHERE id = ?",
			[]any{f.passkeys[0].ID, f.passkeys[1].ID}, func() error { _, err := f.auth.FindPasskey(ctx, f.passkeys[1].CredentialID); return err }},
		{"totp secret to another user", "UPDATE credentials SET totp_enc = (SELECT totp_enc FROM credentials WHERE user_id = ?) WHERE user_id = ?",
			[]any{f.user.ID, other.user.ID}, func() error { _, _, err := f.auth.FindTOTP(ctx, other.user.ID); return err }},
		{"session to another user", "UPDATE sessions SET user_id = ? WHERE id = ?",
			[]any{other.user.ID, f.sessions[0].ID}, func() error { _, err := f.auth.FindSession(ctx, f.sessions[0].TokenHash); return err }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s.exec(t, tc.move, tc.args...)
			err := tc.read()
			if quire.ErrorCode(err) != quire.EINTERNAL || !errors.Is(err, barrier.ErrAuth) {
				t.Fatalf("read after move: %v, want EINTERNAL caused by barrier.ErrAuth", err)
			}
			if strings.Contains(err.Error(), "secret") || strings.Contains(quire.ErrorMessage(err), "secret") {
				t.Fatalf("error reveals content: %v", err)
			}
		})
	}
}
