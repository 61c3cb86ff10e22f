package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/quirehq/quire"
	"github.com/quirehq/quire/barrier"
)

var errSessionNotFound = quire.Errorf(quire.ENOTFOUND, "Session not found.")

// sessionRow is a sessions row as stored.
type sessionRow struct {
	s  quire.Session
	ua []byte
}

const sessionColumns = "id, user_id, token_hash, stage, user_agent_enc, created_at, last_seen_at, expires_at"

func scanSession(row pgx.Row) (*sessionRow, error) {
	var r sessionRow
	err := row.Scan(&r.s.ID, &r.s.UserID, &r.s.TokenHash, &r.s.Stage, &r.ua, &r.s.CreatedAt, &r.s.LastSeenAt, &r.s.ExpiresAt)
	if err != nil {
		return nil, err
	}
	return &r, nil
}

func (s *AuthService) openSession(ctx context.Context, r *sessionRow) (*quire.Session, error) {
	ua, err := s.open(ctx, r.s.UserID, "sessions", r.s.ID, "user_agent", r.ua)
	if err != nil {
		return nil, err
	}
	out := r.s
	out.UserAgent = string(ua)
	out.CreatedAt, out.LastSeenAt, out.ExpiresAt = out.CreatedAt.UTC(), out.LastSeenAt.UTC(), out.ExpiresAt.UTC()
	return &out, nil
}

// CreateSession implements quire.AuthStore. An empty ID is generated; a
// zero CreatedAt is now and a zero LastSeenAt is CreatedAt.
func (s *AuthService) CreateSession(ctx context.Context, ss *quire.Session) error {
	if len(ss.TokenHash) == 0 || !validStage(ss.Stage) {
		return quire.Errorf(quire.EINVALID, "Session token hash and a stage of %q, %q or %q are required.", quire.SessionFull, quire.SessionMFA, quire.SessionReset)
	} else if ss.UserID == "" {
		return errUserNotFound
	}
	r := *ss
	if r.ID == "" {
		r.ID = quire.NewID()
	}
	r.CreatedAt, r.ExpiresAt = orNow(r.CreatedAt), utc(r.ExpiresAt)
	r.LastSeenAt = utc(r.LastSeenAt)
	if r.LastSeenAt.IsZero() {
		r.LastSeenAt = r.CreatedAt
	}
	ua, err := s.seal(ctx, r.UserID, "sessions", r.ID, "user_agent", []byte(r.UserAgent))
	if err != nil {
		return err
	}
	_, err = s.db.pool.Exec(ctx, "INSERT INTO sessions ("+sessionColumns+") VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
		r.ID, r.UserID, r.TokenHash, r.Stage, ua, r.CreatedAt, r.LastSeenAt, r.ExpiresAt)
	if err := s.insertError(ctx, "session", r.UserID, err); err != nil {
		return err
	}
	*ss = r
	return nil
}

// insertError maps the failure of an INSERT of a record of userID: a
// duplicate is ECONFLICT and a missing user ENOTFOUND. The seal before the
// INSERT created a data key for a user who does not exist: it is shredded.
func (s *AuthService) insertError(ctx context.Context, what, userID string, err error) error {
	switch pgCode(err) {
	case codeUniqueViolation:
		return quire.Errorf(quire.ECONFLICT, "The %s already exists.", what)
	case codeForeignKeyViolation:
		_ = s.b.Shred(context.WithoutCancel(ctx), barrier.UserScope(userID))
		return errUserNotFound
	}
	return internal("create "+what, err)
}

// FindSession implements quire.AuthStore.
func (s *AuthService) FindSession(ctx context.Context, tokenHash []byte) (*quire.Session, error) {
	r, err := scanSession(s.db.pool.QueryRow(ctx, "SELECT "+sessionColumns+" FROM sessions WHERE token_hash = $1", tokenHash))
	if notFound(err) {
		return nil, errSessionNotFound
	} else if err != nil {
		return nil, internal("find session", err)
	}
	return s.openSession(ctx, r)
}

// TouchSession implements quire.AuthStore. LastSeenAt never moves back.
func (s *AuthService) TouchSession(ctx context.Context, id string, at time.Time) error {
	tag, err := s.db.pool.Exec(ctx, "UPDATE sessions SET last_seen_at = GREATEST(last_seen_at, $2) WHERE id = $1", id, orNow(at))
	if err != nil {
		return internal("touch session", err)
	} else if tag.RowsAffected() == 0 {
		return errSessionNotFound
	}
	return nil
}

// FindSessionsByUser implements quire.AuthStore, oldest first.
func (s *AuthService) FindSessionsByUser(ctx context.Context, userID string) ([]*quire.Session, error) {
	rows, err := s.db.pool.Query(ctx, "SELECT "+sessionColumns+" FROM sessions WHERE user_id = $1 ORDER BY created_at, id", userID)
	if err != nil {
		return nil, internal("find sessions", err)
	}
	rs, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (*sessionRow, error) { return scanSession(r) })
	if err != nil {
		return nil, internal("find sessions", err)
	}
	out := make([]*quire.Session, 0, len(rs))
	for _, r := range rs {
		ss, err := s.openSession(ctx, r)
		if err != nil {
			return nil, err
		}
		out = append(out, ss)
	}
	return out, nil
}

// DeleteSession implements quire.AuthStore: another user's session is
// ENOTFOUND.
func (s *AuthService) DeleteSession(ctx context.Context, userID, id string) error {
	return s.deleteOwned(ctx, "sessions", userID, id, errSessionNotFound)
}

// DeleteSessions implements quire.AuthStore.
func (s *AuthService) DeleteSessions(ctx context.Context, userID, keepID string) error {
	_, err := s.db.pool.Exec(ctx, "DELETE FROM sessions WHERE user_id = $1 AND id <> $2", userID, keepID)
	return internal("delete sessions", err)
}

// deleteOwned deletes row id of table if it belongs to userID; otherwise
// it returns notFound.
func (s *AuthService) deleteOwned(ctx context.Context, table, userID, id string, notFound error) error {
	tag, err := s.db.pool.Exec(ctx, "DELETE FROM "+table+" WHERE id = $1 AND user_id = $2", id, userID)
	if err != nil {
		return internal("delete from "+table, err)
	} else if tag.RowsAffected() == 0 {
		return notFound
	}
	return nil
}

// validStage reports whether stage is one of the session stages.
func validStage(stage string) bool {
	return stage == quire.SessionFull || stage == quire.SessionMFA || stage == quire.SessionReset
}
