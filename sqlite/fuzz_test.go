package sqlite

import (
	"context"
	"testing"

	"github.com/quirehq/quire"
)

// FuzzNoteRoundTrip feeds arbitrary, untrusted titles, contents and folder
// IDs through CreateNote and FindNoteByID: the store either refuses them
// with EINVALID or returns exactly what was stored, byte for byte.
func FuzzNoteRoundTrip(f *testing.F) {
	s := newTestStore(f)
	ws := s.workspace(f)
	f.Add("title", "content", "", true)
	f.Add("", "", quire.NewID(), false)
	f.Add("\x00nul\x00", "'); DROP TABLE notes; --", "not-an-id", false)
	f.Add("\xff\xfe", "ünïcödé ✓ 🚀", "", true)
	f.Fuzz(func(t *testing.T, title, content, folder string, pinned bool) {
		ctx := context.Background()
		n := &quire.Note{WorkspaceID: ws.ID, Title: title, Content: content, FolderID: folder, Pinned: pinned}
		err := s.notes.CreateNote(ctx, n)
		if err != nil {
			if c := quire.ErrorCode(err); c != quire.EINVALID && c != quire.EFOLDERNOTFOUND {
				t.Fatalf("CreateNote: %v, want success, EINVALID or EFOLDERNOTFOUND", err)
			}
			return
		}
		got, err := s.notes.FindNoteByID(ctx, ws.ID, n.ID)
		if err != nil {
			t.Fatalf("FindNoteByID: %v", err)
		}
		if got.Title != title || got.Content != content || got.FolderID != folder || got.Pinned != pinned {
			t.Fatalf("round trip changed the note: %q %q %q %v", got.Title, got.Content, got.FolderID, got.Pinned)
		}
	})
}
