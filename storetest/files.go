package storetest

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/quirehq/quire"
)

// textType is the media type the file tests store: any allowlist value
// does, since the store keeps it as given.
const textType = "text/plain; charset=utf-8"

// needFiles fails unless the backend provides the file store.
func needFiles(t *testing.T, s Stores) {
	t.Helper()
	if s.Files == nil {
		t.Fatal("the backend's Stores has no Files: every backend must implement quire.FileService")
	}
}

// mustFile stores a file named name in workspace ws, attached to note
// (or to none for "").
func mustFile(t *testing.T, s Stores, ws, note, name string) *quire.File {
	t.Helper()
	needFiles(t, s)
	f := &quire.File{ID: quire.NewID(), WorkspaceID: ws, NoteID: note, Name: name, MediaType: textType, Size: int64(len(name))}
	mustOK(t, s.Files.CreateFile(context.Background(), f), "CreateFile")
	return f
}

func sameFile(t *testing.T, got, want *quire.File) {
	t.Helper()
	if got.ID != want.ID || got.WorkspaceID != want.WorkspaceID || got.NoteID != want.NoteID || got.Name != want.Name ||
		got.MediaType != want.MediaType || got.Size != want.Size || !got.CreatedAt.Equal(want.CreatedAt) {
		t.Fatalf("file = %+v, want %+v", got, want)
	}
}

// wantFile reads the file back and fails unless it equals want.
func wantFile(t *testing.T, s Stores, want *quire.File) {
	t.Helper()
	got, err := s.Files.FindFileByID(context.Background(), want.WorkspaceID, want.ID)
	mustOK(t, err, "FindFileByID")
	sameFile(t, got, want)
}

func fileIDs(fs []*quire.File) []string {
	out := make([]string, len(fs))
	for i, f := range fs {
		out[i] = f.ID
	}
	return out
}

// testFileCRUD creates, reads, renames, attaches, detaches and deletes
// files: names are reduced to their last path element.
func testFileCRUD(t *testing.T, s Stores) {
	needFiles(t, s)
	ctx := context.Background()
	ws := mustWorkspace(t, s, mustUser(t, s, "owner"), "files")
	n := mustNote(t, s, ws.ID, "with files", "")
	f := &quire.File{ID: quire.NewID(), WorkspaceID: ws.ID, NoteID: n.ID, Name: ` C:\Users\me\Désktop/report ✓.pdf `,
		MediaType: "application/pdf", Size: 1 << 40}
	mustOK(t, s.Files.CreateFile(ctx, f), "CreateFile")
	if f.Name != "report ✓.pdf" {
		t.Fatalf("CreateFile kept the name %q, want its last path element", f.Name)
	}
	checkTimes(t, "CreateFile", f.CreatedAt, f.CreatedAt)
	wantFile(t, s, f)
	loose := mustFile(t, s, ws.ID, "", "loose.txt")
	empty := &quire.File{ID: quire.NewID(), WorkspaceID: ws.ID, Name: strings.Repeat("é", quire.MaxFileName/2), MediaType: "image/png"}
	mustOK(t, s.Files.CreateFile(ctx, empty), "CreateFile of an empty file with the longest name")
	wantFile(t, s, empty)

	renamed, err := s.Files.UpdateFile(ctx, ws.ID, loose.ID, quire.FileUpdate{Name: ptr("../renamed.txt"), NoteID: ptr(n.ID)})
	mustOK(t, err, "UpdateFile")
	loose.Name, loose.NoteID = "renamed.txt", n.ID
	sameFile(t, renamed, loose)
	wantFile(t, s, loose)
	detached, err := s.Files.UpdateFile(ctx, ws.ID, loose.ID, quire.FileUpdate{NoteID: ptr("")})
	mustOK(t, err, "UpdateFile detach")
	loose.NoteID = ""
	sameFile(t, detached, loose)
	same, err := s.Files.UpdateFile(ctx, ws.ID, loose.ID, quire.FileUpdate{})
	mustOK(t, err, "UpdateFile with nothing to change")
	sameFile(t, same, loose)

	mustOK(t, s.Files.DeleteFile(ctx, ws.ID, f.ID), "DeleteFile")
	_, err = s.Files.FindFileByID(ctx, ws.ID, f.ID)
	wantCode(t, err, quire.ENOTFOUND)
	wantCode(t, s.Files.DeleteFile(ctx, ws.ID, f.ID), quire.ENOTFOUND)
	_, err = s.Files.UpdateFile(ctx, ws.ID, f.ID, quire.FileUpdate{Name: ptr("x")})
	wantCode(t, err, quire.ENOTFOUND)
	_, err = s.Files.FindFileByID(ctx, ws.ID, "not an id")
	wantCode(t, err, quire.ENOTFOUND)
	wantNoteUnchanged(t, s, n)
}

