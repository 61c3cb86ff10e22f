package storetest

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/quirehq/quire"
	"github.com/quirehq/quire/barrier"
)

// The data-rights part of the suite (claims GDPR-2 and GDPR-3) fixes:
//   - RequestDeletion closes the account in the same transaction: no
//     session, API key, passkey, one-time token or pending email change of the user
//     is found afterwards, and the address finds no user (a new account
//     may take it); another user's records are untouched.
//   - The queue holds identifiers and times only and outlives the user;
//     its methods, OwnedWorkspaceIDs, DeleteWorkspace and DeleteUser work
//     once the user's and the workspaces' keys are shredded, which is what
//     a purge resumed after a crash relies on.
//   - A pending email change is one per user, one-time, refused once
//     expired, sealed at rest, rewrapped by Rewrap and gone with its user.

// deletionSuite is the data-rights part of the conformance suite.
var deletionSuite = []suiteTest{
	{"DeletionRequest", testDeletionRequest},
	{"DeletionPurgeWithoutKeys", testDeletionPurgeWithoutKeys},
	{"EmailChanges", testEmailChanges},
	{"EmailChangeSealed", testEmailChangeSealed},
}

// deletionStores returns s once it has the stores the data-rights tests
// need.
func deletionStores(t *testing.T, s Stores) (quire.AccountDeletionService, quire.EmailChangeStore) {
	t.Helper()
	ec, ok := s.Auth.(quire.EmailChangeStore)
	if s.Deletions == nil || !ok {
		t.Fatal("the backend's Stores has no Deletions, or its Auth is no quire.EmailChangeStore")
	}
	return s.Deletions, ec
}

// newDeletion is a deletion of userID requested now, of the workspaces ids.
func newDeletion(userID string, ids []string) *quire.AccountDeletion {
	now := usec()
	return &quire.AccountDeletion{UserID: userID, RequestedAt: now, Deadline: now.Add(quire.DeletionDeadline), WorkspaceIDs: ids}
}

func sameDeletion(t *testing.T, got, want *quire.AccountDeletion) {
	t.Helper()
	if got.UserID != want.UserID || got.Status != want.Status || !got.RequestedAt.Equal(want.RequestedAt) ||
		!got.Deadline.Equal(want.Deadline) || !slices.Equal(got.WorkspaceIDs, want.WorkspaceIDs) ||
		!got.ShreddedAt.Equal(want.ShreddedAt) || !got.PurgedAt.Equal(want.PurgedAt) {
		t.Fatalf("deletion = %+v, want %+v", got, want)
	}
}

