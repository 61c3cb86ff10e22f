package storetest

import (
	"bytes"
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/quirehq/quire"
	"github.com/quirehq/quire/barrier"
)

// The AI policy part of the suite fixes these points, so that SQLite and
// PostgreSQL behave alike:
//   - A workspace that never set a policy reads as the zero policy (no
//     opt-out of ZDR, redaction on, every kind) with a zero UpdatedAt, and
//     reading it makes no data key.
//   - SetAIPolicy replaces the whole policy and sets UpdatedAt (UTC,
//     microseconds, never backwards); AIPolicy reads back exactly what was
//     set, an empty RedactKinds as nil. An invalid policy is EINVALID and
//     leaves the stored one as it was.
//   - An unknown or deleted workspace is ENOTFOUND for both calls, and
//     setting its policy leaves no data key behind.
//   - The policy is sealed under the workspace's scope and bound to its
//     row: moved onto another workspace's row it fails to decrypt.

// needAIPolicy fails unless the backend provides the raw access the AI
// policy tests look below the store with.
func needAIPolicy(t *testing.T, s Stores) {
	t.Helper()
	if s.RawAIPolicy == nil || s.SetRawAIPolicy == nil {
		t.Fatal("the backend's Stores has no RawAIPolicy or SetRawAIPolicy: every backend must provide them")
	}
}

func mustAIPolicy(t *testing.T, s Stores, wsID string) *quire.AIPolicy {
	t.Helper()
	p, err := s.Workspaces.AIPolicy(context.Background(), wsID)
	mustOK(t, err, "AIPolicy")
	if p == nil {
		t.Fatal("AIPolicy returned nil without an error")
	}
	return p
}

func mustSetAIPolicy(t *testing.T, s Stores, wsID string, p *quire.AIPolicy) *quire.AIPolicy {
	t.Helper()
	mustOK(t, s.Workspaces.SetAIPolicy(context.Background(), wsID, p), "SetAIPolicy")
	return p
}

// sameAIPolicy fails unless got holds what want holds; an empty and a nil
// RedactKinds are the same policy.
func sameAIPolicy(t *testing.T, what string, got, want *quire.AIPolicy) {
	t.Helper()
	if got.AllowNonZDR != want.AllowNonZDR || got.RedactionOff != want.RedactionOff ||
		!slices.Equal(got.RedactKinds, want.RedactKinds) || !got.UpdatedAt.Equal(want.UpdatedAt) {
		t.Fatalf("%s: policy = %+v, want %+v", what, got, want)
	}
	if !got.UpdatedAt.IsZero() && got.UpdatedAt.Location() != time.UTC {
		t.Fatalf("%s: UpdatedAt %v is not in UTC", what, got.UpdatedAt)
	}
}

// wantZeroAIPolicy fails unless p is the policy of a workspace that never set one.
func wantZeroAIPolicy(t *testing.T, what string, p *quire.AIPolicy) {
	t.Helper()
	if p.AllowNonZDR || p.RedactionOff || len(p.RedactKinds) != 0 || !p.UpdatedAt.IsZero() {
		t.Fatalf("%s: policy = %+v, want the zero policy", what, p)
	}
}

// fullAIPolicy sets every field to a value other than its zero.
func fullAIPolicy() *quire.AIPolicy {
	return &quire.AIPolicy{AllowNonZDR: true, RedactionOff: true,
		RedactKinds: []string{quire.RedactNationalID, quire.RedactEmail, quire.RedactSecret}}
}

func testAIPolicyDefault(t *testing.T, s Stores) {
	owner := mustUser(t, s, "owner")
	w := mustWorkspace(t, s, owner, "fresh")
	before := countDataKeys(t, s)
	wantZeroAIPolicy(t, "a new workspace", mustAIPolicy(t, s, w.ID))
	if after := countDataKeys(t, s); after != before {
		t.Fatalf("reading the default policy changed the data keys from %d to %d", before, after)
	}
	wantZeroAIPolicy(t, "after a restart", mustAIPolicy(t, s.Reopen(t), w.ID))
}

