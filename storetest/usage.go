package storetest

import (
	"cmp"
	"context"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/quirehq/quire"
	"github.com/quirehq/quire/barrier"
)

// The UsageService part of the suite fixes these points, so that SQLite
// and PostgreSQL behave alike:
//   - RecordUsage sets an empty ID (quire.NewID) and a zero At (now), and
//     stores At in UTC truncated to microseconds; on success every stored
//     record holds what ListUsage reads back. Durations, counts and every
//     text field round-trip exactly.
//   - Records of unknown users (an empty UserID too) are skipped without
//     error and without making a data key for them; an invalid record
//     fails the whole batch with EINVALID and an ID already stored with
//     ECONFLICT, and then nothing of the batch is stored.
//   - ListUsage is oldest first, then by ID; since is inclusive and exact
//     to the nanosecond of the given time; limit 0 is no limit, a negative
//     one EINVALID. An unknown user has an empty list and zero tokens.

// needUsage fails unless the backend provides the usage store.
func needUsage(t *testing.T, s Stores) {
	t.Helper()
	if s.Usage == nil || s.CopyUsageRecord == nil {
		t.Fatal("the backend's Stores has no Usage or CopyUsageRecord: every backend must implement quire.UsageService")
	}
}

// usageAt returns a minimal record of userID at t with the given tokens.
func usageAt(userID string, t time.Time, in, out int) *quire.AIUsage {
	return &quire.AIUsage{UserID: userID, At: t, Op: "chat", Provider: "openai", Kind: "openai", Model: "gpt-4o-mini",
		Status: 200, Latency: 800 * time.Millisecond, InputTokens: in, OutputTokens: out, Reported: true, CostMicroUSD: -1}
}

func mustRecordUsage(t *testing.T, s Stores, recs ...*quire.AIUsage) {
	t.Helper()
	mustOK(t, s.Usage.RecordUsage(context.Background(), recs), "RecordUsage")
}

func mustListUsage(t *testing.T, s Stores, userID string, since time.Time, limit int) []*quire.AIUsage {
	t.Helper()
	list, err := s.Usage.ListUsage(context.Background(), userID, since, limit)
	mustOK(t, err, "ListUsage")
	return list
}

func sameUsage(t *testing.T, got, want *quire.AIUsage) {
	t.Helper()
	g, w := *got, *want
	g.At, w.At = time.Time{}, time.Time{}
	if g != w || !got.At.Equal(want.At) || got.At.Location() != time.UTC {
		t.Fatalf("usage record =\n  %+v\nwant\n  %+v", got, want)
	}
}

// sameUsageList compares lists element by element, in order.
func sameUsageList(t *testing.T, what string, got, want []*quire.AIUsage) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d records %v, want %d %v", what, len(got), usageIDs(got), len(want), usageIDs(want))
	}
	for i := range got {
		sameUsage(t, got[i], want[i])
	}
}

func usageIDs(list []*quire.AIUsage) []string {
	ids := make([]string, len(list))
	for i, u := range list {
		ids[i] = u.ID
	}
	return ids
}

// sortUsage orders records as ListUsage must: by At, then ID.
func sortUsage(list []*quire.AIUsage) []*quire.AIUsage {
	out := slices.Clone(list)
	slices.SortFunc(out, func(a, b *quire.AIUsage) int {
		return cmp.Or(a.At.Compare(b.At), strings.Compare(a.ID, b.ID))
	})
	return out
}

func wantTokens(t *testing.T, s Stores, userID string, since time.Time, want int) {
	t.Helper()
	n, err := s.Usage.UsageTokens(context.Background(), userID, since)
	mustOK(t, err, "UsageTokens")
	if n != want {
		t.Fatalf("UsageTokens(since %v) = %d, want %d", since, n, want)
	}
}

