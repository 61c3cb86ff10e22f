package storetest

import (
	"cmp"
	"context"
	"crypto/rand"
	"slices"
	"testing"
	"time"

	"github.com/quirehq/quire"
)

// needShares fails unless the backend provides the share store.
func needShares(t *testing.T, s Stores) {
	t.Helper()
	needFolders(t, s)
	if s.Shares == nil {
		t.Fatal("the backend's Stores has no Shares: every backend must implement quire.ShareService")
	}
}

// shareToken returns a random invitation token's blind index.
func shareToken() []byte {
	b := make([]byte, quire.ShareIndexSize)
	_, _ = rand.Read(b)
	return b
}

// shareEmailIndex returns the blind index of an invited address, as the
// service layer computes it.
func shareEmailIndex(s Stores, email string) []byte {
	return s.Barrier.BlindIndex(quire.ShareEmailIndexPurpose, []byte(email))
}

// shareExpiry is an invitation's expiry in tests.
func shareExpiry() time.Time { return time.Now().Add(7 * 24 * time.Hour) }

// mustShare invites email to folder f of workspace ws on behalf of
// inviter, and returns the share and its token's index.
func mustShare(t *testing.T, s Stores, ws, folder, inviter, email string, p quire.SharePermission) (*quire.FolderShare, []byte) {
	t.Helper()
	needShares(t, s)
	sh := &quire.FolderShare{WorkspaceID: ws, FolderID: folder, Email: email, Permission: p, InvitedBy: inviter, ExpiresAt: shareExpiry()}
	tok := shareToken()
	mustOK(t, s.Shares.CreateShare(context.Background(), sh, shareEmailIndex(s, email), tok), "CreateShare")
	return sh, tok
}

// mustAccept accepts share sh with token tok as user.
func mustAccept(t *testing.T, s Stores, sh *quire.FolderShare, tok []byte, user string) *quire.FolderShare {
	t.Helper()
	got, err := s.Shares.AcceptShare(context.Background(), sh.WorkspaceID, sh.ID, tok, user)
	mustOK(t, err, "AcceptShare")
	return got
}

func sameShare(t *testing.T, got, want *quire.FolderShare) {
	t.Helper()
	if got.ID != want.ID || got.WorkspaceID != want.WorkspaceID || got.FolderID != want.FolderID || got.Email != want.Email ||
		got.Permission != want.Permission || got.InvitedBy != want.InvitedBy || got.GranteeID != want.GranteeID ||
		!got.CreatedAt.Equal(want.CreatedAt) || !got.ExpiresAt.Equal(want.ExpiresAt) || !got.AcceptedAt.Equal(want.AcceptedAt) {
		t.Fatalf("share = %+v, want %+v", got, want)
	}
}

// wantShare reads the share back and fails unless it equals want.
func wantShare(t *testing.T, s Stores, want *quire.FolderShare) {
	t.Helper()
	got, err := s.Shares.FindShareByID(context.Background(), want.WorkspaceID, want.ID)
	mustOK(t, err, "FindShareByID")
	sameShare(t, got, want)
}

// wantShareGone fails unless share id of workspace ws is not found.
func wantShareGone(t *testing.T, s Stores, ws, id string) {
	t.Helper()
	_, err := s.Shares.FindShareByID(context.Background(), ws, id)
	wantCode(t, err, quire.ENOTFOUND)
}

// wantInvite fails unless tok resolves to pending share sh.
func wantInvite(t *testing.T, s Stores, tok []byte, sh *quire.FolderShare) {
	t.Helper()
	inv, err := s.Shares.ResolveShareInvite(context.Background(), tok)
	mustOK(t, err, "ResolveShareInvite")
	if inv.ShareID != sh.ID || inv.WorkspaceID != sh.WorkspaceID || inv.FolderID != sh.FolderID || inv.Permission != sh.Permission ||
		inv.InvitedBy != sh.InvitedBy || !inv.ExpiresAt.Equal(sh.ExpiresAt) || string(inv.EmailIndex) != string(shareEmailIndex(s, sh.Email)) {
		t.Fatalf("invite = %+v, want share %+v", inv, sh)
	}
}

