package storetest

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/quirehq/quire"
)

// The export part of the suite (claim GDPR-1) fixes:
//   - CreateExport queues an export for a known user only, and refuses a
//     second while one is queued or running, under concurrent requests
//     too; a finished export lets the next start.
//   - An export is read only through its own user: another user's is
//     ENOTFOUND, and FindExports lists the user's alone, newest first.
//   - UpdateExport writes every field, guarded by the states given;
//     SetExportProgress only moves a running export.
//   - FindExportsByState finds them across users; exports go with their
//     user.
//   - ClaimExport takes a queued export, or a running one whose lease
//     ended, for one worker; RenewExportLease and a worker-guarded
//     UpdateExport work for that worker alone.
//   - ClaimExportDownload lets one download at a time hold a ready export
//     of its own user, until released or past its claim.
//   - FindExportMemberships lists a user's workspaces, with their role,
//     and FindExportIDs pages a workspace's rows by ID.

// exportSuite is the export part of the conformance suite.
var exportSuite = []suiteTest{
	{"ExportLifecycle", testExportLifecycle},
	{"ExportOneActive", testExportOneActive},
	{"ExportIsolation", testExportIsolation},
	{"ExportByState", testExportByState},
	{"ExportCascade", testExportCascade},
	{"ExportLease", testExportLease},
	{"ExportDownloadClaim", testExportDownloadClaim},
	{"ExportMemberships", testExportMemberships},
	{"ExportIDs", testExportIDs},
}

func testExportLease(t *testing.T, s Stores) {
	ctx := context.Background()
	x := exportStore(t, s)
	u := mustUser(t, s, "leased")
	e := mustExport(t, x, u.ID)
	now := time.Now().UTC().Truncate(time.Microsecond)
	wantCode(t, x.ClaimExport(ctx, quire.NewID(), "a", now, now.Add(time.Minute)), quire.ENOTFOUND)
	wantCode(t, x.ClaimExport(ctx, e.ID, "", now, now.Add(time.Minute)), quire.EINVALID)
	mustOK(t, x.ClaimExport(ctx, e.ID, "a", now, now.Add(time.Minute)), "ClaimExport of a queued export")
	got, err := x.FindExport(ctx, u.ID, e.ID)
	mustOK(t, err, "FindExport")
	if got.State != quire.ExportRunning || got.Worker != "a" || !got.LeaseUntil.Equal(now.Add(time.Minute)) {
		t.Fatalf("claimed export = %+v, want running under a until %v", got, now.Add(time.Minute))
	}
	wantCode(t, x.ClaimExport(ctx, e.ID, "b", now.Add(30*time.Second), now.Add(2*time.Minute)), quire.ECONFLICT)
	wantCode(t, x.RenewExportLease(ctx, e.ID, "b", now.Add(time.Hour)), quire.ECONFLICT)
	mustOK(t, x.RenewExportLease(ctx, e.ID, "a", now.Add(2*time.Minute)), "RenewExportLease")
	wantCode(t, x.ClaimExport(ctx, e.ID, "b", now.Add(90*time.Second), now.Add(3*time.Minute)), quire.ECONFLICT)
	// The lease ends: another worker takes the export over, and the first
	// can neither renew nor finish it.
	mustOK(t, x.ClaimExport(ctx, e.ID, "b", now.Add(3*time.Minute), now.Add(4*time.Minute)), "ClaimExport after the lease")
	wantCode(t, x.RenewExportLease(ctx, e.ID, "a", now.Add(time.Hour)), quire.ECONFLICT)
	done := *got
	done.State, done.Worker = quire.ExportReady, "a"
	wantCode(t, x.UpdateExport(ctx, &done, quire.ExportRunning), quire.ECONFLICT)
	done.Worker = "b"
	mustOK(t, x.UpdateExport(ctx, &done, quire.ExportRunning), "UpdateExport by the lease holder")
	wantCode(t, x.ClaimExport(ctx, e.ID, "c", now.Add(time.Hour), now.Add(2*time.Hour)), quire.ECONFLICT)
	wantCode(t, x.RenewExportLease(ctx, quire.NewID(), "a", now), quire.ENOTFOUND)
}

