package storetest

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/quirehq/quire"
)

func testNoteCRUD(t *testing.T, s Stores) {
	ctx := context.Background()
	owner := mustUser(t, s, "owner")
	ws := mustWorkspace(t, s, owner, "notes")
	folder := mustFolder(t, s, ws.ID, "folder").ID
	n := &quire.Note{WorkspaceID: ws.ID, Title: "Draft", Content: "# Heading\n\nBody with ünïcödé.",
		FolderID: folder, Pinned: true, Public: true}
	mustOK(t, s.Notes.CreateNote(ctx, n), "CreateNote")
	if !quire.ValidID(n.ID) || n.Version != 1 {
		t.Fatalf("CreateNote set ID %q version %d, want a quire.NewID and version 1", n.ID, n.Version)
	}
	checkTimes(t, "CreateNote", n.CreatedAt, n.UpdatedAt)
	wantNoteUnchanged(t, s, n)

	empty := mustNote(t, s, ws.ID, "", "")
	wantNoteUnchanged(t, s, empty)
	big := mustNote(t, s, ws.ID, strings.Repeat("t", quire.MaxNoteTitle), strings.Repeat("c", quire.MaxNoteContent))
	wantNoteUnchanged(t, s, big)

	mustOK(t, s.Notes.DeleteNote(ctx, ws.ID, n.ID), "DeleteNote")
	_, err := s.Notes.FindNoteByID(ctx, ws.ID, n.ID)
	wantCode(t, err, quire.ENOTFOUND)
	wantCode(t, s.Notes.DeleteNote(ctx, ws.ID, n.ID), quire.ENOTFOUND)
	_, err = s.Notes.UpdateNote(ctx, ws.ID, n.ID, quire.NoteUpdate{Title: ptr("x")})
	wantCode(t, err, quire.ENOTFOUND)
	_, err = s.Notes.FindNoteByID(ctx, ws.ID, "not an id")
	wantCode(t, err, quire.ENOTFOUND)
	_, total, err := s.Notes.FindNotes(ctx, quire.NoteFilter{WorkspaceID: ws.ID})
	mustOK(t, err, "FindNotes")
	if total != 2 {
		t.Fatalf("FindNotes total = %d after deleting one of three, want 2", total)
	}
}

func testNoteUpdateFields(t *testing.T, s Stores) {
	ctx := context.Background()
	owner := mustUser(t, s, "owner")
	ws := mustWorkspace(t, s, owner, "notes")
	n := mustNote(t, s, ws.ID, "title", "content")
	folder := mustFolder(t, s, ws.ID, "folder").ID
	cases := []struct {
		name  string
		upd   quire.NoteUpdate
		apply func(n *quire.Note)
	}{
		{"title", quire.NoteUpdate{Title: ptr("new title")}, func(n *quire.Note) { n.Title = "new title" }},
		{"content", quire.NoteUpdate{Content: ptr("new *content*")}, func(n *quire.Note) { n.Content = "new *content*" }},
		{"into folder", quire.NoteUpdate{FolderID: ptr(folder)}, func(n *quire.Note) { n.FolderID = folder }},
		{"out of folder", quire.NoteUpdate{FolderID: ptr("")}, func(n *quire.Note) { n.FolderID = "" }},
		{"pin", quire.NoteUpdate{Pinned: ptr(true)}, func(n *quire.Note) { n.Pinned = true }},
		{"publish", quire.NoteUpdate{Public: ptr(true)}, func(n *quire.Note) { n.Public = true }},
		{"unpin and unpublish", quire.NoteUpdate{Pinned: ptr(false), Public: ptr(false)},
			func(n *quire.Note) { n.Pinned, n.Public = false, false }},
		{"everything", quire.NoteUpdate{Title: ptr("T"), Content: ptr("C"), FolderID: ptr(folder), Pinned: ptr(true), Public: ptr(true)},
			func(n *quire.Note) { n.Title, n.Content, n.FolderID, n.Pinned, n.Public = "T", "C", folder, true, true }},
		{"nothing", quire.NoteUpdate{}, func(*quire.Note) {}},
	}
	want := *n
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			time.Sleep(time.Millisecond)
			got, err := s.Notes.UpdateNote(ctx, ws.ID, n.ID, tc.upd)
			mustOK(t, err, "UpdateNote")
			tc.apply(&want)
			want.Version++
			if !got.UpdatedAt.After(want.UpdatedAt) {
				t.Fatalf("UpdatedAt did not advance: %v then %v", want.UpdatedAt, got.UpdatedAt)
			}
			want.UpdatedAt = got.UpdatedAt
			sameNote(t, got, &want)
			wantNoteUnchanged(t, s, &want)
		})
	}
}

