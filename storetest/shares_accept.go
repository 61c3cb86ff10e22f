package storetest

import (
	"cmp"
	"context"
	"slices"
	"testing"
	"time"

	"github.com/quirehq/quire"
)

// testShareRenew checks that inviting a pending address again renews its
// invitation in place, and that an accepted address is not invited again.
func testShareRenew(t *testing.T, s Stores) {
	needShares(t, s)
	ctx := context.Background()
	owner := mustUser(t, s, "owner")
	ws := mustWorkspace(t, s, owner, "shares")
	f, g := mustFolder(t, s, ws.ID, "f"), mustFolder(t, s, ws.ID, "g")
	first, oldTok := mustShare(t, s, ws.ID, f.ID, owner.ID, "pat@example.com", quire.ShareRead)

	again := &quire.FolderShare{WorkspaceID: ws.ID, FolderID: f.ID, Email: first.Email, Permission: quire.ShareWrite,
		InvitedBy: owner.ID, ExpiresAt: time.Now().Add(30 * 24 * time.Hour)}
	newTok := shareToken()
	mustOK(t, s.Shares.CreateShare(ctx, again, shareEmailIndex(s, again.Email), newTok), "CreateShare (renew)")
	if again.ID != first.ID || !again.CreatedAt.Equal(first.CreatedAt) {
		t.Fatalf("renewed share %s created %v, want the same share %s created %v", again.ID, again.CreatedAt, first.ID, first.CreatedAt)
	}
	want := *first
	want.Permission, want.ExpiresAt = quire.ShareWrite, again.ExpiresAt
	wantShare(t, s, &want)
	wantNoInvite(t, s, oldTok)
	wantInvite(t, s, newTok, &want)
	_, err := s.Shares.AcceptShare(ctx, ws.ID, first.ID, oldTok, mustUser(t, s, "pat").ID)
	wantCode(t, err, quire.ENOTFOUND)
	list, err := s.Shares.FindShares(ctx, ws.ID, f.ID)
	mustOK(t, err, "FindShares")
	if len(list) != 1 {
		t.Fatalf("after renewal the folder has %d shares, want 1", len(list))
	}

	// Once accepted, the address cannot be invited to the folder again;
	// another folder is another share.
	pat := mustUser(t, s, "pat")
	accepted := mustAccept(t, s, &want, newTok, pat.ID)
	reinvite := &quire.FolderShare{WorkspaceID: ws.ID, FolderID: f.ID, Email: first.Email, Permission: quire.ShareRead,
		InvitedBy: owner.ID, ExpiresAt: shareExpiry()}
	tok := shareToken()
	wantCode(t, s.Shares.CreateShare(ctx, reinvite, shareEmailIndex(s, reinvite.Email), tok), quire.ECONFLICT)
	wantNoInvite(t, s, tok)
	wantShare(t, s, accepted)
	other, _ := mustShare(t, s, ws.ID, g.ID, owner.ID, first.Email, quire.ShareRead)
	if other.ID == first.ID {
		t.Fatal("a share of another folder renewed this one")
	}
}

// testShareAccept resolves and accepts an invitation: the token works
// once, a wrong token or workspace finds nothing, and one user holds at
// most one share of a folder.
func testShareAccept(t *testing.T, s Stores) {
	needShares(t, s)
	ctx := context.Background()
	owner, kim := mustUser(t, s, "owner"), mustUser(t, s, "kim")
	ws := mustWorkspace(t, s, owner, "shares")
	f := mustFolder(t, s, ws.ID, "f")
	sh, tok := mustShare(t, s, ws.ID, f.ID, owner.ID, "kim@example.com", quire.ShareWrite)
	wantInvite(t, s, tok, sh)
	wantNoInvite(t, s, shareToken())
	for _, bad := range [][]byte{nil, {}, make([]byte, quire.ShareIndexSize-1)} {
		wantNoInvite(t, s, bad)
		_, err := s.Shares.AcceptShare(ctx, ws.ID, sh.ID, bad, kim.ID)
		wantCode(t, err, quire.ENOTFOUND)
	}
	for _, tc := range []struct {
		name, ws, id string
		tok          []byte
	}{
		{"wrong token", ws.ID, sh.ID, shareToken()},
		{"unknown share", ws.ID, quire.NewID(), tok},
		{"unknown workspace", quire.NewID(), sh.ID, tok},
		{"unknown user", ws.ID, sh.ID, tok},
	} {
		user := kim.ID
		if tc.name == "unknown user" {
			user = quire.NewID()
		}
		_, err := s.Shares.AcceptShare(ctx, tc.ws, tc.id, tc.tok, user)
		if quire.ErrorCode(err) != quire.ENOTFOUND {
			t.Fatalf("%s: AcceptShare err = %v, want ENOTFOUND", tc.name, err)
		}
	}
	wantShare(t, s, sh) // still pending

	before := time.Now().Add(-time.Second)
	got := mustAccept(t, s, sh, tok, kim.ID)
	if got.Pending() || got.GranteeID != kim.ID || got.AcceptedAt.Before(before) || got.AcceptedAt.Location() != time.UTC {
		t.Fatalf("accepted share = %+v", got)
	}
	want := *sh
	want.GranteeID, want.AcceptedAt = kim.ID, got.AcceptedAt
	sameShare(t, got, &want)
	wantShare(t, s, &want)
	wantNoInvite(t, s, tok)
	_, err := s.Shares.AcceptShare(ctx, ws.ID, sh.ID, tok, kim.ID)
	wantCode(t, err, quire.ENOTFOUND)
	_, err = s.Shares.AcceptShare(ctx, ws.ID, sh.ID, tok, mustUser(t, s, "late").ID)
	wantCode(t, err, quire.ENOTFOUND)
	wantShare(t, s, &want)

	// Kim, invited again under another address, cannot accept a second
	// share of the folder; the invitation stays pending.
	second, secondTok := mustShare(t, s, ws.ID, f.ID, owner.ID, "kim.work@example.com", quire.ShareRead)
	_, err = s.Shares.AcceptShare(ctx, ws.ID, second.ID, secondTok, kim.ID)
	wantCode(t, err, quire.ECONFLICT)
	wantShare(t, s, second)
	wantInvite(t, s, secondTok, second)
	// Someone else can.
	mustAccept(t, s, second, secondTok, mustUser(t, s, "lee").ID)
	_, err = s.Shares.AcceptShare(ctx, ws.ID, second.ID, secondTok, "")
	wantCode(t, err, quire.EINVALID)
}

