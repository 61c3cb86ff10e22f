package storetest

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/quirehq/quire"
)

// needFolders fails unless the backend provides the folder and idea
// stores.
func needFolders(t *testing.T, s Stores) {
	t.Helper()
	if s.Folders == nil || s.Ideas == nil {
		t.Fatal("the backend's Stores has no Folders or Ideas: every backend must implement quire.FolderService and quire.IdeaService")
	}
}

func mustFolder(t *testing.T, s Stores, wsID, name string) *quire.Folder {
	t.Helper()
	needFolders(t, s)
	f := &quire.Folder{WorkspaceID: wsID, Name: name}
	mustOK(t, s.Folders.CreateFolder(context.Background(), f), "CreateFolder")
	return f
}

func sameFolder(t *testing.T, got, want *quire.Folder) {
	t.Helper()
	if got.ID != want.ID || got.WorkspaceID != want.WorkspaceID || got.Name != want.Name || got.Notes != want.Notes ||
		got.Ideas != want.Ideas || !got.CreatedAt.Equal(want.CreatedAt) || !got.UpdatedAt.Equal(want.UpdatedAt) {
		t.Fatalf("folder = %+v, want %+v", got, want)
	}
}

// wantFolder reads the folder back and fails unless it equals want.
func wantFolder(t *testing.T, s Stores, want *quire.Folder) {
	t.Helper()
	got, err := s.Folders.FindFolderByID(context.Background(), want.WorkspaceID, want.ID)
	mustOK(t, err, "FindFolderByID")
	sameFolder(t, got, want)
}

func folderNames(fs []*quire.Folder) []string {
	out := make([]string, len(fs))
	for i, f := range fs {
		out[i] = f.Name
	}
	return out
}

// testFolderCRUD creates, reads, lists, renames and deletes folders: names
// are trimmed, may repeat, list in name order after decryption, and carry
// the counts of their notes and ideas.
func testFolderCRUD(t *testing.T, s Stores) {
	needFolders(t, s)
	ctx := context.Background()
	ws := mustWorkspace(t, s, mustUser(t, s, "owner"), "folders")
	f := &quire.Folder{WorkspaceID: ws.ID, Name: "  Reading list \n"}
	mustOK(t, s.Folders.CreateFolder(ctx, f), "CreateFolder")
	if !quire.ValidID(f.ID) || f.Name != "Reading list" || f.Notes != 0 || f.Ideas != 0 {
		t.Fatalf("CreateFolder set %+v, want a new ID and the trimmed name", f)
	}
	checkTimes(t, "CreateFolder", f.CreatedAt, f.UpdatedAt)
	wantFolder(t, s, f)

	b := mustFolder(t, s, ws.ID, "beta ✓")
	dup := mustFolder(t, s, ws.ID, "beta ✓") // names are ciphertext: duplicates are allowed
	upper := mustFolder(t, s, ws.ID, "Alpha")
	n := &quire.Note{WorkspaceID: ws.ID, Title: "in b", FolderID: b.ID}
	mustOK(t, s.Notes.CreateNote(ctx, n), "CreateNote in a folder")
	mustIdea(t, s, ws.ID, "one", b.ID)
	mustIdea(t, s, ws.ID, "two", b.ID)
	mustIdea(t, s, ws.ID, "loose", "")

	list, err := s.Folders.FindFolders(ctx, ws.ID)
	mustOK(t, err, "FindFolders")
	if got := folderNames(list); !slices.Equal(got, []string{"Alpha", "beta ✓", "beta ✓", "Reading list"}) {
		t.Fatalf("FindFolders names = %q, want name order ignoring case", got)
	}
	counts := map[string][2]int{upper.ID: {0, 0}, b.ID: {1, 2}, dup.ID: {0, 0}, f.ID: {0, 0}}
	for _, got := range list {
		if c := counts[got.ID]; got.Notes != c[0] || got.Ideas != c[1] || got.WorkspaceID != ws.ID {
			t.Fatalf("folder %+v, want %d notes and %d ideas", got, c[0], c[1])
		}
	}

	time.Sleep(time.Millisecond)
	renamed, err := s.Folders.RenameFolder(ctx, ws.ID, b.ID, " Zeta ")
	mustOK(t, err, "RenameFolder")
	if renamed.Name != "Zeta" || !renamed.CreatedAt.Equal(b.CreatedAt) || !renamed.UpdatedAt.After(b.UpdatedAt) ||
		renamed.Notes != 1 || renamed.Ideas != 2 {
		t.Fatalf("RenameFolder = %+v (was %+v)", renamed, b)
	}
	wantFolder(t, s, renamed)
	wantNoteUnchanged(t, s, n)

	del, err := s.Folders.DeleteFolder(ctx, ws.ID, upper.ID, quire.DeleteContents)
	mustOK(t, err, "DeleteFolder")
	if *del != (quire.FolderDeletion{Contents: quire.DeleteContents}) {
		t.Fatalf("deleting an empty folder reports %+v", del)
	}
	_, err = s.Folders.FindFolderByID(ctx, ws.ID, upper.ID)
	wantCode(t, err, quire.ENOTFOUND)
	_, err = s.Folders.DeleteFolder(ctx, ws.ID, upper.ID, quire.UnfileContents)
	wantCode(t, err, quire.ENOTFOUND)
	_, err = s.Folders.RenameFolder(ctx, ws.ID, upper.ID, "back")
	wantCode(t, err, quire.ENOTFOUND)
	_, err = s.Folders.FindFolderByID(ctx, ws.ID, "not an id")
	wantCode(t, err, quire.ENOTFOUND)
	if list, err = s.Folders.FindFolders(ctx, ws.ID); err != nil || len(list) != 3 {
		t.Fatalf("FindFolders after a delete: %d folders, %v; want 3", len(list), err)
	}
}

