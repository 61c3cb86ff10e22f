package storetest

import (
	"context"
	"testing"

	"github.com/quirehq/quire"
)

// testShareIsolation checks claim ISO-1 for shares: a share of workspace
// A, addressed through workspace M, is not found, listed, changed, revoked
// or accepted, and M cannot share A's folder.
func testShareIsolation(t *testing.T, s Stores) {
	needShares(t, s)
	ctx := context.Background()
	alice, mallory := mustUser(t, s, "alice"), mustUser(t, s, "mallory")
	a, m := mustWorkspace(t, s, alice, "alice's"), mustWorkspace(t, s, mallory, "mallory's")
	secret := mustFolder(t, s, a.ID, "secret")
	own := mustFolder(t, s, m.ID, "own")
	sh, tok := mustShare(t, s, a.ID, secret.ID, alice.ID, "friend@example.com", quire.ShareRead)
	granted, gTok := mustShare(t, s, a.ID, secret.ID, alice.ID, "pal@example.com", quire.ShareRead)
	granted = mustAccept(t, s, granted, gTok, mustUser(t, s, "pal").ID)
	for _, ws := range []string{m.ID, quire.NewID()} {
		for _, tc := range []struct {
			name string
			code string
			do   func() error
		}{
			{"find", quire.ENOTFOUND, func() error { _, err := s.Shares.FindShareByID(ctx, ws, sh.ID); return err }},
			{"set permission", quire.ENOTFOUND, func() error {
				_, err := s.Shares.SetSharePermission(ctx, ws, sh.ID, quire.ShareWrite)
				return err
			}},
			{"set permission of a grant", quire.ENOTFOUND, func() error {
				_, err := s.Shares.SetSharePermission(ctx, ws, granted.ID, quire.ShareWrite)
				return err
			}},
			{"delete", quire.ENOTFOUND, func() error { return s.Shares.DeleteShare(ctx, ws, sh.ID) }},
			{"delete a grant", quire.ENOTFOUND, func() error { return s.Shares.DeleteShare(ctx, ws, granted.ID) }},
			{"accept", quire.ENOTFOUND, func() error {
				_, err := s.Shares.AcceptShare(ctx, ws, sh.ID, tok, mallory.ID)
				return err
			}},
			{"share the folder", quire.EFOLDERNOTFOUND, func() error {
				in := &quire.FolderShare{WorkspaceID: ws, FolderID: secret.ID, Email: "mallory@example.com", Permission: quire.ShareWrite,
					InvitedBy: mallory.ID, ExpiresAt: shareExpiry()}
				return s.Shares.CreateShare(ctx, in, shareEmailIndex(s, in.Email), shareToken())
			}},
			{"renew the invitation", quire.EFOLDERNOTFOUND, func() error {
				in := &quire.FolderShare{WorkspaceID: ws, FolderID: secret.ID, Email: sh.Email, Permission: quire.ShareWrite,
					InvitedBy: mallory.ID, ExpiresAt: shareExpiry()}
				return s.Shares.CreateShare(ctx, in, shareEmailIndex(s, in.Email), shareToken())
			}},
		} {
			wantCode(t, tc.do(), tc.code)
			wantShare(t, s, sh)
			wantShare(t, s, granted)
			wantInvite(t, s, tok, sh)
		}
		for _, folder := range []string{"", secret.ID} {
			list, err := s.Shares.FindShares(ctx, ws, folder)
			mustOK(t, err, "FindShares")
			if len(list) != 0 {
				t.Fatalf("workspace %s lists %v of another workspace", ws, shareIDs(t, list))
			}
		}
	}
	// Mallory's own shares are hers alone.
	mine, _ := mustShare(t, s, m.ID, own.ID, mallory.ID, "friend@example.com", quire.ShareRead)
	list, err := s.Shares.FindShares(ctx, a.ID, "")
	mustOK(t, err, "FindShares")
	if got := shareIDs(t, list); len(got) != 2 || got[0] == mine.ID || got[1] == mine.ID {
		t.Fatalf("workspace A lists %v", got)
	}
	_, err = s.Shares.FindShareByID(ctx, a.ID, mine.ID)
	wantCode(t, err, quire.ENOTFOUND)
}