func testAIPolicyRoundTrip(t *testing.T, s Stores) {
	owner := mustUser(t, s, "owner")
	w := mustWorkspace(t, s, owner, "policy")
	start := time.Now()

	set := mustSetAIPolicy(t, s, w.ID, fullAIPolicy())
	if set.UpdatedAt.IsZero() || set.UpdatedAt.Location() != time.UTC || set.UpdatedAt.Before(start.Add(-time.Minute)) ||
		!set.UpdatedAt.Equal(set.UpdatedAt.Truncate(time.Microsecond)) {
		t.Fatalf("SetAIPolicy set UpdatedAt %v, want now in UTC at microseconds", set.UpdatedAt)
	}
	want := fullAIPolicy()
	want.UpdatedAt = set.UpdatedAt
	sameAIPolicy(t, "after SetAIPolicy", mustAIPolicy(t, s, w.ID), want)

	// The caller's slice is not kept: changing it changes nothing stored.
	set.RedactKinds[0] = quire.RedactIP
	sameAIPolicy(t, "after the caller changed its slice", mustAIPolicy(t, s, w.ID), want)

	// A second set replaces every field; UpdatedAt moves forward.
	next := mustSetAIPolicy(t, s, w.ID, &quire.AIPolicy{RedactKinds: []string{quire.RedactIBAN}})
	if !next.UpdatedAt.After(set.UpdatedAt) {
		t.Fatalf("UpdatedAt went from %v to %v, want later", set.UpdatedAt, next.UpdatedAt)
	}
	sameAIPolicy(t, "after a second SetAIPolicy", mustAIPolicy(t, s, w.ID),
		&quire.AIPolicy{RedactKinds: []string{quire.RedactIBAN}, UpdatedAt: next.UpdatedAt})

	// Every kind at once, in an order of the caller's choosing, is kept as given.
	all := quire.RedactKinds()
	slices.Reverse(all)
	every := mustSetAIPolicy(t, s, w.ID, &quire.AIPolicy{AllowNonZDR: true, RedactKinds: slices.Clone(all)})
	sameAIPolicy(t, "every kind", mustAIPolicy(t, s, w.ID), &quire.AIPolicy{AllowNonZDR: true, RedactKinds: all, UpdatedAt: every.UpdatedAt})

	// Setting the zero policy stores it (it is a choice, with a time),
	// and an empty list reads back as nil.
	zero := mustSetAIPolicy(t, s, w.ID, &quire.AIPolicy{RedactKinds: []string{}})
	got := mustAIPolicy(t, s, w.ID)
	if got.RedactKinds != nil || got.UpdatedAt.IsZero() {
		t.Fatalf("after setting the zero policy: %+v, want nil kinds and a time", got)
	}
	sameAIPolicy(t, "the zero policy, set", got, &quire.AIPolicy{UpdatedAt: zero.UpdatedAt})

	final := mustSetAIPolicy(t, s, w.ID, fullAIPolicy())
	want = fullAIPolicy()
	want.UpdatedAt = final.UpdatedAt
	sameAIPolicy(t, "after a restart", mustAIPolicy(t, s.Reopen(t), w.ID), want)
}

func testAIPolicyValidation(t *testing.T, s Stores) {
	ctx := context.Background()
	owner := mustUser(t, s, "owner")
	w := mustWorkspace(t, s, owner, "validated")
	stored := mustSetAIPolicy(t, s, w.ID, fullAIPolicy())
	want := fullAIPolicy()
	want.UpdatedAt = stored.UpdatedAt
	eight := append(quire.RedactKinds(), quire.RedactEmail)
	for name, p := range map[string]*quire.AIPolicy{
		"nil policy":         nil,
		"unknown kind":       {RedactKinds: []string{quire.RedactEmail, "passport"}},
		"kind in capitals":   {RedactKinds: []string{"EMAIL"}},
		"kind with a space":  {RedactKinds: []string{"email "}},
		"empty kind":         {RedactKinds: []string{""}},
		"repeated kind":      {RedactKinds: []string{quire.RedactCard, quire.RedactIP, quire.RedactCard}},
		"more than 7 kinds":  {AllowNonZDR: true, RedactKinds: eight},
		"a thousand kinds":   {RedactKinds: slices.Repeat([]string{quire.RedactPhone}, 1000)},
		"invalid UTF-8 kind": {RedactKinds: []string{"\xff"}},
	} {
		t.Run(name, func(t *testing.T) {
			err := s.Workspaces.SetAIPolicy(ctx, w.ID, p)
			wantCode(t, err, quire.EINVALID)
			if p != nil && !p.UpdatedAt.IsZero() {
				t.Fatal("a refused policy was given an UpdatedAt")
			}
			if msg := quire.ErrorMessage(err); !strings.Contains(msg, "redactKinds") && p != nil {
				t.Errorf("message %q does not name the field redactKinds", msg)
			}
			sameAIPolicy(t, "after a refused set", mustAIPolicy(t, s, w.ID), want)
		})
	}
	// An invalid policy for an unknown workspace is refused as invalid,
	// before the workspace is looked up.
	wantCode(t, s.Workspaces.SetAIPolicy(ctx, quire.NewID(), &quire.AIPolicy{RedactKinds: []string{"x"}}), quire.EINVALID)
}

