package erase_test

import (
	"context"
	"crypto/rand"
	"testing"
	"time"

	"github.com/quirehq/quire"
)

// TestRequestRevokesShares deletes an account that shared a folder: the
// share is gone as the keys are, so its grantee lists nothing that no
// longer decrypts, and its pending invitation can no longer be opened.
func TestRequestRevokesShares(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	ann, bob := e.signUp("ann@example.com"), e.signUp("bob@example.com")
	folders := e.folderStore()
	f := &quire.Folder{WorkspaceID: ann.personal, Name: "shared"}
	mustOK(t, folders.CreateFolder(ctx, f))
	index := func() []byte {
		b := make([]byte, quire.ShareIndexSize)
		_, _ = rand.Read(b)
		return b
	}
	share := func(email string, tok []byte) *quire.FolderShare {
		sh := &quire.FolderShare{WorkspaceID: ann.personal, FolderID: f.ID, Email: email, Permission: quire.ShareRead,
			InvitedBy: ann.user.ID, ExpiresAt: time.Now().Add(time.Hour)}
		mustOK(t, e.shares.CreateShare(ctx, sh, index(), tok))
		return sh
	}
	tok, pendingTok := index(), index()
	accepted := share("bob@example.com", tok)
	_, err := e.shares.AcceptShare(ctx, ann.personal, accepted.ID, tok, bob.user.ID)
	mustOK(t, err)
	share("carol@example.com", pendingTok)

	_, err = e.svc.Request(ctx, ann.user.ID, password, "", "")
	mustOK(t, err)
	if grants, err := e.shares.SharesForUser(ctx, bob.user.ID); err != nil || len(grants) != 0 {
		t.Fatalf("after the deletion bob holds %v, %v", grants, err)
	}
	_, err = e.shares.ResolveShareInvite(ctx, pendingTok)
	wantCode(t, err, quire.ENOTFOUND)
}
