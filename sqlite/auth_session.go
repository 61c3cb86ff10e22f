package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/quirehq/quire"
)

const sessionColumns = "id, user_id, token_hash, stage, user_agent_enc, created_at, last_seen_at, expires_at"

// sessionRow is a sessions row as stored.
type sessionRow struct {
	id, userID, stage, created, lastSeen, expires string
	tokenHash, userAgent                          []byte
}

func scanSession(row interface{ Scan(...any) error }) (*sessionRow, error) {
	var r sessionRow
	err := row.Scan(&r.id, &r.userID, &r.tokenHash, &r.stage, &r.userAgent, &r.created, &r.lastSeen, &r.expires)
	return &r, err
}

func (s *AuthService) decodeSession(ctx context.Context, r *sessionRow) (*quire.Session, error) {
	ua, err := s.unsealBytes(ctx, r.userID, tableSessions, r.id, fieldUserAgent, r.userAgent)
	if err != nil {
		return nil, err
	}
	x := &quire.Session{ID: r.id, UserID: r.userID, TokenHash: r.tokenHash, Stage: r.stage, UserAgent: string(ua)}
	var e1, e2, e3 error
	x.CreatedAt, e1 = parseTime(r.created)
	x.LastSeenAt, e2 = parseTime(r.lastSeen)
	x.ExpiresAt, e3 = parseTime(r.expires)
	if err := errors.Join(e1, e2, e3); err != nil {
		return nil, internal("read session", err)
	}
	return x, nil
}

func errSessionNotFound() error { return quire.Errorf(quire.ENOTFOUND, "Session not found.") }

// CreateSession implements quire.AuthStore. It sets ID if empty, CreatedAt
// if zero and LastSeenAt (to CreatedAt) if zero, and leaves every time as
// stored.
func (s *AuthService) CreateSession(ctx context.Context, x *quire.Session) error {
	if len(x.TokenHash) == 0 {
		return quire.Errorf(quire.EINVALID, "Session token hash is required.")
	}
	if x.Stage != quire.SessionFull && x.Stage != quire.SessionMFA && x.Stage != quire.SessionReset {
		return quire.Errorf(quire.EINVALID, "Session stage must be %q, %q or %q.", quire.SessionFull, quire.SessionMFA, quire.SessionReset)
	}
	if err := s.userExists(ctx, x.UserID); err != nil {
		return err
	}
	id := x.ID
	if id == "" {
		id = quire.NewID()
	}
	created := stamp(x.CreatedAt)
	lastSeen, expires := created, x.ExpiresAt.UTC().Truncate(time.Microsecond)
	if !x.LastSeenAt.IsZero() {
		lastSeen = stamp(x.LastSeenAt)
	}
	ua, err := s.sealBytes(ctx, x.UserID, tableSessions, id, fieldUserAgent, []byte(x.UserAgent))
	if err != nil {
		return err
	}
	_, err = s.db.writer.ExecContext(ctx, "INSERT INTO sessions ("+sessionColumns+") VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
		id, x.UserID, x.TokenHash, x.Stage, ua, formatTime(created), formatTime(lastSeen), formatTime(expires))
	if err != nil {
		return s.insertError(ctx, x.UserID, "A session", err)
	}
	x.ID, x.CreatedAt, x.LastSeenAt, x.ExpiresAt = id, created, lastSeen, expires
	return nil
}

// FindSession implements quire.AuthStore: one indexed read and one
// decryption, on every authenticated request.
func (s *AuthService) FindSession(ctx context.Context, tokenHash []byte) (*quire.Session, error) {
	row, err := s.queryRow(ctx, "SELECT "+sessionColumns+" FROM sessions WHERE token_hash = ?", tokenHash)
	if err != nil {
		return nil, internal("find session", err)
	}
	r, err := scanSession(row)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errSessionNotFound()
	} else if err != nil {
		return nil, internal("find session", err)
	}
	return s.decodeSession(ctx, r)
}

// TouchSession implements quire.AuthStore. The time never moves back, so
// that requests finishing out of order cannot shorten the idle timeout.
func (s *AuthService) TouchSession(ctx context.Context, id string, at time.Time) error {
	res, err := s.db.writer.ExecContext(ctx, "UPDATE sessions SET last_seen_at = max(last_seen_at, ?) WHERE id = ?", formatTime(at), id)
	return affectedOne(res, err, "touch session", errSessionNotFound)
}

// FindSessionsByUser implements quire.AuthStore, oldest first.
func (s *AuthService) FindSessionsByUser(ctx context.Context, userID string) ([]*quire.Session, error) {
	rows, err := s.db.reader.QueryContext(ctx, "SELECT "+sessionColumns+" FROM sessions WHERE user_id = ? ORDER BY created_at, id", userID)
	raw, err := collect(rows, err, "find sessions", scanSession)
	if err != nil {
		return nil, err
	}
	out := make([]*quire.Session, 0, len(raw))
	for _, r := range raw {
		x, err := s.decodeSession(ctx, r)
		if err != nil {
			return nil, err
		}
		out = append(out, x)
	}
	return out, nil
}

// DeleteSession implements quire.AuthStore: a session of another user is
// not found.
func (s *AuthService) DeleteSession(ctx context.Context, userID, id string) error {
	res, err := s.db.writer.ExecContext(ctx, "DELETE FROM sessions WHERE id = ? AND user_id = ?", id, userID)
	return affectedOne(res, err, "delete session", errSessionNotFound)
}

// DeleteSessions implements quire.AuthStore; an empty keepID keeps none.
func (s *AuthService) DeleteSessions(ctx context.Context, userID, keepID string) error {
	if _, err := s.db.writer.ExecContext(ctx, "DELETE FROM sessions WHERE user_id = ? AND id <> ?", userID, keepID); err != nil {
		return internal("delete sessions", err)
	}
	return nil
}