func testDeletionRequest(t *testing.T, s Stores) {
	ctx := context.Background()
	dq, ec := deletionStores(t, s)
	doomed := seedAuth(t, s, authValues{"ua", "key", "passkey", "{}", ""})
	kept := seedAuth(t, s, authValues{"ua 2", "key 2", "passkey 2", "{}", ""})
	second := mustWorkspace(t, s, doomed.user, "second")
	mustOK(t, s.Workspaces.AddMember(ctx, &quire.Membership{WorkspaceID: kept.workspace.ID, UserID: doomed.user.ID, Role: quire.RoleEditor}), "AddMember")
	change := &quire.EmailChange{UserID: doomed.user.ID, Email: "next-" + marker() + "@example.org", TokenHash: secret(), ExpiresAt: usec().Add(time.Hour)}
	mustOK(t, ec.PutEmailChange(ctx, change), "PutEmailChange")

	ids, err := dq.OwnedWorkspaceIDs(ctx, doomed.user.ID)
	mustOK(t, err, "OwnedWorkspaceIDs")
	want := []string{doomed.workspace.ID, second.ID}
	slices.Sort(want)
	if !slices.Equal(ids, want) {
		t.Fatalf("OwnedWorkspaceIDs = %v, want %v (not the workspace it is only a member of)", ids, want)
	}
	d := newDeletion(doomed.user.ID, ids)
	mustOK(t, dq.RequestDeletion(ctx, d), "RequestDeletion")
	if d.Status != quire.DeletionPending {
		t.Fatalf("a new deletion has status %q", d.Status)
	}
	_, err = s.Users.FindUserByEmail(ctx, doomed.user.Email)
	wantCode(t, err, quire.ENOTFOUND)
	_, err = s.Auth.FindSession(ctx, doomed.session.TokenHash)
	wantCode(t, err, quire.ENOTFOUND)
	_, err = s.Auth.FindAPIKey(ctx, doomed.key.SecretIndex)
	wantCode(t, err, quire.ENOTFOUND)
	_, err = s.Auth.FindPasskey(ctx, doomed.passkey.CredentialID)
	wantCode(t, err, quire.ENOTFOUND)
	_, err = s.Auth.ConsumeToken(ctx, doomed.token.Hash, doomed.token.Purpose, usec())
	wantCode(t, err, quire.ETOKENINVALID)
	_, err = ec.ConsumeEmailChange(ctx, change.TokenHash, usec())
	wantCode(t, err, quire.ETOKENINVALID)
	kept.verify(t, s)
	mustOK(t, s.Users.CreateUser(ctx, &quire.User{Email: doomed.user.Email, Name: "new owner of the address"}), "CreateUser with the address")

	wantCode(t, dq.RequestDeletion(ctx, newDeletion(doomed.user.ID, nil)), quire.ECONFLICT)
	wantCode(t, dq.RequestDeletion(ctx, newDeletion(quire.NewID(), nil)), quire.ENOTFOUND)
	got, err := dq.FindDeletion(ctx, doomed.user.ID)
	mustOK(t, err, "FindDeletion")
	sameDeletion(t, got, d)
	_, err = dq.FindDeletion(ctx, quire.NewID())
	wantCode(t, err, quire.ENOTFOUND)

	wantCode(t, dq.MarkDeletion(ctx, doomed.user.ID, "gone", usec()), quire.EINVALID)
	wantCode(t, dq.MarkDeletion(ctx, quire.NewID(), quire.DeletionDone, usec()), quire.ENOTFOUND)
	shredAt := usec()
	mustOK(t, dq.MarkDeletion(ctx, doomed.user.ID, quire.DeletionShredded, shredAt), "MarkDeletion shredded")
	mustOK(t, dq.MarkDeletion(ctx, doomed.user.ID, quire.DeletionShredded, shredAt.Add(time.Hour)), "MarkDeletion shredded again")
	d.Status, d.ShreddedAt = quire.DeletionShredded, shredAt
	got, err = dq.FindDeletion(ctx, doomed.user.ID)
	mustOK(t, err, "FindDeletion")
	sameDeletion(t, got, d) // the first shred time stays

	other := seedAuth(t, s, authValues{"ua 3", "key 3", "passkey 3", "{}", ""})
	later := newDeletion(other.user.ID, nil)
	later.RequestedAt = later.RequestedAt.Add(time.Second)
	mustOK(t, dq.RequestDeletion(ctx, later), "RequestDeletion (no workspaces)")
	list, err := dq.FindDeletions(ctx)
	mustOK(t, err, "FindDeletions")
	if len(list) != 2 || list[0].UserID != doomed.user.ID || list[1].UserID != other.user.ID || list[1].WorkspaceIDs != nil {
		t.Fatalf("FindDeletions = %+v", list)
	}
}

