package storetest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/quirehq/quire"
)

// versionPolicySetter is how a test sets a note store's version policy;
// both stores' note services implement it.
type versionPolicySetter interface {
	SetVersionPolicy(quire.VersionPolicy)
}

func setVersionPolicy(t *testing.T, s Stores, p quire.VersionPolicy) {
	t.Helper()
	vs, ok := s.Notes.(versionPolicySetter)
	if !ok {
		t.Fatalf("%T has no SetVersionPolicy", s.Notes)
	}
	vs.SetVersionPolicy(p)
	t.Cleanup(func() { vs.SetVersionPolicy(quire.VersionPolicy{}) })
}

// wantVersions fails unless the note's listed versions are want, newest
// first, each with title "t<version>" and no content.
func wantVersions(t *testing.T, s Stores, wsID, noteID string, want ...int) {
	t.Helper()
	vs, err := s.Notes.FindNoteVersions(context.Background(), wsID, noteID)
	mustOK(t, err, "FindNoteVersions")
	got := make([]int, len(vs))
	for i, v := range vs {
		got[i] = v.Version
		if v.Title != "t"+itoa(v.Version) || v.Content != "" || v.NoteID != noteID || v.SavedAt.IsZero() {
			t.Errorf("listed version %d = %+v, want title t%d, no content", v.Version, v, v.Version)
		}
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("versions listed = %v, want %v", got, want)
	}
}

// saves makes n saves of the note's title and content, the i-th to title
// "t<version>" and content "c<version>".
func saves(t *testing.T, s Stores, note *quire.Note, n int) *quire.Note {
	t.Helper()
	for range n {
		v := itoa(note.Version + 1)
		var err error
		note, err = s.Notes.UpdateNote(context.Background(), note.WorkspaceID, note.ID,
			quire.NoteUpdate{Title: ptr("t" + v), Content: ptr("c" + v)})
		mustOK(t, err, "UpdateNote")
	}
	return note
}

// testNoteVersions checks that every save of a title or content keeps the
// state it replaces, in full, and that other changes keep none.
func testNoteVersions(t *testing.T, s Stores) {
	ctx := context.Background()
	owner := mustUser(t, s, "owner")
	ws := mustWorkspace(t, s, owner, "notes")
	n := mustNote(t, s, ws.ID, "t1", "c1")
	wantVersions(t, s, ws.ID, n.ID)
	n = saves(t, s, n, 2)
	pinned, err := s.Notes.UpdateNote(ctx, ws.ID, n.ID, quire.NoteUpdate{Pinned: ptr(true)})
	mustOK(t, err, "UpdateNote (pin)")
	if pinned.Version != 4 {
		t.Fatalf("version after pin = %d, want 4", pinned.Version)
	}
	wantVersions(t, s, ws.ID, n.ID, 2, 1)
	// A save that sends the same title and content keeps no version.
	same, err := s.Notes.UpdateNote(ctx, ws.ID, n.ID, quire.NoteUpdate{Title: ptr(pinned.Title), Content: ptr(pinned.Content)})
	mustOK(t, err, "UpdateNote (same text)")
	if same.Version != 5 {
		t.Fatalf("version after a save of the same text = %d, want 5", same.Version)
	}
	wantVersions(t, s, ws.ID, n.ID, 2, 1)
	for _, v := range []int{1, 2} {
		got, err := s.Notes.FindNoteVersion(ctx, ws.ID, n.ID, v)
		mustOK(t, err, "FindNoteVersion")
		if got.Title != "t"+itoa(v) || got.Content != "c"+itoa(v) || got.Version != v {
			t.Fatalf("version %d = %+v", v, got)
		}
	}
	v1, _ := s.Notes.FindNoteVersion(ctx, ws.ID, n.ID, 1)
	v2, _ := s.Notes.FindNoteVersion(ctx, ws.ID, n.ID, 2)
	if !v1.SavedAt.Equal(n.CreatedAt) || !v2.SavedAt.After(v1.SavedAt) {
		t.Fatalf("saved at: v1 %v (note created %v), v2 %v", v1.SavedAt, n.CreatedAt, v2.SavedAt)
	}
	for _, v := range []int{0, 3, 4, 99, -1} {
		_, err := s.Notes.FindNoteVersion(ctx, ws.ID, n.ID, v)
		wantCode(t, err, quire.ENOTFOUND)
	}
	_, err = s.Notes.FindNoteVersions(ctx, ws.ID, quire.NewID())
	wantCode(t, err, quire.ENOTFOUND)

	mustOK(t, s.Notes.DeleteNote(ctx, ws.ID, n.ID), "DeleteNote")
	_, err = s.Notes.FindNoteVersions(ctx, ws.ID, n.ID)
	wantCode(t, err, quire.ENOTFOUND)
	_, err = s.Notes.FindNoteVersion(ctx, ws.ID, n.ID, 1)
	wantCode(t, err, quire.ENOTFOUND)
}

