package storetest

import (
	"context"
	"errors"
	"testing"

	"github.com/quirehq/quire"
	"github.com/quirehq/quire/barrier"
)

// dataset is a small population of every entity, with the values the store
// returned, so that a test can check that everything still reads back.
type dataset struct {
	users      []*quire.User
	workspaces []*quire.Workspace
	notes      []*quire.Note
}

func seed(t *testing.T, s Stores, notesPerWorkspace int) *dataset {
	t.Helper()
	d := &dataset{}
	for i := range 2 {
		u := mustUser(t, s, "user "+itoa(i))
		w := mustWorkspace(t, s, u, "workspace "+itoa(i))
		d.users, d.workspaces = append(d.users, u), append(d.workspaces, w)
		for j := range notesPerWorkspace {
			d.notes = append(d.notes, mustNote(t, s, w.ID, "title "+itoa(j), "content "+itoa(i)+"/"+itoa(j)))
		}
	}
	return d
}

// verify reads every entity of d back from s and fails on any difference.
func (d *dataset) verify(t *testing.T, s Stores) {
	t.Helper()
	ctx := context.Background()
	for _, u := range d.users {
		got, err := s.Users.FindUserByID(ctx, u.ID)
		mustOK(t, err, "FindUserByID")
		sameUser(t, got, u)
		got, err = s.Users.FindUserByEmail(ctx, u.Email)
		mustOK(t, err, "FindUserByEmail")
		sameUser(t, got, u)
	}
	for _, w := range d.workspaces {
		got, err := s.Workspaces.FindWorkspaceByID(ctx, w.ID)
		mustOK(t, err, "FindWorkspaceByID")
		sameWorkspace(t, got, w)
	}
	for _, n := range d.notes {
		wantNoteUnchanged(t, s, n)
	}
}

func (d *dataset) update(t *testing.T, s Stores, i int, title string) {
	t.Helper()
	n := d.notes[i]
	got, err := s.Notes.UpdateNote(context.Background(), n.WorkspaceID, n.ID, quire.NoteUpdate{Title: ptr(title)})
	mustOK(t, err, "UpdateNote")
	d.notes[i] = got
}

func wantCleanKeys(t *testing.T, s Stores) {
	t.Helper()
	st, err := s.Barrier.Status(context.Background())
	mustOK(t, err, "Status")
	if st.OldDataKeys != 0 || st.StaleDataKeys != 0 {
		t.Fatalf("after rewrap and retire: %d old and %d stale data keys, want none", st.OldDataKeys, st.StaleDataKeys)
	}
	keks := 0
	for _, k := range st.Keyring {
		if k.Kind == barrier.KindKEK {
			keks++
		}
	}
	if keks != 1 {
		t.Fatalf("keyring holds %d key-encryption keys after retire, want 1", keks)
	}
}

// planRetire lets the key cache expire, as an operator waits after a
// rotation, and takes the plan that Retire will follow after the rewrap.
func planRetire(t *testing.T, s Stores) *barrier.RetirePlan {
	t.Helper()
	advanceClock()
	plan, err := s.Barrier.PlanRetire(context.Background())
	mustOK(t, err, "PlanRetire")
	return plan
}

// retire runs Barrier.Retire and checks that it removed the old versions.
func retire(t *testing.T, s Stores, plan *barrier.RetirePlan) {
	t.Helper()
	dataKeys, keyringKeys, err := s.Barrier.Retire(context.Background(), plan)
	mustOK(t, err, "Retire")
	if dataKeys == 0 || keyringKeys == 0 {
		t.Fatalf("Retire removed %d data keys and %d keyring keys; the backend's barrier must be opened with storetest.BarrierOptions()", dataKeys, keyringKeys)
	}
}

// testKeyRotation checks claim ENC-2's rotation: Rotate, Rewrap, Retire
// leaves every value readable and no key behind.
func testKeyRotation(t *testing.T, s Stores) {
	ctx := context.Background()
	d := seed(t, s, 5)
	mustOK(t, s.Barrier.Rotate(ctx), "Rotate")
	st, err := s.Barrier.Status(ctx)
	mustOK(t, err, "Status")
	if st.OldDataKeys == 0 {
		t.Fatal("Rotate made no new data key versions")
	}
	d.verify(t, s)
	d.update(t, s, 0, "written after rotation")
	plan := planRetire(t, s)
	var calls, lastDone, lastTotal int
	mustOK(t, s.Rewrap(ctx, func(done, total int) { calls, lastDone, lastTotal = calls+1, done, total }), "Rewrap")
	if calls == 0 || lastDone != lastTotal || lastTotal == 0 {
		t.Fatalf("progress: %d calls, last %d/%d; want calls ending at done == total > 0", calls, lastDone, lastTotal)
	}
	d.verify(t, s)
	retire(t, s, plan)
	wantCleanKeys(t, s)
	d.verify(t, s)
	d.verify(t, s.Reopen(t))
}

// testRewrapResumable interrupts a rewrap part-way, checks that the data
// stays readable in its mixed state, and that a second run finishes the job
// and a third is harmless.
func testRewrapResumable(t *testing.T, s Stores) {
	ctx := context.Background()
	d := seed(t, s, 10)
	mustOK(t, s.Barrier.Rotate(ctx), "Rotate")

	cctx, cancel := context.WithCancel(ctx)
	defer cancel()
	err := s.Rewrap(cctx, func(done, total int) {
		if done >= 3 {
			cancel()
		}
	})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Rewrap with a context cancelled after 3 records: err = %v, want context.Canceled", err)
	}
	d.verify(t, s)
	d.update(t, s, 1, "written between the runs")

	plan := planRetire(t, s)
	mustOK(t, s.Rewrap(ctx, nil), "Rewrap to completion")
	d.verify(t, s)
	mustOK(t, s.Rewrap(ctx, nil), "Rewrap again")
	d.verify(t, s)
	retire(t, s, plan)
	wantCleanKeys(t, s)
	d.verify(t, s)
}

// testRestart checks that everything written survives a clean close and
// reopen, and that the reopened store (and its barrier) can write again.
func testRestart(t *testing.T, s Stores) {
	ctx := context.Background()
	d := seed(t, s, 3)
	mustOK(t, s.Workspaces.AddMember(ctx, &quire.Membership{WorkspaceID: d.workspaces[0].ID, UserID: d.users[1].ID, Role: quire.RoleEditor}), "AddMember")
	r := s.Reopen(t)
	d.verify(t, r)
	members, err := r.Workspaces.FindMembers(ctx, d.workspaces[0].ID)
	mustOK(t, err, "FindMembers")
	if len(members) != 2 {
		t.Fatalf("members after restart = %+v, want 2", members)
	}
	d.notes = append(d.notes, mustNote(t, r, d.workspaces[1].ID, "after restart", "new"))
	d.update(t, r, 0, "updated after restart")
	r2 := r.Reopen(t)
	d.verify(t, r2)
}
