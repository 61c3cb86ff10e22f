package storetest

import (
	"context"
	"testing"

	"github.com/quirehq/quire"
)

// folderFixture is a workspace with two folders, each holding notes and
// ideas, and a note and an idea in no folder.
type folderFixture struct {
	ws                *quire.Workspace
	doomed, other     *quire.Folder
	doomedNotes       []*quire.Note
	doomedIdeas       []*quire.Idea
	otherNote, looseN *quire.Note
	otherIdea, looseI *quire.Idea
}

func newFolderFixture(t *testing.T, s Stores) *folderFixture {
	t.Helper()
	ctx := context.Background()
	x := &folderFixture{ws: mustWorkspace(t, s, mustUser(t, s, "owner"), "folders")}
	x.doomed, x.other = mustFolder(t, s, x.ws.ID, "doomed"), mustFolder(t, s, x.ws.ID, "other")
	note := func(title, folder string) *quire.Note {
		n := &quire.Note{WorkspaceID: x.ws.ID, Title: title, Content: "body of " + title, FolderID: folder, Pinned: true}
		mustOK(t, s.Notes.CreateNote(ctx, n), "CreateNote")
		return n
	}
	for i := range 2 {
		x.doomedNotes = append(x.doomedNotes, note("doomed "+itoa(i), x.doomed.ID))
		x.doomedIdeas = append(x.doomedIdeas, mustIdea(t, s, x.ws.ID, "doomed idea "+itoa(i), x.doomed.ID))
	}
	x.doomedIdeas = append(x.doomedIdeas, mustIdea(t, s, x.ws.ID, "third doomed idea", x.doomed.ID))
	x.otherNote, x.looseN = note("other", x.other.ID), note("loose", "")
	x.otherIdea, x.looseI = mustIdea(t, s, x.ws.ID, "other idea", x.other.ID), mustIdea(t, s, x.ws.ID, "loose idea", "")
	return x
}

// untouched checks that everything outside the doomed folder is as it was.
func (x *folderFixture) untouched(t *testing.T, s Stores) {
	t.Helper()
	wantNoteUnchanged(t, s, x.otherNote)
	wantNoteUnchanged(t, s, x.looseN)
	wantIdeaUnchanged(t, s, x.otherIdea)
	wantIdeaUnchanged(t, s, x.looseI)
	x.other.Notes, x.other.Ideas = 1, 1
	wantFolder(t, s, x.other)
}

// testFolderDeleteUnfile deletes a folder with the default contents
// handling: its notes and ideas move to no folder and are otherwise
// unchanged (version and updatedAt included).
func testFolderDeleteUnfile(t *testing.T, s Stores) {
	needFolders(t, s)
	ctx := context.Background()
	x := newFolderFixture(t, s)
	del, err := s.Folders.DeleteFolder(ctx, x.ws.ID, x.doomed.ID, "")
	mustOK(t, err, "DeleteFolder")
	if *del != (quire.FolderDeletion{Contents: quire.UnfileContents, Notes: 2, Ideas: 3}) {
		t.Fatalf("DeleteFolder reports %+v, want 2 notes and 3 ideas unfiled", del)
	}
	for _, n := range x.doomedNotes {
		n.FolderID = ""
		wantNoteUnchanged(t, s, n)
	}
	for _, i := range x.doomedIdeas {
		i.FolderID = ""
		wantIdeaUnchanged(t, s, i)
	}
	_, err = s.Folders.FindFolderByID(ctx, x.ws.ID, x.doomed.ID)
	wantCode(t, err, quire.ENOTFOUND)
	x.untouched(t, s)
	_, total, err := s.Ideas.FindIdeas(ctx, quire.IdeaFilter{WorkspaceID: x.ws.ID, FolderID: ptr("")})
	mustOK(t, err, "FindIdeas in no folder")
	if total != 4 {
		t.Fatalf("%d ideas in no folder after unfiling 3 beside 1, want 4", total)
	}
}