// testUsageRoundTrip stores a record with every field set, one with every
// optional field empty, and one with its own ID, and reads them back.
func testUsageRoundTrip(t *testing.T, s Stores) {
	needUsage(t, s)
	u := mustUser(t, s, "caller")
	ws := mustWorkspace(t, s, u, "usage")
	at := time.Now().Add(-time.Hour).Truncate(time.Second).Add(123456789 * time.Nanosecond).In(time.FixedZone("UTC+5:30", 5*3600+1800))
	full := &quire.AIUsage{UserID: u.ID, WorkspaceID: ws.ID, At: at, Op: "stream", Provider: "anthropic-eu", Kind: "anthropic",
		Model: "claude-sonnet-4-5-20250929", Alias: "smart", Class: "rate_limited", Status: 429,
		Latency: 1500*time.Millisecond + 7*time.Nanosecond, FirstEvent: 250*time.Millisecond + 3*time.Nanosecond,
		InputTokens: 12345, OutputTokens: 678, CachedTokens: 10000, Reported: true, CostMicroUSD: 41_234}
	own := quire.NewID()
	withID := &quire.AIUsage{ID: own, UserID: u.ID, At: at.Add(time.Second), Op: "embed", Provider: "cohere", Kind: "cohere",
		Model: "embed-v4.0", Alias: "名前 with spaces", Status: 200, InputTokens: 42, Reported: true, CostMicroUSD: 0}
	bare := &quire.AIUsage{UserID: u.ID, CostMicroUSD: -1}
	before := time.Now()
	mustRecordUsage(t, s, full, withID, bare)

	if !quire.ValidID(full.ID) || !quire.ValidID(bare.ID) || full.ID == bare.ID {
		t.Fatalf("RecordUsage set IDs %q and %q, want distinct quire.NewIDs", full.ID, bare.ID)
	}
	if withID.ID != own {
		t.Fatalf("RecordUsage replaced the given ID %q with %q", own, withID.ID)
	}
	if want := at.UTC().Truncate(time.Microsecond); !full.At.Equal(want) || full.At.Location() != time.UTC {
		t.Fatalf("RecordUsage left At = %v, want %v (UTC, microseconds)", full.At, want)
	}
	if bare.At.IsZero() || bare.At.Before(before.Add(-time.Second)) || bare.At.After(time.Now().Add(time.Second)) || bare.At.Location() != time.UTC {
		t.Fatalf("a zero At became %v, want now in UTC", bare.At)
	}
	got := mustListUsage(t, s, u.ID, time.Time{}, 0)
	sameUsageList(t, "ListUsage", got, []*quire.AIUsage{full, withID, bare})
	if got[0].Latency != full.Latency || got[0].FirstEvent != full.FirstEvent {
		t.Fatalf("durations lost precision: %v, %v", got[0].Latency, got[0].FirstEvent)
	}
	if got[2].WorkspaceID != "" || got[2].Reported || got[2].CostMicroUSD != -1 {
		t.Fatalf("the bare record read back as %+v", got[2])
	}

	other := mustUser(t, s, "other")
	mustRecordUsage(t, s, usageAt(other.ID, time.Time{}, 1, 1))
	sameUsageList(t, "ListUsage after another user's record", mustListUsage(t, s, u.ID, time.Time{}, 0), []*quire.AIUsage{full, withID, bare})

	r := s.Reopen(t)
	sameUsageList(t, "ListUsage after restart", mustListUsage(t, r, u.ID, time.Time{}, 0), []*quire.AIUsage{full, withID, bare})
}

