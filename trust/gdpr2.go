package trust

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"time"

	"github.com/quirehq/quire"
)

// checkGDPR2 corrects a throwaway user's personal data through the
// deployment's own stores, as the correction routes do: the name changes
// at once; an email change waits for its link (the sign-in address stays
// the old one until then), the link works once, and the change moves the
// address's blind index, so the account signs in by the new address only.
// The user is deleted afterwards.
func checkGDPR2(ctx context.Context, env *Env) (Status, []string) {
	var e evidence
	if env.Users == nil || env.EmailChanges == nil {
		e.failf("the user store or its pending email changes are not available: run with the deployment's configuration")
		return e.result()
	}
	withCanary(ctx, &e, env, func(c *canary) {
		if err := c.addUser(ctx); err != nil {
			e.failf("%v", err)
			return
		}
		if correctName(ctx, &e, env, c) {
			correctEmail(ctx, &e, env, c)
		}
	})
	return e.result()
}

// correctName renames c's user and reads the name back.
func correctName(ctx context.Context, e *evidence, env *Env, c *canary) bool {
	name := "Canary " + c.mark("corrected name")
	if _, err := env.Users.UpdateUser(ctx, c.user.ID, quire.UserUpdate{Name: &name}); err != nil {
		e.failf("correct a throwaway user's name: %s", quire.ErrorMessage(err))
		return false
	}
	u, err := env.Users.FindUserByID(ctx, c.user.ID)
	if err != nil || u.Name != name {
		e.failf("a corrected name does not read back (%s)", quire.ErrorCode(err))
		return false
	}
	e.notef("a name correction takes effect at once")
	return true
}

// correctEmail walks c's user through an email change: pending, then
// confirmed once, then in force under the new address only.
func correctEmail(ctx context.Context, e *evidence, env *Env, c *canary) {
	old := c.user.Email
	next := c.mark("corrected email") + "@canary.invalid"
	var token [32]byte
	_, _ = rand.Read(token[:])
	hash := sha256.Sum256(token[:])
	now := time.Now().UTC()
	change := &quire.EmailChange{UserID: c.user.ID, Email: next, TokenHash: hash[:], ExpiresAt: now.Add(time.Hour)}
	if err := env.EmailChanges.PutEmailChange(ctx, change); err != nil {
		e.failf("store a throwaway user's email change: %s", quire.ErrorMessage(err))
		return
	}
	if u, err := env.Users.FindUserByID(ctx, c.user.ID); err != nil || u.Email != old {
		e.failf("a pending email change took effect before its link was opened (%s)", quire.ErrorCode(err))
		return
	}
	if _, err := env.Users.FindUserByEmail(ctx, next); quire.ErrorCode(err) != quire.ENOTFOUND {
		e.failf("a pending email change already signs in by the new address (%s)", quire.ErrorCode(err))
		return
	}
	got, err := env.EmailChanges.ConsumeEmailChange(ctx, hash[:], now)
	if err != nil || got.UserID != c.user.ID || got.Email != next {
		e.failf("an email change's link does not find its change (%s)", quire.ErrorCode(err))
		return
	}
	if _, err := env.EmailChanges.ConsumeEmailChange(ctx, hash[:], now); quire.ErrorCode(err) != quire.ETOKENINVALID {
		e.failf("an email change's link works more than once (%s)", quire.ErrorCode(err))
		return
	}
	if _, err := env.Users.UpdateUser(ctx, c.user.ID, quire.UserUpdate{Email: &next}); err != nil {
		e.failf("apply a throwaway user's confirmed email change: %s", quire.ErrorMessage(err))
		return
	}
	if u, err := env.Users.FindUserByEmail(ctx, next); err != nil || u.ID != c.user.ID {
		e.failf("a corrected address does not find its account (%s)", quire.ErrorCode(err))
		return
	}
	if _, err := env.Users.FindUserByEmail(ctx, old); quire.ErrorCode(err) != quire.ENOTFOUND {
		e.failf("the address replaced by a correction still finds the account (%s)", quire.ErrorCode(err))
		return
	}
	e.notef("an email change waits for its link, which works once, and then the account is found by the new address only")
}
