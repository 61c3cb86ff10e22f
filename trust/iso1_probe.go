package trust

import (
	"bytes"
	"context"
	"errors"

	"github.com/quirehq/quire"
	"github.com/quirehq/quire/barrier"
)

// isolationProbe makes two canary workspaces and tries to reach the first
// one's note through the second. With a barrier it also shows that the two
// workspaces have independent data keys.
func isolationProbe(ctx context.Context, e *evidence, c *canary) {
	if err := c.addUser(ctx); err != nil {
		e.failf("%v", err)
		return
	}
	a, err := c.addWorkspace(ctx)
	if err != nil {
		e.failf("%v", err)
		return
	}
	b, err := c.addWorkspace(ctx)
	if err != nil {
		e.failf("%v", err)
		return
	}
	note, err := c.addNote(ctx, a)
	if err != nil {
		e.failf("%v", err)
		return
	}
	if !crossTenantProbe(ctx, e, c.env.Notes, note, b.ID) {
		return
	}
	if c.env.Barrier == nil {
		e.notef("per-workspace key probe skipped: the encryption barrier is not available")
		return
	}
	keyProbe(ctx, e, c, a, b)
}

// crossTenantProbe reads, lists, updates and deletes note through another
// workspace; each must be refused as not found, and the note unchanged.
func crossTenantProbe(ctx context.Context, e *evidence, notes quire.NoteService, note *quire.Note, other string) bool {
	ok := true
	refused := func(what string, err error) {
		if quire.ErrorCode(err) != quire.ENOTFOUND {
			ok = false
			e.failf("cross-tenant %s of another workspace's note was not refused as not found (got %v)", what, err)
		}
	}
	_, err := notes.FindNoteByID(ctx, other, note.ID)
	refused("read", err)
	list, _, err := notes.FindNotes(ctx, quire.NoteFilter{WorkspaceID: other, Limit: 100})
	if err != nil {
		ok = false
		e.failf("list the other canary workspace's notes: %v", err)
	}
	for _, n := range list {
		if n.ID == note.ID {
			ok = false
			e.failf("cross-tenant list: another workspace's note was listed")
		}
	}
	title := "changed by another workspace"
	_, err = notes.UpdateNote(ctx, other, note.ID, quire.NoteUpdate{Title: &title})
	refused("update", err)
	refused("delete", notes.DeleteNote(ctx, other, note.ID))
	got, err := notes.FindNoteByID(ctx, note.WorkspaceID, note.ID)
	if err != nil || got.Title != note.Title || got.Content != note.Content || got.Version != note.Version {
		ok = false
		e.failf("the canary note was changed or lost by cross-tenant calls")
	}
	if ok {
		e.notef("cross-tenant probe: reading, listing, updating and deleting workspace A's note through workspace B were all refused; the note is unchanged")
	}
	return ok
}

// keyProbe shows that workspaces a and b have independent data keys:
// shredding b (by deleting it, as account deletion does) makes b's value
// unreadable and leaves a's readable. (That a's ciphertext does not open as
// b's proves nothing here: the scope is in the associated data either way.)
func keyProbe(ctx context.Context, e *evidence, c *canary, a, b *quire.Workspace) {
	br := c.env.Barrier
	sa, sb := barrier.WorkspaceScope(a.ID), barrier.WorkspaceScope(b.ID)
	ad := barrier.AD("trust_check", quire.NewID(), "value")
	plain := []byte(newMarker())
	ctA, err := br.Encrypt(ctx, sa, ad, plain)
	if err != nil {
		e.failf("encrypt for workspace A: %v", err)
		return
	}
	ctB, err := br.Encrypt(ctx, sb, ad, plain)
	if err != nil {
		e.failf("encrypt for workspace B: %v", err)
		return
	}
	if err := c.deleteWorkspace(ctx, b); err != nil {
		e.failf("%v", err)
		return
	}
	if _, err := br.Decrypt(ctx, sb, ad, ctB); !errors.Is(err, barrier.ErrNoKey) {
		e.failf("after deleting workspace B its data still decrypts or fails otherwise (got %v): its key was not shredded", err)
		return
	}
	if got, err := br.Decrypt(ctx, sa, ad, ctA); err != nil || !bytes.Equal(got, plain) {
		e.failf("deleting workspace B made workspace A's data unreadable: their keys are not independent")
		return
	}
	e.notef("per-workspace keys: deleting workspace B shredded its key (its data no longer decrypts) and left workspace A readable")
}