// testDeletionPurgeWithoutKeys shreds a user's keys and those of the
// workspaces it owns, as a deletion request does, and then purges with
// nothing left to decrypt: the rows go, another member's workspace stays,
// and the queue entry outlives the user, across a restart.
func testDeletionPurgeWithoutKeys(t *testing.T, s Stores) {
	ctx := context.Background()
	dq, _ := deletionStores(t, s)
	doomed, own := mustAccount(t, s)
	gone := mustNote(t, s, own.ID, "doomed title", "doomed content")
	keeper, shared := mustAccount(t, s)
	kept := mustNote(t, s, shared.ID, "kept title", "kept content")
	mustOK(t, s.Workspaces.AddMember(ctx, &quire.Membership{WorkspaceID: shared.ID, UserID: doomed.ID, Role: quire.RoleEditor}), "AddMember")

	d := newDeletion(doomed.ID, []string{own.ID})
	mustOK(t, dq.RequestDeletion(ctx, d), "RequestDeletion")
	mustOK(t, s.Barrier.Shred(ctx, barrier.WorkspaceScope(own.ID)), "Shred workspace")
	mustOK(t, s.Barrier.Shred(ctx, barrier.UserScope(doomed.ID)), "Shred user")
	mustOK(t, dq.MarkDeletion(ctx, doomed.ID, quire.DeletionShredded, usec()), "MarkDeletion shredded")
	if _, err := s.Users.FindUserByID(ctx, doomed.ID); err == nil {
		t.Fatal("the user still decrypts after its keys were shredded")
	}
	if _, err := s.Notes.FindNoteByID(ctx, own.ID, gone.ID); err == nil {
		t.Fatal("a note still decrypts after its workspace's keys were shredded")
	}
	ids, err := dq.OwnedWorkspaceIDs(ctx, doomed.ID)
	mustOK(t, err, "OwnedWorkspaceIDs after the shred")
	if !slices.Equal(ids, []string{own.ID}) {
		t.Fatalf("OwnedWorkspaceIDs after the shred = %v", ids)
	}
	mustOK(t, s.Workspaces.DeleteWorkspace(ctx, own.ID), "DeleteWorkspace after the shred")
	mustOK(t, s.Users.DeleteUser(ctx, doomed.ID), "DeleteUser after the shred")
	mustOK(t, dq.MarkDeletion(ctx, doomed.ID, quire.DeletionDone, usec()), "MarkDeletion done")

	members, err := s.Workspaces.FindMembers(ctx, shared.ID)
	mustOK(t, err, "FindMembers")
	if len(members) != 1 || members[0].UserID != keeper.ID {
		t.Fatalf("members of the kept workspace = %+v", members)
	}
	n, err := s.Notes.FindNoteByID(ctx, shared.ID, kept.ID)
	mustOK(t, err, "the kept workspace's note")
	if n.Content != "kept content" {
		t.Fatalf("kept note = %+v", n)
	}
	r := s.Reopen(t)
	got, err := r.Deletions.FindDeletion(ctx, doomed.ID)
	mustOK(t, err, "FindDeletion after a restart")
	if got.Status != quire.DeletionDone || got.PurgedAt.IsZero() || got.ShreddedAt.IsZero() {
		t.Fatalf("after the purge: %+v", got)
	}
}

