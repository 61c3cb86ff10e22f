// Package privacy is the gate every flow of personal data for analytics or
// "help improve Quire" must pass (claim CCPA-1). Quire has no such flow
// today: the gate exists so that any future one asks the user's opt-in
// first, and fails closed.
package privacy

import (
	"context"

	"github.com/quirehq/quire"
)

// Gate answers whether a user opted in to a purpose.
type Gate struct {
	settings quire.PrivacyService
}

// New returns a gate over the users' stored settings.
func New(settings quire.PrivacyService) *Gate { return &Gate{settings: settings} }

// Allowed reports whether user userID opted in to purpose. It is false
// unless the stored settings say yes: for a user who never chose, an
// unknown purpose or user, a nil gate or store, and on any error, which it
// returns too (fail closed).
func (g *Gate) Allowed(ctx context.Context, userID string, purpose quire.PrivacyPurpose) (bool, error) {
	if g == nil || g.settings == nil {
		return false, quire.Errorf(quire.EUNAVAILABLE, "Privacy settings are not available.")
	}
	if !known(purpose) {
		return false, quire.Errorf(quire.EINVALID, "Unknown privacy purpose.")
	}
	if !quire.ValidID(userID) {
		return false, quire.Errorf(quire.ENOTFOUND, "User not found.")
	}
	s, err := g.settings.FindPrivacySettings(ctx, userID)
	if err != nil {
		return false, err
	}
	if s == nil {
		return false, quire.Errorf(quire.EINTERNAL, "Privacy settings could not be read.")
	}
	return s.Allows(purpose), nil
}

// known reports whether p is one of quire.PrivacyPurposes.
func known(p quire.PrivacyPurpose) bool {
	for _, k := range quire.PrivacyPurposes() {
		if p == k {
			return true
		}
	}
	return false
}
