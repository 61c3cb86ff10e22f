package postgres

import "context"

// HasUsers implements auth.UserCounter: whether any account exists.
func (s *UserService) HasUsers(ctx context.Context) (bool, error) {
	var has bool
	if err := s.db.pool.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM users)").Scan(&has); err != nil {
		return false, internal("count users", err)
	}
	return has, nil
}
