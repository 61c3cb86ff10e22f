package storetest

import (
	"context"
	"testing"

	"github.com/quirehq/quire"
	"github.com/quirehq/quire/barrier"
)

// testWorkspaceDeleteShreds checks crypto-shredding (claim ENC-2): once a
// workspace is deleted its data keys are gone, so any copy of its
// ciphertexts (a backup, a raw row) fails with barrier.ErrNoKey, while other
// workspaces are untouched.
func testWorkspaceDeleteShreds(t *testing.T, s Stores) {
	ctx := context.Background()
	owner := mustUser(t, s, "owner")
	doomed := mustWorkspace(t, s, owner, "doomed")
	kept := mustWorkspace(t, s, owner, "kept")
	note := mustNote(t, s, doomed.ID, "goes away", "with its key")
	keptNote := mustNote(t, s, kept.ID, "stays", "readable")
	scope := barrier.WorkspaceScope(doomed.ID)

	keys, err := s.Keys.LoadDataKeys(ctx, scope)
	mustOK(t, err, "LoadDataKeys")
	if len(keys) == 0 {
		t.Fatal("the workspace scope has no data keys: notes were not encrypted under barrier.WorkspaceScope")
	}
	ad := barrier.AD("notes", note.ID, "title")
	copyOfRow, err := s.Barrier.Encrypt(ctx, scope, ad, []byte(note.Title))
	mustOK(t, err, "Encrypt")

	mustOK(t, s.Workspaces.DeleteWorkspace(ctx, doomed.ID), "DeleteWorkspace")
	keys, err = s.Keys.LoadDataKeys(ctx, scope)
	mustOK(t, err, "LoadDataKeys after delete")
	if len(keys) != 0 {
		t.Fatalf("%d data keys of the deleted workspace remain", len(keys))
	}
	if _, err := s.Barrier.Decrypt(ctx, scope, ad, copyOfRow); !isAny(err, barrier.ErrNoKey) {
		t.Fatalf("Decrypt after shred: err = %v, want barrier.ErrNoKey", err)
	}
	fresh := s.Reopen(t)
	if _, err := fresh.Barrier.Decrypt(ctx, scope, ad, copyOfRow); !isAny(err, barrier.ErrNoKey) {
		t.Fatalf("Decrypt after shred and restart: err = %v, want barrier.ErrNoKey", err)
	}
	_, err = fresh.Notes.FindNoteByID(ctx, doomed.ID, note.ID)
	wantCode(t, err, quire.ENOTFOUND)
	_, total, err := fresh.Notes.FindNotes(ctx, quire.NoteFilter{WorkspaceID: doomed.ID})
	mustOK(t, err, "FindNotes in the deleted workspace")
	if total != 0 {
		t.Fatalf("deleted workspace still has %d notes", total)
	}
	wantNoteUnchanged(t, fresh, keptNote)
}

// testCiphertextBound checks that a value is bound to its scope, table, row
// and field: a ciphertext moved anywhere else fails to decrypt.
func testCiphertextBound(t *testing.T, s Stores) {
	ctx := context.Background()
	owner := mustUser(t, s, "owner")
	a := mustWorkspace(t, s, owner, "a")
	b := mustWorkspace(t, s, owner, "b")
	titleMarker := marker()
	n1 := mustNote(t, s, a.ID, titleMarker, "")
	n2 := mustNote(t, s, a.ID, "two", "")
	mustNote(t, s, b.ID, "b's", "") // gives b a data key of the same version
	scopeA, scopeB := barrier.WorkspaceScope(a.ID), barrier.WorkspaceScope(b.ID)
	ad := barrier.AD("notes", n1.ID, "title")
	ct, err := s.Barrier.Encrypt(ctx, scopeA, ad, []byte("one"))
	mustOK(t, err, "Encrypt")
	flipped := append([]byte(nil), ct...)
	flipped[len(flipped)-1] ^= 1

	cases := []struct {
		name  string
		scope barrier.Scope
		ad    []byte
		ct    []byte
		want  error
	}{
		{"own record", scopeA, ad, ct, nil},
		{"another row", scopeA, barrier.AD("notes", n2.ID, "title"), ct, barrier.ErrAuth},
		{"another field", scopeA, barrier.AD("notes", n1.ID, "content"), ct, barrier.ErrAuth},
		{"another table", scopeA, barrier.AD("workspaces", n1.ID, "title"), ct, barrier.ErrAuth},
		{"another workspace", scopeB, ad, ct, barrier.ErrAuth},
		{"a user's scope", barrier.UserScope(owner.ID), ad, ct, barrier.ErrAuth},
		{"altered", scopeA, ad, flipped, barrier.ErrAuth},
		{"truncated", scopeA, ad, ct[:barrier.Overhead-1], barrier.ErrTruncated},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			pt, err := s.Barrier.Decrypt(ctx, tc.scope, tc.ad, tc.ct)
			if tc.want == nil {
				mustOK(t, err, "Decrypt")
				if string(pt) != "one" {
					t.Fatalf("Decrypt = %q", pt)
				}
				return
			}
			if !isAny(err, tc.want) {
				t.Fatalf("Decrypt: err = %v, want %v", err, tc.want)
			}
		})
	}
	t.Run("stored row is ciphertext", func(t *testing.T) {
		found, err := s.Inspector.ScanRaw(ctx, []byte(n1.ID))
		mustOK(t, err, "ScanRaw note ID")
		if len(found) == 0 {
			t.Fatal("ScanRaw cannot find the note's row ID, which is stored in plain text")
		}
		found, err = s.Inspector.ScanRaw(ctx, []byte(titleMarker))
		mustOK(t, err, "ScanRaw title")
		if len(found) != 0 {
			t.Fatalf("the note's title is stored in plain text at %v", found)
		}
	})
}
