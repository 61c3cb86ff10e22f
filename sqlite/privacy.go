package sqlite

import (
	"context"
	"database/sql"
	"errors"

	"github.com/quirehq/quire"
)

// PrivacyService stores the users' privacy settings (claim CCPA-1). They
// are plain flags, not sealed: no user content, and counted in SQL.
type PrivacyService struct {
	db *DB
}

var _ quire.PrivacyService = (*PrivacyService)(nil)

// NewPrivacyService returns the privacy settings store on db.
func NewPrivacyService(db *DB) *PrivacyService { return &PrivacyService{db: db} }

// FindPrivacySettings implements quire.PrivacyService. One query finds the
// user and their row: a user without one has the defaults.
func (s *PrivacyService) FindPrivacySettings(ctx context.Context, userID string) (*quire.PrivacySettings, error) {
	var (
		analytics, improve sql.NullBool
		updated            sql.NullString
	)
	err := s.db.reader.QueryRowContext(ctx, `SELECT p.analytics, p.help_improve, p.updated_at
		FROM users u LEFT JOIN privacy_settings p ON p.user_id = u.id WHERE u.id = ?`, userID).Scan(&analytics, &improve, &updated)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errUserNotFound()
	} else if err != nil {
		return nil, internal("find privacy settings", err)
	}
	ps := &quire.PrivacySettings{Analytics: analytics.Bool, HelpImprove: improve.Bool}
	if updated.Valid {
		if ps.UpdatedAt, err = parseTime(updated.String); err != nil {
			return nil, internal("find privacy settings", err)
		}
	}
	return ps, nil
}

// UpdatePrivacySettings implements quire.PrivacyService. UpdatedAt always
// moves forward, even when the clock does not.
func (s *PrivacyService) UpdatePrivacySettings(ctx context.Context, userID string, in quire.PrivacySettings) (*quire.PrivacySettings, error) {
	out := &quire.PrivacySettings{Analytics: in.Analytics, HelpImprove: in.HelpImprove}
	err := s.db.write(ctx, func(tx *sql.Tx) error {
		var prev string
		err := tx.QueryRowContext(ctx, "SELECT updated_at FROM privacy_settings WHERE user_id = ?", userID).Scan(&prev)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		out.UpdatedAt = now()
		if prev != "" {
			p, err := parseTime(prev)
			if err != nil {
				return err
			}
			out.UpdatedAt = after(p)
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO privacy_settings (user_id, analytics, help_improve, updated_at) VALUES (?, ?, ?, ?)
			ON CONFLICT (user_id) DO UPDATE SET analytics = excluded.analytics, help_improve = excluded.help_improve, updated_at = excluded.updated_at`,
			userID, in.Analytics, in.HelpImprove, formatTime(out.UpdatedAt))
		return err
	})
	switch {
	case isForeignKeyViolation(err):
		return nil, errUserNotFound()
	case err != nil:
		return nil, internal("update privacy settings", err)
	}
	return out, nil
}

// CountPrivacyOptIns implements quire.PrivacyService.
func (s *PrivacyService) CountPrivacyOptIns(ctx context.Context) (quire.PrivacyOptIns, error) {
	var c quire.PrivacyOptIns
	err := s.db.reader.QueryRowContext(ctx, "SELECT coalesce(sum(analytics), 0), coalesce(sum(help_improve), 0) FROM privacy_settings").
		Scan(&c.Analytics, &c.HelpImprove)
	if err != nil {
		return quire.PrivacyOptIns{}, internal("count privacy opt-ins", err)
	}
	return c, nil
}
