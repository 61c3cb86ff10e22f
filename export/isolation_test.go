package export_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/quirehq/quire"
	"github.com/quirehq/quire/barrier"
	"github.com/quirehq/quire/export"
	"github.com/quirehq/quire/sqlite"
)

// exportOf builds and downloads an export of a's data and returns its
// files, checked against the manifest.
func (e *env) exportOf(a *account) map[string][]byte {
	e.t.Helper()
	x, err := e.svc.Start(context.Background(), a.user.ID)
	must(e.t, err)
	if x = e.build(a.user.ID, x.ID); x.State != quire.ExportReady {
		e.t.Fatalf("export %s (%s), want ready", x.State, x.FailCode)
	}
	got := zipFiles(e.t, e.download(a.user.ID, x.ID))
	checkManifest(e.t, got)
	return got
}

// workspacesOf decodes workspaces.json.
func workspacesOf(t *testing.T, got map[string][]byte) []map[string]any {
	t.Helper()
	var list []map[string]any
	must(t, json.Unmarshal(got["workspaces.json"], &list))
	return list
}

// TestMemberOfAShreddedWorkspaceCanExport: a workspace whose owner
// deleted their account has its keys shredded while its memberships wait
// for the purge; the member's export lists it as a deleted workspace,
// without a name, and does not fail.
func TestMemberOfAShreddedWorkspaceCanExport(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	alice, bob := e.signUp("alice@example.com"), e.signUp("bob@example.com")
	e.fill(alice, "ALICE-MARKER-0b1d")
	must(t, e.ws.AddMember(ctx, &quire.Membership{WorkspaceID: bob.personal, UserID: alice.user.ID, Role: quire.RoleEditor}))
	must(t, e.b.Shred(ctx, barrier.WorkspaceScope(bob.personal)))

	got := e.exportOf(alice)
	var deleted, own int
	for _, w := range workspacesOf(t, got) {
		switch w["id"] {
		case bob.personal:
			deleted++
			if w["deleted"] != true || w["note"] != "deleted workspace" || w["name"] != nil || w["owner"] != false || w["role"] != "editor" {
				t.Errorf("shredded workspace listed as %v", w)
			}
		case alice.personal:
			own++
			if w["owner"] != true || w["name"] == nil || w["deleted"] != nil {
				t.Errorf("own workspace listed as %v", w)
			}
		}
	}
	if deleted != 1 || own != 1 {
		t.Fatalf("workspaces.json lists the shredded workspace %d times and the own one %d times:\n%s", deleted, own, got["workspaces.json"])
	}
	if !bytes.Contains(got["ideas.csv"], []byte("ALICE-MARKER-0b1d")) {
		t.Error("the member's own content is missing")
	}
}

