package storetest

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/quirehq/quire"
)

func mustIdea(t *testing.T, s Stores, wsID, text, folder string) *quire.Idea {
	t.Helper()
	needFolders(t, s)
	i := &quire.Idea{WorkspaceID: wsID, Text: text, FolderID: folder}
	mustOK(t, s.Ideas.CreateIdea(context.Background(), i), "CreateIdea")
	return i
}

func sameIdea(t *testing.T, got, want *quire.Idea) {
	t.Helper()
	if got.ID != want.ID || got.WorkspaceID != want.WorkspaceID || got.Text != want.Text || got.FolderID != want.FolderID ||
		!got.CreatedAt.Equal(want.CreatedAt) || !got.UpdatedAt.Equal(want.UpdatedAt) {
		t.Fatalf("idea = %s, want %s", describeIdea(got), describeIdea(want))
	}
}

// describeIdea formats an idea for a failure message, with long text cut.
func describeIdea(i *quire.Idea) string {
	cp := *i
	if len(cp.Text) > 64 {
		cp.Text = cp.Text[:64] + "…"
	}
	return fmt.Sprintf("%+v", cp)
}

// wantIdeaUnchanged reads the idea back and fails unless it equals want.
func wantIdeaUnchanged(t *testing.T, s Stores, want *quire.Idea) {
	t.Helper()
	got, err := s.Ideas.FindIdeaByID(context.Background(), want.WorkspaceID, want.ID)
	mustOK(t, err, "FindIdeaByID")
	sameIdea(t, got, want)
}

func ideaIDs(ideas []*quire.Idea) []string {
	ids := make([]string, len(ideas))
	for i, idea := range ideas {
		ids[i] = idea.ID
	}
	return ids
}

// testIdeaCRUD captures ideas with text only and in a folder, reads,
// updates each field and deletes them.
func testIdeaCRUD(t *testing.T, s Stores) {
	needFolders(t, s)
	ctx := context.Background()
	ws := mustWorkspace(t, s, mustUser(t, s, "owner"), "ideas")
	quick := &quire.Idea{WorkspaceID: ws.ID, Text: "call the bank"}
	mustOK(t, s.Ideas.CreateIdea(ctx, quick), "CreateIdea with text only")
	if !quire.ValidID(quick.ID) || quick.FolderID != "" {
		t.Fatalf("CreateIdea set %s", describeIdea(quick))
	}
	checkTimes(t, "CreateIdea", quick.CreatedAt, quick.UpdatedAt)
	wantIdeaUnchanged(t, s, quick)
	f := mustFolder(t, s, ws.ID, "errands")
	filed := mustIdea(t, s, ws.ID, "  keep the spaces\r\n\tand ünïcödé ✓\n", f.ID)
	wantIdeaUnchanged(t, s, filed)
	wantIdeaUnchanged(t, s, mustIdea(t, s, ws.ID, strings.Repeat("🚀", quire.MaxIdeaText), ""))

	want := *quick
	for _, tc := range []struct {
		name  string
		upd   quire.IdeaUpdate
		apply func(i *quire.Idea)
	}{
		{"text", quire.IdeaUpdate{Text: ptr("call the bank at 9")}, func(i *quire.Idea) { i.Text = "call the bank at 9" }},
		{"into folder", quire.IdeaUpdate{FolderID: &f.ID}, func(i *quire.Idea) { i.FolderID = f.ID }},
		{"out of folder", quire.IdeaUpdate{FolderID: ptr("")}, func(i *quire.Idea) { i.FolderID = "" }},
		{"both", quire.IdeaUpdate{Text: ptr("done"), FolderID: &f.ID}, func(i *quire.Idea) { i.Text, i.FolderID = "done", f.ID }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			time.Sleep(time.Millisecond)
			got, err := s.Ideas.UpdateIdea(ctx, ws.ID, quick.ID, tc.upd)
			mustOK(t, err, "UpdateIdea")
			tc.apply(&want)
			if !got.UpdatedAt.After(want.UpdatedAt) || !got.CreatedAt.Equal(quick.CreatedAt) {
				t.Fatalf("UpdatedAt did not advance or CreatedAt moved: %s", describeIdea(got))
			}
			want.UpdatedAt = got.UpdatedAt
			sameIdea(t, got, &want)
			wantIdeaUnchanged(t, s, &want)
		})
	}

	mustOK(t, s.Ideas.DeleteIdea(ctx, ws.ID, quick.ID), "DeleteIdea")
	_, err := s.Ideas.FindIdeaByID(ctx, ws.ID, quick.ID)
	wantCode(t, err, quire.ENOTFOUND)
	wantCode(t, s.Ideas.DeleteIdea(ctx, ws.ID, quick.ID), quire.ENOTFOUND)
	_, err = s.Ideas.UpdateIdea(ctx, ws.ID, quick.ID, quire.IdeaUpdate{Text: ptr("x")})
	wantCode(t, err, quire.ENOTFOUND)
	_, err = s.Ideas.FindIdeaByID(ctx, ws.ID, "not an id")
	wantCode(t, err, quire.ENOTFOUND)
}

