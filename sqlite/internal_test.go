package sqlite

import (
	"context"
	"crypto/rand"
	"path/filepath"
	"testing"

	"github.com/quirehq/quire"
	"github.com/quirehq/quire/barrier"
)

// testStore is an opened database with its barrier and services, for tests
// that need to reach below the services.
type testStore struct {
	db         *DB
	b          *barrier.Barrier
	users      *UserService
	workspaces *WorkspaceService
	notes      *NoteService
}

func newTestStore(tb testing.TB) *testStore {
	tb.Helper()
	ctx := context.Background()
	db, err := Open(ctx, filepath.Join(tb.TempDir(), "quire.db"))
	if err != nil {
		tb.Fatalf("Open: %v", err)
	}
	tb.Cleanup(func() { db.Close() })
	key := make([]byte, barrier.RootKeySize)
	_, _ = rand.Read(key)
	b, err := barrier.Open(ctx, barrier.StaticSource(key), NewKeyStore(db), barrier.Options{})
	if err != nil {
		tb.Fatalf("barrier.Open: %v", err)
	}
	return &testStore{db: db, b: b, users: NewUserService(db, b),
		workspaces: NewWorkspaceService(db, b), notes: NewNoteService(db, b)}
}

// workspace creates a user and a workspace they own.
func (s *testStore) workspace(tb testing.TB) *quire.Workspace {
	tb.Helper()
	ctx := context.Background()
	u := &quire.User{Email: quire.NewID() + "@example.com", Name: "owner"}
	if err := s.users.CreateUser(ctx, u); err != nil {
		tb.Fatal(err)
	}
	w := &quire.Workspace{Name: "ws", Region: quire.RegionUS, OwnerID: u.ID}
	if err := s.workspaces.CreateWorkspace(ctx, w); err != nil {
		tb.Fatal(err)
	}
	return w
}

func (s *testStore) note(tb testing.TB, wsID, title string) *quire.Note {
	tb.Helper()
	n := &quire.Note{WorkspaceID: wsID, Title: title, Content: "content of " + title}
	if err := s.notes.CreateNote(context.Background(), n); err != nil {
		tb.Fatal(err)
	}
	return n
}

func (s *testStore) exec(tb testing.TB, query string, args ...any) {
	tb.Helper()
	if _, err := s.db.writer.Exec(query, args...); err != nil {
		tb.Fatalf("%s: %v", query, err)
	}
}
