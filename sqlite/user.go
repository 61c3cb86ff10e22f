package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/quirehq/quire"
	"github.com/quirehq/quire/barrier"
)

// UserService stores users with their email and name encrypted under the
// user's own scope, found by email through a blind index.
type UserService struct {
	db *DB
	b  *barrier.Barrier
}

// NewUserService returns a UserService on db that encrypts through b.
func NewUserService(db *DB, b *barrier.Barrier) *UserService { return &UserService{db: db, b: b} }

var _ quire.UserService = (*UserService)(nil)

// userRow is a users row as stored.
type userRow struct {
	id, created, updated string
	email, index, name   []byte
}

const userColumns = "id, email_enc, email_index, name_enc, created_at, updated_at"

func scanUser(row interface{ Scan(...any) error }) (*userRow, error) {
	var r userRow
	err := row.Scan(&r.id, &r.email, &r.index, &r.name, &r.created, &r.updated)
	return &r, err
}

// decode decrypts a stored row into a quire.User.
func (s *UserService) decode(ctx context.Context, r *userRow) (*quire.User, error) {
	scope := barrier.UserScope(r.id)
	u := &quire.User{ID: r.id}
	var err error
	if u.Email, err = unseal(ctx, s.b, scope, tableUsers, r.id, fieldEmail, r.email); err != nil {
		return nil, err
	}
	if u.Name, err = unseal(ctx, s.b, scope, tableUsers, r.id, fieldName, r.name); err != nil {
		return nil, err
	}
	if u.CreatedAt, err = parseTime(r.created); err != nil {
		return nil, internal("read user", err)
	}
	if u.UpdatedAt, err = parseTime(r.updated); err != nil {
		return nil, internal("read user", err)
	}
	return u, nil
}

func (s *UserService) findRow(ctx context.Context, where string, arg any) (*userRow, error) {
	r, err := scanUser(s.db.reader.QueryRowContext(ctx, "SELECT "+userColumns+" FROM users WHERE "+where, arg))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, quire.Errorf(quire.ENOTFOUND, "User not found.")
	} else if err != nil {
		return nil, internal("find user", err)
	}
	return r, nil
}

// FindUserByID implements quire.UserService.
func (s *UserService) FindUserByID(ctx context.Context, id string) (*quire.User, error) {
	r, err := s.findRow(ctx, "id = ?", id)
	if err != nil {
		return nil, err
	}
	return s.decode(ctx, r)
}

// FindUserByEmail implements quire.UserService: an exact match through the
// blind index, so the address itself is never compared in SQL.
func (s *UserService) FindUserByEmail(ctx context.Context, email string) (*quire.User, error) {
	r, err := s.findRow(ctx, "email_index = ?", s.emailIndex(email))
	if err != nil {
		return nil, err
	}
	return s.decode(ctx, r)
}

func (s *UserService) emailIndex(email string) []byte {
	return s.b.BlindIndex(emailIndexPurpose, []byte(email))
}

func errEmailTaken() error {
	return quire.Errorf(quire.ECONFLICT, "A user with this email address already exists.")
}

// emailTaken reports whether index belongs to a user other than exceptID.
func (s *UserService) emailTaken(ctx context.Context, index []byte, exceptID string) (bool, error) {
	var n int
	err := s.db.reader.QueryRowContext(ctx, "SELECT count(*) FROM users WHERE email_index = ? AND id <> ?", index, exceptID).Scan(&n)
	if err != nil {
		return false, internal("check email", err)
	}
	return n > 0, nil
}

// CreateUser implements quire.UserService. It sets ID, CreatedAt and UpdatedAt.
func (s *UserService) CreateUser(ctx context.Context, u *quire.User) error {
	if err := s.checkNew(ctx, u); err != nil {
		return err
	}
	id, t := quire.NewID(), now()
	r, err := s.seal(ctx, u, id, t)
	if err != nil {
		return err
	}
	if err := insertUser(ctx, s.db.writer, r); err != nil {
		return s.insertFailed(ctx, id, err)
	}
	u.ID, u.CreatedAt, u.UpdatedAt = id, t, t
	return nil
}

// checkNew validates a new user and checks that its address is free.
func (s *UserService) checkNew(ctx context.Context, u *quire.User) error {
	if err := u.Validate(); err != nil {
		return err
	}
	if taken, err := s.emailTaken(ctx, s.emailIndex(u.Email), ""); err != nil {
		return err
	} else if taken {
		return errEmailTaken()
	}
	return nil
}

// seal encrypts a new user, to be stored with ID id, created at t, under
// the user's own scope. On failure no key of that scope is left behind.
func (s *UserService) seal(ctx context.Context, u *quire.User, id string, t time.Time) (*userRow, error) {
	scope := barrier.UserScope(id)
	email, err := seal(ctx, s.b, scope, tableUsers, id, fieldEmail, u.Email)
	if err != nil {
		shredQuietly(ctx, s.b, scope) // the first seal may have made the key
		return nil, err
	}
	name, err := seal(ctx, s.b, scope, tableUsers, id, fieldName, u.Name)
	if err != nil {
		shredQuietly(ctx, s.b, scope)
		return nil, err
	}
	return &userRow{id: id, email: email, index: s.emailIndex(u.Email), name: name,
		created: formatTime(t), updated: formatTime(t)}, nil
}

// insertFailed shreds the keys of user id, whose row was not written, and
// maps the insert's error.
func (s *UserService) insertFailed(ctx context.Context, id string, err error) error {
	shredQuietly(ctx, s.b, barrier.UserScope(id))
	if isUniqueViolation(err) {
		return errEmailTaken()
	}
	return internal("insert user", err)
}

// execer is what inserts need: the writer pool or a write transaction.
type execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

func insertUser(ctx context.Context, ex execer, r *userRow) error {
	_, err := ex.ExecContext(ctx, "INSERT INTO users ("+userColumns+") VALUES (?, ?, ?, ?, ?, ?)",
		r.id, r.email, r.index, r.name, r.created, r.updated)
	return err
}
