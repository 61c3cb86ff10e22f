package postgres

import (
	"context"
	"time"

	"github.com/quirehq/quire"
)

// PrivacyService stores the users' privacy settings (claim CCPA-1). The
// table is user data, not tenant data, like users: no row-level security.
// The flags are plain, not sealed: no user content, and counted in SQL.
type PrivacyService struct {
	db *DB
}

var _ quire.PrivacyService = (*PrivacyService)(nil)

// NewPrivacyService returns the privacy settings store over db.
func NewPrivacyService(db *DB) *PrivacyService { return &PrivacyService{db: db} }

// FindPrivacySettings implements quire.PrivacyService. One query finds the
// user and their row: a user without one has the defaults.
func (s *PrivacyService) FindPrivacySettings(ctx context.Context, userID string) (*quire.PrivacySettings, error) {
	var (
		analytics, improve *bool
		ps                 quire.PrivacySettings
	)
	var updated *time.Time
	err := s.db.pool.QueryRow(ctx, `SELECT p.analytics, p.help_improve, p.updated_at
		FROM users u LEFT JOIN privacy_settings p ON p.user_id = u.id WHERE u.id = $1`, userID).Scan(&analytics, &improve, &updated)
	if notFound(err) {
		return nil, errUserNotFound
	} else if err != nil {
		return nil, internal("find privacy settings", err)
	}
	ps.Analytics = analytics != nil && *analytics
	ps.HelpImprove = improve != nil && *improve
	if updated != nil {
		ps.UpdatedAt = updated.UTC()
	}
	return &ps, nil
}

// UpdatePrivacySettings implements quire.PrivacyService. UpdatedAt always
// moves forward, even when the clock does not.
func (s *PrivacyService) UpdatePrivacySettings(ctx context.Context, userID string, in quire.PrivacySettings) (*quire.PrivacySettings, error) {
	out := &quire.PrivacySettings{Analytics: in.Analytics, HelpImprove: in.HelpImprove}
	err := s.db.pool.QueryRow(ctx, `INSERT INTO privacy_settings (user_id, analytics, help_improve, updated_at) VALUES ($1, $2, $3, $4)
		ON CONFLICT (user_id) DO UPDATE SET analytics = excluded.analytics, help_improve = excluded.help_improve,
			updated_at = greatest(excluded.updated_at, privacy_settings.updated_at + interval '1 microsecond')
		RETURNING updated_at`, userID, in.Analytics, in.HelpImprove, now()).Scan(&out.UpdatedAt)
	switch {
	case pgCode(err) == codeForeignKeyViolation:
		return nil, errUserNotFound
	case err != nil:
		return nil, internal("update privacy settings", err)
	}
	out.UpdatedAt = out.UpdatedAt.UTC()
	return out, nil
}

// CountPrivacyOptIns implements quire.PrivacyService.
func (s *PrivacyService) CountPrivacyOptIns(ctx context.Context) (quire.PrivacyOptIns, error) {
	var a, h int64
	err := s.db.pool.QueryRow(ctx, "SELECT count(*) FILTER (WHERE analytics), count(*) FILTER (WHERE help_improve) FROM privacy_settings").Scan(&a, &h)
	if err != nil {
		return quire.PrivacyOptIns{}, internal("count privacy opt-ins", err)
	}
	return quire.PrivacyOptIns{Analytics: int(a), HelpImprove: int(h)}, nil
}
