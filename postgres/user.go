package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/quirehq/quire"
	"github.com/quirehq/quire/barrier"
)

// UserService stores users with their email and name encrypted under the
// user's own scope, found by a blind index of the email.
type UserService struct {
	db *DB
	b  *barrier.Barrier
}

var _ quire.UserService = (*UserService)(nil)

// NewUserService returns a user service over db that encrypts with b.
func NewUserService(db *DB, b *barrier.Barrier) *UserService { return &UserService{db: db, b: b} }

// Blind-index purpose of the email column.
const emailIndexPurpose = "users.email"

// userRow is a users row as stored.
type userRow struct {
	id                string
	email, index, nam []byte
	created, updated  time.Time
}

const userColumns = "id, email_enc, email_index, name_enc, created_at, updated_at"

func scanUser(row pgx.Row) (*userRow, error) {
	var r userRow
	if err := row.Scan(&r.id, &r.email, &r.index, &r.nam, &r.created, &r.updated); err != nil {
		return nil, err
	}
	return &r, nil
}

// encryptUser seals email and name for the user with id.
func (s *UserService) encryptUser(ctx context.Context, id, email, name string) (emailEnc, nameEnc []byte, err error) {
	scope := barrier.UserScope(id)
	if emailEnc, err = s.b.Encrypt(ctx, scope, barrier.AD("users", id, "email"), []byte(email)); err != nil {
		return nil, nil, internal("encrypt user", err)
	}
	if nameEnc, err = s.b.Encrypt(ctx, scope, barrier.AD("users", id, "name"), []byte(name)); err != nil {
		return nil, nil, internal("encrypt user", err)
	}
	return emailEnc, nameEnc, nil
}

// decrypt opens a stored row.
func (s *UserService) decrypt(ctx context.Context, r *userRow) (*quire.User, error) {
	scope := barrier.UserScope(r.id)
	email, err := s.b.Decrypt(ctx, scope, barrier.AD("users", r.id, "email"), r.email)
	if err != nil {
		return nil, internal("decrypt user", err)
	}
	name, err := s.b.Decrypt(ctx, scope, barrier.AD("users", r.id, "name"), r.nam)
	if err != nil {
		return nil, internal("decrypt user", err)
	}
	return &quire.User{ID: r.id, Email: string(email), Name: string(name),
		CreatedAt: r.created.UTC(), UpdatedAt: r.updated.UTC()}, nil
}

// CreateUser implements quire.UserService.
func (s *UserService) CreateUser(ctx context.Context, u *quire.User) error {
	if err := u.Validate(); err != nil {
		return err
	}
	id, t := quire.NewID(), now()
	emailEnc, nameEnc, err := s.encryptUser(ctx, id, u.Email, u.Name)
	if err != nil {
		_ = s.b.Shred(context.WithoutCancel(ctx), barrier.UserScope(id)) // a key may exist already
		return err
	}
	idx := s.b.BlindIndex(emailIndexPurpose, []byte(u.Email))
	_, err = s.db.pool.Exec(ctx, "INSERT INTO users ("+userColumns+") VALUES ($1, $2, $3, $4, $5, $5)",
		id, emailEnc, idx, nameEnc, t)
	if err != nil {
		_ = s.b.Shred(context.WithoutCancel(ctx), barrier.UserScope(id)) // the new scope holds nothing else
		if pgCode(err) == codeUniqueViolation {
			return quire.Errorf(quire.ECONFLICT, "A user with this email already exists.")
		}
		return internal("create user", err)
	}
	u.ID, u.CreatedAt, u.UpdatedAt = id, t, t
	return nil
}

// FindUserByID implements quire.UserService.
func (s *UserService) FindUserByID(ctx context.Context, id string) (*quire.User, error) {
	r, err := scanUser(s.db.pool.QueryRow(ctx, "SELECT "+userColumns+" FROM users WHERE id = $1", id))
	if notFound(err) {
		return nil, quire.Errorf(quire.ENOTFOUND, "User not found.")
	} else if err != nil {
		return nil, internal("find user", err)
	}
	return s.decrypt(ctx, r)
}

