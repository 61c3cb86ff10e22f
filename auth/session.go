package auth

import (
	"context"
	"unicode/utf8"

	"github.com/quirehq/quire"
)

// Login is a session just started: Token goes to the client (once, in a
// cookie) and is never stored.
type Login struct {
	Token   string
	Session *quire.Session
}

// maxUserAgent bounds the client description kept with a session.
const maxUserAgent = 200

// startSession creates a session of the stage with a new random token.
func (s *Service) startSession(ctx context.Context, userID, stage string, c Client) (*Login, error) {
	now := s.now().UTC()
	life := s.cfg.SessionLifetime
	if stage == quire.SessionMFA {
		life = mfaStageLifetime
	}
	token := newSecret()
	sess := &quire.Session{ID: quire.NewID(), UserID: userID, TokenHash: hashToken(token),
		Stage: stage, UserAgent: truncate(c.UserAgent, maxUserAgent),
		CreatedAt: now, LastSeenAt: now, ExpiresAt: now.Add(life)}
	if err := s.store.CreateSession(ctx, sess); err != nil {
		return nil, err
	}
	return &Login{Token: token, Session: sess}, nil
}

// truncate cuts s to at most n bytes on a rune boundary, dropping invalid
// UTF-8.
func truncate(s string, n int) string {
	if !utf8.ValidString(s) {
		s = string([]rune(s))
	}
	for len(s) > n {
		_, size := utf8.DecodeLastRuneInString(s)
		s = s[:len(s)-size]
	}
	return s
}

// errNoSession is the answer to a missing, unknown or ended session.
func errNoSession() error {
	return quire.Errorf(quire.EUNAUTHORIZED, "Sign in to continue.")
}

// Authenticate returns the live session whose token is given. A session
// past its absolute lifetime or idle too long is deleted and refused. Use
// is recorded at most once a minute, so most requests only read.
func (s *Service) Authenticate(ctx context.Context, token string) (*quire.Session, error) {
	if token == "" || len(token) > 128 {
		return nil, errNoSession()
	}
	sess, err := s.store.FindSession(ctx, hashToken(token))
	if quire.ErrorCode(err) == quire.ENOTFOUND {
		return nil, errNoSession()
	} else if err != nil {
		return nil, err
	}
	now := s.now()
	if !now.Before(sess.ExpiresAt) || now.Sub(sess.LastSeenAt) >= s.cfg.SessionIdle {
		_ = s.store.DeleteSession(ctx, sess.UserID, sess.ID)
		return nil, errNoSession()
	}
	if now.Sub(sess.LastSeenAt) >= touchEvery {
		if err := s.store.TouchSession(ctx, sess.ID, now.UTC()); err != nil {
			return nil, err
		}
		sess.LastSeenAt = now
	}
	return sess, nil
}

// Logout ends the session.
func (s *Service) Logout(ctx context.Context, sess *quire.Session) error {
	if err := s.store.DeleteSession(ctx, sess.UserID, sess.ID); err != nil && quire.ErrorCode(err) != quire.ENOTFOUND {
		return err
	}
	return s.audit(ctx, EventLogout, sess.UserID, map[string]string{"session": sess.ID})
}

// Sessions lists the user's sessions.
func (s *Service) Sessions(ctx context.Context, userID string) ([]*quire.Session, error) {
	return s.store.FindSessionsByUser(ctx, userID)
}

// RevokeSession ends one of the user's sessions.
func (s *Service) RevokeSession(ctx context.Context, userID, id string) error {
	if !quire.ValidID(id) {
		return quire.Errorf(quire.ENOTFOUND, "Session not found.")
	}
	if err := s.store.DeleteSession(ctx, userID, id); err != nil {
		return err
	}
	return s.audit(ctx, EventSessionRevoked, userID, map[string]string{"session": id})
}

// RevokeOtherSessions ends every session of the user but keepID.
func (s *Service) RevokeOtherSessions(ctx context.Context, userID, keepID string) error {
	if err := s.store.DeleteSessions(ctx, userID, keepID); err != nil {
		return err
	}
	if err := s.dropEmailChange(ctx, userID); err != nil {
		return err
	}
	return s.audit(ctx, EventSessionRevoked, userID, map[string]string{"session": "all-others"})
}

// rotate replaces sess with a new full session (new token) and deletes
// the old one: done at every privilege change.
func (s *Service) rotate(ctx context.Context, sess *quire.Session, c Client) (*Login, error) {
	login, err := s.startSession(ctx, sess.UserID, quire.SessionFull, c)
	if err != nil {
		return nil, err
	}
	if err := s.store.DeleteSession(ctx, sess.UserID, sess.ID); err != nil {
		// Revoked meanwhile (or already rotated): it must not live on in
		// the new session.
		_ = s.store.DeleteSession(ctx, sess.UserID, login.Session.ID)
		if quire.ErrorCode(err) == quire.ENOTFOUND {
			return nil, errNoSession()
		}
		return nil, err
	}
	return login, nil
}
