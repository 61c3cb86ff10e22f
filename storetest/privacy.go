package storetest

import (
	"context"
	"sync"
	"testing"

	"github.com/quirehq/quire"
)

// The privacy part of the suite (claim CCPA-1) fixes:
//   - A user who never saved settings has every purpose off and a zero
//     UpdatedAt; an unknown user is ENOTFOUND, to read and to save.
//   - Saving stores both flags for that user alone; UpdatedAt moves
//     forward on every save; concurrent saves of one user all succeed.
//   - CountPrivacyOptIns counts the users opted in to each purpose, and the
//     settings go with their user.

// privacySuite is the privacy part of the conformance suite.
var privacySuite = []suiteTest{
	{"PrivacyDefaults", testPrivacyDefaults},
	{"PrivacyRoundTrip", testPrivacyRoundTrip},
	{"PrivacyConcurrentSaves", testPrivacyConcurrentSaves},
	{"PrivacyOptInCounts", testPrivacyOptInCounts},
	{"PrivacyCascade", testPrivacyCascade},
}

// privacyStore returns s.Privacy, failing t if the backend has none.
func privacyStore(t *testing.T, s Stores) quire.PrivacyService {
	t.Helper()
	if s.Privacy == nil {
		t.Fatal("the backend's Stores has no Privacy")
	}
	return s.Privacy
}

// wantPrivacy reads the settings of userID and fails unless the flags are
// analytics and improve.
func wantPrivacy(t *testing.T, p quire.PrivacyService, userID string, analytics, improve bool) *quire.PrivacySettings {
	t.Helper()
	got, err := p.FindPrivacySettings(context.Background(), userID)
	mustOK(t, err, "FindPrivacySettings")
	if got.Analytics != analytics || got.HelpImprove != improve {
		t.Fatalf("settings = %+v, want analytics %v, helpImprove %v", got, analytics, improve)
	}
	return got
}

// wantOptIns fails unless the counts are as given.
func wantOptIns(t *testing.T, p quire.PrivacyService, analytics, improve int) {
	t.Helper()
	c, err := p.CountPrivacyOptIns(context.Background())
	mustOK(t, err, "CountPrivacyOptIns")
	if c.Analytics != analytics || c.HelpImprove != improve {
		t.Fatalf("opt-ins = %+v, want analytics %d, helpImprove %d", c, analytics, improve)
	}
}

func testPrivacyDefaults(t *testing.T, s Stores) {
	ctx := context.Background()
	p := privacyStore(t, s)
	u := mustUser(t, s, "fresh")
	got := wantPrivacy(t, p, u.ID, false, false)
	if !got.UpdatedAt.IsZero() {
		t.Fatalf("settings never saved have UpdatedAt %v", got.UpdatedAt)
	}
	for _, purpose := range quire.PrivacyPurposes() {
		if got.Allows(purpose) {
			t.Fatalf("default settings allow %s", purpose)
		}
	}
	wantOptIns(t, p, 0, 0)
	_, err := p.FindPrivacySettings(ctx, quire.NewID())
	wantCode(t, err, quire.ENOTFOUND)
	_, err = p.UpdatePrivacySettings(ctx, quire.NewID(), quire.PrivacySettings{Analytics: true})
	wantCode(t, err, quire.ENOTFOUND)
	wantOptIns(t, p, 0, 0)
}