func testAIPolicyUnknownWorkspace(t *testing.T, s Stores) {
	ctx := context.Background()
	owner := mustUser(t, s, "owner")
	for name, id := range map[string]string{"random ID": quire.NewID(), "malformed ID": "../" + owner.ID, "empty ID": ""} {
		t.Run(name, func(t *testing.T) {
			_, err := s.Workspaces.AIPolicy(ctx, id)
			wantCode(t, err, quire.ENOTFOUND)
			wantCode(t, s.Workspaces.SetAIPolicy(ctx, id, fullAIPolicy()), quire.ENOTFOUND)
			keys, err := s.Keys.LoadDataKeys(ctx, barrier.WorkspaceScope(id))
			mustOK(t, err, "LoadDataKeys")
			if len(keys) != 0 {
				t.Fatalf("setting the policy of an unknown workspace made %d data keys", len(keys))
			}
		})
	}
	// A user's ID is no workspace: its scope is not a workspace's either.
	_, err := s.Workspaces.AIPolicy(ctx, owner.ID)
	wantCode(t, err, quire.ENOTFOUND)
}

// testAIPolicyDeletedWithWorkspace deletes a workspace with a policy: the
// policy row goes (not merely its key), the key is shredded, and a copy of
// the sealed policy no longer decrypts; another workspace's policy stays.
func testAIPolicyDeletedWithWorkspace(t *testing.T, s Stores) {
	needAIPolicy(t, s)
	ctx := context.Background()
	owner := mustUser(t, s, "owner")
	doomed, kept := mustWorkspace(t, s, owner, "doomed"), mustWorkspace(t, s, owner, "kept")
	mustSetAIPolicy(t, s, doomed.ID, fullAIPolicy())
	keptPolicy := mustSetAIPolicy(t, s, kept.ID, &quire.AIPolicy{AllowNonZDR: true})
	sealed := s.RawAIPolicy(t, doomed.ID)
	if len(sealed) == 0 {
		t.Fatal("RawAIPolicy finds no stored policy after SetAIPolicy")
	}

	mustOK(t, s.Workspaces.DeleteWorkspace(ctx, doomed.ID), "DeleteWorkspace")
	_, err := s.Workspaces.AIPolicy(ctx, doomed.ID)
	wantCode(t, err, quire.ENOTFOUND)
	wantCode(t, s.Workspaces.SetAIPolicy(ctx, doomed.ID, &quire.AIPolicy{}), quire.ENOTFOUND)
	if raw := s.RawAIPolicy(t, doomed.ID); raw != nil {
		t.Fatal("the deleted workspace's policy row is still stored")
	}
	scope := barrier.WorkspaceScope(doomed.ID)
	keys, err := s.Keys.LoadDataKeys(ctx, scope)
	mustOK(t, err, "LoadDataKeys")
	if len(keys) != 0 {
		t.Fatalf("%d data keys of the deleted workspace remain (a refused SetAIPolicy must not make one)", len(keys))
	}
	if _, err := s.Barrier.Decrypt(ctx, scope, barrier.AD("ai_policies", doomed.ID, "policy"), sealed); !isAny(err, barrier.ErrNoKey) {
		t.Fatalf("a copy of the deleted policy: Decrypt err = %v, want barrier.ErrNoKey", err)
	}
	r := s.Reopen(t)
	sameAIPolicy(t, "the other workspace's policy", mustAIPolicy(t, r, kept.ID), keptPolicy)
	_, err = r.Workspaces.AIPolicy(ctx, doomed.ID)
	wantCode(t, err, quire.ENOTFOUND)
}

