package quire

import (
	"context"
	"time"
)

// PrivacyPurpose is a use of a person's data that needs their opt-in
// (claim CCPA-1). Quire has no flow for either purpose today: the settings
// exist so that any future one is gated from its first line.
type PrivacyPurpose string

// Privacy purposes, each off until the user opts in.
const (
	// PrivacyAnalytics is product analytics: how the user uses Quire.
	PrivacyAnalytics PrivacyPurpose = "analytics"
	// PrivacyHelpImprove is "help improve Quire": the user's content or
	// feedback used to improve the product.
	PrivacyHelpImprove PrivacyPurpose = "help_improve"
)

// PrivacyPurposes lists every purpose, in display order.
func PrivacyPurposes() []PrivacyPurpose {
	return []PrivacyPurpose{PrivacyAnalytics, PrivacyHelpImprove}
}

// PrivacySettings are one user's opt-ins. The zero value is the default:
// everything off.
type PrivacySettings struct {
	Analytics   bool
	HelpImprove bool
	// UpdatedAt is when the user last saved them; zero if never.
	UpdatedAt time.Time
}

// Allows reports whether the settings opt in to purpose; an unknown
// purpose is never allowed.
func (s PrivacySettings) Allows(p PrivacyPurpose) bool {
	switch p {
	case PrivacyAnalytics:
		return s.Analytics
	case PrivacyHelpImprove:
		return s.HelpImprove
	}
	return false
}

// PrivacyOptIns counts the users opted in to each purpose. It says how
// many, never who.
type PrivacyOptIns struct {
	Analytics   int
	HelpImprove int
}

// PrivacyService stores the users' privacy settings. They are the user's,
// not a workspace's, and go with the user's account.
type PrivacyService interface {
	// FindPrivacySettings returns the settings of user id: the defaults
	// (all off, zero UpdatedAt) if the user never saved any. ENOTFOUND if
	// there is no such user.
	FindPrivacySettings(ctx context.Context, userID string) (*PrivacySettings, error)
	// UpdatePrivacySettings saves both settings of user id and returns
	// them with their new UpdatedAt. ENOTFOUND if there is no such user.
	UpdatePrivacySettings(ctx context.Context, userID string, s PrivacySettings) (*PrivacySettings, error)
	// CountPrivacyOptIns counts the users opted in to each purpose.
	CountPrivacyOptIns(ctx context.Context) (PrivacyOptIns, error)
}
