package sqlite

import (
	"context"
	"database/sql"
	"sync"
)

// stmtCache holds statements prepared once on the read pool, for the
// lookups made on every request (sessions, API keys), where parsing the
// SQL each time would cost about a third of the lookup.
type stmtCache struct {
	mu    sync.Mutex
	stmts map[string]*sql.Stmt
}

// prepared returns query prepared on the read pool. database/sql prepares
// it again on each connection that runs it, and the statements go away
// with the pool.
func (c *stmtCache) prepared(ctx context.Context, db *sql.DB, query string) (*sql.Stmt, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if st, ok := c.stmts[query]; ok {
		return st, nil
	}
	st, err := db.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	if c.stmts == nil {
		c.stmts = map[string]*sql.Stmt{}
	}
	c.stmts[query] = st
	return st, nil
}

// queryRow runs a cached read statement that returns one row.
func (s *AuthService) queryRow(ctx context.Context, query string, args ...any) (*sql.Row, error) {
	st, err := s.stmts.prepared(ctx, s.db.reader, query)
	if err != nil {
		return nil, err
	}
	return st.QueryRowContext(ctx, args...), nil
}
