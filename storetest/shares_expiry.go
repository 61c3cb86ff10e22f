package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/quirehq/quire"
)

// testShareExpiredPurged checks that a new invitation to a folder deletes
// the folder's invitations that expired unaccepted, and nothing else.
func testShareExpiredPurged(t *testing.T, s Stores) {
	needShares(t, s)
	ctx := context.Background()
	owner, sam := mustUser(t, s, "owner"), mustUser(t, s, "sam")
	ws := mustWorkspace(t, s, owner, "shares")
	f, g := mustFolder(t, s, ws.ID, "f"), mustFolder(t, s, ws.ID, "g")
	share := func(folder, email string, expires time.Time, tok []byte) *quire.FolderShare {
		sh := &quire.FolderShare{WorkspaceID: ws.ID, FolderID: folder, Email: email, Permission: quire.ShareRead,
			InvitedBy: owner.ID, ExpiresAt: expires}
		mustOK(t, s.Shares.CreateShare(ctx, sh, shareEmailIndex(s, email), tok), "CreateShare")
		return sh
	}
	stale := share(f.ID, "old@example.com", time.Now().Add(-time.Hour), shareToken())
	otherFolder := share(g.ID, "old@example.com", time.Now().Add(-time.Hour), shareToken())
	live := share(f.ID, "una@example.com", shareExpiry(), shareToken())
	tok := shareToken()
	accepted := share(f.ID, "sam@example.com", shareExpiry(), tok)
	mustAccept(t, s, accepted, tok, sam.ID)

	share(f.ID, "new@example.com", shareExpiry(), shareToken())
	_, err := s.Shares.FindShareByID(ctx, ws.ID, stale.ID)
	wantCode(t, err, quire.ENOTFOUND)
	for _, kept := range []*quire.FolderShare{otherFolder, live, accepted} {
		if _, err := s.Shares.FindShareByID(ctx, ws.ID, kept.ID); err != nil {
			t.Fatalf("share %s (%s) went with the expired one: %v", kept.ID, kept.Email, err)
		}
	}
}
