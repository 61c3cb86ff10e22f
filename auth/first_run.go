package auth

import "context"

// UserCounter is a user store that can tell whether any account exists.
// The SQLite and PostgreSQL user services implement it.
type UserCounter interface {
	// HasUsers reports whether at least one account exists.
	HasUsers(ctx context.Context) (bool, error)
}

// FirstRun reports whether the server has no accounts yet, so that its
// home page can welcome the first visitor instead of asking them to sign
// in. A user store that cannot tell reports false.
func (s *Service) FirstRun(ctx context.Context) (bool, error) {
	c, ok := s.users.(UserCounter)
	if !ok {
		return false, nil
	}
	has, err := c.HasUsers(ctx)
	if err != nil {
		return false, err
	}
	return !has, nil
}
