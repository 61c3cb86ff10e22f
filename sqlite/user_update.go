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

// DeleteUser implements quire.UserService. The user's keys are shredded
// first, so that their personal data is unrecoverable even if the process
// stops before the rows are gone; then the memberships and the row go. A
// user who still owns a workspace is refused with ECONFLICT.
func (s *UserService) DeleteUser(ctx context.Context, id string) error {
	if _, err := s.findRow(ctx, "id = ?", id); err != nil {
		return err
	}
	var owned int
	if err := s.db.reader.QueryRowContext(ctx, "SELECT count(*) FROM workspaces WHERE owner_id = ?", id).Scan(&owned); err != nil {
		return internal("check owned workspaces", err)
	}
	if owned > 0 {
		return errOwnsWorkspaces()
	}
	if err := s.b.Shred(ctx, barrier.UserScope(id)); err != nil {
		return internal("shred user keys", err)
	}
	err := s.db.write(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, "DELETE FROM memberships WHERE user_id = ?", id); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, "DELETE FROM users WHERE id = ?", id)
		return err
	})
	if isForeignKeyViolation(err) {
		return errOwnsWorkspaces()
	} else if err != nil {
		return internal("delete user", err)
	}
	return nil
}

func errOwnsWorkspaces() error {
	return quire.Errorf(quire.ECONFLICT, "The user owns workspaces: delete them or transfer them first.")
}
