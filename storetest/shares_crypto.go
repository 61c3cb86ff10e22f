package storetest

import (
	"context"
	"testing"

	"github.com/quirehq/quire"
)

// testShareCanary checks claim ENC-1 for shares: invited addresses, of
// pending, renewed, accepted, revoked shares and of shares whose folder
// was deleted, appear nowhere in the raw storage, before and after a
// restart, while a share's ID, stored in plain text, is found.
func testShareCanary(t *testing.T, s Stores) {
	needShares(t, s)
	ctx := context.Background()
	owner := mustUser(t, s, "owner")
	ws := mustWorkspace(t, s, owner, "canary")
	f, gone := mustFolder(t, s, ws.ID, "f"), mustFolder(t, s, ws.ID, "gone")
	m := map[string]string{}
	for _, k := range []string{"pending", "renewed", "accepted", "revoked", "in a deleted folder"} {
		m[k] = marker()
	}
	email := func(k string) string { return m[k] + "@example.com" }
	pending, _ := mustShare(t, s, ws.ID, f.ID, owner.ID, email("pending"), quire.ShareRead)
	mustShare(t, s, ws.ID, f.ID, owner.ID, email("renewed"), quire.ShareRead)
	mustShare(t, s, ws.ID, f.ID, owner.ID, email("renewed"), quire.ShareWrite)
	acc, tok := mustShare(t, s, ws.ID, f.ID, owner.ID, email("accepted"), quire.ShareRead)
	mustAccept(t, s, acc, tok, mustUser(t, s, "grantee").ID)
	rev, _ := mustShare(t, s, ws.ID, f.ID, owner.ID, email("revoked"), quire.ShareRead)
	mustOK(t, s.Shares.DeleteShare(ctx, ws.ID, rev.ID), "DeleteShare")
	mustShare(t, s, ws.ID, gone.ID, owner.ID, email("in a deleted folder"), quire.ShareRead)
	_, err := s.Folders.DeleteFolder(ctx, ws.ID, gone.ID, quire.UnfileContents)
	mustOK(t, err, "DeleteFolder")
	wantShare(t, s, pending) // the address reads back through the store
	scan := func(t *testing.T, in Stores) {
		for field, mk := range m {
			found, err := in.Inspector.ScanRaw(ctx, []byte(mk))
			mustOK(t, err, "ScanRaw")
			if len(found) != 0 {
				t.Errorf("marker of the %s share's address found in raw storage at %v", field, found)
			}
		}
		found, err := in.Inspector.ScanRaw(ctx, []byte(pending.ID))
		mustOK(t, err, "ScanRaw")
		if len(found) == 0 {
			t.Error("ScanRaw cannot find the share ID, which is stored in plain text: the scanner is blind")
		}
	}
	t.Run("live", func(t *testing.T) { scan(t, s) })
	t.Run("after restart", func(t *testing.T) { scan(t, s.Reopen(t)) })
}

// testShareRewrap checks claim ENC-2 for shares: after Rotate, Rewrap and
// Retire every invited address still reads back, so Rewrap re-encrypted
// them all.
func testShareRewrap(t *testing.T, s Stores) {
	needShares(t, s)
	ctx := context.Background()
	var shares []*quire.FolderShare
	for i := range 2 {
		owner := mustUser(t, s, "owner "+itoa(i))
		ws := mustWorkspace(t, s, owner, "workspace "+itoa(i))
		f := mustFolder(t, s, ws.ID, "f")
		for j := range 3 {
			sh, tok := mustShare(t, s, ws.ID, f.ID, owner.ID, "u"+itoa(i)+"."+itoa(j)+"@example.com", quire.ShareRead)
			if j == 0 {
				sh = mustAccept(t, s, sh, tok, mustUser(t, s, "grantee").ID)
			}
			shares = append(shares, sh)
		}
	}
	mustOK(t, s.Barrier.Rotate(ctx), "Rotate")
	ws := shares[0].WorkspaceID
	newer, _ := mustShare(t, s, ws, shares[0].FolderID, shares[0].InvitedBy, "under-the-new-key@example.com", quire.ShareWrite)
	shares = append(shares, newer)
	plan := planRetire(t, s)
	var lastTotal int
	mustOK(t, s.Rewrap(ctx, func(_, total int) { lastTotal = total }), "Rewrap")
	if lastTotal < len(shares) {
		t.Fatalf("Rewrap counted %d records, fewer than the %d shares alone", lastTotal, len(shares))
	}
	retire(t, s, plan)
	wantCleanKeys(t, s)
	check := func(r Stores) {
		for _, sh := range shares {
			wantShare(t, r, sh)
		}
	}
	check(s)
	check(s.Reopen(t))
}