// testAIPolicyIsolation checks that one workspace's policy never changes
// another's, whoever owns them, and that a sealed policy moved onto
// another workspace's row below the store fails to decrypt (EINTERNAL,
// quoting nothing) instead of applying there.
func testAIPolicyIsolation(t *testing.T, s Stores) {
	needAIPolicy(t, s)
	ctx := context.Background()
	alice, bob := mustUser(t, s, "alice"), mustUser(t, s, "bob")
	a, b := mustWorkspace(t, s, alice, "a"), mustWorkspace(t, s, bob, "b")
	a2 := mustWorkspace(t, s, alice, "a2") // same owner as a

	pa := mustSetAIPolicy(t, s, a.ID, &quire.AIPolicy{AllowNonZDR: true, RedactionOff: true})
	wantZeroAIPolicy(t, "b after a's set", mustAIPolicy(t, s, b.ID))
	wantZeroAIPolicy(t, "a2 after a's set", mustAIPolicy(t, s, a2.ID))

	pb := mustSetAIPolicy(t, s, b.ID, &quire.AIPolicy{RedactKinds: []string{quire.RedactCard}})
	sameAIPolicy(t, "a after b's set", mustAIPolicy(t, s, a.ID), pa)
	wantZeroAIPolicy(t, "a2 after b's set", mustAIPolicy(t, s, a2.ID))

	mustSetAIPolicy(t, s, a2.ID, &quire.AIPolicy{RedactKinds: []string{quire.RedactPhone, quire.RedactIP}})
	sameAIPolicy(t, "a after a2's set", mustAIPolicy(t, s, a.ID), pa)
	sameAIPolicy(t, "b after a2's set", mustAIPolicy(t, s, b.ID), pb)

	mustOK(t, s.Workspaces.DeleteWorkspace(ctx, a2.ID), "DeleteWorkspace")
	sameAIPolicy(t, "a after a2's deletion", mustAIPolicy(t, s, a.ID), pa)
	sameAIPolicy(t, "b after a2's deletion", mustAIPolicy(t, s, b.ID), pb)

	t.Run("sealed policy moved to another workspace", func(t *testing.T) {
		s.SetRawAIPolicy(t, b.ID, s.RawAIPolicy(t, a.ID))
		_, err := s.Workspaces.AIPolicy(ctx, b.ID)
		wantCode(t, err, quire.EINTERNAL)
		if msg := err.Error(); strings.Contains(msg, "allowNonZdr") || strings.Contains(msg, "redactionOff") {
			t.Fatalf("the error quotes the policy: %v", err)
		}
		sameAIPolicy(t, "a, whose policy was copied", mustAIPolicy(t, s, a.ID), pa)
		// Setting b's policy again through the store repairs it.
		again := mustSetAIPolicy(t, s, b.ID, &quire.AIPolicy{RedactKinds: []string{quire.RedactCard}})
		sameAIPolicy(t, "b after a fresh set", mustAIPolicy(t, s, b.ID), again)
	})
	t.Run("altered ciphertext", func(t *testing.T) {
		ct := bytes.Clone(s.RawAIPolicy(t, a.ID))
		ct[len(ct)-1] ^= 1
		s.SetRawAIPolicy(t, a.ID, ct)
		_, err := s.Workspaces.AIPolicy(ctx, a.ID)
		wantCode(t, err, quire.EINTERNAL)
	})
}

// testAIPolicyCanary checks claim ENC-1 for the policy from below the
// barrier: neither its sealed encoding nor its field names nor a kind's
// name appear in the raw storage, before or after a restart, while the
// workspace ID beside it, stored in plain text on purpose, is found.
func testAIPolicyCanary(t *testing.T, s Stores) {
	needAIPolicy(t, s)
	ctx := context.Background()
	owner := mustUser(t, s, "owner")
	w := mustWorkspace(t, s, owner, "canary")
	p := mustSetAIPolicy(t, s, w.ID, &quire.AIPolicy{AllowNonZDR: true, RedactKinds: []string{quire.RedactNationalID, quire.RedactIBAN}})
	plain := quire.MarshalAIPolicy(p)
	sealed := s.RawAIPolicy(t, w.ID)
	if len(sealed) < barrier.Overhead || bytes.Contains(sealed, plain) || bytes.Contains(sealed, []byte("national_id")) {
		t.Fatalf("the stored policy (%d bytes) is not barrier ciphertext", len(sealed))
	}
	if _, err := barrier.KeyVersion(sealed); err != nil {
		t.Fatalf("the stored policy names no key version: %v", err)
	}
	needles := map[string][]byte{
		"the sealed encoding": plain,
		"a field name":        []byte(`"allowNonZdr"`),
		"the kind list":       []byte(`["national_id","iban"]`),
		"a kind's name":       []byte("national_id"),
	}
	scan := func(t *testing.T, in Stores) {
		for what, needle := range needles {
			found, err := in.Inspector.ScanRaw(ctx, needle)
			mustOK(t, err, "ScanRaw")
			if len(found) != 0 {
				t.Errorf("%s of the AI policy is in raw storage at %v", what, found)
			}
		}
		found, err := in.Inspector.ScanRaw(ctx, []byte(w.ID))
		mustOK(t, err, "ScanRaw")
		if len(found) == 0 {
			t.Error("ScanRaw cannot find the workspace ID, which is stored in plain text: the scanner is blind")
		}
		if p := mustAIPolicy(t, in, w.ID); !p.AllowNonZDR {
			t.Fatalf("policy = %+v after the scan", p)
		}
	}
	t.Run("live", func(t *testing.T) { scan(t, s) })
	t.Run("after restart", func(t *testing.T) { scan(t, s.Reopen(t)) })
}

