package export_test

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/quirehq/quire"
	"github.com/quirehq/quire/auth"
	"github.com/quirehq/quire/barrier"
	"github.com/quirehq/quire/blob"
	"github.com/quirehq/quire/export"
	"github.com/quirehq/quire/files"
	"github.com/quirehq/quire/internal/authtest"
	"github.com/quirehq/quire/sqlite"
)

// env is an export service over a real SQLite store, the account system
// and local file storage, all on one data directory.
type env struct {
	t        testing.TB
	dir      string
	db       *sqlite.DB
	b        *barrier.Barrier
	accounts *auth.Service
	ws       quire.WorkspaceService
	notes    quire.NoteService
	ideas    quire.IdeaService
	folders  quire.FolderService
	chats    quire.ChatService
	files    *files.Service
	exports  *sqlite.ExportService
	archives *export.Archives
	// backend is the archive store's backend, whose hooks a test may set.
	backend *hookBackend
	clock   time.Time
	svc     *export.Service
}

const password = "a long and unbreached passphrase"

func newEnv(t testing.TB) *env {
	t.Helper()
	db, b, dir := authtest.SQLite(t)
	accounts, _ := authtest.OnStore(t, db, b, dir, authtest.Options{})
	e := &env{t: t, dir: dir, db: db, b: b, accounts: accounts, ws: sqlite.NewWorkspaceService(db, b),
		notes: sqlite.NewNoteService(db, b), ideas: sqlite.NewIdeaService(db, b), folders: sqlite.NewFolderService(db, b),
		chats: sqlite.NewChatService(db, b), exports: sqlite.NewExportService(db), clock: time.Now().UTC()}
	e.files = newFiles(t, db, b, filepath.Join(dir, "blobs"))
	local, err := blob.NewLocal(blob.LocalOptions{Dir: filepath.Join(dir, "exports")})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = local.Close() })
	e.backend = &hookBackend{Backend: local}
	if e.archives, err = export.NewArchives(b, e.backend); err != nil {
		t.Fatal(err)
	}
	e.svc = e.newService()
	return e
}

// hookBackend is a blob backend that runs beforePut, when set, before
// each Put.
type hookBackend struct {
	blob.Backend
	beforePut func(key string)
}

func (h *hookBackend) Put(ctx context.Context, key string, r io.Reader) error {
	if h.beforePut != nil {
		h.beforePut(key)
	}
	return h.Backend.Put(ctx, key, r)
}

func newFiles(t testing.TB, db *sqlite.DB, b *barrier.Barrier, dir string) *files.Service {
	t.Helper()
	local, err := blob.NewLocal(blob.LocalOptions{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = local.Close() })
	blobs, err := blob.New(b, local, blob.Options{})
	if err != nil {
		t.Fatal(err)
	}
	fs, err := files.New(files.Config{Blobs: blobs, Backend: local, Files: sqlite.NewFileService(db, b), MaxSize: 1 << 40})
	if err != nil {
		t.Fatal(err)
	}
	return fs
}

// newService builds an export service on e's stores, as a (re)started
// process would.
func (e *env) newService() *export.Service { return e.newServiceWith(nil) }

// newServiceWith builds an export service on e's stores with its config
// changed by change, if not nil: another instance.
func (e *env) newServiceWith(change func(*export.Config)) *export.Service {
	e.t.Helper()
	cfg := export.Config{Exports: e.exports, Users: sqlite.NewUserService(e.db, e.b), Workspaces: e.ws,
		Folders: e.folders, Notes: e.notes, Ideas: e.ideas, Chats: e.chats, Accounts: sqlite.NewAuthService(e.db, e.b),
		Files: e.files, Shares: sqlite.NewShareService(e.db, e.b), Privacy: sqlite.NewPrivacyService(e.db),
		Archives: e.archives, Now: func() time.Time { return e.clock }}
	if change != nil {
		change(&cfg)
	}
	svc, err := export.New(cfg)
	if err != nil {
		e.t.Fatal(err)
	}
	return svc
}

// account is a signed-up user with its personal workspace.
type account struct {
	user     *quire.User
	personal string
}