func testExportDownloadClaim(t *testing.T, s Stores) {
	ctx := context.Background()
	x := exportStore(t, s)
	u, other := mustUser(t, s, "downloader"), mustUser(t, s, "other")
	e := mustExport(t, x, u.ID)
	now := time.Now().UTC().Truncate(time.Microsecond)
	wantCode(t, x.ClaimExportDownload(ctx, u.ID, e.ID, now, now.Add(time.Hour)), quire.ECONFLICT) // not ready
	e.State = quire.ExportReady
	mustOK(t, x.UpdateExport(ctx, e), "UpdateExport to ready")
	wantCode(t, x.ClaimExportDownload(ctx, other.ID, e.ID, now, now.Add(time.Hour)), quire.ENOTFOUND)
	wantCode(t, x.ClaimExportDownload(ctx, u.ID, quire.NewID(), now, now.Add(time.Hour)), quire.ENOTFOUND)
	mustOK(t, x.ClaimExportDownload(ctx, u.ID, e.ID, now, now.Add(time.Hour)), "ClaimExportDownload")
	wantCode(t, x.ClaimExportDownload(ctx, u.ID, e.ID, now, now.Add(time.Hour)), quire.ECONFLICT)
	mustOK(t, x.ReleaseExportDownload(ctx, e.ID), "ReleaseExportDownload")
	mustOK(t, x.ClaimExportDownload(ctx, u.ID, e.ID, now, now.Add(time.Hour)), "ClaimExportDownload after a release")
	// A claim left by a download that never ended lapses.
	mustOK(t, x.ClaimExportDownload(ctx, u.ID, e.ID, now.Add(2*time.Hour), now.Add(3*time.Hour)), "ClaimExportDownload past the claim")
	e.State = quire.ExportDownloaded
	mustOK(t, x.UpdateExport(ctx, e, quire.ExportReady), "UpdateExport to downloaded")
	mustOK(t, x.ReleaseExportDownload(ctx, e.ID), "ReleaseExportDownload of a downloaded export")
	wantCode(t, x.ClaimExportDownload(ctx, u.ID, e.ID, now.Add(24*time.Hour), now.Add(25*time.Hour)), quire.ECONFLICT)
}

func testExportMemberships(t *testing.T, s Stores) {
	ctx := context.Background()
	x := exportStore(t, s)
	alice, bob, carol := mustUser(t, s, "alice"), mustUser(t, s, "bob"), mustUser(t, s, "carol")
	own := mustWorkspace(t, s, alice, "own")
	bobs := mustWorkspace(t, s, bob, "bobs")
	mustWorkspace(t, s, carol, "carols")
	mustOK(t, s.Workspaces.AddMember(ctx, &quire.Membership{WorkspaceID: bobs.ID, UserID: alice.ID, Role: quire.RoleViewer}), "AddMember")
	list, err := x.FindExportMemberships(ctx, alice.ID)
	mustOK(t, err, "FindExportMemberships")
	if len(list) != 2 {
		t.Fatalf("%d memberships, want 2 (own and Bob's)", len(list))
	}
	want := map[string]quire.ExportMembership{own.ID: {WorkspaceID: own.ID, OwnerID: alice.ID, Role: quire.RoleOwner},
		bobs.ID: {WorkspaceID: bobs.ID, OwnerID: bob.ID, Role: quire.RoleViewer}}
	for _, m := range list {
		w, ok := want[m.WorkspaceID]
		if !ok || m.OwnerID != w.OwnerID || m.Role != w.Role || m.CreatedAt.IsZero() {
			t.Errorf("membership %+v, want one of %+v", m, want)
		}
	}
	if list, err := x.FindExportMemberships(ctx, quire.NewID()); err != nil || len(list) != 0 {
		t.Fatalf("memberships of an unknown user: %v, %v", list, err)
	}
}