// testAIPolicyRewrap checks that key rotation covers the policies: after
// Rotate, Rewrap and Retire (which deletes the old key versions) every
// policy, set before or after the rotation, still reads back, and each is
// under its workspace's newest key.
func testAIPolicyRewrap(t *testing.T, s Stores) {
	needAIPolicy(t, s)
	ctx := context.Background()
	owner := mustUser(t, s, "owner")
	var ws []*quire.Workspace
	for i := range 3 {
		ws = append(ws, mustWorkspace(t, s, owner, "w"+itoa(i)))
	}
	want := map[string]*quire.AIPolicy{
		ws[0].ID: mustSetAIPolicy(t, s, ws[0].ID, fullAIPolicy()),
		ws[1].ID: mustSetAIPolicy(t, s, ws[1].ID, &quire.AIPolicy{RedactKinds: []string{quire.RedactEmail}}),
	}
	mustOK(t, s.Barrier.Rotate(ctx), "Rotate")
	want[ws[2].ID] = mustSetAIPolicy(t, s, ws[2].ID, &quire.AIPolicy{AllowNonZDR: true}) // under the new key
	before, err := barrier.KeyVersion(s.RawAIPolicy(t, ws[0].ID))
	mustOK(t, err, "KeyVersion")
	plan := planRetire(t, s)
	mustOK(t, s.Rewrap(ctx, nil), "Rewrap")
	after, err := barrier.KeyVersion(s.RawAIPolicy(t, ws[0].ID))
	mustOK(t, err, "KeyVersion")
	if after == before {
		t.Fatalf("Rewrap left the policy under key version %d", before)
	}
	retire(t, s, plan)
	wantCleanKeys(t, s)
	check := func(s Stores) {
		for id, p := range want {
			sameAIPolicy(t, "policy after rewrap", mustAIPolicy(t, s, id), p)
		}
	}
	check(s)
	check(s.Reopen(t))
}

// The census part of the suite fixes these points:
//   - An empty store, and workspaces that never set a policy, count nothing.
//   - Every stored policy counts once in Policies, a strict one too; a
//     policy counts under AllowNonZDR, RedactionOff and RedactFewerKinds as
//     quire.AIPolicyCensus documents (redaction off is not also "fewer
//     kinds"; every kind listed is not "fewer"). Replacing a policy
//     replaces its counts.
//   - A deleted workspace's policy is no longer counted.
//   - A stored policy that does not decrypt or decode fails the census
//     (EINTERNAL, quoting nothing) instead of being skipped; setting it
//     again through the store repairs the census.

func mustCensus(t *testing.T, s Stores) quire.AIPolicyCensus {
	t.Helper()
	c, err := s.Workspaces.AIPolicyCensus(context.Background())
	mustOK(t, err, "AIPolicyCensus")
	return c
}

func wantCensus(t *testing.T, what string, s Stores, want quire.AIPolicyCensus) {
	t.Helper()
	if got := mustCensus(t, s); got != want {
		t.Fatalf("%s: census = %+v, want %+v", what, got, want)
	}
}

