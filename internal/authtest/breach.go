package authtest

import (
	"testing"

	"github.com/quirehq/quire/auth"
	"github.com/quirehq/quire/breach"
)

// CommonPassword is in every breach list; tests use it to see a password
// refused as breached.
const CommonPassword = "password123"

// offlineBreach is the breach checker of the tests: the offline list
// only, never the network.
func offlineBreach(t testing.TB) auth.BreachChecker {
	t.Helper()
	c, err := breach.New(breach.Options{DisableRange: true})
	if err != nil {
		t.Fatalf("authtest: breach checker: %v", err)
	}
	return c
}