func testExportIDs(t *testing.T, s Stores) {
	ctx := context.Background()
	x := exportStore(t, s)
	u := mustUser(t, s, "paged")
	ws, other := mustWorkspace(t, s, u, "paged"), mustWorkspace(t, s, u, "other")
	ids := map[string]bool{}
	for range 5 {
		ids[mustNote(t, s, ws.ID, "note", "text").ID] = true
	}
	mustNote(t, s, other.ID, "elsewhere", "text")
	var seen []string
	after := ""
	for {
		page, err := x.FindExportIDs(ctx, quire.ExportNotes, ws.ID, after, 2)
		mustOK(t, err, "FindExportIDs")
		seen = append(seen, page...)
		if len(page) < 2 {
			break
		}
		after = page[len(page)-1]
	}
	if len(seen) != len(ids) {
		t.Fatalf("paged %d note IDs, want %d", len(seen), len(ids))
	}
	for i, id := range seen {
		if !ids[id] || (i > 0 && seen[i-1] >= id) {
			t.Fatalf("paged IDs %v: not the workspace's notes in ID order", seen)
		}
	}
	for _, table := range []string{quire.ExportFiles, quire.ExportConversations} {
		page, err := x.FindExportIDs(ctx, table, ws.ID, "", 10)
		if err != nil || len(page) != 0 {
			t.Fatalf("%s of a workspace with none: %v, %v", table, page, err)
		}
	}
	_, err := x.FindExportIDs(ctx, "users", ws.ID, "", 10)
	wantCode(t, err, quire.EINVALID)
}

// exportStore returns s.Exports, failing t if the backend has none.
func exportStore(t *testing.T, s Stores) quire.ExportService {
	t.Helper()
	if s.Exports == nil {
		t.Fatal("the backend's Stores has no Exports")
	}
	return s.Exports
}

// mustExport queues an export for userID.
func mustExport(t *testing.T, x quire.ExportService, userID string) *quire.Export {
	t.Helper()
	e := &quire.Export{UserID: userID, State: quire.ExportReady, Size: 9}
	mustOK(t, x.CreateExport(context.Background(), e), "CreateExport")
	if !quire.ValidID(e.ID) || e.State != quire.ExportQueued || e.Size != 0 || e.CreatedAt.IsZero() {
		t.Fatalf("created export = %+v, want a new ID, queued, zero size, a creation time", e)
	}
	return e
}

func testExportLifecycle(t *testing.T, s Stores) {
	ctx := context.Background()
	x := exportStore(t, s)
	u := mustUser(t, s, "exporter")
	e := mustExport(t, x, u.ID)
	got, err := x.FindExport(ctx, u.ID, e.ID)
	mustOK(t, err, "FindExport")
	if *got != *e {
		t.Fatalf("read back %+v, created %+v", got, e)
	}
	mustOK(t, x.SetExportProgress(ctx, e.ID, 1, 5), "SetExportProgress")
	if got, _ = x.FindExport(ctx, u.ID, e.ID); got.ItemsDone != 0 {
		t.Fatalf("progress of a queued export moved to %d", got.ItemsDone)
	}
	e.State = quire.ExportRunning
	mustOK(t, x.UpdateExport(ctx, e, quire.ExportQueued), "UpdateExport to running")
	mustOK(t, x.SetExportProgress(ctx, e.ID, 3, 5), "SetExportProgress")
	if got, _ = x.FindExport(ctx, u.ID, e.ID); got.ItemsDone != 3 || got.ItemsTotal != 5 || got.State != quire.ExportRunning {
		t.Fatalf("running export = %+v, want 3 of 5", got)
	}
	wantCode(t, x.SetExportProgress(ctx, e.ID, -1, 5), quire.EINVALID)
	at := time.Now().UTC().Truncate(time.Microsecond)
	e.State, e.ItemsDone, e.ItemsTotal, e.FinishedAt, e.ExpiresAt = quire.ExportReady, 5, 5, at, at.Add(time.Hour)
	e.Size, e.SHA256 = 1234, "ab12"
	mustOK(t, x.UpdateExport(ctx, e, quire.ExportRunning), "UpdateExport to ready")
	got, _ = x.FindExport(ctx, u.ID, e.ID)
	if !got.FinishedAt.Equal(at) || !got.ExpiresAt.Equal(at.Add(time.Hour)) || got.Size != 1234 || got.SHA256 != "ab12" || got.State != quire.ExportReady {
		t.Fatalf("ready export = %+v", got)
	}
	next := *e
	next.State = quire.ExportFailed
	wantCode(t, x.UpdateExport(ctx, &next, quire.ExportRunning), quire.ECONFLICT)
	if got, _ = x.FindExport(ctx, u.ID, e.ID); got.State != quire.ExportReady {
		t.Fatalf("a refused update changed the state to %s", got.State)
	}
	next.State = "lost"
	wantCode(t, x.UpdateExport(ctx, &next), quire.EINVALID)
	next.ID, next.State = quire.NewID(), quire.ExportExpired
	wantCode(t, x.UpdateExport(ctx, &next, quire.ExportReady), quire.ENOTFOUND)
	wantCode(t, x.CreateExport(ctx, &quire.Export{UserID: quire.NewID()}), quire.ENOTFOUND)
}