func testNoteValidation(t *testing.T, s Stores) {
	ctx := context.Background()
	owner := mustUser(t, s, "owner")
	ws := mustWorkspace(t, s, owner, "notes")
	existing := mustNote(t, s, ws.ID, "keep", "me")
	long := strings.Repeat("x", quire.MaxNoteContent+1)
	creates := []struct {
		name string
		note quire.Note
		code string
	}{
		{"no workspace", quire.Note{Title: "t"}, quire.EINVALID},
		{"title too long", quire.Note{WorkspaceID: ws.ID, Title: strings.Repeat("t", quire.MaxNoteTitle+1)}, quire.EINVALID},
		{"content too long", quire.Note{WorkspaceID: ws.ID, Content: long}, quire.EINVALID},
		{"title not UTF-8", quire.Note{WorkspaceID: ws.ID, Title: "\xff\xfe"}, quire.EINVALID},
		{"content not UTF-8", quire.Note{WorkspaceID: ws.ID, Content: "ok \xc3("}, quire.EINVALID},
		{"folder is not an ID", quire.Note{WorkspaceID: ws.ID, FolderID: "my secret project"}, quire.EINVALID},
		{"unknown workspace", quire.Note{WorkspaceID: quire.NewID(), Title: "t"}, quire.ENOTFOUND},
	}
	for _, tc := range creates {
		t.Run("create "+tc.name, func(t *testing.T) {
			n := tc.note
			wantCode(t, s.Notes.CreateNote(ctx, &n), tc.code)
		})
	}
	updates := []struct {
		name string
		upd  quire.NoteUpdate
	}{
		{"title too long", quire.NoteUpdate{Title: ptr(strings.Repeat("t", quire.MaxNoteTitle+1))}},
		{"content too long", quire.NoteUpdate{Content: ptr(long)}},
		{"title not UTF-8", quire.NoteUpdate{Title: ptr("\xff")}},
		{"folder is not an ID", quire.NoteUpdate{FolderID: ptr("../../etc")}},
		{"valid title, bad content", quire.NoteUpdate{Title: ptr("fine"), Content: ptr("\xff")}},
	}
	for _, tc := range updates {
		t.Run("update "+tc.name, func(t *testing.T) {
			_, err := s.Notes.UpdateNote(ctx, ws.ID, existing.ID, tc.upd)
			wantCode(t, err, quire.EINVALID)
			wantNoteUnchanged(t, s, existing)
		})
	}
	filters := []struct {
		name string
		f    quire.NoteFilter
	}{
		{"no workspace", quire.NoteFilter{}},
		{"negative offset", quire.NoteFilter{WorkspaceID: ws.ID, Offset: -1}},
		{"negative limit", quire.NoteFilter{WorkspaceID: ws.ID, Limit: -1}},
		{"folder is not an ID", quire.NoteFilter{WorkspaceID: ws.ID, FolderID: ptr("x' OR '1'='1")}},
	}
	for _, tc := range filters {
		t.Run("find "+tc.name, func(t *testing.T) {
			_, _, err := s.Notes.FindNotes(ctx, tc.f)
			wantCode(t, err, quire.EINVALID)
		})
	}
	_, total, err := s.Notes.FindNotes(ctx, quire.NoteFilter{WorkspaceID: ws.ID})
	mustOK(t, err, "FindNotes")
	if total != 1 {
		t.Fatalf("refused creates left notes behind: total %d, want 1", total)
	}
}

