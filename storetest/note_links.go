package storetest

import (
	"context"
	"crypto/rand"
	"testing"

	"github.com/quirehq/quire"
)

// linkIndex returns a random token blind index.
func linkIndex() []byte {
	b := make([]byte, quire.NoteLinkIndexSize)
	_, _ = rand.Read(b)
	return b
}

// wantResolves fails unless idx resolves to the note of workspace ws with
// allow as its indexing flag.
func wantResolves(t *testing.T, s Stores, idx []byte, ws, note string, allow bool) {
	t.Helper()
	l, err := s.NoteLinks.ResolveNoteLink(context.Background(), idx)
	mustOK(t, err, "ResolveNoteLink")
	if l.WorkspaceID != ws || l.NoteID != note || l.AllowIndexing != allow {
		t.Fatalf("resolved %+v, want note %s of %s, indexing %v", l, note, ws, allow)
	}
}

// wantGone fails unless idx resolves to nothing.
func wantGone(t *testing.T, s Stores, idx []byte) {
	t.Helper()
	_, err := s.NoteLinks.ResolveNoteLink(context.Background(), idx)
	wantCode(t, err, quire.ENOTFOUND)
}

// testNoteLinks checks creation, lookup, replacement and revocation.
func testNoteLinks(t *testing.T, s Stores) {
	ctx := context.Background()
	owner := mustUser(t, s, "owner")
	ws := mustWorkspace(t, s, owner, "links")
	n := mustNote(t, s, ws.ID, "t", "c")
	_, err := s.NoteLinks.FindNoteLink(ctx, ws.ID, n.ID)
	wantCode(t, err, quire.ENOTFOUND)

	first := linkIndex()
	l, err := s.NoteLinks.CreateNoteLink(ctx, ws.ID, n.ID, false, first)
	mustOK(t, err, "CreateNoteLink")
	if l.NoteID != n.ID || l.WorkspaceID != ws.ID || l.AllowIndexing {
		t.Fatalf("created %+v", l)
	}
	checkTimes(t, "note link", l.CreatedAt, l.CreatedAt)
	found, err := s.NoteLinks.FindNoteLink(ctx, ws.ID, n.ID)
	mustOK(t, err, "FindNoteLink")
	if *found != *l {
		t.Fatalf("found %+v, want %+v", found, l)
	}
	wantResolves(t, s, first, ws.ID, n.ID, false)

	// Creating again replaces the link: the old token stops working.
	second := linkIndex()
	_, err = s.NoteLinks.CreateNoteLink(ctx, ws.ID, n.ID, true, second)
	mustOK(t, err, "CreateNoteLink (replace)")
	wantGone(t, s, first)
	wantResolves(t, s, second, ws.ID, n.ID, true)
	if found, err = s.NoteLinks.FindNoteLink(ctx, ws.ID, n.ID); err != nil || !found.AllowIndexing {
		t.Fatalf("after replace: %+v, %v; want indexing allowed", found, err)
	}

	mustOK(t, s.NoteLinks.DeleteNoteLink(ctx, ws.ID, n.ID), "DeleteNoteLink")
	wantGone(t, s, second)
	_, err = s.NoteLinks.FindNoteLink(ctx, ws.ID, n.ID)
	wantCode(t, err, quire.ENOTFOUND)
	wantCode(t, s.NoteLinks.DeleteNoteLink(ctx, ws.ID, n.ID), quire.ENOTFOUND)
	// A revoked token stays revoked when a new link is made.
	_, err = s.NoteLinks.CreateNoteLink(ctx, ws.ID, n.ID, false, linkIndex())
	mustOK(t, err, "CreateNoteLink (after revoke)")
	wantGone(t, s, second)
}