func testPrivacyRoundTrip(t *testing.T, s Stores) {
	ctx := context.Background()
	p := privacyStore(t, s)
	u, other := mustUser(t, s, "saver"), mustUser(t, s, "bystander")
	saved, err := p.UpdatePrivacySettings(ctx, u.ID, quire.PrivacySettings{Analytics: true})
	mustOK(t, err, "UpdatePrivacySettings")
	checkTimes(t, "privacy settings", saved.UpdatedAt, saved.UpdatedAt)
	got := wantPrivacy(t, p, u.ID, true, false)
	if !got.UpdatedAt.Equal(saved.UpdatedAt) {
		t.Fatalf("UpdatedAt read back %v, saved %v", got.UpdatedAt, saved.UpdatedAt)
	}
	if !got.Allows(quire.PrivacyAnalytics) || got.Allows(quire.PrivacyHelpImprove) || got.Allows("sale") {
		t.Fatalf("Allows disagrees with the settings %+v", got)
	}
	wantPrivacy(t, p, other.ID, false, false)
	prev := saved.UpdatedAt
	for _, want := range []quire.PrivacySettings{{HelpImprove: true}, {Analytics: true, HelpImprove: true}, {}, {}} {
		saved, err = p.UpdatePrivacySettings(ctx, u.ID, want)
		mustOK(t, err, "UpdatePrivacySettings")
		if !saved.UpdatedAt.After(prev) {
			t.Fatalf("UpdatedAt %v did not move past %v", saved.UpdatedAt, prev)
		}
		prev = saved.UpdatedAt
		got = wantPrivacy(t, p, u.ID, want.Analytics, want.HelpImprove)
		if !got.UpdatedAt.Equal(saved.UpdatedAt) {
			t.Fatalf("UpdatedAt read back %v, saved %v", got.UpdatedAt, saved.UpdatedAt)
		}
	}
	wantPrivacy(t, p, other.ID, false, false)
}

func testPrivacyConcurrentSaves(t *testing.T, s Stores) {
	p := privacyStore(t, s)
	u := mustUser(t, s, "racer")
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for i := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := p.UpdatePrivacySettings(context.Background(), u.ID, quire.PrivacySettings{Analytics: i%2 == 0, HelpImprove: true})
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		mustOK(t, err, "concurrent UpdatePrivacySettings")
	}
	got, err := p.FindPrivacySettings(context.Background(), u.ID)
	mustOK(t, err, "FindPrivacySettings")
	if !got.HelpImprove || got.UpdatedAt.IsZero() {
		t.Fatalf("after concurrent saves, settings = %+v", got)
	}
	c, err := p.CountPrivacyOptIns(context.Background())
	mustOK(t, err, "CountPrivacyOptIns")
	if c.HelpImprove != 1 || c.Analytics > 1 {
		t.Fatalf("one user counted as %+v", c)
	}
}

func testPrivacyOptInCounts(t *testing.T, s Stores) {
	ctx := context.Background()
	p := privacyStore(t, s)
	set := func(u *quire.User, analytics, improve bool) {
		t.Helper()
		_, err := p.UpdatePrivacySettings(ctx, u.ID, quire.PrivacySettings{Analytics: analytics, HelpImprove: improve})
		mustOK(t, err, "UpdatePrivacySettings")
	}
	a, b, c, d := mustUser(t, s, "a"), mustUser(t, s, "b"), mustUser(t, s, "c"), mustUser(t, s, "d")
	set(a, true, true)
	set(b, true, false)
	set(c, false, false) // saved, all off: counts for nothing
	_ = d                // never saved
	wantOptIns(t, p, 2, 1)
	set(b, false, true)
	wantOptIns(t, p, 1, 2)
	set(a, false, false)
	wantOptIns(t, p, 0, 1)
}

func testPrivacyCascade(t *testing.T, s Stores) {
	ctx := context.Background()
	p := privacyStore(t, s)
	gone, kept := mustUser(t, s, "gone"), mustUser(t, s, "kept")
	for _, u := range []*quire.User{gone, kept} {
		_, err := p.UpdatePrivacySettings(ctx, u.ID, quire.PrivacySettings{Analytics: true, HelpImprove: true})
		mustOK(t, err, "UpdatePrivacySettings")
	}
	wantOptIns(t, p, 2, 2)
	mustOK(t, s.Users.DeleteUser(ctx, gone.ID), "DeleteUser")
	_, err := p.FindPrivacySettings(ctx, gone.ID)
	wantCode(t, err, quire.ENOTFOUND)
	wantOptIns(t, p, 1, 1)
	wantPrivacy(t, p, kept.ID, true, true)
}