// FindUserByEmail implements quire.UserService.
func (s *UserService) FindUserByEmail(ctx context.Context, email string) (*quire.User, error) {
	idx := s.b.BlindIndex(emailIndexPurpose, []byte(email))
	r, err := scanUser(s.db.pool.QueryRow(ctx, "SELECT "+userColumns+" FROM users WHERE email_index = $1", idx))
	if notFound(err) {
		return nil, quire.Errorf(quire.ENOTFOUND, "User not found.")
	} else if err != nil {
		return nil, internal("find user", err)
	}
	return s.decrypt(ctx, r)
}

// UpdateUser implements quire.UserService. It re-encrypts the changed fields
// outside any transaction and writes them only if the row is unchanged since
// it was read, retrying otherwise.
func (s *UserService) UpdateUser(ctx context.Context, id string, upd quire.UserUpdate) (*quire.User, error) {
	for range maxRetries {
		u, ok, err := s.tryUpdateUser(ctx, id, upd)
		if err != nil || ok {
			return u, err
		}
	}
	return nil, quire.Errorf(quire.ECONFLICT, "The user was changed concurrently; try again.")
}

func (s *UserService) tryUpdateUser(ctx context.Context, id string, upd quire.UserUpdate) (*quire.User, bool, error) {
	r, err := scanUser(s.db.pool.QueryRow(ctx, "SELECT "+userColumns+" FROM users WHERE id = $1", id))
	if notFound(err) {
		return nil, false, quire.Errorf(quire.ENOTFOUND, "User not found.")
	} else if err != nil {
		return nil, false, internal("update user", err)
	}
	u, err := s.decrypt(ctx, r)
	if err != nil {
		return nil, false, err
	}
	if upd.Email != nil {
		u.Email = *upd.Email
	}
	if upd.Name != nil {
		u.Name = *upd.Name
	}
	if err := u.Validate(); err != nil {
		return nil, false, err
	}
	emailEnc, nameEnc, err := s.encryptUser(ctx, id, u.Email, u.Name)
	if err != nil {
		return nil, false, err
	}
	u.UpdatedAt = later(r.updated)
	tag, err := s.db.pool.Exec(ctx, `UPDATE users SET email_enc = $2, email_index = $3, name_enc = $4, updated_at = $5
		WHERE id = $1 AND email_enc = $6 AND name_enc = $7`,
		id, emailEnc, s.b.BlindIndex(emailIndexPurpose, []byte(u.Email)), nameEnc, u.UpdatedAt, r.email, r.nam)
	if pgCode(err) == codeUniqueViolation {
		return nil, false, quire.Errorf(quire.ECONFLICT, "A user with this email already exists.")
	} else if err != nil {
		return nil, false, internal("update user", err)
	}
	return u, tag.RowsAffected() == 1, nil
}

// DeleteUser implements quire.UserService. The user's data keys are deleted
// in the same transaction as the row, so the personal data becomes
// unrecoverable exactly when the user is gone; a user who owns a workspace
// is refused (ECONFLICT) and keeps both.
func (s *UserService) DeleteUser(ctx context.Context, id string) error {
	scope := barrier.UserScope(id)
	err := s.db.inTx(ctx, binding{}, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, "DELETE FROM users WHERE id = $1", id)
		if pgCode(err) == codeForeignKeyViolation {
			return quire.Errorf(quire.ECONFLICT, "The user owns a workspace: transfer or delete it first.")
		} else if err != nil {
			return internal("delete user", err)
		} else if tag.RowsAffected() == 0 {
			return quire.Errorf(quire.ENOTFOUND, "User not found.")
		}
		if _, err := tx.Exec(ctx, "DELETE FROM data_keys WHERE scope = $1", string(scope)); err != nil {
			return internal("delete user keys", err)
		}
		return nil
	})
	if err != nil {
		return err
	}
	// The keys are gone; Shred also drops them from the barrier's cache.
	if err := s.b.Shred(ctx, scope); err != nil {
		return internal("shred user keys", err)
	}
	return nil
}

// maxRetries bounds optimistic-concurrency retries.
const maxRetries = 5