// testFindFiles checks the order (newest first), the note filters and
// paging of FindFiles and FindFileIDs.
func testFindFiles(t *testing.T, s Stores) {
	needFiles(t, s)
	ctx := context.Background()
	owner := mustUser(t, s, "owner")
	ws, noise := mustWorkspace(t, s, owner, "files"), mustWorkspace(t, s, owner, "noise")
	a, b := mustNote(t, s, ws.ID, "a", ""), mustNote(t, s, ws.ID, "b", "")
	var files []*quire.File
	for i, note := range []string{a.ID, "", b.ID, a.ID, ""} {
		time.Sleep(time.Millisecond)
		files = append(files, mustFile(t, s, ws.ID, note, "file "+itoa(i)))
		mustFile(t, s, noise.ID, "", "noise")
	}
	id := func(i int) string { return files[i].ID }
	for _, tc := range []struct {
		name  string
		f     quire.FileFilter
		want  []string
		total int
	}{
		{"all", quire.FileFilter{}, []string{id(4), id(3), id(2), id(1), id(0)}, 5},
		{"of a note", quire.FileFilter{NoteID: ptr(a.ID)}, []string{id(3), id(0)}, 2},
		{"of no note", quire.FileFilter{NoteID: ptr("")}, []string{id(4), id(1)}, 2},
		{"of an unknown note", quire.FileFilter{NoteID: ptr(quire.NewID())}, []string{}, 0},
		{"first page", quire.FileFilter{Limit: 2}, []string{id(4), id(3)}, 5},
		{"second page", quire.FileFilter{Offset: 2, Limit: 2}, []string{id(2), id(1)}, 5},
		{"past the end", quire.FileFilter{Offset: 9, Limit: 2}, []string{}, 5},
		{"offset without limit", quire.FileFilter{Offset: 3}, []string{id(1), id(0)}, 5},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := tc.f
			f.WorkspaceID = ws.ID
			got, total, err := s.Files.FindFiles(ctx, f)
			mustOK(t, err, "FindFiles")
			if !slices.Equal(fileIDs(got), tc.want) || total != tc.total {
				t.Fatalf("FindFiles = %v (total %d), want %v (total %d)", fileIDs(got), total, tc.want, tc.total)
			}
			ids, err := s.Files.FindFileIDs(ctx, f)
			mustOK(t, err, "FindFileIDs")
			if !slices.Equal(ids, tc.want) {
				t.Fatalf("FindFileIDs = %v, want %v", ids, tc.want)
			}
			for _, g := range got {
				if g.WorkspaceID != ws.ID || !strings.HasPrefix(g.Name, "file ") {
					t.Fatalf("FindFiles returned %+v", g)
				}
			}
		})
	}
}

