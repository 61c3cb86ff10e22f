package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/quirehq/quire"
	"github.com/quirehq/quire/barrier"
)

// AuthService stores what the account system keeps: credentials, login
// attempts, sessions, API keys, one-time tokens, second factors and the
// audit log. These are per-user rows without a tenant, so they live outside
// row-level security like users; their user values are encrypted under the
// user's scope, and secrets are stored only as hashes or keyed indexes.
type AuthService struct {
	db *DB
	b  *barrier.Barrier
}

var _ quire.AuthStore = (*AuthService)(nil)

// NewAuthService returns an auth service over db that encrypts with b.
func NewAuthService(db *DB, b *barrier.Barrier) *AuthService { return &AuthService{db: db, b: b} }

var (
	errUserNotFound       = quire.Errorf(quire.ENOTFOUND, "User not found.")
	errCredentialNotFound = quire.Errorf(quire.ENOTFOUND, "Credential not found.")
	errEmailTaken         = quire.Errorf(quire.ECONFLICT, "A user with this email already exists.")
)

// utc returns t as the stores keep it: UTC, in microseconds.
func utc(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }

// nullTime returns t for a nullable column: NULL when zero.
func nullTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return utc(t)
}

// fromNull returns a nullable column's time, zero for NULL.
func fromNull(t *time.Time) time.Time {
	if t == nil {
		return time.Time{}
	}
	return t.UTC()
}

// orNow returns utc(t), or the current time if t is zero.
func orNow(t time.Time) time.Time {
	if t.IsZero() {
		return now()
	}
	return utc(t)
}

// seal encrypts a field of a user's record under the user's scope.
func (s *AuthService) seal(ctx context.Context, userID, table, id, field string, pt []byte) ([]byte, error) {
	ct, err := s.b.Encrypt(ctx, barrier.UserScope(userID), barrier.AD(table, id, field), pt)
	return ct, internal("encrypt "+table, err)
}

// open decrypts a field sealed by seal.
func (s *AuthService) open(ctx context.Context, userID, table, id, field string, ct []byte) ([]byte, error) {
	pt, err := s.b.Decrypt(ctx, barrier.UserScope(userID), barrier.AD(table, id, field), ct)
	return pt, internal("decrypt "+table, err)
}

// CreateAccount implements quire.AuthStore. The user, its credential, the
// workspace and the owner's membership are inserted in one transaction
// bound to the new workspace; on any failure nothing remains and both new
// key scopes are shredded.
func (s *AuthService) CreateAccount(ctx context.Context, a *quire.Account) (*quire.Workspace, error) {
	if a == nil || a.User == nil {
		return nil, quire.Errorf(quire.EINVALID, "User is required.")
	}
	if err := a.User.Validate(); err != nil {
		return nil, err
	}
	if a.PasswordHash == "" {
		return nil, quire.Errorf(quire.EINVALID, "Password hash is required.")
	}
	uid, t := quire.NewID(), now()
	w := &quire.Workspace{ID: quire.NewID(), Name: a.WorkspaceName, Region: a.Region, OwnerID: uid, CreatedAt: t, UpdatedAt: t}
	if err := w.Validate(); err != nil {
		return nil, err
	}
	if err := s.insertAccount(ctx, a, w); err != nil {
		bg := context.WithoutCancel(ctx)
		_ = s.b.Shred(bg, barrier.UserScope(uid)) // the new scopes hold nothing else
		_ = s.b.Shred(bg, barrier.WorkspaceScope(w.ID))
		return nil, err
	}
	a.User.ID, a.User.CreatedAt, a.User.UpdatedAt = uid, t, t
	return w, nil
}