// testUsageOrderSinceLimit checks ListUsage's order, since and limit.
func testUsageOrderSinceLimit(t *testing.T, s Stores) {
	needUsage(t, s)
	ctx := context.Background()
	a, b := mustUser(t, s, "a"), mustUser(t, s, "b")
	base := usec().Add(-time.Hour)
	m := func(n int) time.Time { return base.Add(time.Duration(n) * time.Minute) }
	// Out of order within the batch, with a tie at m(2) that ID breaks.
	first := []*quire.AIUsage{usageAt(a.ID, m(3), 3, 0), usageAt(a.ID, m(1), 1, 0), usageAt(a.ID, m(2), 2, 0),
		usageAt(b.ID, m(1), 9, 9), usageAt(a.ID, m(2), 2, 1), usageAt(a.ID, m(2), 2, 2)}
	mustRecordUsage(t, s, first...)
	later := usageAt(a.ID, m(4), 4, 0)
	earlier := usageAt(a.ID, m(0), 0, 0) // recorded last, read first
	mustRecordUsage(t, s, later, earlier)

	var all []*quire.AIUsage
	for _, r := range append(slices.Clone(first), later, earlier) {
		if r.UserID == a.ID {
			all = append(all, r)
		}
	}
	all = sortUsage(all)
	from := func(t0 time.Time) []*quire.AIUsage {
		return slices.DeleteFunc(slices.Clone(all), func(r *quire.AIUsage) bool { return r.At.Before(t0) })
	}
	for _, tc := range []struct {
		name  string
		since time.Time
		limit int
		want  []*quire.AIUsage
	}{
		{"all", time.Time{}, 0, all},
		{"since is inclusive", m(2), 0, from(m(2))},
		{"a nanosecond before", m(2).Add(-time.Nanosecond), 0, from(m(2))},
		{"a nanosecond after", m(2).Add(time.Nanosecond), 0, from(m(3))},
		{"since in another zone", m(2).In(time.FixedZone("UTC-8", -8*3600)), 0, from(m(2))},
		{"limit keeps the oldest", time.Time{}, 2, all[:2]},
		{"limit within a window", m(2), 2, from(m(2))[:2]},
		{"limit above the count", time.Time{}, 100, all},
		{"after the last", m(5), 0, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sameUsageList(t, tc.name, mustListUsage(t, s, a.ID, tc.since, tc.limit), tc.want)
		})
	}
	sameUsageList(t, "b's records", mustListUsage(t, s, b.ID, time.Time{}, 0), []*quire.AIUsage{first[3]})
	if list := mustListUsage(t, s, quire.NewID(), time.Time{}, 0); len(list) != 0 {
		t.Fatalf("an unknown user has %d records", len(list))
	}
	_, err := s.Usage.ListUsage(ctx, a.ID, time.Time{}, -1)
	wantCode(t, err, quire.EINVALID)
}

// testUsageTokens checks UsageTokens: input plus output tokens (cached
// ones are part of the input, not added again) of the window.
func testUsageTokens(t *testing.T, s Stores) {
	needUsage(t, s)
	a, b := mustUser(t, s, "a"), mustUser(t, s, "b")
	base := usec().Add(-time.Hour)
	cached := usageAt(a.ID, base, 100, 20)
	cached.CachedTokens = 50
	unreported := usageAt(a.ID, base.Add(2*time.Minute), 0, 0)
	unreported.Reported, unreported.Class, unreported.Status = false, "timeout", 0
	mustRecordUsage(t, s, cached, usageAt(a.ID, base.Add(time.Minute), 7, 3), unreported, usageAt(b.ID, base, 1000, 1000))

	wantTokens(t, s, a.ID, time.Time{}, 130)
	wantTokens(t, s, a.ID, base, 130)
	wantTokens(t, s, a.ID, base.Add(time.Nanosecond), 10)
	wantTokens(t, s, a.ID, base.Add(time.Minute), 10)
	wantTokens(t, s, a.ID, base.Add(3*time.Minute), 0)
	wantTokens(t, s, b.ID, time.Time{}, 2000)
	wantTokens(t, s, quire.NewID(), time.Time{}, 0)
	mustRecordUsage(t, s, usageAt(a.ID, time.Time{}, 5, 5))
	wantTokens(t, s, a.ID, base.Add(time.Minute), 20)
}

// testUsageUnknownUser checks that records of users the store does not
// know are skipped without error, and that no key is made for them.
func testUsageUnknownUser(t *testing.T, s Stores) {
	needUsage(t, s)
	ctx := context.Background()
	u := mustUser(t, s, "known")
	deleted := mustUser(t, s, "deleted")
	mustOK(t, s.Users.DeleteUser(ctx, deleted.ID), "DeleteUser")
	ghost := quire.NewID()

	kept1, kept2 := usageAt(u.ID, time.Time{}, 1, 1), usageAt(u.ID, time.Time{}, 2, 2)
	ofGhost, ofDeleted, anonymous := usageAt(ghost, time.Time{}, 5, 5), usageAt(deleted.ID, time.Time{}, 6, 6), usageAt("", time.Time{}, 7, 7)
	mustRecordUsage(t, s, kept1, ofGhost, ofDeleted, anonymous, kept2)
	if len(mustListUsage(t, s, u.ID, time.Time{}, 0)) != 2 {
		t.Fatal("the known user's records of a mixed batch were not all stored")
	}
	for _, r := range []*quire.AIUsage{ofGhost, ofDeleted, anonymous} {
		if r.ID != "" {
			t.Errorf("a skipped record was given ID %q as if stored", r.ID)
		}
	}
	for _, id := range []string{ghost, deleted.ID} {
		if list := mustListUsage(t, s, id, time.Time{}, 0); len(list) != 0 {
			t.Errorf("unknown user %s has %d records", id, len(list))
		}
		wantTokens(t, s, id, time.Time{}, 0)
		keys, err := s.Keys.LoadDataKeys(ctx, barrier.UserScope(id))
		mustOK(t, err, "LoadDataKeys")
		if len(keys) != 0 {
			t.Errorf("RecordUsage made %d data keys for unknown user %s", len(keys), id)
		}
	}
	mustRecordUsage(t, s, usageAt(ghost, time.Time{}, 1, 1))
	mustRecordUsage(t, s)
	mustOK(t, s.Usage.RecordUsage(ctx, nil), "RecordUsage(nil)")
}

