package authtest

import (
	"github.com/quirehq/quire/auth"
	"github.com/quirehq/quire/password"
)

// Strength adapts password.Strength to auth.StrengthMeter.
func Strength(pw string, userInputs []string) auth.Strength {
	f := password.Strength(pw, userInputs)
	return auth.Strength{Score: f.Score, Warning: f.Warning, Suggestions: f.Suggestions}
}