// insertAccount seals the new user's and workspace's values, then inserts
// every row of the account in one transaction.
func (s *AuthService) insertAccount(ctx context.Context, a *quire.Account, w *quire.Workspace) error {
	uid, t := w.OwnerID, w.CreatedAt
	emailEnc, nameEnc, err := (&UserService{db: s.db, b: s.b}).encryptUser(ctx, uid, a.User.Email, a.User.Name)
	if err != nil {
		return err
	}
	wsName, err := s.b.Encrypt(ctx, barrier.WorkspaceScope(w.ID), nameAD(w.ID), []byte(w.Name))
	if err != nil {
		return internal("encrypt workspace", err)
	}
	idx := s.b.BlindIndex(emailIndexPurpose, []byte(a.User.Email))
	return s.db.inTx(ctx, tenant(w.ID), func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, "INSERT INTO users ("+userColumns+") VALUES ($1, $2, $3, $4, $5, $5)", uid, emailEnc, idx, nameEnc, t)
		if pgCode(err) == codeUniqueViolation {
			return errEmailTaken
		} else if err != nil {
			return internal("create account user", err)
		}
		for _, q := range []struct {
			sql  string
			args []any
		}{
			{"INSERT INTO credentials (user_id, password_hash, updated_at) VALUES ($1, $2, $3)", []any{uid, a.PasswordHash, t}},
			{"INSERT INTO workspaces (" + workspaceColumns + ") VALUES ($1, $2, $3, $4, $5, $5)", []any{w.ID, wsName, string(w.Region), uid, t}},
			{"INSERT INTO memberships (workspace_id, user_id, role, created_at) VALUES ($1, $2, $3, $4)", []any{w.ID, uid, string(quire.RoleOwner), t}},
		} {
			if _, err := tx.Exec(ctx, q.sql, q.args...); err != nil {
				return internal("create account", err)
			}
		}
		return nil
	})
}

const credentialColumns = "user_id, password_hash, must_reset, email_verified_at, totp_enabled, updated_at"

// FindCredential implements quire.AuthStore.
func (s *AuthService) FindCredential(ctx context.Context, userID string) (*quire.Credential, error) {
	var c quire.Credential
	var verified *time.Time
	err := s.db.pool.QueryRow(ctx, "SELECT "+credentialColumns+" FROM credentials WHERE user_id = $1", userID).
		Scan(&c.UserID, &c.PasswordHash, &c.MustReset, &verified, &c.TOTPEnabled, &c.UpdatedAt)
	if notFound(err) {
		return nil, errCredentialNotFound
	} else if err != nil {
		return nil, internal("find credential", err)
	}
	c.EmailVerifiedAt, c.UpdatedAt = fromNull(verified), c.UpdatedAt.UTC()
	return &c, nil
}

// touchCredential is the SET clause that moves updated_at to $2 or, if the
// clock has not passed it, just after it: it never goes backwards.
const touchCredential = "updated_at = GREATEST($2, updated_at + interval '1 microsecond')"

// updateCredential runs an UPDATE of userID's credential whose first two
// parameters are the user and the update time; no row is ENOTFOUND.
func (s *AuthService) updateCredential(ctx context.Context, q pgx.Tx, set, userID string, args ...any) error {
	sql := "UPDATE credentials SET " + set + ", " + touchCredential + " WHERE user_id = $1"
	args = append([]any{userID, now()}, args...)
	var n int64
	run := func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, sql, args...)
		n = tag.RowsAffected()
		return internal("update credential", err)
	}
	var err error
	if q != nil {
		err = run(q)
	} else {
		err = s.db.inTx(ctx, binding{}, run)
	}
	if err == nil && n == 0 {
		return errCredentialNotFound
	}
	return err
}

// SetPassword implements quire.AuthStore.
func (s *AuthService) SetPassword(ctx context.Context, userID, hash string, mustReset bool) error {
	if hash == "" {
		return quire.Errorf(quire.EINVALID, "Password hash is required.")
	}
	return s.updateCredential(ctx, nil, "password_hash = $3, must_reset = $4", userID, hash, mustReset)
}

// MarkEmailVerified implements quire.AuthStore. A zero at means now.
func (s *AuthService) MarkEmailVerified(ctx context.Context, userID string, at time.Time) error {
	return s.updateCredential(ctx, nil, "email_verified_at = $3", userID, orNow(at))
}
