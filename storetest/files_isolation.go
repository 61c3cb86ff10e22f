package storetest

import (
	"context"
	"slices"
	"testing"

	"github.com/quirehq/quire"
	"github.com/quirehq/quire/barrier"
)

// testFileNoteDelete checks that deleting a note deletes the rows of its
// files, and no other file.
func testFileNoteDelete(t *testing.T, s Stores) {
	needFiles(t, s)
	ctx := context.Background()
	ws := mustWorkspace(t, s, mustUser(t, s, "owner"), "files")
	doomed, kept := mustNote(t, s, ws.ID, "doomed", ""), mustNote(t, s, ws.ID, "kept", "")
	gone := []*quire.File{mustFile(t, s, ws.ID, doomed.ID, "one"), mustFile(t, s, ws.ID, doomed.ID, "two")}
	stays := []*quire.File{mustFile(t, s, ws.ID, kept.ID, "three"), mustFile(t, s, ws.ID, "", "four")}
	mustOK(t, s.Notes.DeleteNote(ctx, ws.ID, doomed.ID), "DeleteNote")
	for _, f := range gone {
		_, err := s.Files.FindFileByID(ctx, ws.ID, f.ID)
		wantCode(t, err, quire.ENOTFOUND)
	}
	for _, f := range stays {
		wantFile(t, s, f)
	}
	ids, err := s.Files.FindFileIDs(ctx, quire.FileFilter{WorkspaceID: ws.ID, NoteID: ptr(doomed.ID)})
	mustOK(t, err, "FindFileIDs")
	if len(ids) != 0 {
		t.Fatalf("the deleted note still has files %v", ids)
	}
}

// testFileIsolation checks claim ISO-1 for files: a file of workspace A,
// addressed through workspace B, is not found, cannot be renamed,
// attached or deleted, is not listed; and no file can be attached to
// another workspace's note.
func testFileIsolation(t *testing.T, s Stores) {
	needFiles(t, s)
	ctx := context.Background()
	a := mustWorkspace(t, s, mustUser(t, s, "alice"), "alice's")
	b := mustWorkspace(t, s, mustUser(t, s, "mallory"), "mallory's")
	aNote, bNote := mustNote(t, s, a.ID, "a", ""), mustNote(t, s, b.ID, "b", "")
	secret := mustFile(t, s, a.ID, aNote.ID, "secret.pdf")
	own := mustFile(t, s, b.ID, "", "own.txt")
	for _, tc := range []struct {
		name string
		do   func() error
	}{
		{"find", func() error { _, err := s.Files.FindFileByID(ctx, b.ID, secret.ID); return err }},
		{"rename", func() error {
			_, err := s.Files.UpdateFile(ctx, b.ID, secret.ID, quire.FileUpdate{Name: ptr("pwned")})
			return err
		}},
		{"attach to B's note", func() error {
			_, err := s.Files.UpdateFile(ctx, b.ID, secret.ID, quire.FileUpdate{NoteID: ptr(bNote.ID)})
			return err
		}},
		{"delete", func() error { return s.Files.DeleteFile(ctx, b.ID, secret.ID) }},
		{"attach B's file to A's note", func() error {
			_, err := s.Files.UpdateFile(ctx, b.ID, own.ID, quire.FileUpdate{NoteID: ptr(aNote.ID)})
			return err
		}},
		{"create in B on A's note", func() error {
			return s.Files.CreateFile(ctx, &quire.File{ID: quire.NewID(), WorkspaceID: b.ID, NoteID: aNote.ID, Name: "x", MediaType: textType})
		}},
		{"take A's file ID in B", func() error {
			err := s.Files.CreateFile(ctx, &quire.File{ID: secret.ID, WorkspaceID: b.ID, Name: "x", MediaType: textType})
			if quire.ErrorCode(err) == quire.ECONFLICT {
				return quire.ErrFileNotFound() // refused without changing A's file: what counts here
			}
			return err
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			wantCode(t, tc.do(), quire.ENOTFOUND)
			wantFile(t, s, secret)
			wantFile(t, s, own)
		})
	}
	for _, f := range []quire.FileFilter{{WorkspaceID: b.ID}, {WorkspaceID: b.ID, NoteID: ptr(aNote.ID)}} {
		list, total, err := s.Files.FindFiles(ctx, f)
		mustOK(t, err, "FindFiles")
		ids, err := s.Files.FindFileIDs(ctx, f)
		mustOK(t, err, "FindFileIDs")
		if slices.Contains(fileIDs(list), secret.ID) || slices.Contains(ids, secret.ID) || total > 1 {
			t.Fatalf("workspace B lists %v (total %d), IDs %v", fileIDs(list), total, ids)
		}
	}
}

// testFileWorkspaceDelete checks that deleting a workspace removes its
// files' rows and shreds their key, and leaves other workspaces' alone.
func testFileWorkspaceDelete(t *testing.T, s Stores) {
	needFiles(t, s)
	ctx := context.Background()
	owner := mustUser(t, s, "owner")
	doomed, kept := mustWorkspace(t, s, owner, "doomed"), mustWorkspace(t, s, owner, "kept")
	n := mustNote(t, s, doomed.ID, "n", "")
	f := mustFile(t, s, doomed.ID, n.ID, "goes.txt")
	mustFile(t, s, doomed.ID, "", "goes too.txt")
	stays := mustFile(t, s, kept.ID, "", "stays.txt")
	mustOK(t, s.Workspaces.DeleteWorkspace(ctx, doomed.ID), "DeleteWorkspace")
	keys, err := s.Keys.LoadDataKeys(ctx, barrier.WorkspaceScope(doomed.ID))
	mustOK(t, err, "LoadDataKeys")
	if len(keys) != 0 {
		t.Fatalf("%d data keys of the deleted workspace remain", len(keys))
	}
	r := s.Reopen(t)
	list, total, err := r.Files.FindFiles(ctx, quire.FileFilter{WorkspaceID: doomed.ID})
	mustOK(t, err, "FindFiles in the deleted workspace")
	if len(list) != 0 || total != 0 {
		t.Fatalf("the deleted workspace still has %d files", total)
	}
	_, err = r.Files.FindFileByID(ctx, doomed.ID, f.ID)
	wantCode(t, err, quire.ENOTFOUND)
	wantFile(t, r, stays)
}

