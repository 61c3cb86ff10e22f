package retention_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/quirehq/quire"
	"github.com/quirehq/quire/retention"
)

// fakeStore records the cut-off each call got.
type fakeStore struct {
	got  map[string]time.Time
	idle time.Duration
	pol  quire.VersionPolicy
}

func (f *fakeStore) note(what string, t time.Time) (int, error) { f.got[what] = t; return 1, nil }

func (f *fakeStore) DeleteExpiredSessions(_ context.Context, now time.Time, idle time.Duration, _ int) (int, error) {
	f.idle = idle
	return f.note("sessions", now)
}
func (f *fakeStore) DeleteExpiredTokens(_ context.Context, now time.Time, _ int) (int, error) {
	return f.note("tokens", now)
}
func (f *fakeStore) DeleteExpiredEmailChanges(_ context.Context, now time.Time, _ int) (int, error) {
	return f.note("email", now)
}
func (f *fakeStore) DeleteExpiredInvitations(_ context.Context, before time.Time, _ int) (int, error) {
	return f.note("invitations", before)
}
func (f *fakeStore) TrimNoteVersions(_ context.Context, p quire.VersionPolicy, now time.Time, _ int) (int, error) {
	f.pol = p
	return f.note("versions", now)
}
func (f *fakeStore) DeleteUsageBefore(_ context.Context, before time.Time, _ int) (int, error) {
	return f.note("usage", before)
}
func (f *fakeStore) TrimAudit(_ context.Context, before time.Time, _ int) (int, error) {
	return f.note("audit", before)
}

func TestStoreRulesUseTheirPeriods(t *testing.T) {
	const day = 24 * time.Hour
	now := time.Date(2030, 6, 1, 0, 0, 0, 0, time.UTC)
	f := &fakeStore{got: map[string]time.Time{}}
	p := retention.Periods{SessionIdle: 12 * time.Hour, Invitations: 30 * day, Versions: quire.VersionPolicy{Keep: 7, MaxAge: 90 * day},
		Usage: 400 * day, Audit: 365 * day}
	j := mustJanitor(t, retention.Config{Rules: append(retention.StoreRules(f, p), retention.KeptRules()...),
		Now: func() time.Time { return now }})
	list := j.RunOnce(context.Background())
	want := map[string]time.Time{"sessions": now, "tokens": now, "email": now, "versions": now,
		"invitations": now.Add(-30 * day), "usage": now.Add(-400 * day), "audit": now.Add(-365 * day)}
	for k, w := range want {
		if !f.got[k].Equal(w) {
			t.Errorf("%s got cut-off %v, want %v", k, f.got[k], w)
		}
	}
	if f.idle != p.SessionIdle || f.pol != p.Versions {
		t.Errorf("sessions idle %v, versions %+v; want %v, %+v", f.idle, f.pol, p.SessionIdle, p.Versions)
	}
	for _, st := range list {
		if st.Swept && (st.Removed != 1 || st.Error != "") {
			t.Errorf("rule %s: %+v", st.Name, st)
		}
		if st.Description == "" || strings.Contains(st.Description, "%!") {
			t.Errorf("rule %s has a bad description %q", st.Name, st.Description)
		}
	}
	for _, phrase := range []string{"400 days", "365 days", "30 days", "12 hours", "newest 7", "90 days"} {
		found := false
		for _, st := range list {
			found = found || strings.Contains(st.Description, phrase)
		}
		if !found {
			t.Errorf("no rule description says %q", phrase)
		}
	}
}

func TestLogAndFileRules(t *testing.T) {
	logs := retention.LogRule(7*24*time.Hour, func() (int, error) { return 2, nil })
	files := retention.FileRule(time.Hour, func(context.Context) (int, error) { return 5, nil })
	j := mustJanitor(t, retention.Config{Rules: []retention.Rule{logs, files}})
	got := j.RunOnce(context.Background())
	if got[0].Removed != 2 || got[1].Removed != 5 || !strings.Contains(got[0].Description, "7 days") {
		t.Fatalf("rules ran as %+v", got)
	}
}

// TestZeroDelayWording checks that a rule with no delay after expiry says
// so in words, not "deleted no delay after".
func TestZeroDelayWording(t *testing.T) {
	f := &fakeStore{got: map[string]time.Time{}}
	for _, r := range retention.StoreRules(f, retention.Periods{Usage: time.Hour, Audit: 365 * 24 * time.Hour}) {
		if strings.Contains(r.Description, "no delay") {
			t.Errorf("rule %s: %q", r.Name, r.Description)
		}
		if r.Name == "folder invitations" && !strings.Contains(r.Description, "deleted as soon as they expire") {
			t.Errorf("invitations with no delay: %q", r.Description)
		}
	}
}