// TestArchiveLeavesOutContentSharedWithTheUser: Alice is a member of
// Bob's workspace and Bob shares a folder of it with her; her archive
// lists the membership and the share, and holds none of Bob's content
// (the archive holds the content of the workspaces the user owns only,
// as its README says).
func TestArchiveLeavesOutContentSharedWithTheUser(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	alice, bob := e.signUp("alice@example.com"), e.signUp("bob@example.com")
	e.fill(alice, "ALICE-MARKER-5c2e")
	const bobs = "BOB-MARKER-a91f"
	e.fill(bob, bobs)
	must(t, e.ws.AddMember(ctx, &quire.Membership{WorkspaceID: bob.personal, UserID: alice.user.ID, Role: quire.RoleEditor}))
	folders, err := e.folders.FindFolders(ctx, bob.personal)
	must(t, err)
	if len(folders) == 0 {
		t.Fatal("Bob has no folder to share")
	}
	shares := e.shares()
	sh := &quire.FolderShare{WorkspaceID: bob.personal, FolderID: folders[0].ID, Email: "alice@example.com", Permission: quire.ShareWrite,
		InvitedBy: bob.user.ID, ExpiresAt: time.Now().Add(24 * time.Hour)}
	tok := bytes.Repeat([]byte{7}, quire.ShareIndexSize)
	must(t, shares.CreateShare(ctx, sh, e.b.BlindIndex(quire.ShareEmailIndexPurpose, []byte(sh.Email)), tok))
	_, err = shares.AcceptShare(ctx, bob.personal, sh.ID, tok, alice.user.ID)
	must(t, err)
	// Alice also writes a note in Bob's workspace: it is Bob's content.
	must(t, e.notes.CreateNote(ctx, &quire.Note{WorkspaceID: bob.personal, Title: "by alice", Content: "in bob's " + bobs, FolderID: folders[0].ID}))

	got := e.exportOf(alice)
	for name, data := range got {
		if bytes.Contains(data, []byte(bobs)) {
			t.Errorf("%s holds content of Bob's workspace", name)
		}
	}
	listed := false
	for _, w := range workspacesOf(t, got) {
		if w["id"] == bob.personal {
			listed = w["owner"] == false && w["role"] == "editor" && w["members"] == nil
		}
	}
	if !listed {
		t.Errorf("Bob's workspace is not listed as a membership:\n%s", got["workspaces.json"])
	}
	if !bytes.Contains(got["shares.json"], []byte(sh.ID)) {
		t.Errorf("shares.json does not list the share received:\n%s", got["shares.json"])
	}
	readme := string(got["README.md"])
	if strings.Contains(readme, "everything your Quire account owns or wrote") || !strings.Contains(readme, "content is not in this archive") {
		t.Errorf("README does not say what the archive leaves out:\n%s", readme)
	}
	if !bytes.Contains(got["ideas.csv"], []byte("ALICE-MARKER-5c2e")) {
		t.Error("Alice's own content is missing")
	}
}

// shares is the share store on e's database.
func (e *env) shares() quire.ShareService { return sqlite.NewShareService(e.db, e.b) }

// reorderingNotes edits notes while the export reads them: once the
// export has read its first note (or page of notes), it edits ten notes
// further down the list, which moves them to its top (the most recently
// updated first).
type reorderingNotes struct {
	quire.NoteService
	once sync.Once
	edit func()
}

func (n *reorderingNotes) FindNotes(ctx context.Context, f quire.NoteFilter) ([]*quire.Note, int, error) {
	list, total, err := n.NoteService.FindNotes(ctx, f)
	if f.Limit != 1 { // not the count
		n.once.Do(n.edit)
	}
	return list, total, err
}

func (n *reorderingNotes) FindNoteByID(ctx context.Context, ws, id string) (*quire.Note, error) {
	note, err := n.NoteService.FindNoteByID(ctx, ws, id)
	n.once.Do(n.edit)
	return note, err
}

// TestNotesEditedDuringTheExportAppearOnce: notes edited while the export
// pages through them are each in the archive once (a note in twice would
// break the manifest; one left out would be lost).
func TestNotesEditedDuringTheExportAppearOnce(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	a := e.signUp("editing@example.com")
	const count = 60
	for i := range count {
		must(t, e.notes.CreateNote(ctx, &quire.Note{WorkspaceID: a.personal, Title: fmt.Sprintf("Note %02d", i), Content: "text"}))
	}
	notes := &reorderingNotes{NoteService: e.notes}
	notes.edit = func() {
		list, _, err := e.notes.FindNotes(ctx, quire.NoteFilter{WorkspaceID: a.personal})
		must(t, err)
		for _, n := range list[30:40] {
			body := "edited"
			_, err := e.notes.UpdateNote(ctx, a.personal, n.ID, quire.NoteUpdate{Content: &body})
			must(t, err)
		}
	}
	e.svc = e.newServiceWith(func(c *export.Config) { c.Notes = notes })
	got := e.exportOf(a) // zipFiles fails on a path written twice
	md := 0
	for name := range got {
		if strings.HasPrefix(name, "notes/") && strings.HasSuffix(name, ".md") {
			md++
		}
	}
	if md != count {
		t.Fatalf("%d notes in the archive, want %d", md, count)
	}
}