// testNoteLinkValidation checks bad indexes and unknown notes.
func testNoteLinkValidation(t *testing.T, s Stores) {
	ctx := context.Background()
	owner := mustUser(t, s, "owner")
	ws := mustWorkspace(t, s, owner, "links")
	n := mustNote(t, s, ws.ID, "t", "c")
	for _, idx := range [][]byte{nil, {}, make([]byte, quire.NoteLinkIndexSize-1), make([]byte, quire.NoteLinkIndexSize+1)} {
		_, err := s.NoteLinks.CreateNoteLink(ctx, ws.ID, n.ID, false, idx)
		wantCode(t, err, quire.EINVALID)
		wantGone(t, s, idx)
	}
	_, err := s.NoteLinks.CreateNoteLink(ctx, ws.ID, quire.NewID(), false, linkIndex())
	wantCode(t, err, quire.ENOTFOUND)
	_, err = s.NoteLinks.CreateNoteLink(ctx, quire.NewID(), n.ID, false, linkIndex())
	wantCode(t, err, quire.ENOTFOUND)
	wantGone(t, s, linkIndex())
	// Two notes' links are independent.
	a, b := linkIndex(), linkIndex()
	other := mustNote(t, s, ws.ID, "t2", "c2")
	_, err = s.NoteLinks.CreateNoteLink(ctx, ws.ID, n.ID, false, a)
	mustOK(t, err, "CreateNoteLink a")
	_, err = s.NoteLinks.CreateNoteLink(ctx, ws.ID, other.ID, false, b)
	mustOK(t, err, "CreateNoteLink b")
	wantResolves(t, s, a, ws.ID, n.ID, false)
	wantResolves(t, s, b, ws.ID, other.ID, false)
	// One token cannot serve two notes.
	_, err = s.NoteLinks.CreateNoteLink(ctx, ws.ID, other.ID, false, a)
	wantCode(t, err, quire.ECONFLICT)
	wantResolves(t, s, a, ws.ID, n.ID, false)
	wantResolves(t, s, b, ws.ID, other.ID, false)
}

// testNoteLinkCascade checks that a link goes with its note and with its
// workspace.
func testNoteLinkCascade(t *testing.T, s Stores) {
	ctx := context.Background()
	owner := mustUser(t, s, "owner")
	ws := mustWorkspace(t, s, owner, "links")
	n, kept := mustNote(t, s, ws.ID, "t", "c"), mustNote(t, s, ws.ID, "t2", "c2")
	idx, keptIdx := linkIndex(), linkIndex()
	_, err := s.NoteLinks.CreateNoteLink(ctx, ws.ID, n.ID, false, idx)
	mustOK(t, err, "CreateNoteLink")
	_, err = s.NoteLinks.CreateNoteLink(ctx, ws.ID, kept.ID, false, keptIdx)
	mustOK(t, err, "CreateNoteLink")
	mustOK(t, s.Notes.DeleteNote(ctx, ws.ID, n.ID), "DeleteNote")
	wantGone(t, s, idx)
	wantResolves(t, s, keptIdx, ws.ID, kept.ID, false)
	mustOK(t, s.Workspaces.DeleteWorkspace(ctx, ws.ID), "DeleteWorkspace")
	wantGone(t, s, keptIdx)
}

// testNoteLinkIsolation checks that another workspace can neither make,
// see nor revoke a link to a note not its own (claim ISO-1).
func testNoteLinkIsolation(t *testing.T, s Stores) {
	ctx := context.Background()
	alice, mallory := mustUser(t, s, "alice"), mustUser(t, s, "mallory")
	a, m := mustWorkspace(t, s, alice, "a"), mustWorkspace(t, s, mallory, "m")
	n := mustNote(t, s, a.ID, "t", "c")
	idx := linkIndex()
	_, err := s.NoteLinks.CreateNoteLink(ctx, a.ID, n.ID, false, idx)
	mustOK(t, err, "CreateNoteLink")

	_, err = s.NoteLinks.CreateNoteLink(ctx, m.ID, n.ID, true, linkIndex())
	wantCode(t, err, quire.ENOTFOUND)
	_, err = s.NoteLinks.FindNoteLink(ctx, m.ID, n.ID)
	wantCode(t, err, quire.ENOTFOUND)
	wantCode(t, s.NoteLinks.DeleteNoteLink(ctx, m.ID, n.ID), quire.ENOTFOUND)
	// Alice's link is untouched: same token, same flag.
	wantResolves(t, s, idx, a.ID, n.ID, false)
	// Deleting Mallory's workspace leaves it too.
	mustOK(t, s.Workspaces.DeleteWorkspace(ctx, m.ID), "DeleteWorkspace")
	wantResolves(t, s, idx, a.ID, n.ID, false)
}
