package storetest

import (
	"context"
	"strings"
	"testing"

	"github.com/quirehq/quire"
)

// testIdeaBulk checks that bulk moves and deletes are all or nothing: one
// unknown or foreign ID among them and nothing changes.
func testIdeaBulk(t *testing.T, s Stores) {
	needFolders(t, s)
	ctx := context.Background()
	owner := mustUser(t, s, "owner")
	ws, other := mustWorkspace(t, s, owner, "ideas"), mustWorkspace(t, s, owner, "other")
	f := mustFolder(t, s, ws.ID, "f")
	var ideas []*quire.Idea
	for i := range 4 {
		ideas = append(ideas, mustIdea(t, s, ws.ID, "idea "+itoa(i), ""))
	}
	foreign := mustIdea(t, s, other.ID, "foreign", "")
	ids := ideaIDs(ideas[:3])
	unchanged := func(t *testing.T) {
		t.Helper()
		for _, i := range append(ideas, foreign) {
			wantIdeaUnchanged(t, s, i)
		}
	}
	for name, bad := range map[string][]string{
		"unknown": append(ids[:2:2], quire.NewID()), "foreign": append(ids[:2:2], foreign.ID), "only foreign": {foreign.ID}} {
		t.Run("move with "+name, func(t *testing.T) {
			wantCode(t, s.Ideas.MoveIdeas(ctx, ws.ID, bad, f.ID), quire.ENOTFOUND)
			unchanged(t)
		})
		t.Run("delete with "+name, func(t *testing.T) {
			wantCode(t, s.Ideas.DeleteIdeas(ctx, ws.ID, bad), quire.ENOTFOUND)
			unchanged(t)
		})
	}
	many := make([]string, quire.MaxBulkIdeas+1)
	for i := range many {
		many[i] = quire.NewID()
	}
	for name, bad := range map[string][]string{"none": nil, "repeated": {ids[0], ids[1], ids[0]},
		"malformed": {ids[0], "x' OR 1=1 --"}, "too many": many} {
		t.Run("refuse "+name, func(t *testing.T) {
			wantCode(t, s.Ideas.MoveIdeas(ctx, ws.ID, bad, ""), quire.EINVALID)
			wantCode(t, s.Ideas.DeleteIdeas(ctx, ws.ID, bad), quire.EINVALID)
			unchanged(t)
		})
	}
	wantCode(t, s.Ideas.MoveIdeas(ctx, ws.ID, ids, "not a folder"), quire.EINVALID)

	mustOK(t, s.Ideas.MoveIdeas(ctx, ws.ID, ids, f.ID), "MoveIdeas into a folder")
	in, total, err := s.Ideas.FindIdeas(ctx, quire.IdeaFilter{WorkspaceID: ws.ID, FolderID: &f.ID})
	mustOK(t, err, "FindIdeas")
	if total != 3 || in[0].UpdatedAt.Before(ideas[2].UpdatedAt) || in[0].Text != "idea 2" {
		t.Fatalf("after the move the folder holds %d ideas (%v), want the 3 moved", total, ideaIDs(in))
	}
	mustOK(t, s.Ideas.MoveIdeas(ctx, ws.ID, ids[:1], ""), "MoveIdeas out of any folder")
	if got, _ := s.Ideas.FindIdeaByID(ctx, ws.ID, ids[0]); got == nil || got.FolderID != "" {
		t.Fatalf("moved out of the folder: %+v", got)
	}
	mustOK(t, s.Ideas.DeleteIdeas(ctx, ws.ID, ids), "DeleteIdeas")
	rest, total, err := s.Ideas.FindIdeas(ctx, quire.IdeaFilter{WorkspaceID: ws.ID})
	mustOK(t, err, "FindIdeas")
	if total != 1 || rest[0].ID != ideas[3].ID {
		t.Fatalf("after deleting 3 of 4: %v", ideaIDs(rest))
	}
	wantIdeaUnchanged(t, s, foreign)
}