func testAIPolicyCensusEmpty(t *testing.T, s Stores) {
	wantCensus(t, "an empty store", s, quire.AIPolicyCensus{})
	owner := mustUser(t, s, "owner")
	w := mustWorkspace(t, s, owner, "strict by default")
	mustWorkspace(t, s, mustUser(t, s, "other"), "another")
	before := countDataKeys(t, s)
	wantCensus(t, "workspaces without a policy", s, quire.AIPolicyCensus{})
	if after := countDataKeys(t, s); after != before {
		t.Fatalf("the census changed the data keys from %d to %d", before, after)
	}
	// The zero policy, set, is a policy: counted, relaxing nothing.
	mustSetAIPolicy(t, s, w.ID, &quire.AIPolicy{RedactKinds: []string{}})
	wantCensus(t, "the zero policy, set", s, quire.AIPolicyCensus{Policies: 1})
	wantCensus(t, "after a restart", s.Reopen(t), quire.AIPolicyCensus{Policies: 1})
}

func testAIPolicyCensusMixed(t *testing.T, s Stores) {
	alice, bob := mustUser(t, s, "alice"), mustUser(t, s, "bob")
	fewer := quire.RedactKinds()[1:] // all but one
	all := quire.RedactKinds()
	slices.Reverse(all)
	policies := []*quire.AIPolicy{
		{}, // strict, set explicitly
		{AllowNonZDR: true},
		{RedactionOff: true, RedactKinds: []string{quire.RedactEmail}}, // off, not "fewer"
		{RedactKinds: []string{quire.RedactEmail}},
		{RedactKinds: all}, // every kind, in another order: not fewer
		{AllowNonZDR: true, RedactKinds: fewer},
		{AllowNonZDR: true, RedactionOff: true},
		nil, // never set
	}
	want := quire.AIPolicyCensus{Policies: 7, AllowNonZDR: 3, RedactionOff: 2, RedactFewerKinds: 2}
	var ws []*quire.Workspace
	for i, p := range policies {
		owner := alice
		if i%2 == 1 {
			owner = bob
		}
		w := mustWorkspace(t, s, owner, "w"+itoa(i))
		ws = append(ws, w)
		if p != nil {
			mustSetAIPolicy(t, s, w.ID, p)
		}
	}
	wantCensus(t, "mixed policies", s, want)

	// Replacing a policy moves its counts instead of adding to them.
	mustSetAIPolicy(t, s, ws[1].ID, &quire.AIPolicy{RedactKinds: []string{quire.RedactCard, quire.RedactIP}})
	want.AllowNonZDR, want.RedactFewerKinds = 2, 3
	wantCensus(t, "after replacing a policy", s, want)
	mustSetAIPolicy(t, s, ws[6].ID, &quire.AIPolicy{})
	want.AllowNonZDR, want.RedactionOff = 1, 1
	wantCensus(t, "after making a policy strict", s, want)
	mustSetAIPolicy(t, s, ws[7].ID, &quire.AIPolicy{AllowNonZDR: true, RedactionOff: true})
	want.Policies, want.AllowNonZDR, want.RedactionOff = 8, 2, 2
	wantCensus(t, "after a first policy", s, want)

	// Each workspace still reads its own policy: the census changed nothing.
	sameAIPolicy(t, "w3 after the census", mustAIPolicy(t, s, ws[3].ID),
		&quire.AIPolicy{RedactKinds: []string{quire.RedactEmail}, UpdatedAt: policies[3].UpdatedAt})
	wantCensus(t, "after a restart", s.Reopen(t), want)
}

func testAIPolicyCensusDeletedWorkspace(t *testing.T, s Stores) {
	ctx := context.Background()
	owner := mustUser(t, s, "owner")
	doomed, kept := mustWorkspace(t, s, owner, "doomed"), mustWorkspace(t, s, owner, "kept")
	mustSetAIPolicy(t, s, doomed.ID, &quire.AIPolicy{AllowNonZDR: true, RedactionOff: true})
	mustSetAIPolicy(t, s, kept.ID, &quire.AIPolicy{RedactKinds: []string{quire.RedactSecret}})
	wantCensus(t, "before the deletion", s,
		quire.AIPolicyCensus{Policies: 2, AllowNonZDR: 1, RedactionOff: 1, RedactFewerKinds: 1})

	mustOK(t, s.Workspaces.DeleteWorkspace(ctx, doomed.ID), "DeleteWorkspace")
	want := quire.AIPolicyCensus{Policies: 1, RedactFewerKinds: 1}
	wantCensus(t, "after the deletion", s, want)
	s = s.Reopen(t)
	wantCensus(t, "after a restart", s, want)

	mustOK(t, s.Workspaces.DeleteWorkspace(ctx, kept.ID), "DeleteWorkspace")
	wantCensus(t, "after deleting every workspace", s, quire.AIPolicyCensus{})
}