// wantNoInvite fails unless tok resolves to nothing.
func wantNoInvite(t *testing.T, s Stores, tok []byte) {
	t.Helper()
	_, err := s.Shares.ResolveShareInvite(context.Background(), tok)
	wantCode(t, err, quire.ENOTFOUND)
}

// shareIDs lists the shares' IDs and fails unless they are oldest first.
func shareIDs(t *testing.T, list []*quire.FolderShare) []string {
	t.Helper()
	ordered := slices.IsSortedFunc(list, func(a, b *quire.FolderShare) int {
		return cmp.Or(a.CreatedAt.Compare(b.CreatedAt), cmp.Compare(a.ID, b.ID))
	})
	if !ordered {
		t.Fatalf("shares are not oldest first")
	}
	ids := make([]string, len(list))
	for i, sh := range list {
		ids[i] = sh.ID
	}
	slices.Sort(ids)
	return ids
}

func sortedShareIDs(ids ...string) []string { slices.Sort(ids); return ids }

// testShares creates shares and reads them back one by one, per folder
// and for the whole workspace.
func testShares(t *testing.T, s Stores) {
	needShares(t, s)
	ctx := context.Background()
	owner := mustUser(t, s, "owner")
	ws := mustWorkspace(t, s, owner, "shares")
	f1, f2, empty := mustFolder(t, s, ws.ID, "one"), mustFolder(t, s, ws.ID, "two"), mustFolder(t, s, ws.ID, "empty")
	a, aTok := mustShare(t, s, ws.ID, f1.ID, owner.ID, "ann@example.com", quire.ShareRead)
	b, _ := mustShare(t, s, ws.ID, f1.ID, owner.ID, "bo@example.com", quire.ShareWrite)
	c, _ := mustShare(t, s, ws.ID, f2.ID, owner.ID, "ann@example.com", quire.ShareRead)
	if !quire.ValidID(a.ID) || a.ID == b.ID || a.ID == c.ID {
		t.Fatalf("share IDs %q, %q, %q: want distinct valid IDs", a.ID, b.ID, c.ID)
	}
	checkTimes(t, "share", a.CreatedAt, a.CreatedAt)
	if !a.Pending() || a.GranteeID != "" || !a.AcceptedAt.IsZero() {
		t.Fatalf("new share %+v is not pending", a)
	}
	for _, sh := range []*quire.FolderShare{a, b, c} {
		wantShare(t, s, sh)
	}
	wantInvite(t, s, aTok, a)
	for _, tc := range []struct {
		folder string
		want   []string
	}{{f1.ID, sortedShareIDs(a.ID, b.ID)}, {f2.ID, []string{c.ID}}, {"", sortedShareIDs(a.ID, b.ID, c.ID)}, {empty.ID, []string{}}, {quire.NewID(), []string{}}} {
		list, err := s.Shares.FindShares(ctx, ws.ID, tc.folder)
		mustOK(t, err, "FindShares")
		if got := shareIDs(t, list); !slices.Equal(got, tc.want) {
			t.Fatalf("FindShares(%q) = %v, want %v", tc.folder, got, tc.want)
		}
		for _, sh := range list {
			want := map[string]*quire.FolderShare{a.ID: a, b.ID: b, c.ID: c}[sh.ID]
			sameShare(t, sh, want)
		}
	}
	_, err := s.Shares.FindShareByID(ctx, ws.ID, quire.NewID())
	wantCode(t, err, quire.ENOTFOUND)
}

