package storetest

import (
	"context"
	"sync"
	"testing"

	"github.com/quirehq/quire"
)

// testTenantIsolation checks claim ISO-1 at the service level: a note of
// workspace A, addressed through workspace B, is reported as not found and
// cannot be read, changed or deleted.
func testTenantIsolation(t *testing.T, s Stores) {
	ctx := context.Background()
	alice := mustUser(t, s, "alice")
	mallory := mustUser(t, s, "mallory")
	a := mustWorkspace(t, s, alice, "alice's")
	b := mustWorkspace(t, s, mallory, "mallory's")
	secret := mustNote(t, s, a.ID, "secret", "only for workspace A")
	own := mustNote(t, s, b.ID, "own", "workspace B's note")

	attempts := []struct {
		name string
		do   func() error
	}{
		{"find", func() error { _, err := s.Notes.FindNoteByID(ctx, b.ID, secret.ID); return err }},
		{"update title", func() error {
			_, err := s.Notes.UpdateNote(ctx, b.ID, secret.ID, quire.NoteUpdate{Title: ptr("pwned")})
			return err
		}},
		{"conditional update", func() error {
			_, err := s.Notes.UpdateNote(ctx, b.ID, secret.ID, quire.NoteUpdate{Public: ptr(true), IfVersion: secret.Version})
			return err
		}},
		{"move folder", func() error {
			_, err := s.Notes.UpdateNote(ctx, b.ID, secret.ID, quire.NoteUpdate{FolderID: ptr(quire.NewID())})
			return err
		}},
		{"delete", func() error { return s.Notes.DeleteNote(ctx, b.ID, secret.ID) }},
		{"find via unknown workspace", func() error { _, err := s.Notes.FindNoteByID(ctx, quire.NewID(), secret.ID); return err }},
		{"find via empty workspace", func() error { _, err := s.Notes.FindNoteByID(ctx, "", secret.ID); return err }},
		{"remove member of another workspace", func() error { return s.Workspaces.RemoveMember(ctx, b.ID, alice.ID) }},
	}
	for _, tc := range attempts {
		t.Run(tc.name, func(t *testing.T) {
			wantCode(t, tc.do(), quire.ENOTFOUND)
			wantNoteUnchanged(t, s, secret)
			wantNoteUnchanged(t, s, own)
		})
	}
	t.Run("list", func(t *testing.T) {
		got, total, err := s.Notes.FindNotes(ctx, quire.NoteFilter{WorkspaceID: b.ID})
		mustOK(t, err, "FindNotes")
		if total != 1 || len(got) != 1 || got[0].ID != own.ID {
			t.Fatalf("workspace B lists %v (total %d), want only its own note", noteIDs(got), total)
		}
	})
	t.Run("members", func(t *testing.T) {
		members, err := s.Workspaces.FindMembers(ctx, a.ID)
		mustOK(t, err, "FindMembers")
		if len(members) != 1 || members[0].UserID != alice.ID {
			t.Fatalf("members of A = %+v", members)
		}
	})
}

// testConcurrentCreates checks that the store handles its own locking: 50
// goroutines creating notes in one workspace (whose data key does not exist
// yet, so they also race to create it) all succeed.
func testConcurrentCreates(t *testing.T, s Stores) {
	ctx := context.Background()
	owner := mustUser(t, s, "owner")
	ws := &quire.Workspace{Name: "busy", Region: quire.RegionUS, OwnerID: owner.ID}
	mustOK(t, s.Workspaces.CreateWorkspace(ctx, ws), "CreateWorkspace")
	const n = 50
	var wg sync.WaitGroup
	errs := make([]error, n)
	notes := make([]*quire.Note, n)
	for i := range n {
		wg.Go(func() {
			notes[i] = &quire.Note{WorkspaceID: ws.ID, Title: "concurrent " + itoa(i), Content: "body " + itoa(i)}
			errs[i] = s.Notes.CreateNote(ctx, notes[i])
		})
	}
	wg.Wait()
	for i, err := range errs {
		mustOK(t, err, "concurrent CreateNote "+itoa(i))
	}
	seen := map[string]bool{}
	for _, n := range notes {
		if seen[n.ID] {
			t.Fatalf("duplicate note ID %s", n.ID)
		}
		seen[n.ID] = true
	}
	got, total, err := s.Notes.FindNotes(ctx, quire.NoteFilter{WorkspaceID: ws.ID})
	mustOK(t, err, "FindNotes")
	if total != n || len(got) != n {
		t.Fatalf("FindNotes found %d (total %d), want %d", len(got), total, n)
	}
	for _, n := range notes {
		wantNoteUnchanged(t, s, n)
	}
}
