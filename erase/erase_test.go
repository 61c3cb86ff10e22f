package erase_test

import (
	"context"
	"net/url"
	"slices"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"
	"github.com/quirehq/quire"
	"github.com/quirehq/quire/auth"
	"github.com/quirehq/quire/barrier"
	"github.com/quirehq/quire/internal/authtest"
	"github.com/quirehq/quire/mail"
	"github.com/quirehq/quire/sqlite"
)

// TestRequestShredsAtOnceThenPurge deletes an account: at once nothing of
// it decrypts, no session works, the address finds no account, search
// forgets it and the receipt is sent; the rows and files stay until the
// purge, which removes them and leaves another owner's workspace, and
// what the user wrote there, alone.
func TestRequestShredsAtOnceThenPurge(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	ann, bob := e.signUp("ann@example.com"), e.signUp("bob@example.com")
	mustOK(t, e.ws.AddMember(ctx, &quire.Membership{WorkspaceID: bob.personal, UserID: ann.user.ID, Role: quire.RoleEditor}))
	mustOK(t, e.ws.AddMember(ctx, &quire.Membership{WorkspaceID: ann.personal, UserID: bob.user.ID, Role: quire.RoleEditor}))
	second := &quire.Workspace{Name: "Second", Region: quire.RegionEU, OwnerID: ann.user.ID}
	mustOK(t, e.ws.CreateWorkspace(ctx, second))
	own := e.note(ann.personal, "Quince harvest", "Ann's own words")
	e.note(second.ID, "Second thoughts", "more of Ann's words")
	file := e.upload(ann.personal, "plan.txt", "Ann's file bytes")
	inBob := e.note(bob.personal, "Ann wrote this for Bob", "kept with Bob")
	if e.searchHits(ann.personal, "quince") != 1 {
		t.Fatal("search does not find the note before the deletion")
	}

	_, err := e.svc.Request(ctx, ann.user.ID, "wrong password", "", "")
	wantCode(t, err, quire.EINVALIDCREDENTIALS)
	_, err = e.deletions.FindDeletion(ctx, ann.user.ID)
	wantCode(t, err, quire.ENOTFOUND)

	d, err := e.svc.Request(ctx, ann.user.ID, password, "", "")
	mustOK(t, err)
	if d.Status != quire.DeletionShredded || d.ShreddedAt.IsZero() || !d.Deadline.Equal(d.RequestedAt.Add(quire.DeletionDeadline)) {
		t.Fatalf("deletion = %+v", d)
	}
	want := []string{ann.personal, second.ID}
	slices.Sort(want)
	if !slices.Equal(d.WorkspaceIDs, want) {
		t.Fatalf("recorded workspaces %v, want %v", d.WorkspaceIDs, want)
	}
	// At once: nothing decrypts, nothing signs in, search forgot.
	if _, err := e.notes.FindNoteByID(ctx, ann.personal, own.ID); err == nil {
		t.Error("the note still decrypts")
	}
	if _, _, err := e.files.Open(ctx, ann.personal, file.ID); err == nil {
		t.Error("the file still decrypts")
	}
	if _, err := e.users.FindUserByID(ctx, ann.user.ID); err == nil {
		t.Error("the user's email and name still decrypt")
	}
	if n := e.searchHits(ann.personal, "quince"); n != 0 {
		t.Errorf("search still finds %d documents of the deleted account", n)
	}
	_, err = e.accounts.Authenticate(ctx, ann.token)
	wantCode(t, err, quire.EUNAUTHORIZED)
	_, err = e.accounts.Login(ctx, "ann@example.com", password, auth.Client{})
	wantCode(t, err, quire.EINVALIDCREDENTIALS)
	receipts := authtest.Files(t, e.outbox, mail.KindAccountDeleted)
	if len(receipts) != 1 || !fileHolds(t, receipts[0], "ann@example.com") {
		t.Fatalf("receipts %v", receipts)
	}
	// The rows and bytes wait for the purge.
	if ids, _ := e.deletions.OwnedWorkspaceIDs(ctx, ann.user.ID); len(ids) != 2 || e.blobFiles(ann.personal) != 1 {
		t.Fatalf("before the purge: owned %v, %d blobs", ids, e.blobFiles(ann.personal))
	}

	mustOK(t, e.svc.Purge(ctx, ann.user.ID))
	got, err := e.deletions.FindDeletion(ctx, ann.user.ID)
	mustOK(t, err)
	if got.Status != quire.DeletionDone || got.PurgedAt.IsZero() {
		t.Fatalf("after the purge: %+v", got)
	}
	for _, ws := range want {
		_, err := e.ws.FindWorkspaceByID(ctx, ws)
		wantCode(t, err, quire.ENOTFOUND)
	}
	if e.blobFiles(ann.personal) != 0 {
		t.Error("the file's bytes outlived the purge")
	}
	_, err = e.users.FindUserByID(ctx, ann.user.ID)
	wantCode(t, err, quire.ENOTFOUND)
	kept, err := e.notes.FindNoteByID(ctx, bob.personal, inBob.ID)
	mustOK(t, err)
	if kept.Content != "kept with Bob" {
		t.Fatalf("Bob's workspace note = %+v", kept)
	}
	members, err := e.ws.FindMembers(ctx, bob.personal)
	mustOK(t, err)
	if len(members) != 1 || members[0].UserID != bob.user.ID {
		t.Fatalf("Bob's workspace members %+v", members)
	}
	if _, err := e.accounts.Login(ctx, "bob@example.com", password, auth.Client{}); err != nil {
		t.Fatalf("Bob cannot sign in: %v", err)
	}

	mustOK(t, e.svc.Purge(ctx, ann.user.ID)) // idempotent
	if n, err := e.svc.PurgeAll(ctx, nil); n != 0 || err != nil {
		t.Fatalf("PurgeAll after everything is done = %d, %v", n, err)
	}
	events, err := e.accounts.AuditLog(ctx, ann.user.ID, 50)
	mustOK(t, err)
	seen := map[string]bool{}
	for _, ev := range events {
		seen[ev.Event] = true
	}
	if !seen[auth.EventAccountDeletionQueued] || !seen[auth.EventAccountDeleted] {
		t.Fatalf("audit events %v", seen)
	}
}