// testShareExpired checks that an expired invitation resolves, with its
// expiry, for the caller to say so, but cannot be accepted; renewing it
// makes it acceptable again.
func testShareExpired(t *testing.T, s Stores) {
	needShares(t, s)
	ctx := context.Background()
	owner, sam := mustUser(t, s, "owner"), mustUser(t, s, "sam")
	ws := mustWorkspace(t, s, owner, "shares")
	f := mustFolder(t, s, ws.ID, "f")
	sh := &quire.FolderShare{WorkspaceID: ws.ID, FolderID: f.ID, Email: "sam@example.com", Permission: quire.ShareRead,
		InvitedBy: owner.ID, ExpiresAt: time.Now().Add(-time.Hour)}
	tok := shareToken()
	mustOK(t, s.Shares.CreateShare(ctx, sh, shareEmailIndex(s, sh.Email), tok), "CreateShare (expired)")
	wantInvite(t, s, tok, sh)
	inv, err := s.Shares.ResolveShareInvite(ctx, tok)
	mustOK(t, err, "ResolveShareInvite")
	if !inv.ExpiresAt.Before(time.Now()) || inv.ExpiresAt.Location() != time.UTC {
		t.Fatalf("expired invitation resolves with expiry %v", inv.ExpiresAt)
	}
	_, err = s.Shares.AcceptShare(ctx, ws.ID, sh.ID, tok, sam.ID)
	wantCode(t, err, quire.ENOTFOUND)
	wantShare(t, s, sh)

	renewed := *sh
	renewed.ExpiresAt = shareExpiry()
	newTok := shareToken()
	mustOK(t, s.Shares.CreateShare(ctx, &renewed, shareEmailIndex(s, sh.Email), newTok), "CreateShare (renew)")
	if renewed.ID != sh.ID {
		t.Fatalf("renewal made share %s, want %s", renewed.ID, sh.ID)
	}
	wantNoInvite(t, s, tok)
	mustAccept(t, s, &renewed, newTok, sam.ID)
}