// testUsageUserDeletedConcurrently records usage of users while they are
// being deleted. Whatever the interleaving, RecordUsage succeeds (the
// records are stored and cascade away, or are skipped), and neither a row
// nor a data key of the deleted user is left behind: a seal that made a
// new key for a user deleted meanwhile must shred it.
func testUsageUserDeletedConcurrently(t *testing.T, s Stores) {
	needUsage(t, s)
	ctx := context.Background()
	kept := mustUser(t, s, "kept")
	const rounds = 20
	for i := range rounds {
		u := mustUser(t, s, "doomed "+itoa(i))
		var wg sync.WaitGroup
		var delErr error
		wg.Go(func() { delErr = s.Users.DeleteUser(ctx, u.ID) })
		recErr := s.Usage.RecordUsage(ctx, []*quire.AIUsage{usageAt(u.ID, time.Time{}, 1, 1), usageAt(kept.ID, time.Time{}, 1, 0)})
		wg.Wait()
		mustOK(t, delErr, "DeleteUser")
		mustOK(t, recErr, "RecordUsage beside DeleteUser")
		if list := mustListUsage(t, s, u.ID, time.Time{}, 0); len(list) != 0 {
			t.Fatalf("round %d: a deleted user has %d usage records", i, len(list))
		}
		keys, err := s.Keys.LoadDataKeys(ctx, barrier.UserScope(u.ID))
		mustOK(t, err, "LoadDataKeys")
		if len(keys) != 0 {
			t.Fatalf("round %d: %d data keys of a deleted user remain", i, len(keys))
		}
	}
	wantTokens(t, s, kept.ID, time.Time{}, rounds)
}

// testUsageValidation checks that a batch is stored whole or not at all.
func testUsageValidation(t *testing.T, s Stores) {
	needUsage(t, s)
	ctx := context.Background()
	u := mustUser(t, s, "u")
	valid := func() *quire.AIUsage { return usageAt(u.ID, time.Time{}, 1, 1) }
	with := func(f func(r *quire.AIUsage)) *quire.AIUsage { r := valid(); f(r); return r }
	for name, bad := range map[string]*quire.AIUsage{
		"nil record":      nil,
		"malformed ID":    with(func(r *quire.AIUsage) { r.ID = "../" + u.ID }),
		"negative tokens": with(func(r *quire.AIUsage) { r.OutputTokens = -1 }),
		"long model":      with(func(r *quire.AIUsage) { r.Model = strings.Repeat("m", quire.MaxUsageText+1) }),
		"negative cost":   with(func(r *quire.AIUsage) { r.CostMicroUSD = -2 }),
		"bad status":      with(func(r *quire.AIUsage) { r.Status = 1000 }),
	} {
		t.Run(name, func(t *testing.T) {
			ok := valid()
			wantCode(t, s.Usage.RecordUsage(ctx, []*quire.AIUsage{ok, bad}), quire.EINVALID)
			if ok.ID != "" {
				t.Fatal("a record of a failed batch was given an ID")
			}
			if n := len(mustListUsage(t, s, u.ID, time.Time{}, 0)); n != 0 {
				t.Fatalf("a failed batch stored %d records", n)
			}
		})
	}

	stored := valid()
	mustRecordUsage(t, s, stored)
	for name, batch := range map[string][]*quire.AIUsage{
		"ID already stored": {valid(), with(func(r *quire.AIUsage) { r.ID = stored.ID })},
		"ID twice in the batch": func() []*quire.AIUsage {
			id := quire.NewID()
			return []*quire.AIUsage{with(func(r *quire.AIUsage) { r.ID = id }), with(func(r *quire.AIUsage) { r.ID = id })}
		}(),
	} {
		t.Run(name, func(t *testing.T) {
			wantCode(t, s.Usage.RecordUsage(ctx, batch), quire.ECONFLICT)
			sameUsageList(t, "after a conflicting batch", mustListUsage(t, s, u.ID, time.Time{}, 0), []*quire.AIUsage{stored})
		})
	}
}