// testFindNotes builds five notes with known pin state, folder and update
// order, then checks ordering (pinned first, then most recently updated),
// every filter and paging against the expected lists.
func testFindNotes(t *testing.T, s Stores) {
	ctx := context.Background()
	owner := mustUser(t, s, "owner")
	ws := mustWorkspace(t, s, owner, "notes")
	noise := mustWorkspace(t, s, owner, "noise")
	folder := mustFolder(t, s, ws.ID, "folder").ID
	type spec struct {
		folder string
		pinned bool
	}
	specs := []spec{{folder, false}, {folder, true}, {folder, false}, {"", true}, {"", false}}
	notes := make([]*quire.Note, len(specs))
	for i, sp := range specs {
		n := &quire.Note{WorkspaceID: ws.ID, Title: "note " + itoa(i+1), FolderID: sp.folder, Pinned: sp.pinned}
		mustOK(t, s.Notes.CreateNote(ctx, n), "CreateNote")
		notes[i] = n
		mustNote(t, s, noise.ID, "noise", "")
	}
	// Touch the notes in an order unlike their creation order, so that only a
	// store that sorts by UpdatedAt (not CreatedAt or ID) gets the lists right.
	// From oldest to newest update: 3, 1, 5, 2, 4.
	for _, i := range []int{2, 0, 4, 1, 3} {
		time.Sleep(time.Millisecond)
		_, err := s.Notes.UpdateNote(ctx, ws.ID, notes[i].ID, quire.NoteUpdate{Content: ptr("touched")})
		mustOK(t, err, "UpdateNote")
	}
	id := func(i int) string { return notes[i-1].ID }
	cases := []struct {
		name  string
		f     quire.NoteFilter
		want  []string
		total int
	}{
		{"all", quire.NoteFilter{}, []string{id(4), id(2), id(5), id(1), id(3)}, 5},
		{"folder", quire.NoteFilter{FolderID: ptr(folder)}, []string{id(2), id(1), id(3)}, 3},
		{"no folder", quire.NoteFilter{FolderID: ptr("")}, []string{id(4), id(5)}, 2},
		{"unknown folder", quire.NoteFilter{FolderID: ptr(quire.NewID())}, []string{}, 0},
		{"pinned only", quire.NoteFilter{PinnedOnly: true}, []string{id(4), id(2)}, 2},
		{"pinned in folder", quire.NoteFilter{PinnedOnly: true, FolderID: ptr(folder)}, []string{id(2)}, 1},
		{"first page", quire.NoteFilter{Limit: 2}, []string{id(4), id(2)}, 5},
		{"second page", quire.NoteFilter{Offset: 2, Limit: 2}, []string{id(5), id(1)}, 5},
		{"last page", quire.NoteFilter{Offset: 4, Limit: 2}, []string{id(3)}, 5},
		{"past the end", quire.NoteFilter{Offset: 10, Limit: 2}, []string{}, 5},
		{"offset without limit", quire.NoteFilter{Offset: 3}, []string{id(1), id(3)}, 5},
		{"folder page", quire.NoteFilter{FolderID: ptr(folder), Offset: 1, Limit: 1}, []string{id(1)}, 3},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := tc.f
			f.WorkspaceID = ws.ID
			got, total, err := s.Notes.FindNotes(ctx, f)
			mustOK(t, err, "FindNotes")
			if !slices.Equal(noteIDs(got), tc.want) || total != tc.total {
				t.Fatalf("FindNotes = %v (total %d), want %v (total %d)", noteIDs(got), total, tc.want, tc.total)
			}
			for _, n := range got {
				if n.WorkspaceID != ws.ID || n.Content != "touched" || !strings.HasPrefix(n.Title, "note ") || n.Version != 2 {
					t.Fatalf("FindNotes returned %s", describeNote(n))
				}
			}
		})
	}
}

// testOptimisticConcurrency checks IfVersion: a stale version is refused
// with ECONFLICT and changes nothing, and of many racing updates from the
// same version exactly one wins.
func testOptimisticConcurrency(t *testing.T, s Stores) {
	ctx := context.Background()
	owner := mustUser(t, s, "owner")
	ws := mustWorkspace(t, s, owner, "notes")
	n := mustNote(t, s, ws.ID, "v1", "first")

	v2, err := s.Notes.UpdateNote(ctx, ws.ID, n.ID, quire.NoteUpdate{Title: ptr("v2"), IfVersion: 1})
	mustOK(t, err, "UpdateNote at the current version")
	if v2.Version != 2 || v2.Title != "v2" {
		t.Fatalf("conditional update returned %s", describeNote(v2))
	}
	for _, stale := range []int{1, 3, 99} {
		_, err = s.Notes.UpdateNote(ctx, ws.ID, n.ID, quire.NoteUpdate{Title: ptr("lost"), Pinned: ptr(true), IfVersion: stale})
		wantCode(t, err, quire.ECONFLICT)
		wantNoteUnchanged(t, s, v2)
	}

	const racers = 8
	errs := make(chan error, racers)
	for i := range racers {
		go func() {
			_, err := s.Notes.UpdateNote(ctx, ws.ID, n.ID, quire.NoteUpdate{Content: ptr("racer " + itoa(i)), IfVersion: 2})
			errs <- err
		}()
	}
	wins := 0
	for range racers {
		err := <-errs
		if err == nil {
			wins++
		} else if quire.ErrorCode(err) != quire.ECONFLICT {
			t.Fatalf("racing update: %v, want nil or ECONFLICT", err)
		}
	}
	if wins != 1 {
		t.Fatalf("%d racing updates from version 2 succeeded, want exactly 1", wins)
	}
	got, err := s.Notes.FindNoteByID(ctx, ws.ID, n.ID)
	mustOK(t, err, "FindNoteByID")
	if got.Version != 3 || !strings.HasPrefix(got.Content, "racer ") {
		t.Fatalf("after the race: %s", describeNote(got))
	}
}