// testShareCascade checks that shares go with their folder, their
// workspace, their grantee and their inviter, and that the others stay.
func testShareCascade(t *testing.T, s Stores) {
	needShares(t, s)
	ctx := context.Background()
	owner, gus, kept := mustUser(t, s, "owner"), mustUser(t, s, "gus"), mustUser(t, s, "kept")
	ws, doomed := mustWorkspace(t, s, owner, "ws"), mustWorkspace(t, s, owner, "doomed")
	f, stays, df := mustFolder(t, s, ws.ID, "goes"), mustFolder(t, s, ws.ID, "stays"), mustFolder(t, s, doomed.ID, "df")
	grants := func(user string) int {
		t.Helper()
		g, err := s.Shares.SharesForUser(ctx, user)
		mustOK(t, err, "SharesForUser")
		return len(g)
	}

	// Folder delete.
	p, pTok := mustShare(t, s, ws.ID, f.ID, owner.ID, "p@example.com", quire.ShareRead)
	g, gTok := mustShare(t, s, ws.ID, f.ID, owner.ID, "gus@example.com", quire.ShareRead)
	mustAccept(t, s, g, gTok, gus.ID)
	k, kTok := mustShare(t, s, ws.ID, stays.ID, owner.ID, "kept@example.com", quire.ShareRead)
	k = mustAccept(t, s, k, kTok, kept.ID)
	_, err := s.Folders.DeleteFolder(ctx, ws.ID, f.ID, quire.UnfileContents)
	mustOK(t, err, "DeleteFolder")
	wantShareGone(t, s, ws.ID, p.ID)
	wantShareGone(t, s, ws.ID, g.ID)
	wantNoInvite(t, s, pTok)
	if n := grants(gus.ID); n != 0 {
		t.Fatalf("after the folder was deleted its grantee has %d grants", n)
	}
	wantShare(t, s, k)

	// Grantee delete.
	g2, g2Tok := mustShare(t, s, ws.ID, stays.ID, owner.ID, "gus@example.com", quire.ShareWrite)
	mustAccept(t, s, g2, g2Tok, gus.ID)
	mustOK(t, s.Users.DeleteUser(ctx, gus.ID), "DeleteUser (grantee)")
	wantShareGone(t, s, ws.ID, g2.ID)
	wantShare(t, s, k)

	// Inviter delete: a member who invited someone.
	ivy := mustUser(t, s, "ivy")
	mustOK(t, s.Workspaces.AddMember(ctx, &quire.Membership{WorkspaceID: ws.ID, UserID: ivy.ID, Role: quire.RoleEditor}), "AddMember")
	iv, ivTok := mustShare(t, s, ws.ID, stays.ID, ivy.ID, "friend-of-ivy@example.com", quire.ShareRead)
	mustOK(t, s.Users.DeleteUser(ctx, ivy.ID), "DeleteUser (inviter)")
	wantShareGone(t, s, ws.ID, iv.ID)
	wantNoInvite(t, s, ivTok)
	wantShare(t, s, k)

	// Workspace delete.
	d, dTok := mustShare(t, s, doomed.ID, df.ID, owner.ID, "d@example.com", quire.ShareRead)
	dg, dgTok := mustShare(t, s, doomed.ID, df.ID, owner.ID, "kept@example.com", quire.ShareRead)
	mustAccept(t, s, dg, dgTok, kept.ID)
	if n := grants(kept.ID); n != 2 {
		t.Fatalf("kept has %d grants, want 2", n)
	}
	mustOK(t, s.Workspaces.DeleteWorkspace(ctx, doomed.ID), "DeleteWorkspace")
	wantNoInvite(t, s, dTok)
	wantShareGone(t, s, doomed.ID, d.ID)
	if n := grants(kept.ID); n != 1 {
		t.Fatalf("after the workspace was deleted kept has %d grants, want 1", n)
	}
	wantShare(t, s, k)
	list, err := s.Shares.FindShares(ctx, ws.ID, "")
	mustOK(t, err, "FindShares")
	if got := shareIDs(t, list); len(got) != 1 || got[0] != k.ID {
		t.Fatalf("workspace lists %v, want only %s", got, k.ID)
	}
}
