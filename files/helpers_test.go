package files_test

import (
	"context"
	"crypto/rand"
	"net/http/httptest"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
	"github.com/quirehq/quire"
	"github.com/quirehq/quire/barrier"
	"github.com/quirehq/quire/blob"
	"github.com/quirehq/quire/files"
	"github.com/quirehq/quire/sqlite"
)

// env is a files service over SQLite and one blob backend, with a user,
// a workspace and a clock the test moves.
type env struct {
	t       testing.TB
	svc     *files.Service
	cfg     files.Config
	blobs   *blob.Store
	backend blob.Backend
	db      *sqlite.DB
	b       *barrier.Barrier
	users   *sqlite.UserService
	wss     *sqlite.WorkspaceService
	notes   *sqlite.NoteService
	store   *sqlite.FileService
	ws      string
	dir     string // the data directory: database and local blobs

	mu  sync.Mutex
	now time.Time
}

// backends are the blob backends every service test runs on.
var backends = map[string]func(tb testing.TB, dir string) blob.Backend{
	"local": func(tb testing.TB, dir string) blob.Backend {
		l, err := blob.NewLocal(blob.LocalOptions{Dir: filepath.Join(dir, "blobs")})
		if err != nil {
			tb.Fatal(err)
		}
		tb.Cleanup(func() { _ = l.Close() })
		return l
	},
	"s3": func(tb testing.TB, _ string) blob.Backend {
		mem := s3mem.New()
		if err := mem.CreateBucket("quire"); err != nil {
			tb.Fatal(err)
		}
		ts := httptest.NewServer(gofakes3.New(mem, gofakes3.WithLogger(gofakes3.DiscardLog())).Server())
		tb.Cleanup(ts.Close)
		s3, err := blob.NewS3(blob.S3Options{Endpoint: ts.Listener.Addr().String(), Bucket: "quire", AccessKey: "a", SecretKey: "s"})
		if err != nil {
			tb.Fatal(err)
		}
		return s3
	},
}

// eachBackend runs fn as a subtest on every backend.
func eachBackend(t *testing.T, fn func(t *testing.T, e *env)) { eachBackendWith(t, nil, fn) }

// eachBackendWith is eachBackend with the service's configuration changed
// by mod.
func eachBackendWith(t *testing.T, mod func(*files.Config), fn func(t *testing.T, e *env)) {
	for name, mk := range backends {
		t.Run(name, func(t *testing.T) { fn(t, newEnv(t, mk, mod)) })
	}
}

// newEnv opens the stores; mod, if not nil, changes the service's
// configuration before it is built.
func newEnv(tb testing.TB, mk func(testing.TB, string) blob.Backend, mod func(*files.Config)) *env {
	tb.Helper()
	ctx := context.Background()
	dir := tb.TempDir()
	db, err := sqlite.Open(ctx, filepath.Join(dir, "quire.db"))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = db.Close() })
	key := make([]byte, barrier.RootKeySize)
	_, _ = rand.Read(key)
	e := &env{t: tb, db: db, dir: dir, now: time.Now()}
	b, err := barrier.Open(ctx, barrier.StaticSource(key), sqlite.NewKeyStore(db), barrier.Options{Now: e.clock})
	if err != nil {
		tb.Fatal(err)
	}
	e.b, e.users, e.wss = b, sqlite.NewUserService(db, b), sqlite.NewWorkspaceService(db, b)
	e.notes, e.store = sqlite.NewNoteService(db, b), sqlite.NewFileService(db, b)
	e.backend = mk(tb, dir)
	if e.blobs, err = blob.New(b, e.backend, blob.Options{}); err != nil {
		tb.Fatal(err)
	}
	e.cfg = files.Config{Blobs: e.blobs, Backend: e.backend, Files: e.store, Now: e.clock}
	if mod != nil {
		mod(&e.cfg)
	}
	if e.svc, err = files.New(e.cfg); err != nil {
		tb.Fatal(err)
	}
	e.ws = e.workspace()
	return e
}

func (e *env) clock() time.Time {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.now
}

// advance moves the service's clock forward.
func (e *env) advance(d time.Duration) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.now = e.now.Add(d)
}

// workspace creates a user and a workspace of theirs.
func (e *env) workspace() string {
	e.t.Helper()
	ctx := context.Background()
	u := &quire.User{Email: quire.NewID() + "@example.com", Name: "owner"}
	if err := e.users.CreateUser(ctx, u); err != nil {
		e.t.Fatal(err)
	}
	w := &quire.Workspace{Name: "files", Region: quire.RegionUS, OwnerID: u.ID}
	if err := e.wss.CreateWorkspace(ctx, w); err != nil {
		e.t.Fatal(err)
	}
	return w.ID
}

// note creates a note in workspace ws.
func (e *env) note(ws string) string {
	e.t.Helper()
	n := &quire.Note{WorkspaceID: ws, Title: "with files"}
	if err := e.notes.CreateNote(context.Background(), n); err != nil {
		e.t.Fatal(err)
	}
	return n.ID
}

// blobIDs lists the blob IDs stored for workspace ws.
func (e *env) blobIDs(ws string) []string {
	e.t.Helper()
	keys, err := e.backend.List(context.Background(), ws+"/")
	if err != nil {
		e.t.Fatal(err)
	}
	ids := make([]string, len(keys))
	for i, k := range keys {
		ids[i] = k[len(ws)+1:]
	}
	return ids
}

// rowIDs lists the file rows of workspace ws.
func (e *env) rowIDs(ws string) []string {
	e.t.Helper()
	ids, err := e.store.FindFileIDs(context.Background(), quire.FileFilter{WorkspaceID: ws})
	if err != nil {
		e.t.Fatal(err)
	}
	return ids
}

func wantCode(tb testing.TB, err error, code string) {
	tb.Helper()
	if got := quire.ErrorCode(err); got != code {
		tb.Fatalf("error code = %q (%v), want %q", got, err, code)
	}
}