// testNoteVersionIsolation checks that another workspace can neither list
// nor read a note's versions (claim ISO-1).
func testNoteVersionIsolation(t *testing.T, s Stores) {
	ctx := context.Background()
	a, b := mustUser(t, s, "a"), mustUser(t, s, "b")
	wsA, wsB := mustWorkspace(t, s, a, "a"), mustWorkspace(t, s, b, "b")
	n := saves(t, s, mustNote(t, s, wsA.ID, "t1", "c1"), 1)
	_, err := s.Notes.FindNoteVersions(ctx, wsB.ID, n.ID)
	wantCode(t, err, quire.ENOTFOUND)
	_, err = s.Notes.FindNoteVersion(ctx, wsB.ID, n.ID, 1)
	wantCode(t, err, quire.ENOTFOUND)
	wantVersions(t, s, wsA.ID, n.ID, 1)
}

// testNoteVersionPolicy checks the pruning policy: a count, an age, and
// none kept at all.
func testNoteVersionPolicy(t *testing.T, s Stores) {
	ctx := context.Background()
	owner := mustUser(t, s, "owner")
	ws := mustWorkspace(t, s, owner, "notes")
	setVersionPolicy(t, s, quire.VersionPolicy{Keep: 3})
	n := saves(t, s, mustNote(t, s, ws.ID, "t1", "c1"), 6)
	wantVersions(t, s, ws.ID, n.ID, 6, 5, 4)
	_, err := s.Notes.FindNoteVersion(ctx, ws.ID, n.ID, 3)
	wantCode(t, err, quire.ENOTFOUND)

	// Past MaxAge, versions are hidden at once and deleted at the next save.
	setVersionPolicy(t, s, quire.VersionPolicy{MaxAge: time.Millisecond})
	time.Sleep(5 * time.Millisecond)
	wantVersions(t, s, ws.ID, n.ID)
	_, err = s.Notes.FindNoteVersion(ctx, ws.ID, n.ID, 6)
	wantCode(t, err, quire.ENOTFOUND)
	n = saves(t, s, n, 1)
	setVersionPolicy(t, s, quire.VersionPolicy{})
	wantVersions(t, s, ws.ID, n.ID) // 4, 5, 6 and 7 were all older than a millisecond

	setVersionPolicy(t, s, quire.VersionPolicy{Keep: -1})
	m := saves(t, s, mustNote(t, s, ws.ID, "t1", "c1"), 2)
	setVersionPolicy(t, s, quire.VersionPolicy{})
	wantVersions(t, s, ws.ID, m.ID)
	wantVersions(t, s, ws.ID, saves(t, s, m, 1).ID, 3)
}

// testNoteVersionRewrap checks that versions kept before a key rotation are
// rewrapped: they still read after the old keys are retired.
func testNoteVersionRewrap(t *testing.T, s Stores) {
	ctx := context.Background()
	owner := mustUser(t, s, "owner")
	ws := mustWorkspace(t, s, owner, "notes")
	n := saves(t, s, mustNote(t, s, ws.ID, "t1", "c1"), 2)
	mustOK(t, s.Barrier.Rotate(ctx), "Rotate")
	plan := planRetire(t, s)
	mustOK(t, s.Rewrap(ctx, nil), "Rewrap")
	retire(t, s, plan)
	wantCleanKeys(t, s)
	wantVersions(t, s, ws.ID, n.ID, 2, 1)
	got, err := s.Notes.FindNoteVersion(ctx, ws.ID, n.ID, 1)
	mustOK(t, err, "FindNoteVersion after rewrap")
	if got.Content != "c1" {
		t.Fatalf("version 1 content after rewrap = %q", got.Content)
	}
}
