package finder_test

import (
	"context"
	"testing"

	"github.com/quirehq/quire"
	"github.com/quirehq/quire/barrier"
	"github.com/quirehq/quire/finder"
	"github.com/quirehq/quire/internal/authtest"
	"github.com/quirehq/quire/sqlite"
)

// TestForgetDropsIndexOfShreddedWorkspace: a cached index keeps answering
// from memory after the workspace's keys are shredded, until Forget drops
// it; then nothing of the workspace is found any more.
func TestForgetDropsIndexOfShreddedWorkspace(t *testing.T) {
	ctx := context.Background()
	db, b, _ := authtest.SQLite(t)
	u := &quire.User{Email: "forget@example.com", Name: "f"}
	if err := sqlite.NewUserService(db, b).CreateUser(ctx, u); err != nil {
		t.Fatal(err)
	}
	w := &quire.Workspace{Name: "w", Region: quire.RegionUS, OwnerID: u.ID}
	if err := sqlite.NewWorkspaceService(db, b).CreateWorkspace(ctx, w); err != nil {
		t.Fatal(err)
	}
	svc, err := finder.New(finder.Config{Notes: sqlite.NewNoteService(db, b), Ideas: sqlite.NewIdeaService(db, b), Folders: sqlite.NewFolderService(db, b)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = svc.Close() })
	notes := svc.Notes(sqlite.NewNoteService(db, b))
	if err := notes.CreateNote(ctx, &quire.Note{WorkspaceID: w.ID, Title: "Orchard", Content: "Prune the quinces in March."}); err != nil {
		t.Fatal(err)
	}
	hits := func() int {
		res, err := svc.Search(ctx, w.ID, finder.Params{Text: "quinces"})
		if err != nil {
			return 0 // nothing decrypts: the index cannot be built
		}
		return len(res.Hits)
	}
	if hits() != 1 {
		t.Fatal("the note is not found before the shred")
	}
	if err := b.Shred(ctx, barrier.WorkspaceScope(w.ID)); err != nil {
		t.Fatal(err)
	}
	if hits() != 1 {
		t.Fatal("the cached index was already gone: this test no longer shows what Forget is for")
	}
	svc.Forget(w.ID)
	if n := hits(); n != 0 {
		t.Fatalf("after Forget, %d hits of a shredded workspace", n)
	}
}
