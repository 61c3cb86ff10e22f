package trust

import (
	"context"

	"github.com/quirehq/quire"
	"github.com/quirehq/quire/privacy"
)

// checkCCPA1 verifies that no personal data is sold or sent for analytics
// or "help improve": personal data goes only to the sub-processors of the
// SUB-1 list (the same cross-check against the configured outbound
// connections, both ways), none of which is an analytics service; a user
// who never chose has every purpose off, and the gate refuses a purpose
// the moment the user opts out. It reports how many users opted in to
// each purpose: counts only, never who.
func checkCCPA1(ctx context.Context, env *Env) (Status, []string) {
	var e evidence
	e.notef("Quire sells no personal data and has no analytics and no \"help improve\" data flow; any such flow must pass the privacy gate, which fails closed")
	checkDestinations(&e, env)
	if env.Privacy == nil {
		e.failf("the privacy settings store is not available: run with the deployment's configuration")
		return e.result()
	}
	countOptIns(ctx, &e, env.Privacy)
	if env.Users == nil {
		e.failf("the user service is not available: the defaults cannot be checked")
		return e.result()
	}
	checkPrivacyDefaults(ctx, &e, env)
	return e.result()
}

// checkDestinations fails unless the configured outbound destinations are
// exactly the SUB-1 list and every entry is of a known kind, none of which
// is analytics.
func checkDestinations(e *evidence, env *Env) {
	if env.SubProcessors == nil {
		e.failf("the sub-processor list is not known: the destinations of personal data cannot be checked")
		return
	}
	known := map[string]bool{}
	for _, k := range quire.SubProcessorKinds() {
		known[k.Kind] = true
	}
	for _, s := range env.SubProcessors {
		if !known[s.Kind] {
			e.failf("%s %s is not a known kind of sub-processor", s.Kind, s.Name)
		}
	}
	before := e.failed
	e.failed = false
	crossCheckOutbound(e, env)
	if !e.failed {
		e.notef("personal data leaves this deployment only for the %d sub-processors of the SUB-1 list, each for its stated purpose; every configured outbound destination is on the list, and none is an analytics service",
			len(env.SubProcessors))
	}
	e.failed = e.failed || before
}

// countOptIns reports how many users opted in to each purpose.
func countOptIns(ctx context.Context, e *evidence, store quire.PrivacyService) {
	c, err := store.CountPrivacyOptIns(ctx)
	if err != nil {
		e.failf("count the opt-ins: %s", quire.ErrorMessage(err))
		return
	}
	e.notef("users opted in: analytics %d, help improve %d (nothing uses either today)", c.Analytics, c.HelpImprove)
}

// checkPrivacyDefaults reads the settings of a fresh throwaway user (every
// purpose must be off, the gate must refuse each), opts it in and out
// again (the gate must follow at once), then deletes it.
func checkPrivacyDefaults(ctx context.Context, e *evidence, env *Env) {
	c := &canary{env: env}
	defer c.cleanup(ctx, e)
	if err := c.addUser(ctx); err != nil {
		e.failf("%v", err)
		return
	}
	s, err := env.Privacy.FindPrivacySettings(ctx, c.user.ID)
	if err != nil {
		e.failf("read a new user's privacy settings: %s", quire.ErrorMessage(err))
		return
	}
	if s.Analytics || s.HelpImprove || !s.UpdatedAt.IsZero() {
		e.failf("a new user's privacy settings are not the defaults (analytics %t, help improve %t)", s.Analytics, s.HelpImprove)
	}
	gate := privacy.New(env.Privacy)
	if !gateSays(ctx, e, gate, c.user.ID, false, "for a new user") {
		return
	}
	e.notef("a new user has analytics and help improve off, and the gate refuses both")
	all := quire.PrivacySettings{Analytics: true, HelpImprove: true}
	for _, step := range []struct {
		set  quire.PrivacySettings
		want bool
		when string
	}{{all, true, "after opting in"}, {quire.PrivacySettings{}, false, "after opting out"}} {
		if _, err := env.Privacy.UpdatePrivacySettings(ctx, c.user.ID, step.set); err != nil {
			e.failf("save a throwaway user's privacy settings: %s", quire.ErrorMessage(err))
			return
		}
		if !gateSays(ctx, e, gate, c.user.ID, step.want, step.when) {
			return
		}
	}
	e.notef("the gate follows a throwaway user's opt-in and, at once, its opt-out")
}

// gateSays fails e unless the gate answers want for every purpose.
func gateSays(ctx context.Context, e *evidence, gate *privacy.Gate, userID string, want bool, when string) bool {
	ok := true
	for _, p := range quire.PrivacyPurposes() {
		got, err := gate.Allowed(ctx, userID, p)
		if err != nil || got != want {
			e.failf("the privacy gate answers %t for %s %s, want %t (error: %s)", got, p, when, want, quire.ErrorMessage(err))
			ok = false
		}
	}
	return ok
}