// testIdeaPromote turns ideas into notes: the note takes the first line
// as its title, the whole text as content and the idea's folder, and the
// idea is gone, in one step.
func testIdeaPromote(t *testing.T, s Stores) {
	needFolders(t, s)
	ctx := context.Background()
	owner := mustUser(t, s, "owner")
	ws, other := mustWorkspace(t, s, owner, "ideas"), mustWorkspace(t, s, owner, "other")
	f := mustFolder(t, s, ws.ID, "drafts")
	text := "\n  Write the launch post  \nmention the beta\n- and thank everyone"
	idea := mustIdea(t, s, ws.ID, text, f.ID)
	n, err := s.Ideas.PromoteIdea(ctx, ws.ID, idea.ID)
	mustOK(t, err, "PromoteIdea")
	want := &quire.Note{ID: n.ID, WorkspaceID: ws.ID, Title: "Write the launch post", Content: text, FolderID: f.ID,
		Version: 1, CreatedAt: n.CreatedAt, UpdatedAt: n.UpdatedAt}
	if !quire.ValidID(n.ID) {
		t.Fatalf("PromoteIdea returned note ID %q", n.ID)
	}
	checkTimes(t, "PromoteIdea", n.CreatedAt, n.UpdatedAt)
	sameNote(t, n, want)
	wantNoteUnchanged(t, s, want)
	_, err = s.Ideas.FindIdeaByID(ctx, ws.ID, idea.ID)
	wantCode(t, err, quire.ENOTFOUND)
	_, err = s.Ideas.PromoteIdea(ctx, ws.ID, idea.ID)
	wantCode(t, err, quire.ENOTFOUND)

	long := strings.Repeat("é", quire.MaxNoteTitle) + "\nrest"
	loose := mustIdea(t, s, ws.ID, long, "")
	n2, err := s.Ideas.PromoteIdea(ctx, ws.ID, loose.ID)
	mustOK(t, err, "PromoteIdea with a long first line")
	if n2.Title != strings.Repeat("é", quire.MaxNoteTitle/2) || n2.Content != long || n2.FolderID != "" {
		t.Fatalf("promoted a long idea to title of %d bytes, folder %q", len(n2.Title), n2.FolderID)
	}
	wantNoteUnchanged(t, s, n2)

	foreign := mustIdea(t, s, other.ID, "not yours", "")
	_, err = s.Ideas.PromoteIdea(ctx, ws.ID, foreign.ID)
	wantCode(t, err, quire.ENOTFOUND)
	wantIdeaUnchanged(t, s, foreign)
	_, total, err := s.Notes.FindNotes(ctx, quire.NoteFilter{WorkspaceID: ws.ID})
	mustOK(t, err, "FindNotes")
	_, foreignNotes, err := s.Notes.FindNotes(ctx, quire.NoteFilter{WorkspaceID: other.ID})
	mustOK(t, err, "FindNotes")
	if total != 2 || foreignNotes != 0 {
		t.Fatalf("after two promotions and two refused ones: %d notes, %d in the other workspace; want 2 and 0", total, foreignNotes)
	}
	f.Notes = 1
	wantFolder(t, s, f)
}

// testIdeaIsolation checks claim ISO-1 for ideas: an idea of workspace A,
// addressed through workspace B, is not found and cannot be read,
// changed, moved, deleted or promoted, alone or among B's own.
func testIdeaIsolation(t *testing.T, s Stores) {
	needFolders(t, s)
	ctx := context.Background()
	a := mustWorkspace(t, s, mustUser(t, s, "alice"), "alice's")
	b := mustWorkspace(t, s, mustUser(t, s, "mallory"), "mallory's")
	secret := mustIdea(t, s, a.ID, "only for workspace A", "")
	own := mustIdea(t, s, b.ID, "B's idea", "")
	bFolder := mustFolder(t, s, b.ID, "B's")
	for _, tc := range []struct {
		name string
		do   func() error
	}{
		{"find", func() error { _, err := s.Ideas.FindIdeaByID(ctx, b.ID, secret.ID); return err }},
		{"update", func() error {
			_, err := s.Ideas.UpdateIdea(ctx, b.ID, secret.ID, quire.IdeaUpdate{Text: ptr("pwned")})
			return err
		}},
		{"move", func() error { return s.Ideas.MoveIdeas(ctx, b.ID, []string{own.ID, secret.ID}, bFolder.ID) }},
		{"delete", func() error { return s.Ideas.DeleteIdea(ctx, b.ID, secret.ID) }},
		{"bulk delete", func() error { return s.Ideas.DeleteIdeas(ctx, b.ID, []string{own.ID, secret.ID}) }},
		{"promote", func() error { _, err := s.Ideas.PromoteIdea(ctx, b.ID, secret.ID); return err }},
		{"find via unknown workspace", func() error { _, err := s.Ideas.FindIdeaByID(ctx, quire.NewID(), secret.ID); return err }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			wantCode(t, tc.do(), quire.ENOTFOUND)
			wantIdeaUnchanged(t, s, secret)
			wantIdeaUnchanged(t, s, own)
		})
	}
	got, total, err := s.Ideas.FindIdeas(ctx, quire.IdeaFilter{WorkspaceID: b.ID})
	mustOK(t, err, "FindIdeas")
	if total != 1 || len(got) != 1 || got[0].ID != own.ID {
		t.Fatalf("workspace B lists %v (total %d), want only its own idea", ideaIDs(got), total)
	}
}
