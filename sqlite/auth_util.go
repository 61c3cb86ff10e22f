package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/quirehq/quire"
	"github.com/quirehq/quire/barrier"
)

// affectedOne maps the result of a statement that must change a row: a
// driver error is EINTERNAL, no row changed is notFound().
func affectedOne(res sql.Result, err error, what string, notFound func() error) error {
	if err != nil {
		return internal(what, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return internal(what, err)
	}
	if n == 0 {
		return notFound()
	}
	return nil
}

func errUserNotFound() error { return quire.Errorf(quire.ENOTFOUND, "User not found.") }

// userExists returns ENOTFOUND unless user id exists. Callers check before
// they encrypt under the user's scope, so that no key is made for a user
// who is not there.
func (s *AuthService) userExists(ctx context.Context, id string) error {
	var n int
	if err := s.db.reader.QueryRowContext(ctx, "SELECT count(*) FROM users WHERE id = ?", id).Scan(&n); err != nil {
		return internal("check user", err)
	}
	if n == 0 {
		return errUserNotFound()
	}
	return nil
}

// insertError maps the error of inserting a row that belongs to userID: a
// taken unique value is ECONFLICT; a missing user (deleted meanwhile) is
// ENOTFOUND, and any key a seal made for it since is shredded.
func (s *AuthService) insertError(ctx context.Context, userID, what string, err error) error {
	switch {
	case isUniqueViolation(err):
		return quire.Errorf(quire.ECONFLICT, "%s already exists.", what)
	case isForeignKeyViolation(err):
		shredQuietly(ctx, s.b, barrier.UserScope(userID))
		return errUserNotFound()
	default:
		return internal("insert "+what, err)
	}
}

// sealBytes encrypts one field of one row of userID's records.
func (s *AuthService) sealBytes(ctx context.Context, userID, table, id, field string, value []byte) ([]byte, error) {
	ct, err := s.b.Encrypt(ctx, barrier.UserScope(userID), barrier.AD(table, id, field), value)
	if err != nil {
		return nil, encryptFailed(err)
	}
	return ct, nil
}

// unsealBytes decrypts what sealBytes encrypted.
func (s *AuthService) unsealBytes(ctx context.Context, userID, table, id, field string, ct []byte) ([]byte, error) {
	pt, err := s.b.Decrypt(ctx, barrier.UserScope(userID), barrier.AD(table, id, field), ct)
	if err != nil {
		return nil, decryptFailed(table, id, field, err)
	}
	return pt, nil
}

// stamp returns t in UTC at the stored precision, or now if t is zero.
func stamp(t time.Time) time.Time {
	if t.IsZero() {
		return now()
	}
	return t.UTC().Truncate(time.Microsecond)
}

// nullTime stores the zero time as NULL.
func nullTime(t time.Time) sql.NullString {
	if t.IsZero() {
		return sql.NullString{}
	}
	return sql.NullString{String: formatTime(t), Valid: true}
}

// parseNullTime reads a nullable timestamp; NULL is the zero time.
func parseNullTime(s sql.NullString) (time.Time, error) {
	if !s.Valid {
		return time.Time{}, nil
	}
	return parseTime(s.String)
}

// collect reads every row of rows with scan before any is processed, so
// that no read connection is held while the barrier may need one.
func collect[T any](rows *sql.Rows, err error, what string, scan func(interface{ Scan(...any) error }) (T, error)) ([]T, error) {
	if err != nil {
		return nil, internal(what, err)
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		r, err := scan(rows)
		if err != nil {
			return nil, internal(what, err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, internal(what, err)
	}
	return out, nil
}

// writeTx runs fn in a write transaction; an error that is not already a
// *quire.Error (begin, commit) becomes EINTERNAL.
func (s *AuthService) writeTx(ctx context.Context, what string, fn func(tx *sql.Tx) error) error {
	err := s.db.write(ctx, fn)
	var qe *quire.Error
	if err != nil && !errors.As(err, &qe) {
		return internal(what, err)
	}
	return err
}