// testFolderValidation checks that bad names and unknown workspaces are
// refused, and that nothing is stored for them.
func testFolderValidation(t *testing.T, s Stores) {
	needFolders(t, s)
	ctx := context.Background()
	ws := mustWorkspace(t, s, mustUser(t, s, "owner"), "folders")
	keep := mustFolder(t, s, ws.ID, "keep")
	for _, tc := range []struct {
		name string
		f    quire.Folder
		code string
	}{
		{"empty name", quire.Folder{WorkspaceID: ws.ID}, quire.EINVALID},
		{"blank name", quire.Folder{WorkspaceID: ws.ID, Name: " \t "}, quire.EINVALID},
		{"name too long", quire.Folder{WorkspaceID: ws.ID, Name: strings.Repeat("ü", quire.MaxFolderName+1)}, quire.EINVALID},
		{"line break", quire.Folder{WorkspaceID: ws.ID, Name: "a\nb"}, quire.EINVALID},
		{"control character", quire.Folder{WorkspaceID: ws.ID, Name: "a\x00b"}, quire.EINVALID},
		{"not UTF-8", quire.Folder{WorkspaceID: ws.ID, Name: "\xff"}, quire.EINVALID},
		{"no workspace", quire.Folder{Name: "x"}, quire.EINVALID},
		{"unknown workspace", quire.Folder{WorkspaceID: quire.NewID(), Name: "x"}, quire.ENOTFOUND},
	} {
		t.Run("create "+tc.name, func(t *testing.T) {
			f := tc.f
			wantCode(t, s.Folders.CreateFolder(ctx, &f), tc.code)
		})
	}
	longest := mustFolder(t, s, ws.ID, strings.Repeat("ü", quire.MaxFolderName))
	for _, name := range []string{"", "a\rb", strings.Repeat("x", quire.MaxFolderName+1)} {
		_, err := s.Folders.RenameFolder(ctx, ws.ID, keep.ID, name)
		wantCode(t, err, quire.EINVALID)
	}
	wantFolder(t, s, keep)
	_, err := s.Folders.DeleteFolder(ctx, ws.ID, keep.ID, "keep")
	wantCode(t, err, quire.EINVALID)
	wantFolder(t, s, keep)
	list, err := s.Folders.FindFolders(ctx, ws.ID)
	mustOK(t, err, "FindFolders")
	if len(list) != 2 || list[1].ID != longest.ID {
		t.Fatalf("refused creates left folders behind: %q", folderNames(list))
	}
}