func testEmailChanges(t *testing.T, s Stores) {
	ctx := context.Background()
	_, ec := deletionStores(t, s)
	u, _ := mustAccount(t, s)
	now := usec()
	c := &quire.EmailChange{UserID: u.ID, Email: "new@example.org", TokenHash: secret(), ExpiresAt: now.Add(time.Hour)}
	mustOK(t, ec.PutEmailChange(ctx, c), "PutEmailChange")
	_, err := ec.ConsumeEmailChange(ctx, secret(), now)
	wantCode(t, err, quire.ETOKENINVALID)
	got, err := ec.ConsumeEmailChange(ctx, c.TokenHash, now)
	mustOK(t, err, "ConsumeEmailChange")
	if got.UserID != u.ID || got.Email != c.Email || !got.ExpiresAt.Equal(c.ExpiresAt) {
		t.Fatalf("ConsumeEmailChange = %+v, want %+v", got, c)
	}
	_, err = ec.ConsumeEmailChange(ctx, c.TokenHash, now)
	wantCode(t, err, quire.ETOKENINVALID)

	// A new change replaces the pending one, whose link stops working.
	first := &quire.EmailChange{UserID: u.ID, Email: "first@example.org", TokenHash: secret(), ExpiresAt: now.Add(time.Hour)}
	next := &quire.EmailChange{UserID: u.ID, Email: "next@example.org", TokenHash: secret(), ExpiresAt: now.Add(time.Hour)}
	mustOK(t, ec.PutEmailChange(ctx, first), "PutEmailChange")
	mustOK(t, ec.PutEmailChange(ctx, next), "PutEmailChange (replacing)")
	_, err = ec.ConsumeEmailChange(ctx, first.TokenHash, now)
	wantCode(t, err, quire.ETOKENINVALID)
	if got, err := ec.ConsumeEmailChange(ctx, next.TokenHash, now); err != nil || got.Email != next.Email {
		t.Fatalf("ConsumeEmailChange of the newer change = %+v, %v", got, err)
	}

	expired := &quire.EmailChange{UserID: u.ID, Email: "late@example.org", TokenHash: secret(), ExpiresAt: now.Add(time.Minute)}
	mustOK(t, ec.PutEmailChange(ctx, expired), "PutEmailChange")
	_, err = ec.ConsumeEmailChange(ctx, expired.TokenHash, expired.ExpiresAt)
	wantCode(t, err, quire.ETOKENINVALID)
	_, err = ec.ConsumeEmailChange(ctx, expired.TokenHash, now)
	wantCode(t, err, quire.ETOKENINVALID) // an expired change is gone

	// DeleteEmailChange voids the user's pending change, and only theirs;
	// with none pending it is no error.
	other, _ := mustAccount(t, s)
	voided := &quire.EmailChange{UserID: u.ID, Email: "voided@example.org", TokenHash: secret(), ExpiresAt: now.Add(time.Hour)}
	kept := &quire.EmailChange{UserID: other.ID, Email: "kept@example.org", TokenHash: secret(), ExpiresAt: now.Add(time.Hour)}
	mustOK(t, ec.PutEmailChange(ctx, voided), "PutEmailChange")
	mustOK(t, ec.PutEmailChange(ctx, kept), "PutEmailChange (another user)")
	mustOK(t, ec.DeleteEmailChange(ctx, u.ID), "DeleteEmailChange")
	mustOK(t, ec.DeleteEmailChange(ctx, u.ID), "DeleteEmailChange with none pending")
	_, err = ec.ConsumeEmailChange(ctx, voided.TokenHash, now)
	wantCode(t, err, quire.ETOKENINVALID)
	if got, err := ec.ConsumeEmailChange(ctx, kept.TokenHash, now); err != nil || got.UserID != other.ID {
		t.Fatalf("another user's change after DeleteEmailChange = %+v, %v", got, err)
	}

	keys := countDataKeys(t, s)
	wantCode(t, ec.PutEmailChange(ctx, &quire.EmailChange{UserID: quire.NewID(), Email: "x@example.org", TokenHash: secret(), ExpiresAt: now.Add(time.Hour)}), quire.ENOTFOUND)
	if countDataKeys(t, s) != keys {
		t.Fatal("PutEmailChange for an unknown user left a data key behind")
	}
	wantCode(t, ec.PutEmailChange(ctx, &quire.EmailChange{UserID: u.ID, Email: "x@example.org", ExpiresAt: now.Add(time.Hour)}), quire.EINVALID)
}

// testEmailChangeSealed checks that a pending address is sealed at rest,
// survives key rotation, and goes with its user.
func testEmailChangeSealed(t *testing.T, s Stores) {
	ctx := context.Background()
	_, ec := deletionStores(t, s)
	u, w := mustAccount(t, s)
	email := marker() + "@example.org"
	c := &quire.EmailChange{UserID: u.ID, Email: email, TokenHash: secret(), ExpiresAt: usec().Add(time.Hour)}
	mustOK(t, ec.PutEmailChange(ctx, c), "PutEmailChange")
	found, err := s.Inspector.ScanRaw(ctx, []byte(email))
	mustOK(t, err, "ScanRaw")
	if len(found) > 0 {
		t.Fatalf("the pending address is stored in plain text: %v", found)
	}
	mustOK(t, s.Barrier.Rotate(ctx), "Rotate")
	plan := planRetire(t, s)
	mustOK(t, s.Rewrap(ctx, nil), "Rewrap")
	retire(t, s, plan)
	got, err := ec.ConsumeEmailChange(ctx, c.TokenHash, usec())
	mustOK(t, err, "ConsumeEmailChange after rotation")
	if got.Email != email {
		t.Fatalf("after rotation the change reads %q", got.Email)
	}
	again := &quire.EmailChange{UserID: u.ID, Email: email, TokenHash: secret(), ExpiresAt: usec().Add(time.Hour)}
	mustOK(t, ec.PutEmailChange(ctx, again), "PutEmailChange")
	mustOK(t, s.Workspaces.DeleteWorkspace(ctx, w.ID), "DeleteWorkspace")
	mustOK(t, s.Users.DeleteUser(ctx, u.ID), "DeleteUser")
	_, err = ec.ConsumeEmailChange(ctx, again.TokenHash, usec())
	wantCode(t, err, quire.ETOKENINVALID)
}