// TestPurgeResumesAfterCrash: a process that stopped after recording a
// deletion (before shredding), and one that stopped halfway through a
// purge, leave queue entries that the next process's Run finishes.
func TestPurgeResumesAfterCrash(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	early, half := e.signUp("early@example.com"), e.signUp("half@example.com")
	e.note(early.personal, "Early", "text of early")
	e.upload(half.personal, "half.txt", "bytes of half")
	extra := &quire.Workspace{Name: "Extra", Region: quire.RegionUS, OwnerID: half.user.ID}
	mustOK(t, e.ws.CreateWorkspace(ctx, extra))

	// Stopped right after the queue entry was written: keys intact.
	mustOK(t, e.deletions.RequestDeletion(ctx, &quire.AccountDeletion{UserID: early.user.ID, RequestedAt: time.Now(),
		Deadline: time.Now().Add(quire.DeletionDeadline), WorkspaceIDs: []string{early.personal}}))
	// Stopped halfway through the purge: shredded, one workspace's rows
	// gone, its files and the other workspace still there.
	d, err := e.svc.Request(ctx, half.user.ID, password, "", "")
	mustOK(t, err)
	e.svc = nil // the process is gone: its Run never ran
	mustOK(t, e.ws.DeleteWorkspace(ctx, half.personal))
	if e.blobFiles(half.personal) != 1 || len(d.WorkspaceIDs) != 2 {
		t.Fatalf("setup: %d blobs, %v", e.blobFiles(half.personal), d.WorkspaceIDs)
	}

	restarted := e.newService()
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { defer close(done); restarted.Run(runCtx) }()
	t.Cleanup(func() { stop(); <-done })
	for _, u := range []*account{early, half} {
		waitDone(t, e, u.user.ID)
		_, err := e.users.FindUserByID(ctx, u.user.ID)
		wantCode(t, err, quire.ENOTFOUND)
	}
	keys, err := sqlite.NewKeyStore(e.db).ListDataKeys(ctx)
	mustOK(t, err)
	for _, k := range keys {
		for _, scope := range []barrier.Scope{barrier.UserScope(early.user.ID), barrier.WorkspaceScope(early.personal),
			barrier.UserScope(half.user.ID), barrier.WorkspaceScope(extra.ID)} {
			if k.Scope == scope {
				t.Errorf("a data key of %s survived", scope)
			}
		}
	}
	if e.blobFiles(half.personal) != 0 {
		t.Error("the files of a workspace whose rows went before the crash outlived the resumed purge")
	}
}

// waitDone waits for the deletion of userID to be done.
func waitDone(t *testing.T, e *env, userID string) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if d, err := e.deletions.FindDeletion(context.Background(), userID); err == nil && d.Status == quire.DeletionDone {
			return
		}
	}
	t.Fatalf("the deletion of %s did not finish within 10s", userID)
}

// TestRequestNeedsSecondFactor: with TOTP on, the password alone is not
// enough; a wrong code is refused; a right one deletes, and Run, woken by
// the request, purges without waiting for its next round.
func TestRequestNeedsSecondFactor(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	a := e.signUp("mfa@example.com")
	mustOK(t, e.accounts.ConfirmAddress(ctx, "mfa@example.com"))
	en, err := e.accounts.BeginTOTP(ctx, a.user, password)
	mustOK(t, err)
	sess, err := e.accounts.Authenticate(ctx, a.token)
	mustOK(t, err)
	code, _ := totp.GenerateCode(secretOf(t, en.URI), time.Now())
	_, _, err = e.accounts.ConfirmTOTP(ctx, sess, code, auth.Client{})
	mustOK(t, err)

	_, err = e.svc.Request(ctx, a.user.ID, password, "", "")
	wantCode(t, err, quire.EMFAREQUIRED)
	_, err = e.svc.Request(ctx, a.user.ID, password, "000000", "")
	wantCode(t, err, quire.EINVALIDCREDENTIALS)
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { defer close(done); e.svc.Run(runCtx) }()
	t.Cleanup(func() { stop(); <-done })
	time.Sleep(50 * time.Millisecond) // Run's first round finds nothing to do
	code, _ = totp.GenerateCode(secretOf(t, en.URI), time.Now().Add(30*time.Second))
	_, err = e.svc.Request(ctx, a.user.ID, password, code, "")
	mustOK(t, err)
	waitDone(t, e, a.user.ID)
}

// secretOf returns the TOTP secret of an otpauth:// URI.
func secretOf(t *testing.T, uri string) string {
	t.Helper()
	u, err := url.Parse(uri)
	if err != nil {
		t.Fatal(err)
	}
	return u.Query().Get("secret")
}

func mustOK(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	if got := quire.ErrorCode(err); got != code {
		t.Fatalf("error code %q (%v), want %q", got, err, code)
	}
}
