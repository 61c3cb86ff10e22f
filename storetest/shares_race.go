package storetest

import (
	"context"
	"sync"
	"testing"

	"github.com/quirehq/quire"
)

// testShareRaces invites one address to one folder from several
// goroutines at once, which leaves one share, and accepts one invitation
// from several users at once, which only one of them gets.
func testShareRaces(t *testing.T, s Stores) {
	needShares(t, s)
	ctx := context.Background()
	owner := mustUser(t, s, "owner")
	ws := mustWorkspace(t, s, owner, "races")
	f := mustFolder(t, s, ws.ID, "f")
	const n = 8
	ids := make([]string, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			sh := &quire.FolderShare{WorkspaceID: ws.ID, FolderID: f.ID, Email: "same@example.com", Permission: quire.ShareRead,
				InvitedBy: owner.ID, ExpiresAt: shareExpiry()}
			errs[i] = s.Shares.CreateShare(ctx, sh, shareEmailIndex(s, sh.Email), shareToken())
			ids[i] = sh.ID
		})
	}
	wg.Wait()
	for i := range n {
		mustOK(t, errs[i], "CreateShare (concurrent)")
		if ids[i] != ids[0] {
			t.Fatalf("concurrent invitations of one address made shares %s and %s", ids[0], ids[i])
		}
	}
	list, err := s.Shares.FindShares(ctx, ws.ID, f.ID)
	mustOK(t, err, "FindShares")
	if len(list) != 1 {
		t.Fatalf("concurrent invitations of one address left %d shares", len(list))
	}

	sh, tok := mustShare(t, s, ws.ID, f.ID, owner.ID, "contested@example.com", quire.ShareWrite)
	users := make([]string, n)
	for i := range users {
		users[i] = mustUser(t, s, "claimant").ID
	}
	for i := range n {
		wg.Go(func() { _, errs[i] = s.Shares.AcceptShare(ctx, ws.ID, sh.ID, tok, users[i]) })
	}
	wg.Wait()
	winner := ""
	for i, err := range errs {
		switch quire.ErrorCode(err) {
		case "":
			if winner != "" {
				t.Fatalf("one invitation was accepted twice: by %s and %s", winner, users[i])
			}
			winner = users[i]
		case quire.ENOTFOUND:
		default:
			t.Fatalf("AcceptShare (concurrent): %v", err)
		}
	}
	got, err := s.Shares.FindShareByID(ctx, ws.ID, sh.ID)
	mustOK(t, err, "FindShareByID")
	if winner == "" || got.GranteeID != winner {
		t.Fatalf("accepted by %q, stored grantee %q", winner, got.GranteeID)
	}
}
