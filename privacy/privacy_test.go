package privacy_test

import (
	"context"
	"testing"

	"github.com/quirehq/quire"
	"github.com/quirehq/quire/internal/authtest"
	"github.com/quirehq/quire/privacy"
	"github.com/quirehq/quire/sqlite"
)

// setup returns a gate over a real SQLite store, the store, and a user.
func setup(t *testing.T) (*privacy.Gate, *sqlite.DB, quire.PrivacyService, *quire.User) {
	t.Helper()
	db, b, _ := authtest.SQLite(t)
	u := &quire.User{Email: "someone@example.org", Name: "Someone"}
	if err := sqlite.NewUserService(db, b).CreateUser(context.Background(), u); err != nil {
		t.Fatal(err)
	}
	store := sqlite.NewPrivacyService(db)
	return privacy.New(store), db, store, u
}

// allowed calls g.Allowed and fails t unless it answers want, with an
// error exactly when wantErr.
func allowed(t *testing.T, g *privacy.Gate, userID string, p quire.PrivacyPurpose, want, wantErr bool) {
	t.Helper()
	got, err := g.Allowed(context.Background(), userID, p)
	if got != want || (err != nil) != wantErr {
		t.Fatalf("Allowed(%s) = %v, %v; want %v (error: %v)", p, got, err, want, wantErr)
	}
}

func TestOffUntilOptedIn(t *testing.T) {
	g, _, store, u := setup(t)
	for _, p := range quire.PrivacyPurposes() {
		allowed(t, g, u.ID, p, false, false)
	}
	ctx := context.Background()
	if _, err := store.UpdatePrivacySettings(ctx, u.ID, quire.PrivacySettings{HelpImprove: true}); err != nil {
		t.Fatal(err)
	}
	allowed(t, g, u.ID, quire.PrivacyAnalytics, false, false)
	allowed(t, g, u.ID, quire.PrivacyHelpImprove, true, false)
	if _, err := store.UpdatePrivacySettings(ctx, u.ID, quire.PrivacySettings{Analytics: true}); err != nil {
		t.Fatal(err)
	}
	allowed(t, g, u.ID, quire.PrivacyAnalytics, true, false)
	allowed(t, g, u.ID, quire.PrivacyHelpImprove, false, false) // opting out is honoured at once
}

func TestFailsClosed(t *testing.T) {
	g, db, store, u := setup(t)
	ctx := context.Background()
	if _, err := store.UpdatePrivacySettings(ctx, u.ID, quire.PrivacySettings{Analytics: true, HelpImprove: true}); err != nil {
		t.Fatal(err)
	}
	allowed(t, g, u.ID, quire.PrivacyAnalytics, true, false)
	allowed(t, g, u.ID, "sale", false, true)
	allowed(t, g, u.ID, "", false, true)
	allowed(t, g, quire.NewID(), quire.PrivacyAnalytics, false, true)
	allowed(t, g, "", quire.PrivacyAnalytics, false, true)
	allowed(t, nil, u.ID, quire.PrivacyAnalytics, false, true)
	allowed(t, privacy.New(nil), u.ID, quire.PrivacyAnalytics, false, true)

	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if ok, err := g.Allowed(cancelled, u.ID, quire.PrivacyAnalytics); ok || err == nil {
		t.Fatalf("Allowed on a cancelled context = %v, %v; want false and an error", ok, err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	allowed(t, g, u.ID, quire.PrivacyAnalytics, false, true) // the store is gone: no
}
