package sqlite

import "context"

// HasUsers implements auth.UserCounter: whether any account exists.
func (s *UserService) HasUsers(ctx context.Context) (bool, error) {
	var n int
	if err := s.db.reader.QueryRowContext(ctx, "SELECT EXISTS (SELECT 1 FROM users)").Scan(&n); err != nil {
		return false, internal("count users", err)
	}
	return n != 0, nil
}