// testUsageCascade deletes a user: its records go with it (and its key),
// while another user's stay readable, after a restart too.
func testUsageCascade(t *testing.T, s Stores) {
	needUsage(t, s)
	ctx := context.Background()
	doomed, kept := mustUser(t, s, "doomed"), mustUser(t, s, "kept")
	mustRecordUsage(t, s, usageAt(doomed.ID, time.Time{}, 10, 10), usageAt(kept.ID, time.Time{}, 3, 4), usageAt(doomed.ID, time.Time{}, 1, 1))
	keptList := mustListUsage(t, s, kept.ID, time.Time{}, 0)
	scope := barrier.UserScope(doomed.ID)
	keys, err := s.Keys.LoadDataKeys(ctx, scope)
	mustOK(t, err, "LoadDataKeys")
	if len(keys) == 0 {
		t.Fatal("the user's scope has no data keys: usage records were not sealed under barrier.UserScope")
	}

	mustOK(t, s.Users.DeleteUser(ctx, doomed.ID), "DeleteUser")
	if list := mustListUsage(t, s, doomed.ID, time.Time{}, 0); len(list) != 0 {
		t.Fatalf("a deleted user still has %d usage records", len(list))
	}
	wantTokens(t, s, doomed.ID, time.Time{}, 0)
	keys, err = s.Keys.LoadDataKeys(ctx, scope)
	mustOK(t, err, "LoadDataKeys after delete")
	if len(keys) != 0 {
		t.Fatalf("%d data keys of the deleted user remain", len(keys))
	}
	r := s.Reopen(t)
	sameUsageList(t, "the other user's records", mustListUsage(t, r, kept.ID, time.Time{}, 0), keptList)
	wantTokens(t, r, kept.ID, time.Time{}, 7)
	if list := mustListUsage(t, r, doomed.ID, time.Time{}, 0); len(list) != 0 {
		t.Fatalf("after restart, a deleted user has %d usage records", len(list))
	}
}

// testUsageCiphertextBound moves sealed records between rows below the
// store: a record copied onto another row of the same user, or from
// another user, fails to decrypt (EINTERNAL, saying nothing of the
// content), while the rows left alone still read; and a record whose
// user's keys are shredded cannot be read at all.
func testUsageCiphertextBound(t *testing.T, s Stores) {
	needUsage(t, s)
	ctx := context.Background()
	u, v := mustUser(t, s, "u"), mustUser(t, s, "v")
	base := usec().Add(-time.Hour)
	at := func(n int) time.Time { return base.Add(time.Duration(n) * time.Minute) }
	mk := marker()
	rows := []*quire.AIUsage{usageAt(u.ID, at(1), 1, 0), usageAt(u.ID, at(2), 2, 0), usageAt(u.ID, at(3), 3, 0), usageAt(u.ID, at(4), 4, 0)}
	rows[1].Model = "model-" + mk
	foreign := usageAt(v.ID, at(1), 100, 0)
	foreign.Alias = "alias-" + mk
	mustRecordUsage(t, s, append(slices.Clone(rows), foreign)...)

	wantBroken := func(t *testing.T, err error) {
		t.Helper()
		wantCode(t, err, quire.EINTERNAL)
		if strings.Contains(err.Error(), mk) {
			t.Fatalf("the error quotes the record: %v", err)
		}
	}
	t.Run("another row of the user", func(t *testing.T) {
		s.CopyUsageRecord(t, rows[1].ID, rows[3].ID)
		_, err := s.Usage.ListUsage(ctx, u.ID, at(4), 0)
		wantBroken(t, err)
	})
	t.Run("another user's row", func(t *testing.T) {
		s.CopyUsageRecord(t, foreign.ID, rows[2].ID)
		_, err := s.Usage.ListUsage(ctx, u.ID, at(3), 1)
		wantBroken(t, err)
	})
	t.Run("untouched rows still read", func(t *testing.T) {
		sameUsageList(t, "the first two rows", mustListUsage(t, s, u.ID, at(1), 2), rows[:2])
		sameUsageList(t, "the other user's row", mustListUsage(t, s, v.ID, time.Time{}, 0), []*quire.AIUsage{foreign})
	})
	t.Run("UsageTokens fails too", func(t *testing.T) {
		_, err := s.Usage.UsageTokens(ctx, u.ID, time.Time{})
		wantBroken(t, err)
	})
	// Sealed under the user's scope: shredding that scope's keys (as
	// deleting the user does) makes the records unreadable.
	t.Run("the user's keys shredded", func(t *testing.T) {
		mustOK(t, s.Barrier.Shred(ctx, barrier.UserScope(v.ID)), "Shred")
		_, err := s.Usage.ListUsage(ctx, v.ID, time.Time{}, 0)
		wantBroken(t, err)
	})
}

