package storetest

import (
	"context"
	"sync"
	"testing"

	"github.com/quirehq/quire"
	"github.com/quirehq/quire/barrier"
)

// testFolderDeleteRace deletes folders while notes and ideas are being
// written into them: each write either lands before the delete (and is
// unfiled by it) or fails with EFOLDERNOTFOUND, and no note or idea is
// left in a deleted folder.
func testFolderDeleteRace(t *testing.T, s Stores) {
	needFolders(t, s)
	ctx := context.Background()
	ws := mustWorkspace(t, s, mustUser(t, s, "owner"), "race")
	note := mustNote(t, s, ws.ID, "mover", "")
	idea := mustIdea(t, s, ws.ID, "mover", "")
	for round := range 4 {
		f := mustFolder(t, s, ws.ID, "round "+itoa(round))
		writes := []func() error{
			func() error {
				return s.Notes.CreateNote(ctx, &quire.Note{WorkspaceID: ws.ID, Title: "n", FolderID: f.ID})
			},
			func() error {
				return s.Ideas.CreateIdea(ctx, &quire.Idea{WorkspaceID: ws.ID, Text: "i", FolderID: f.ID})
			},
			func() error { return s.Ideas.MoveIdeas(ctx, ws.ID, []string{idea.ID}, f.ID) },
			func() error {
				_, err := s.Ideas.UpdateIdea(ctx, ws.ID, idea.ID, quire.IdeaUpdate{FolderID: &f.ID})
				return err
			},
			func() error {
				_, err := s.Notes.UpdateNote(ctx, ws.ID, note.ID, quire.NoteUpdate{FolderID: &f.ID})
				return err
			},
		}
		var wg sync.WaitGroup
		var delErr error
		errs := make([]error, 2*len(writes))
		for i := range errs {
			wg.Go(func() { errs[i] = writes[i%len(writes)]() })
		}
		wg.Go(func() { _, delErr = s.Folders.DeleteFolder(ctx, ws.ID, f.ID, quire.UnfileContents) })
		wg.Wait()
		mustOK(t, delErr, "DeleteFolder")
		for i, err := range errs {
			if err != nil && quire.ErrorCode(err) != quire.EFOLDERNOTFOUND && quire.ErrorCode(err) != quire.ECONFLICT {
				t.Fatalf("write %d racing the folder's delete: %v, want success or EFOLDERNOTFOUND", i%len(writes), err)
			}
		}
	}
	notes, _, err := s.Notes.FindNotes(ctx, quire.NoteFilter{WorkspaceID: ws.ID})
	mustOK(t, err, "FindNotes")
	ideas, _, err := s.Ideas.FindIdeas(ctx, quire.IdeaFilter{WorkspaceID: ws.ID})
	mustOK(t, err, "FindIdeas")
	for _, n := range notes {
		if n.FolderID != "" {
			t.Fatalf("note %s is left in deleted folder %s", n.ID, n.FolderID)
		}
	}
	for _, i := range ideas {
		if i.FolderID != "" {
			t.Fatalf("idea %s is left in deleted folder %s", i.ID, i.FolderID)
		}
	}
}

// testFolderIsolation checks claim ISO-1 for folders: a folder of
// workspace A, addressed through workspace B, is not found, cannot be
// renamed or deleted, and is not listed.
func testFolderIsolation(t *testing.T, s Stores) {
	needFolders(t, s)
	ctx := context.Background()
	a := mustWorkspace(t, s, mustUser(t, s, "alice"), "alice's")
	b := mustWorkspace(t, s, mustUser(t, s, "mallory"), "mallory's")
	secret := mustFolder(t, s, a.ID, "secret")
	inside := mustIdea(t, s, a.ID, "inside", secret.ID)
	own := mustFolder(t, s, b.ID, "own")
	secret.Ideas = 1
	for _, tc := range []struct {
		name string
		do   func() error
	}{
		{"find", func() error { _, err := s.Folders.FindFolderByID(ctx, b.ID, secret.ID); return err }},
		{"rename", func() error { _, err := s.Folders.RenameFolder(ctx, b.ID, secret.ID, "pwned"); return err }},
		{"delete and unfile", func() error { _, err := s.Folders.DeleteFolder(ctx, b.ID, secret.ID, quire.UnfileContents); return err }},
		{"delete contents", func() error { _, err := s.Folders.DeleteFolder(ctx, b.ID, secret.ID, quire.DeleteContents); return err }},
		{"find via unknown workspace", func() error { _, err := s.Folders.FindFolderByID(ctx, quire.NewID(), secret.ID); return err }},
		{"rename via unknown workspace", func() error { _, err := s.Folders.RenameFolder(ctx, quire.NewID(), secret.ID, "x"); return err }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			wantCode(t, tc.do(), quire.ENOTFOUND)
			wantFolder(t, s, secret)
			wantIdeaUnchanged(t, s, inside)
		})
	}
	list, err := s.Folders.FindFolders(ctx, b.ID)
	mustOK(t, err, "FindFolders")
	if len(list) != 1 || list[0].ID != own.ID {
		t.Fatalf("workspace B lists %q, want only its own folder", folderNames(list))
	}
}

// testFolderIdeaWorkspaceDelete checks that deleting a workspace removes
// its folders and ideas (a row left behind could no longer be decrypted,
// so listing it would fail) and shreds their key, and leaves other
// workspaces' alone.
func testFolderIdeaWorkspaceDelete(t *testing.T, s Stores) {
	needFolders(t, s)
	ctx := context.Background()
	owner := mustUser(t, s, "owner")
	doomed, kept := mustWorkspace(t, s, owner, "doomed"), mustWorkspace(t, s, owner, "kept")
	f := mustFolder(t, s, doomed.ID, "goes")
	i := mustIdea(t, s, doomed.ID, "goes too", f.ID)
	mustIdea(t, s, doomed.ID, "loose", "")
	keptFolder := mustFolder(t, s, kept.ID, "stays")
	keptIdea := mustIdea(t, s, kept.ID, "stays too", keptFolder.ID)
	keptFolder.Ideas = 1

	mustOK(t, s.Workspaces.DeleteWorkspace(ctx, doomed.ID), "DeleteWorkspace")
	keys, err := s.Keys.LoadDataKeys(ctx, barrier.WorkspaceScope(doomed.ID))
	mustOK(t, err, "LoadDataKeys")
	if len(keys) != 0 {
		t.Fatalf("%d data keys of the deleted workspace remain", len(keys))
	}
	r := s.Reopen(t)
	folders, err := r.Folders.FindFolders(ctx, doomed.ID)
	mustOK(t, err, "FindFolders in the deleted workspace")
	ideas, total, err := r.Ideas.FindIdeas(ctx, quire.IdeaFilter{WorkspaceID: doomed.ID})
	mustOK(t, err, "FindIdeas in the deleted workspace")
	if len(folders) != 0 || len(ideas) != 0 || total != 0 {
		t.Fatalf("the deleted workspace still has %d folders and %d ideas", len(folders), total)
	}
	_, err = r.Ideas.FindIdeaByID(ctx, doomed.ID, i.ID)
	wantCode(t, err, quire.ENOTFOUND)
	_, err = r.Folders.FindFolderByID(ctx, doomed.ID, f.ID)
	wantCode(t, err, quire.ENOTFOUND)
	wantFolder(t, r, keptFolder)
	wantIdeaUnchanged(t, r, keptIdea)
}
