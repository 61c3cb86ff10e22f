package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/quirehq/quire"
	"github.com/quirehq/quire/barrier"
)

// Tables and fields of the account system bound into ciphertexts as
// associated data (see crypt.go: part of the stored format).
const (
	tableCredentials = "credentials"
	tableSessions    = "sessions"
	tableAPIKeys     = "api_keys"
	tablePasskeys    = "passkeys"
	fieldTOTP        = "totp"
	fieldUserAgent   = "user_agent"
	fieldData        = "data"
	// loginIndexPurpose names the blind index of addresses in login_attempts.
	loginIndexPurpose = "login_attempts.email"
)

// AuthService stores credentials, login attempts, sessions, API keys,
// one-time tokens, second factors and the audit log. Every secret it
// receives is already a hash or a keyed index; the values it encrypts (TOTP
// secrets, user agents, key and passkey names, passkey data) are sealed
// under the owning user's scope, so deleting the user shreds them.
type AuthService struct {
	db         *DB
	b          *barrier.Barrier
	users      *UserService
	workspaces *WorkspaceService
	stmts      stmtCache
}

// NewAuthService returns an AuthService on db that encrypts through b.
func NewAuthService(db *DB, b *barrier.Barrier) *AuthService {
	return &AuthService{db: db, b: b, users: NewUserService(db, b), workspaces: NewWorkspaceService(db, b)}
}

var _ quire.AuthStore = (*AuthService)(nil)

// CreateAccount implements quire.AuthStore: the user, its credential, the
// workspace and the owner's membership are written in one transaction, and
// a failure shreds the keys made for the new user and workspace.
func (s *AuthService) CreateAccount(ctx context.Context, a *quire.Account) (*quire.Workspace, error) {
	if a.User == nil {
		return nil, quire.Errorf(quire.EINVALID, "User is required.")
	}
	if a.PasswordHash == "" {
		return nil, quire.Errorf(quire.EINVALID, "Password hash is required.")
	}
	userID, wsID, t := quire.NewID(), quire.NewID(), now()
	w := &quire.Workspace{Name: a.WorkspaceName, Region: a.Region, OwnerID: userID}
	if err := w.Validate(); err != nil {
		return nil, err
	}
	if err := s.users.checkNew(ctx, a.User); err != nil {
		return nil, err
	}
	ur, err := s.users.seal(ctx, a.User, userID, t)
	if err != nil {
		return nil, err
	}
	wr, err := s.workspaces.seal(ctx, w, wsID, t)
	if err != nil {
		shredQuietly(ctx, s.b, barrier.UserScope(userID))
		return nil, err
	}
	err = s.db.write(ctx, func(tx *sql.Tx) error {
		if err := insertUser(ctx, tx, ur); err != nil {
			return err
		}
		if err := insertWorkspace(ctx, tx, wr); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, "INSERT INTO credentials (user_id, password_hash, updated_at) VALUES (?, ?, ?)",
			userID, a.PasswordHash, formatTime(t))
		return err
	})
	if err != nil {
		shredQuietly(ctx, s.b, barrier.WorkspaceScope(wsID))
		return nil, s.users.insertFailed(ctx, userID, err)
	}
	a.User.ID, a.User.CreatedAt, a.User.UpdatedAt = userID, t, t
	w.ID, w.CreatedAt, w.UpdatedAt = wsID, t, t
	return w, nil
}

func errCredentialNotFound() error { return quire.Errorf(quire.ENOTFOUND, "Credential not found.") }

// FindCredential implements quire.AuthStore.
func (s *AuthService) FindCredential(ctx context.Context, userID string) (*quire.Credential, error) {
	var c quire.Credential
	var verified sql.NullString
	var updated string
	err := s.db.reader.QueryRowContext(ctx, "SELECT user_id, password_hash, must_reset, email_verified_at, totp_enabled, updated_at FROM credentials WHERE user_id = ?",
		userID).Scan(&c.UserID, &c.PasswordHash, &c.MustReset, &verified, &c.TOTPEnabled, &updated)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errCredentialNotFound()
	} else if err != nil {
		return nil, internal("find credential", err)
	}
	if c.UpdatedAt, err = parseTime(updated); err != nil {
		return nil, internal("read credential", err)
	}
	if c.EmailVerifiedAt, err = parseNullTime(verified); err != nil {
		return nil, internal("read credential", err)
	}
	return &c, nil
}

// SetPassword implements quire.AuthStore.
func (s *AuthService) SetPassword(ctx context.Context, userID, hash string, mustReset bool) error {
	if hash == "" {
		return quire.Errorf(quire.EINVALID, "Password hash is required.")
	}
	return s.updateCredential(ctx, userID, "password_hash = ?, must_reset = ?", hash, mustReset)
}

// MarkEmailVerified implements quire.AuthStore.
func (s *AuthService) MarkEmailVerified(ctx context.Context, userID string, at time.Time) error {
	return s.updateCredential(ctx, userID, "email_verified_at = ?", formatTime(at))
}

// updateCredential sets columns of one credential (set is SQL with
// placeholders for args) and advances updated_at; ENOTFOUND if none.
func (s *AuthService) updateCredential(ctx context.Context, userID, set string, args ...any) error {
	args = append(args, formatTime(now()), userID)
	res, err := s.db.writer.ExecContext(ctx, "UPDATE credentials SET "+set+", updated_at = max(updated_at, ?) WHERE user_id = ?", args...)
	return affectedOne(res, err, "update credential", errCredentialNotFound)
}