// testSharesForUser lists a user's grants across workspaces, oldest
// first, without pending invitations or other users' grants.
func testSharesForUser(t *testing.T, s Stores) {
	needShares(t, s)
	ctx := context.Background()
	alice, bob, una := mustUser(t, s, "alice"), mustUser(t, s, "bob"), mustUser(t, s, "una")
	a, b := mustWorkspace(t, s, alice, "a"), mustWorkspace(t, s, bob, "b")
	af, bf := mustFolder(t, s, a.ID, "af"), mustFolder(t, s, b.ID, "bf")
	empty, err := s.Shares.SharesForUser(ctx, una.ID)
	mustOK(t, err, "SharesForUser")
	if len(empty) != 0 {
		t.Fatalf("a user without shares has %d", len(empty))
	}
	s1, t1 := mustShare(t, s, a.ID, af.ID, alice.ID, "una@example.com", quire.ShareRead)
	s2, t2 := mustShare(t, s, b.ID, bf.ID, bob.ID, "una@example.com", quire.ShareWrite)
	mustShare(t, s, a.ID, mustFolder(t, s, a.ID, "pending").ID, alice.ID, "una@example.com", quire.ShareRead)
	other, otherTok := mustShare(t, s, a.ID, af.ID, alice.ID, "vic@example.com", quire.ShareRead)
	g1 := mustAccept(t, s, s1, t1, una.ID)
	g2 := mustAccept(t, s, s2, t2, una.ID)
	mustAccept(t, s, other, otherTok, mustUser(t, s, "vic").ID)
	grants, err := s.Shares.SharesForUser(ctx, una.ID)
	mustOK(t, err, "SharesForUser")
	if len(grants) != 2 {
		t.Fatalf("SharesForUser = %d grants, want 2", len(grants))
	}
	if !slices.IsSortedFunc(grants, func(x, y *quire.ShareGrant) int {
		return cmp.Or(x.AcceptedAt.Compare(y.AcceptedAt), cmp.Compare(x.ShareID, y.ShareID))
	}) {
		t.Fatal("grants are not oldest first")
	}
	want := map[string]*quire.FolderShare{g1.ID: g1, g2.ID: g2}
	for _, g := range grants {
		w := want[g.ShareID]
		if w == nil || g.WorkspaceID != w.WorkspaceID || g.FolderID != w.FolderID || g.Permission != w.Permission ||
			g.InvitedBy != w.InvitedBy || !g.AcceptedAt.Equal(w.AcceptedAt) || g.AcceptedAt.Location() != time.UTC {
			t.Fatalf("grant %+v, want one of %+v and %+v", g, g1, g2)
		}
		delete(want, g.ShareID)
	}
	if other, err := s.Shares.SharesForUser(ctx, quire.NewID()); err != nil || len(other) != 0 {
		t.Fatalf("an unknown user's grants: %v, %v", other, err)
	}
}

// testSharePermissionAndDelete changes a share's permission, pending or
// accepted, and revokes shares: a revoked token resolves to nothing and a
// grantee loses the grant at once.
func testSharePermissionAndDelete(t *testing.T, s Stores) {
	needShares(t, s)
	ctx := context.Background()
	owner, ray := mustUser(t, s, "owner"), mustUser(t, s, "ray")
	ws := mustWorkspace(t, s, owner, "shares")
	f := mustFolder(t, s, ws.ID, "f")
	pending, pendingTok := mustShare(t, s, ws.ID, f.ID, owner.ID, "new@example.com", quire.ShareRead)
	sh, tok := mustShare(t, s, ws.ID, f.ID, owner.ID, "ray@example.com", quire.ShareRead)
	granted := mustAccept(t, s, sh, tok, ray.ID)
	for _, want := range []*quire.FolderShare{pending, granted} {
		got, err := s.Shares.SetSharePermission(ctx, ws.ID, want.ID, quire.ShareWrite)
		mustOK(t, err, "SetSharePermission")
		want.Permission = quire.ShareWrite
		sameShare(t, got, want)
		wantShare(t, s, want)
		_, err = s.Shares.SetSharePermission(ctx, ws.ID, want.ID, "owner")
		wantCode(t, err, quire.EINVALID)
		wantShare(t, s, want)
	}
	wantInvite(t, s, pendingTok, pending)
	grants, err := s.Shares.SharesForUser(ctx, ray.ID)
	mustOK(t, err, "SharesForUser")
	if len(grants) != 1 || grants[0].Permission != quire.ShareWrite {
		t.Fatalf("after the change, grants = %+v", grants)
	}
	_, err = s.Shares.SetSharePermission(ctx, ws.ID, quire.NewID(), quire.ShareRead)
	wantCode(t, err, quire.ENOTFOUND)

	mustOK(t, s.Shares.DeleteShare(ctx, ws.ID, pending.ID), "DeleteShare (pending)")
	wantNoInvite(t, s, pendingTok)
	wantShareGone(t, s, ws.ID, pending.ID)
	mustOK(t, s.Shares.DeleteShare(ctx, ws.ID, granted.ID), "DeleteShare (accepted)")
	wantShareGone(t, s, ws.ID, granted.ID)
	grants, err = s.Shares.SharesForUser(ctx, ray.ID)
	mustOK(t, err, "SharesForUser")
	if len(grants) != 0 {
		t.Fatalf("a revoked grantee still has %d grants", len(grants))
	}
	wantCode(t, s.Shares.DeleteShare(ctx, ws.ID, granted.ID), quire.ENOTFOUND)
	_, err = s.Shares.AcceptShare(ctx, ws.ID, pending.ID, pendingTok, mustUser(t, s, "late").ID)
	wantCode(t, err, quire.ENOTFOUND)
	// The address can be invited afresh: a new share.
	fresh, _ := mustShare(t, s, ws.ID, f.ID, owner.ID, "ray@example.com", quire.ShareRead)
	if fresh.ID == granted.ID {
		t.Fatal("a new invitation reused a revoked share's ID")
	}
}