// testIdeaValidation checks that bad ideas, updates and filters are
// refused with EINVALID and change nothing.
func testIdeaValidation(t *testing.T, s Stores) {
	needFolders(t, s)
	ctx := context.Background()
	ws := mustWorkspace(t, s, mustUser(t, s, "owner"), "ideas")
	keep := mustIdea(t, s, ws.ID, "keep", "")
	for _, tc := range []struct {
		name string
		idea quire.Idea
		code string
	}{
		{"empty", quire.Idea{WorkspaceID: ws.ID}, quire.EINVALID},
		{"white space", quire.Idea{WorkspaceID: ws.ID, Text: "\n \t"}, quire.EINVALID},
		{"too long", quire.Idea{WorkspaceID: ws.ID, Text: strings.Repeat("x", quire.MaxIdeaText+1)}, quire.EINVALID},
		{"control character", quire.Idea{WorkspaceID: ws.ID, Text: "a\x00b"}, quire.EINVALID},
		{"not UTF-8", quire.Idea{WorkspaceID: ws.ID, Text: "\xc3("}, quire.EINVALID},
		{"folder is not an ID", quire.Idea{WorkspaceID: ws.ID, Text: "t", FolderID: "my secret project"}, quire.EINVALID},
		{"no workspace", quire.Idea{Text: "t"}, quire.EINVALID},
		{"unknown workspace", quire.Idea{WorkspaceID: quire.NewID(), Text: "t"}, quire.ENOTFOUND},
	} {
		t.Run("create "+tc.name, func(t *testing.T) {
			i := tc.idea
			wantCode(t, s.Ideas.CreateIdea(ctx, &i), tc.code)
		})
	}
	for _, upd := range []quire.IdeaUpdate{{Text: ptr("")}, {Text: ptr("\xff")}, {FolderID: ptr("../x")}, {Text: ptr("ok"), FolderID: ptr("x")}} {
		_, err := s.Ideas.UpdateIdea(ctx, ws.ID, keep.ID, upd)
		wantCode(t, err, quire.EINVALID)
		wantIdeaUnchanged(t, s, keep)
	}
	for _, f := range []quire.IdeaFilter{{}, {WorkspaceID: ws.ID, Limit: -1}, {WorkspaceID: ws.ID, FolderID: ptr("x' OR '1'='1")},
		{WorkspaceID: ws.ID, After: &quire.IdeaCursor{ID: "x"}}} {
		_, _, err := s.Ideas.FindIdeas(ctx, f)
		wantCode(t, err, quire.EINVALID)
	}
	_, total, err := s.Ideas.FindIdeas(ctx, quire.IdeaFilter{WorkspaceID: ws.ID})
	mustOK(t, err, "FindIdeas")
	if total != 1 {
		t.Fatalf("refused creates left ideas behind: total %d, want 1", total)
	}
}

// testFindIdeas checks the list order (newest first), the folder filters,
// paging and the keyset cursor against expected lists.
func testFindIdeas(t *testing.T, s Stores) {
	needFolders(t, s)
	ctx := context.Background()
	owner := mustUser(t, s, "owner")
	ws, noise := mustWorkspace(t, s, owner, "ideas"), mustWorkspace(t, s, owner, "noise")
	f := mustFolder(t, s, ws.ID, "f")
	var ideas []*quire.Idea
	for i, folder := range []string{f.ID, "", f.ID, "", f.ID} {
		time.Sleep(time.Millisecond)
		ideas = append(ideas, mustIdea(t, s, ws.ID, "idea "+itoa(i+1), folder))
		mustIdea(t, s, noise.ID, "noise", "")
	}
	// An update does not move an idea in the list: the order is creation.
	_, err := s.Ideas.UpdateIdea(ctx, ws.ID, ideas[0].ID, quire.IdeaUpdate{Text: ptr("idea 1, edited")})
	mustOK(t, err, "UpdateIdea")
	id := func(i int) string { return ideas[i-1].ID }
	at := func(i int) *quire.IdeaCursor { return &quire.IdeaCursor{CreatedAt: ideas[i-1].CreatedAt, ID: id(i)} }
	for _, tc := range []struct {
		name  string
		f     quire.IdeaFilter
		want  []string
		total int
	}{
		{"all", quire.IdeaFilter{}, []string{id(5), id(4), id(3), id(2), id(1)}, 5},
		{"folder", quire.IdeaFilter{FolderID: &f.ID}, []string{id(5), id(3), id(1)}, 3},
		{"no folder", quire.IdeaFilter{FolderID: ptr("")}, []string{id(4), id(2)}, 2},
		{"unknown folder", quire.IdeaFilter{FolderID: ptr(quire.NewID())}, []string{}, 0},
		{"first page", quire.IdeaFilter{Limit: 2}, []string{id(5), id(4)}, 5},
		{"second page", quire.IdeaFilter{Offset: 2, Limit: 2}, []string{id(3), id(2)}, 5},
		{"past the end", quire.IdeaFilter{Offset: 9, Limit: 2}, []string{}, 5},
		{"after a cursor", quire.IdeaFilter{After: at(4), Limit: 2}, []string{id(3), id(2)}, 5},
		{"after the last", quire.IdeaFilter{After: at(1)}, []string{}, 5},
		{"cursor in folder", quire.IdeaFilter{FolderID: &f.ID, After: at(5)}, []string{id(3), id(1)}, 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			flt := tc.f
			flt.WorkspaceID = ws.ID
			got, total, err := s.Ideas.FindIdeas(ctx, flt)
			mustOK(t, err, "FindIdeas")
			if !slices.Equal(ideaIDs(got), tc.want) || total != tc.total {
				t.Fatalf("FindIdeas = %v (total %d), want %v (total %d)", ideaIDs(got), total, tc.want, tc.total)
			}
		})
	}
}