func testExportOneActive(t *testing.T, s Stores) {
	ctx := context.Background()
	x := exportStore(t, s)
	u := mustUser(t, s, "impatient")
	var wg sync.WaitGroup
	errs := make([]error, 8)
	for i := range errs {
		wg.Go(func() { errs[i] = x.CreateExport(ctx, &quire.Export{UserID: u.ID}) })
	}
	wg.Wait()
	ok := 0
	for _, err := range errs {
		if err == nil {
			ok++
		} else {
			wantCode(t, err, quire.ECONFLICT)
		}
	}
	if ok != 1 {
		t.Fatalf("%d concurrent exports were queued, want 1", ok)
	}
	list, err := x.FindExports(ctx, u.ID)
	mustOK(t, err, "FindExports")
	e := list[0]
	e.State = quire.ExportRunning
	mustOK(t, x.UpdateExport(ctx, e), "UpdateExport")
	wantCode(t, x.CreateExport(ctx, &quire.Export{UserID: u.ID}), quire.ECONFLICT)
	e.State = quire.ExportFailed
	mustOK(t, x.UpdateExport(ctx, e), "UpdateExport")
	second := mustExport(t, x, u.ID)
	// Moving a finished export back to running beside an active one is
	// refused as a conflict too.
	e.State = quire.ExportRunning
	wantCode(t, x.UpdateExport(ctx, e), quire.ECONFLICT)
	if list, _ = x.FindExports(ctx, u.ID); len(list) != 2 || list[0].ID != second.ID {
		t.Fatalf("FindExports = %d exports, newest %v; want 2, newest first", len(list), list[0].ID)
	}
}

func testExportIsolation(t *testing.T, s Stores) {
	ctx := context.Background()
	x := exportStore(t, s)
	a, b := mustUser(t, s, "owner"), mustUser(t, s, "other")
	e := mustExport(t, x, a.ID)
	_, err := x.FindExport(ctx, b.ID, e.ID)
	wantCode(t, err, quire.ENOTFOUND)
	list, err := x.FindExports(ctx, b.ID)
	mustOK(t, err, "FindExports")
	if len(list) != 0 {
		t.Fatalf("another user lists %d exports", len(list))
	}
	mustExport(t, x, b.ID) // one active each: the limit is per user
}

func testExportByState(t *testing.T, s Stores) {
	ctx := context.Background()
	x := exportStore(t, s)
	a, b := mustUser(t, s, "first"), mustUser(t, s, "second")
	ea, eb := mustExport(t, x, a.ID), mustExport(t, x, b.ID)
	eb.State = quire.ExportRunning
	mustOK(t, x.UpdateExport(ctx, eb), "UpdateExport")
	got, err := x.FindExportsByState(ctx, quire.ExportQueued, quire.ExportRunning)
	mustOK(t, err, "FindExportsByState")
	if len(got) != 2 || got[0].ID != ea.ID || got[1].ID != eb.ID {
		t.Fatalf("FindExportsByState found %d, want both, oldest first", len(got))
	}
	if got, _ = x.FindExportsByState(ctx, quire.ExportRunning); len(got) != 1 || got[0].ID != eb.ID {
		t.Fatalf("running exports: %d", len(got))
	}
	if got, _ = x.FindExportsByState(ctx); len(got) != 0 {
		t.Fatalf("no states found %d", len(got))
	}
}

func testExportCascade(t *testing.T, s Stores) {
	ctx := context.Background()
	x := exportStore(t, s)
	u := mustUser(t, s, "leaving")
	mustExport(t, x, u.ID)
	mustOK(t, s.Users.DeleteUser(ctx, u.ID), "DeleteUser")
	got, err := x.FindExportsByState(ctx, quire.ExportQueued)
	mustOK(t, err, "FindExportsByState")
	if len(got) != 0 {
		t.Fatalf("%d exports outlived their user", len(got))
	}
}