// testFileValidation checks that bad files, updates and filters are
// refused, and that nothing is stored for them.
func testFileValidation(t *testing.T, s Stores) {
	needFiles(t, s)
	ctx := context.Background()
	owner := mustUser(t, s, "owner")
	ws, other := mustWorkspace(t, s, owner, "files"), mustWorkspace(t, s, owner, "other")
	foreign := mustNote(t, s, other.ID, "not here", "")
	keep := mustFile(t, s, ws.ID, "", "keep.txt")
	good := func(mod func(f *quire.File)) quire.File {
		f := quire.File{ID: quire.NewID(), WorkspaceID: ws.ID, Name: "a.txt", MediaType: textType, Size: 1}
		mod(&f)
		return f
	}
	for _, tc := range []struct {
		name string
		f    quire.File
		code string
	}{
		{"no ID", good(func(f *quire.File) { f.ID = "" }), quire.EINVALID},
		{"ID not an ID", good(func(f *quire.File) { f.ID = "../../etc/passwd" }), quire.EINVALID},
		{"no workspace", good(func(f *quire.File) { f.WorkspaceID = "" }), quire.EINVALID},
		{"empty name", good(func(f *quire.File) { f.Name = "" }), quire.EINVALID},
		{"only a folder", good(func(f *quire.File) { f.Name = "dir/ " }), quire.EINVALID},
		{"dot dot", good(func(f *quire.File) { f.Name = "a/.." }), quire.EINVALID},
		{"name too long", good(func(f *quire.File) { f.Name = strings.Repeat("x", quire.MaxFileName+1) }), quire.EINVALID},
		{"control character", good(func(f *quire.File) { f.Name = "a\x00.txt" }), quire.EINVALID},
		{"line break", good(func(f *quire.File) { f.Name = "a\n.txt" }), quire.EINVALID},
		{"direction override", good(func(f *quire.File) { f.Name = "invoice\u202etxt.exe" }), quire.EINVALID},
		{"not UTF-8", good(func(f *quire.File) { f.Name = "\xff.txt" }), quire.EINVALID},
		{"no media type", good(func(f *quire.File) { f.MediaType = "" }), quire.EINVALID},
		{"media type with user text", good(func(f *quire.File) { f.MediaType = "text/plain; name=secret" }), quire.EINVALID},
		{"negative size", good(func(f *quire.File) { f.Size = -1 }), quire.EINVALID},
		{"note not an ID", good(func(f *quire.File) { f.NoteID = "x' OR '1'='1" }), quire.EINVALID},
		{"unknown workspace", good(func(f *quire.File) { f.WorkspaceID = quire.NewID() }), quire.ENOTFOUND},
		{"unknown note", good(func(f *quire.File) { f.NoteID = quire.NewID() }), quire.ENOTFOUND},
		{"another workspace's note", good(func(f *quire.File) { f.NoteID = foreign.ID }), quire.ENOTFOUND},
		{"ID in use", good(func(f *quire.File) { f.ID = keep.ID }), quire.ECONFLICT},
	} {
		t.Run("create "+tc.name, func(t *testing.T) {
			f := tc.f
			wantCode(t, s.Files.CreateFile(ctx, &f), tc.code)
		})
	}
	for _, upd := range []quire.FileUpdate{{Name: ptr("")}, {Name: ptr("a\tb")}, {NoteID: ptr("nope")},
		{Name: ptr("fine"), NoteID: ptr(quire.NewID())}, {NoteID: ptr(foreign.ID)}} {
		_, err := s.Files.UpdateFile(ctx, ws.ID, keep.ID, upd)
		if c := quire.ErrorCode(err); c != quire.EINVALID && c != quire.ENOTFOUND {
			t.Fatalf("UpdateFile(%+v): %v, want a refusal", upd, err)
		}
		wantFile(t, s, keep)
	}
	for _, f := range []quire.FileFilter{{}, {WorkspaceID: ws.ID, Offset: -1}, {WorkspaceID: ws.ID, Limit: -1},
		{WorkspaceID: ws.ID, NoteID: ptr("x")}} {
		_, _, err := s.Files.FindFiles(ctx, f)
		wantCode(t, err, quire.EINVALID)
		_, err = s.Files.FindFileIDs(ctx, f)
		wantCode(t, err, quire.EINVALID)
	}
	_, total, err := s.Files.FindFiles(ctx, quire.FileFilter{WorkspaceID: ws.ID})
	mustOK(t, err, "FindFiles")
	if total != 1 {
		t.Fatalf("refused creates left files behind: total %d, want 1", total)
	}
}