// testShareValidation checks what CreateShare refuses: invalid shares and
// indexes, a folder the workspace does not have, and a full folder.
func testShareValidation(t *testing.T, s Stores) {
	needShares(t, s)
	ctx := context.Background()
	owner := mustUser(t, s, "owner")
	ws, other := mustWorkspace(t, s, owner, "shares"), mustWorkspace(t, s, owner, "other")
	f, foreign := mustFolder(t, s, ws.ID, "f"), mustFolder(t, s, other.ID, "foreign")
	valid := func() *quire.FolderShare {
		return &quire.FolderShare{WorkspaceID: ws.ID, FolderID: f.ID, Email: "x@example.com", Permission: quire.ShareRead,
			InvitedBy: owner.ID, ExpiresAt: shareExpiry()}
	}
	for _, tc := range []struct {
		name       string
		edit       func(sh *quire.FolderShare)
		eIdx, tIdx []byte
		code       string
	}{
		{"no folder", func(sh *quire.FolderShare) { sh.FolderID = "" }, nil, nil, quire.EINVALID},
		{"bad email", func(sh *quire.FolderShare) { sh.Email = "nobody" }, nil, nil, quire.EINVALID},
		{"bad permission", func(sh *quire.FolderShare) { sh.Permission = "admin" }, nil, nil, quire.EINVALID},
		{"no expiry", func(sh *quire.FolderShare) { sh.ExpiresAt = time.Time{} }, nil, nil, quire.EINVALID},
		{"grantee set", func(sh *quire.FolderShare) { sh.GranteeID = owner.ID }, nil, nil, quire.EINVALID},
		{"short email index", nil, make([]byte, quire.ShareIndexSize-1), nil, quire.EINVALID},
		{"long token index", nil, nil, make([]byte, quire.ShareIndexSize+1), quire.EINVALID},
		{"no token index", nil, nil, []byte{}, quire.EINVALID},
		{"folder of another workspace", func(sh *quire.FolderShare) { sh.FolderID = foreign.ID }, nil, nil, quire.EFOLDERNOTFOUND},
		{"unknown folder", func(sh *quire.FolderShare) { sh.FolderID = quire.NewID() }, nil, nil, quire.EFOLDERNOTFOUND},
		{"unknown workspace", func(sh *quire.FolderShare) { sh.WorkspaceID = quire.NewID() }, nil, nil, quire.EFOLDERNOTFOUND},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sh := valid()
			if tc.edit != nil {
				tc.edit(sh)
			}
			eIdx, tIdx := shareEmailIndex(s, sh.Email), shareToken()
			if tc.eIdx != nil {
				eIdx = tc.eIdx
			}
			if tc.tIdx != nil {
				tIdx = tc.tIdx
			}
			wantCode(t, s.Shares.CreateShare(ctx, sh, eIdx, tIdx), tc.code)
			if sh.ID != "" {
				t.Fatalf("a refused share got ID %q", sh.ID)
			}
		})
	}
	for _, w := range []string{ws.ID, other.ID} {
		list, err := s.Shares.FindShares(ctx, w, "")
		mustOK(t, err, "FindShares")
		if len(list) != 0 {
			t.Fatalf("refused shares were stored: %v", shareIDs(t, list))
		}
	}
	// A folder takes MaxFolderShares shares, then no more; renewing one
	// of them still works.
	var last *quire.FolderShare
	for i := range quire.MaxFolderShares {
		last, _ = mustShare(t, s, ws.ID, f.ID, owner.ID, "user"+itoa(i)+"@example.com", quire.ShareRead)
	}
	full := valid()
	wantCode(t, s.Shares.CreateShare(ctx, full, shareEmailIndex(s, full.Email), shareToken()), quire.ECONFLICT)
	renew := valid()
	renew.Email = last.Email
	mustOK(t, s.Shares.CreateShare(ctx, renew, shareEmailIndex(s, renew.Email), shareToken()), "CreateShare (renew in a full folder)")
	if renew.ID != last.ID {
		t.Fatalf("renewal in a full folder made share %s, want %s", renew.ID, last.ID)
	}
	list, err := s.Shares.FindShares(ctx, ws.ID, f.ID)
	mustOK(t, err, "FindShares")
	if len(list) != quire.MaxFolderShares {
		t.Fatalf("the full folder has %d shares, want %d", len(list), quire.MaxFolderShares)
	}
}
