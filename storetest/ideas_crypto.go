package storetest

import (
	"context"
	"testing"

	"github.com/quirehq/quire"
	"github.com/quirehq/quire/barrier"
)

// testFolderIdeaRewrap checks that key rotation covers folder names and
// ideas: after Rotate, Rewrap and Retire (which deletes the old key
// versions) every folder and idea, old or written after the rotation,
// reads back, also after a restart.
func testFolderIdeaRewrap(t *testing.T, s Stores) {
	needFolders(t, s)
	ctx := context.Background()
	var folders []*quire.Folder
	var ideas []*quire.Idea
	for i := range 2 {
		ws := mustWorkspace(t, s, mustUser(t, s, "user "+itoa(i)), "workspace "+itoa(i))
		for j := range 3 {
			f := mustFolder(t, s, ws.ID, "folder "+itoa(i)+"/"+itoa(j))
			ideas = append(ideas, mustIdea(t, s, ws.ID, "idea "+itoa(i)+"/"+itoa(j), f.ID), mustIdea(t, s, ws.ID, "loose", ""))
			f.Ideas = 1
			folders = append(folders, f)
		}
	}
	mustOK(t, s.Barrier.Rotate(ctx), "Rotate")
	ws := folders[0].WorkspaceID
	renamed, err := s.Folders.RenameFolder(ctx, ws, folders[0].ID, "renamed under the new key")
	mustOK(t, err, "RenameFolder")
	folders[0] = renamed
	ideas = append(ideas, mustIdea(t, s, ws, "under the new key", folders[1].ID))
	folders[1].Ideas++
	plan := planRetire(t, s)
	var lastTotal int
	mustOK(t, s.Rewrap(ctx, func(_, total int) { lastTotal = total }), "Rewrap")
	if lastTotal < len(folders)+len(ideas) {
		t.Fatalf("Rewrap counted %d records, fewer than the %d folders and ideas alone", lastTotal, len(folders)+len(ideas))
	}
	retire(t, s, plan)
	wantCleanKeys(t, s)
	check := func(r Stores) {
		for _, f := range folders {
			wantFolder(t, r, f)
		}
		for _, i := range ideas {
			wantIdeaUnchanged(t, r, i)
		}
	}
	check(s)
	check(s.Reopen(t))
}

// testFolderIdeaCiphertextBound checks that a folder name and an idea
// text are bound to their table, row and field: the same bytes under
// another record's associated data do not decrypt.
func testFolderIdeaCiphertextBound(t *testing.T, s Stores) {
	needFolders(t, s)
	ctx := context.Background()
	ws := mustWorkspace(t, s, mustUser(t, s, "owner"), "bound")
	f := mustFolder(t, s, ws.ID, "f")
	i := mustIdea(t, s, ws.ID, "i", "")
	scope := barrier.WorkspaceScope(ws.ID)
	ct, err := s.Barrier.Encrypt(ctx, scope, barrier.AD("folders", f.ID, "name"), []byte("x"))
	mustOK(t, err, "Encrypt")
	for _, ad := range [][]byte{barrier.AD("ideas", f.ID, "name"), barrier.AD("folders", i.ID, "name"),
		barrier.AD("folders", f.ID, "text"), barrier.AD("notes", f.ID, "title")} {
		if _, err := s.Barrier.Decrypt(ctx, scope, ad, ct); err == nil {
			t.Fatalf("a folder name decrypts under associated data %q", ad)
		}
	}
	if _, err := s.Barrier.Decrypt(ctx, scope, barrier.AD("folders", f.ID, "name"), ct); err != nil {
		t.Fatalf("the folder name's own associated data: %v", err)
	}
}

// folderIdeaCanaries writes markers into every folder and idea field of
// workspace ws, including values later renamed, edited, deleted, moved
// in bulk or promoted, for testCanary's scan. It returns the values
// stored in plain text on purpose.
func folderIdeaCanaries(t *testing.T, s Stores, ws *quire.Workspace, m map[string]string) map[string]string {
	t.Helper()
	needFolders(t, s)
	ctx := context.Background()
	for _, f := range []string{"folder name", "renamed folder", "deleted folder", "idea text", "edited idea",
		"deleted idea", "bulk-deleted idea", "promoted idea"} {
		m[f] = marker()
	}
	f := mustFolder(t, s, ws.ID, m["folder name"])
	_, err := s.Folders.RenameFolder(ctx, ws.ID, f.ID, m["renamed folder"])
	mustOK(t, err, "RenameFolder")
	gone := mustFolder(t, s, ws.ID, m["deleted folder"])
	i := mustIdea(t, s, ws.ID, m["idea text"], gone.ID)
	_, err = s.Folders.DeleteFolder(ctx, ws.ID, gone.ID, quire.UnfileContents)
	mustOK(t, err, "DeleteFolder")
	_, err = s.Ideas.UpdateIdea(ctx, ws.ID, i.ID, quire.IdeaUpdate{Text: ptr("long enough " + m["edited idea"])})
	mustOK(t, err, "UpdateIdea")
	mustOK(t, s.Ideas.DeleteIdea(ctx, ws.ID, mustIdea(t, s, ws.ID, m["deleted idea"], f.ID).ID), "DeleteIdea")
	bulk := mustIdea(t, s, ws.ID, m["bulk-deleted idea"], "")
	mustOK(t, s.Ideas.MoveIdeas(ctx, ws.ID, []string{i.ID, bulk.ID}, f.ID), "MoveIdeas")
	mustOK(t, s.Ideas.DeleteIdeas(ctx, ws.ID, []string{bulk.ID}), "DeleteIdeas")
	_, err = s.Ideas.PromoteIdea(ctx, ws.ID, mustIdea(t, s, ws.ID, m["promoted idea"]+"\nsecond line", f.ID).ID)
	mustOK(t, err, "PromoteIdea")
	return map[string]string{"folder ID": f.ID, "idea ID": i.ID}
}