func (e *env) signUp(email string) *account {
	e.t.Helper()
	ctx := context.Background()
	u, _, err := e.accounts.SignUp(ctx, email, password, auth.Client{UserAgent: "export test"})
	if err != nil {
		e.t.Fatal(err)
	}
	w, err := quire.OwnWorkspace(ctx, e.ws, u.ID)
	if err != nil || w == nil {
		e.t.Fatalf("personal workspace: %v", err)
	}
	return &account{user: u, personal: w.ID}
}

// fill gives account a one of every kind of data, each holding marker.
func (e *env) fill(a *account, marker string) {
	e.t.Helper()
	ctx := context.Background()
	f := &quire.Folder{WorkspaceID: a.personal, Name: "Folder " + marker}
	must(e.t, e.folders.CreateFolder(ctx, f))
	n := &quire.Note{WorkspaceID: a.personal, Title: "Note " + marker, Content: "first " + marker, FolderID: f.ID}
	must(e.t, e.notes.CreateNote(ctx, n))
	body := "second " + marker
	_, err := e.notes.UpdateNote(ctx, a.personal, n.ID, quire.NoteUpdate{Content: &body})
	must(e.t, err)
	must(e.t, e.ideas.CreateIdea(ctx, &quire.Idea{WorkspaceID: a.personal, Text: "=idea " + marker}))
	c := &quire.Conversation{WorkspaceID: a.personal, Title: "Chat " + marker, Model: "gpt-4o"}
	must(e.t, e.chats.CreateConversation(ctx, c))
	must(e.t, e.chats.AddChatMessage(ctx, &quire.ChatMessage{WorkspaceID: a.personal, ConversationID: c.ID, Role: quire.ChatUser,
		Content: "question " + marker, Status: quire.ChatComplete}))
	_, err = e.files.Upload(ctx, a.personal, "", "notes "+marker+".txt", strings.NewReader("file bytes "+marker))
	must(e.t, err)
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// build runs the worker once and returns the export as it is then.
func (e *env) build(userID, id string) *quire.Export {
	e.t.Helper()
	if _, err := e.svc.Process(context.Background()); err != nil {
		e.t.Fatalf("Process: %v", err)
	}
	x, err := e.svc.Export(context.Background(), userID, id)
	must(e.t, err)
	return x
}

// download reads the whole archive of a ready export and records it as
// downloaded.
func (e *env) download(userID, id string) []byte {
	e.t.Helper()
	ctx := context.Background()
	d, err := e.svc.Open(ctx, userID, id)
	must(e.t, err)
	b, err := io.ReadAll(d)
	must(e.t, err)
	must(e.t, d.Close())
	must(e.t, e.svc.Downloaded(ctx, d.Export))
	return b
}

// zipFiles opens an archive and returns its files by path.
func zipFiles(t testing.TB, b []byte) map[string][]byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	must(t, err)
	out := map[string][]byte{}
	for _, f := range zr.File {
		rc, err := f.Open()
		must(t, err)
		data, err := io.ReadAll(rc)
		must(t, err)
		_ = rc.Close()
		if _, dup := out[f.Name]; dup {
			t.Fatalf("%s is in the archive twice", f.Name)
		}
		out[f.Name] = data
	}
	return out
}

// checkManifest fails unless manifest.json lists every other file of the
// archive exactly, each with its size and SHA-256.
func checkManifest(t testing.TB, got map[string][]byte) {
	t.Helper()
	var m struct {
		Files []struct {
			Path   string `json:"path"`
			Size   int64  `json:"size"`
			SHA256 string `json:"sha256"`
		} `json:"files"`
	}
	must(t, json.Unmarshal(got["manifest.json"], &m))
	if len(m.Files) != len(got)-1 {
		t.Errorf("manifest lists %d files, the archive holds %d besides it", len(m.Files), len(got)-1)
	}
	for _, f := range m.Files {
		data, ok := got[f.Path]
		if !ok {
			t.Errorf("manifest lists %s, which is not in the archive", f.Path)
			continue
		}
		sum := sha256.Sum256(data)
		if hex.EncodeToString(sum[:]) != f.SHA256 || int64(len(data)) != f.Size {
			t.Errorf("%s: manifest says %d bytes %s, the archive holds %d bytes %x", f.Path, f.Size, f.SHA256, len(data), sum)
		}
	}
}