// testAIPolicyCensusTampered alters one stored policy below the store in
// several ways; each fails the census, which never counts around it.
func testAIPolicyCensusTampered(t *testing.T, s Stores) {
	needAIPolicy(t, s)
	ctx := context.Background()
	alice, bob := mustUser(t, s, "alice"), mustUser(t, s, "bob")
	a, b := mustWorkspace(t, s, alice, "a"), mustWorkspace(t, s, bob, "b")
	c := mustWorkspace(t, s, alice, "c")
	mustSetAIPolicy(t, s, a.ID, &quire.AIPolicy{AllowNonZDR: true, RedactionOff: true})
	mustSetAIPolicy(t, s, c.ID, &quire.AIPolicy{RedactKinds: []string{quire.RedactPhone}})
	bPolicy := &quire.AIPolicy{AllowNonZDR: true, RedactKinds: []string{quire.RedactCard}}
	mustSetAIPolicy(t, s, b.ID, bPolicy)
	want := quire.AIPolicyCensus{Policies: 3, AllowNonZDR: 2, RedactionOff: 1, RedactFewerKinds: 2}
	wantCensus(t, "before tampering", s, want)

	// sealAs seals plaintext as b's policy, as only the barrier can: it
	// decrypts, and must then fail to decode.
	sealAs := func(t *testing.T, plain string) []byte {
		t.Helper()
		ct, err := s.Barrier.Encrypt(ctx, barrier.WorkspaceScope(b.ID), barrier.AD("ai_policies", b.ID, "policy"), []byte(plain))
		mustOK(t, err, "Encrypt")
		return ct
	}
	for name, tamper := range map[string]func(t *testing.T) []byte{
		"altered ciphertext": func(t *testing.T) []byte {
			ct := bytes.Clone(s.RawAIPolicy(t, b.ID))
			ct[len(ct)-1] ^= 1
			return ct
		},
		"truncated ciphertext": func(t *testing.T) []byte { return bytes.Clone(s.RawAIPolicy(t, b.ID))[:5] },
		"empty ciphertext":     func(t *testing.T) []byte { return []byte{} },
		"another workspace's sealed policy": func(t *testing.T) []byte {
			return bytes.Clone(s.RawAIPolicy(t, a.ID))
		},
		"unknown version":  func(t *testing.T) []byte { return sealAs(t, `{"v":2,"allowNonZdr":true}`) },
		"unknown kind":     func(t *testing.T) []byte { return sealAs(t, `{"v":1,"redactKinds":["passport"]}`) },
		"not a policy":     func(t *testing.T) []byte { return sealAs(t, "allowNonZdr") },
		"trailing data":    func(t *testing.T) []byte { return sealAs(t, `{"v":1,"allowNonZdr":true} {}`) },
		"plaintext policy": func(t *testing.T) []byte { return quire.MarshalAIPolicy(bPolicy) },
	} {
		t.Run(name, func(t *testing.T) {
			s.SetRawAIPolicy(t, b.ID, tamper(t))
			got, err := s.Workspaces.AIPolicyCensus(ctx)
			wantCode(t, err, quire.EINTERNAL)
			if got != (quire.AIPolicyCensus{}) {
				t.Fatalf("a failed census returned counts %+v", got)
			}
			if msg := err.Error(); strings.Contains(msg, "allowNonZdr") || strings.Contains(msg, "passport") || strings.Contains(msg, `"v"`) {
				t.Fatalf("the error quotes the stored policy: %v", err)
			}
			if msg := quire.ErrorMessage(err); strings.Contains(msg, b.ID) {
				t.Fatalf("the client message %q names the workspace", msg)
			}
			// The other workspaces' policies are unharmed, and setting b's
			// again through the store repairs the census.
			mustAIPolicy(t, s, a.ID)
			mustSetAIPolicy(t, s, b.ID, &quire.AIPolicy{AllowNonZDR: true, RedactKinds: []string{quire.RedactCard}})
			wantCensus(t, "after repair", s, want)
		})
	}
}