// testFileRewrap checks that key rotation covers file names: after
// Rotate, Rewrap and Retire every file, old or renamed after the
// rotation, reads back, also after a restart.
func testFileRewrap(t *testing.T, s Stores) {
	needFiles(t, s)
	ctx := context.Background()
	var files []*quire.File
	for i := range 2 {
		ws := mustWorkspace(t, s, mustUser(t, s, "user "+itoa(i)), "workspace "+itoa(i))
		n := mustNote(t, s, ws.ID, "n", "")
		for j := range 3 {
			files = append(files, mustFile(t, s, ws.ID, n.ID, "file "+itoa(i)+"-"+itoa(j)), mustFile(t, s, ws.ID, "", "loose"))
		}
	}
	mustOK(t, s.Barrier.Rotate(ctx), "Rotate")
	renamed, err := s.Files.UpdateFile(ctx, files[0].WorkspaceID, files[0].ID, quire.FileUpdate{Name: ptr("renamed under the new key")})
	mustOK(t, err, "UpdateFile")
	files[0] = renamed
	files = append(files, mustFile(t, s, files[1].WorkspaceID, "", "under the new key"))
	plan := planRetire(t, s)
	var lastTotal int
	mustOK(t, s.Rewrap(ctx, func(_, total int) { lastTotal = total }), "Rewrap")
	if lastTotal < len(files) {
		t.Fatalf("Rewrap counted %d records, fewer than the %d files alone", lastTotal, len(files))
	}
	retire(t, s, plan)
	wantCleanKeys(t, s)
	check := func(r Stores) {
		for _, f := range files {
			wantFile(t, r, f)
		}
	}
	check(s)
	check(s.Reopen(t)) // closes s
}

// testFileCiphertextBound checks that a file name is bound to its table,
// row and field.
func testFileCiphertextBound(t *testing.T, s Stores) {
	needFiles(t, s)
	ctx := context.Background()
	ws := mustWorkspace(t, s, mustUser(t, s, "owner"), "bound")
	f, g := mustFile(t, s, ws.ID, "", "f"), mustFile(t, s, ws.ID, "", "g")
	scope := barrier.WorkspaceScope(ws.ID)
	ct, err := s.Barrier.Encrypt(ctx, scope, barrier.AD("files", f.ID, "name"), []byte("x"))
	mustOK(t, err, "Encrypt")
	for _, ad := range [][]byte{barrier.AD("files", g.ID, "name"), barrier.AD("folders", f.ID, "name"),
		barrier.AD("files", f.ID, "title"), barrier.AD("notes", f.ID, "name")} {
		if _, err := s.Barrier.Decrypt(ctx, scope, ad, ct); err == nil {
			t.Fatalf("a file name decrypts under associated data %q", ad)
		}
	}
	if _, err := s.Barrier.Decrypt(ctx, scope, barrier.AD("files", f.ID, "name"), ct); err != nil {
		t.Fatalf("the file name's own associated data: %v", err)
	}
}

// testFileCanary checks claim ENC-1 for file names from below the
// barrier: markers in names, renamed, detached and deleted files appear
// nowhere in the raw storage, before and after a restart, while the file
// ID and media type, stored in plain text on purpose, are found.
func testFileCanary(t *testing.T, s Stores) {
	needFiles(t, s)
	ctx := context.Background()
	ws := mustWorkspace(t, s, mustUser(t, s, "owner"), "canary")
	n := mustNote(t, s, ws.ID, "n", "")
	m := map[string]string{}
	for _, k := range []string{"name", "renamed", "deleted", "on a deleted note"} {
		m[k] = marker()
	}
	f := mustFile(t, s, ws.ID, n.ID, m["name"]+".txt")
	_, err := s.Files.UpdateFile(ctx, ws.ID, f.ID, quire.FileUpdate{Name: ptr(m["renamed"] + ".txt"), NoteID: ptr("")})
	mustOK(t, err, "UpdateFile")
	mustOK(t, s.Files.DeleteFile(ctx, ws.ID, mustFile(t, s, ws.ID, "", m["deleted"]).ID), "DeleteFile")
	gone := mustNote(t, s, ws.ID, "gone", "")
	mustFile(t, s, ws.ID, gone.ID, m["on a deleted note"])
	mustOK(t, s.Notes.DeleteNote(ctx, ws.ID, gone.ID), "DeleteNote")
	plain := map[string]string{"file ID": f.ID, "media type": textType}
	scan := func(t *testing.T, in Stores) {
		for field, mk := range m {
			found, err := in.Inspector.ScanRaw(ctx, []byte(mk))
			mustOK(t, err, "ScanRaw")
			if len(found) != 0 {
				t.Errorf("marker of the file %s found in raw storage at %v", field, found)
			}
		}
		for what, v := range plain {
			found, err := in.Inspector.ScanRaw(ctx, []byte(v))
			mustOK(t, err, "ScanRaw")
			if len(found) == 0 {
				t.Errorf("ScanRaw cannot find the %s, which is stored in plain text: the scanner is blind", what)
			}
		}
	}
	t.Run("live", func(t *testing.T) { scan(t, s) })
	t.Run("after restart", func(t *testing.T) { scan(t, s.Reopen(t)) })
}