// usageCanaries puts markers (added to m) into every text field of a usage
// record, which is sealed at rest, and returns the record's ID, which is
// stored in plain text on purpose and which the scanner must find.
func usageCanaries(t *testing.T, s Stores, u *quire.User, m map[string]string) map[string]string {
	t.Helper()
	needUsage(t, s)
	for _, f := range []string{"usage workspace", "usage op", "usage provider", "usage kind", "usage model", "usage alias", "usage class"} {
		m[f] = marker()
	}
	r := &quire.AIUsage{UserID: u.ID, WorkspaceID: m["usage workspace"], Op: m["usage op"], Provider: m["usage provider"],
		Kind: m["usage kind"], Model: "gpt-" + m["usage model"], Alias: m["usage alias"], Class: m["usage class"],
		Status: 502, InputTokens: 31337, Reported: true, CostMicroUSD: -1}
	mustRecordUsage(t, s, r)
	return map[string]string{"usage record ID": r.ID}
}

// testUsageRewrap checks that key rotation covers the usage records:
// after Rotate, Rewrap and Retire (which deletes the old key versions)
// every record, old or written after the rotation, still reads back.
func testUsageRewrap(t *testing.T, s Stores) {
	needUsage(t, s)
	ctx := context.Background()
	a, b := mustUser(t, s, "a"), mustUser(t, s, "b")
	base := usec().Add(-time.Hour)
	var recs []*quire.AIUsage
	for i := range 5 {
		recs = append(recs, usageAt(a.ID, base.Add(time.Duration(i)*time.Second), i, i), usageAt(b.ID, base.Add(time.Duration(i)*time.Second), 10*i, 0))
	}
	mustRecordUsage(t, s, recs...)
	mustOK(t, s.Barrier.Rotate(ctx), "Rotate")
	mustRecordUsage(t, s, usageAt(a.ID, time.Time{}, 100, 0)) // under the new key
	want := map[string][]*quire.AIUsage{a.ID: mustListUsage(t, s, a.ID, time.Time{}, 0), b.ID: mustListUsage(t, s, b.ID, time.Time{}, 0)}
	plan := planRetire(t, s)
	var lastTotal int
	mustOK(t, s.Rewrap(ctx, func(_, total int) { lastTotal = total }), "Rewrap")
	if lastTotal < len(recs)+1 {
		t.Fatalf("Rewrap counted %d records, fewer than the %d usage records alone", lastTotal, len(recs)+1)
	}
	retire(t, s, plan)
	wantCleanKeys(t, s)
	check := func(s Stores) {
		for id, list := range want {
			sameUsageList(t, "records after rewrap", mustListUsage(t, s, id, time.Time{}, 0), list)
		}
		wantTokens(t, s, a.ID, time.Time{}, 2*(0+1+2+3+4)+100)
	}
	check(s)
	check(s.Reopen(t))
}