// testFolderDeleteContents deletes a folder with its contents: its notes
// and ideas are gone, everything else stays.
func testFolderDeleteContents(t *testing.T, s Stores) {
	needFolders(t, s)
	ctx := context.Background()
	x := newFolderFixture(t, s)
	del, err := s.Folders.DeleteFolder(ctx, x.ws.ID, x.doomed.ID, quire.DeleteContents)
	mustOK(t, err, "DeleteFolder")
	if *del != (quire.FolderDeletion{Contents: quire.DeleteContents, Notes: 2, Ideas: 3}) {
		t.Fatalf("DeleteFolder reports %+v, want 2 notes and 3 ideas deleted", del)
	}
	for _, n := range x.doomedNotes {
		_, err := s.Notes.FindNoteByID(ctx, x.ws.ID, n.ID)
		wantCode(t, err, quire.ENOTFOUND)
	}
	for _, i := range x.doomedIdeas {
		_, err := s.Ideas.FindIdeaByID(ctx, x.ws.ID, i.ID)
		wantCode(t, err, quire.ENOTFOUND)
	}
	x.untouched(t, s)
	_, notes, err := s.Notes.FindNotes(ctx, quire.NoteFilter{WorkspaceID: x.ws.ID})
	mustOK(t, err, "FindNotes")
	_, ideas, err := s.Ideas.FindIdeas(ctx, quire.IdeaFilter{WorkspaceID: x.ws.ID})
	mustOK(t, err, "FindIdeas")
	if notes != 2 || ideas != 2 {
		t.Fatalf("after deleting the folder's contents: %d notes and %d ideas, want 2 and 2", notes, ideas)
	}
}

// testFolderReferences checks that notes and ideas can only be written
// into a folder of their own workspace that exists, and that a refused
// write leaves nothing behind.
func testFolderReferences(t *testing.T, s Stores) {
	needFolders(t, s)
	ctx := context.Background()
	owner := mustUser(t, s, "owner")
	ws, foreign := mustWorkspace(t, s, owner, "mine"), mustWorkspace(t, s, owner, "another")
	theirs := mustFolder(t, s, foreign.ID, "theirs")
	gone := mustFolder(t, s, ws.ID, "gone")
	_, err := s.Folders.DeleteFolder(ctx, ws.ID, gone.ID, quire.UnfileContents)
	mustOK(t, err, "DeleteFolder")
	note := mustNote(t, s, ws.ID, "kept", "as is")
	idea := mustIdea(t, s, ws.ID, "kept idea", "")
	for what, folder := range map[string]string{"unknown": quire.NewID(), "another workspace's": theirs.ID, "deleted": gone.ID} {
		t.Run(what, func(t *testing.T) {
			wantCode(t, s.Notes.CreateNote(ctx, &quire.Note{WorkspaceID: ws.ID, Title: "t", FolderID: folder}), quire.EFOLDERNOTFOUND)
			_, err := s.Notes.UpdateNote(ctx, ws.ID, note.ID, quire.NoteUpdate{FolderID: &folder})
			wantCode(t, err, quire.EFOLDERNOTFOUND)
			wantCode(t, s.Ideas.CreateIdea(ctx, &quire.Idea{WorkspaceID: ws.ID, Text: "t", FolderID: folder}), quire.EFOLDERNOTFOUND)
			_, err = s.Ideas.UpdateIdea(ctx, ws.ID, idea.ID, quire.IdeaUpdate{Text: ptr("lost"), FolderID: &folder})
			wantCode(t, err, quire.EFOLDERNOTFOUND)
			wantCode(t, s.Ideas.MoveIdeas(ctx, ws.ID, []string{idea.ID}, folder), quire.EFOLDERNOTFOUND)
			wantNoteUnchanged(t, s, note)
			wantIdeaUnchanged(t, s, idea)
		})
	}
	_, notes, err := s.Notes.FindNotes(ctx, quire.NoteFilter{WorkspaceID: ws.ID})
	mustOK(t, err, "FindNotes")
	_, ideas, err := s.Ideas.FindIdeas(ctx, quire.IdeaFilter{WorkspaceID: ws.ID})
	mustOK(t, err, "FindIdeas")
	if notes != 1 || ideas != 1 {
		t.Fatalf("refused writes left %d notes and %d ideas, want 1 and 1", notes, ideas)
	}
	wantFolder(t, s, &quire.Folder{ID: theirs.ID, WorkspaceID: foreign.ID, Name: "theirs", CreatedAt: theirs.CreatedAt, UpdatedAt: theirs.UpdatedAt})
}
