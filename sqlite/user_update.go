package sqlite

import (
	"context"
	"database/sql"
	"strings"

	"github.com/quirehq/quire"
	"github.com/quirehq/quire/barrier"
)

// UpdateUser implements quire.UserService. Only the fields that change are
// re-encrypted; a new email moves the blind index with it.
func (s *UserService) UpdateUser(ctx context.Context, id string, upd quire.UserUpdate) (*quire.User, error) {
	cur, err := s.FindUserByID(ctx, id)
	if err != nil {
		return nil, err
	}
	if upd.Email == nil && upd.Name == nil {
		return cur, nil
	}
	next := *cur
	if upd.Email != nil {
		next.Email = *upd.Email
	}
	if upd.Name != nil {
		next.Name = *upd.Name
	}
	if err := next.Validate(); err != nil {
		return nil, err
	}
	sets, args, err := s.updateColumns(ctx, id, upd, &next)
	if err != nil {
		return nil, err
	}
	next.UpdatedAt = after(cur.UpdatedAt)
	sets, args = append(sets, "updated_at = ?"), append(args, formatTime(next.UpdatedAt), id)
	res, err := s.db.writer.ExecContext(ctx, "UPDATE users SET "+strings.Join(sets, ", ")+" WHERE id = ?", args...)
	if isUniqueViolation(err) {
		return nil, errEmailTaken()
	} else if err != nil {
		return nil, internal("update user", err)
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return nil, quire.Errorf(quire.ENOTFOUND, "User not found.")
	}
	return &next, nil
}

// updateColumns encrypts the changed fields of next and returns the SET
// clauses and their arguments.
func (s *UserService) updateColumns(ctx context.Context, id string, upd quire.UserUpdate, next *quire.User) ([]string, []any, error) {
	scope := barrier.UserScope(id)
	var sets []string
	var args []any
	if upd.Email != nil {
		index := s.emailIndex(next.Email)
		if taken, err := s.emailTaken(ctx, index, id); err != nil {
			return nil, nil, err
		} else if taken {
			return nil, nil, errEmailTaken()
		}
		ct, err := seal(ctx, s.b, scope, tableUsers, id, fieldEmail, next.Email)
		if err != nil {
			return nil, nil, err
		}
		sets, args = append(sets, "email_enc = ?", "email_index = ?"), append(args, ct, index)
	}
	if upd.Name != nil {
		ct, err := seal(ctx, s.b, scope, tableUsers, id, fieldName, next.Name)
		if err != nil {
			return nil, nil, err
		}
		sets, args = append(sets, "name_enc = ?"), append(args, ct)
	}
	return sets, args, nil
}

// DeleteUser implements quire.UserService. A user who still owns a
// workspace is refused with ECONFLICT. The ownership check, the user's data
// keys, memberships and row go in one transaction, so that a refused or
// interrupted delete leaves the user whole and a finished one leaves nothing
// decryptable; Shred then clears the key cache and the write-ahead log.
func (s *UserService) DeleteUser(ctx context.Context, id string) error {
	if _, err := s.findRow(ctx, "id = ?", id); err != nil {
		return err
	}
	scope := barrier.UserScope(id)
	err := s.db.write(ctx, func(tx *sql.Tx) error {
		var owned int
		if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM workspaces WHERE owner_id = ?", id).Scan(&owned); err != nil {
			return err
		}
		if owned > 0 {
			return errOwnsWorkspaces()
		}
		for _, q := range []struct{ sql, arg string }{
			{"DELETE FROM data_keys WHERE scope = ?", string(scope)},
			{"DELETE FROM memberships WHERE user_id = ?", id},
			{"DELETE FROM users WHERE id = ?", id},
		} {
			if _, err := tx.ExecContext(ctx, q.sql, q.arg); err != nil {
				return err
			}
		}
		return nil
	})
	if quire.ErrorCode(err) == quire.ECONFLICT || isForeignKeyViolation(err) {
		return errOwnsWorkspaces()
	} else if err != nil {
		return internal("delete user", err)
	}
	if err := s.b.Shred(ctx, scope); err != nil {
		return internal("shred user keys", err)
	}
	return nil
}

func errOwnsWorkspaces() error {
	return quire.Errorf(quire.ECONFLICT, "The user owns workspaces: delete them or transfer them first.")
}
