package erase_test

import (
	"bytes"
	"context"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/quirehq/quire"
	"github.com/quirehq/quire/auth"
	"github.com/quirehq/quire/barrier"
	"github.com/quirehq/quire/blob"
	"github.com/quirehq/quire/erase"
	"github.com/quirehq/quire/files"
	"github.com/quirehq/quire/finder"
	"github.com/quirehq/quire/internal/authtest"
	"github.com/quirehq/quire/mail"
	"github.com/quirehq/quire/sqlite"
)

// env is an erase service over a real SQLite store, the account system,
// local file storage and search, all on one data directory.
type env struct {
	t         testing.TB
	dir       string
	db        *sqlite.DB
	b         *barrier.Barrier
	accounts  *auth.Service
	outbox    string
	users     quire.UserService
	ws        quire.WorkspaceService
	notes     quire.NoteService
	ideas     quire.IdeaService
	deletions *sqlite.DeletionService
	files     *files.Service
	finder    *finder.Service
	shares    quire.ShareService
	svc       *erase.Service
}

const password = "a long and unbreached passphrase"

func newEnv(t testing.TB) *env {
	t.Helper()
	db, b, dir := authtest.SQLite(t)
	accounts, outbox := authtest.OnStore(t, db, b, dir, authtest.Options{})
	local, err := blob.NewLocal(blob.LocalOptions{Dir: filepath.Join(dir, "blobs")})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = local.Close() })
	blobs, err := blob.New(b, local, blob.Options{})
	if err != nil {
		t.Fatal(err)
	}
	fs, err := files.New(files.Config{Blobs: blobs, Backend: local, Files: sqlite.NewFileService(db, b)})
	if err != nil {
		t.Fatal(err)
	}
	notes, ideas := sqlite.NewNoteService(db, b), sqlite.NewIdeaService(db, b)
	f, err := finder.New(finder.Config{Notes: notes, Ideas: ideas, Folders: sqlite.NewFolderService(db, b)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = f.Close() })
	e := &env{t: t, dir: dir, db: db, b: b, accounts: accounts, outbox: outbox, users: sqlite.NewUserService(db, b),
		ws: f.Workspaces(sqlite.NewWorkspaceService(db, b)), notes: f.Notes(notes), ideas: f.Ideas(ideas),
		deletions: sqlite.NewDeletionService(db), files: fs, finder: f, shares: sqlite.NewShareService(db, b)}
	e.svc = e.newService()
	return e
}

// newService builds an erase service on e's stores, as a (re)started
// process would.
func (e *env) newService() *erase.Service {
	e.t.Helper()
	svc, err := erase.New(erase.Config{Deletions: e.deletions, Users: e.users, Workspaces: e.ws,
		Accounts: sqlite.NewAuthService(e.db, e.b), Identity: e.accounts, Shred: e.b.Shred, Blobs: e.files, Shares: e.shares,
		Forget: e.finder.Forget, Mail: &mail.Outbox{Dir: e.outbox, Logger: slog.New(slog.DiscardHandler)}})
	if err != nil {
		e.t.Fatal(err)
	}
	return svc
}

// account is a signed-up user with its session token and personal
// workspace.
type account struct {
	user     *quire.User
	token    string
	personal string
}

func (e *env) signUp(email string) *account {
	e.t.Helper()
	ctx := context.Background()
	u, login, err := e.accounts.SignUp(ctx, email, password, auth.Client{UserAgent: "test"})
	if err != nil {
		e.t.Fatal(err)
	}
	w, err := quire.OwnWorkspace(ctx, e.ws, u.ID)
	if err != nil || w == nil {
		e.t.Fatalf("personal workspace: %v", err)
	}
	return &account{user: u, token: login.Token, personal: w.ID}
}

func (e *env) note(ws, title, content string) *quire.Note {
	e.t.Helper()
	n := &quire.Note{WorkspaceID: ws, Title: title, Content: content}
	if err := e.notes.CreateNote(context.Background(), n); err != nil {
		e.t.Fatal(err)
	}
	return n
}

func (e *env) upload(ws, name, content string) *quire.File {
	e.t.Helper()
	f, err := e.files.Upload(context.Background(), ws, "", name, strings.NewReader(content))
	if err != nil {
		e.t.Fatal(err)
	}
	return f
}

// blobFiles counts the files under the blob directory of workspace ws.
func (e *env) blobFiles(ws string) int {
	e.t.Helper()
	n := 0
	_ = filepath.WalkDir(filepath.Join(e.dir, "blobs", ws), func(_ string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			n++
		}
		return nil
	})
	return n
}

// searchHits returns how many documents of ws match text, 0 if the
// search fails (nothing decrypts).
func (e *env) searchHits(ws, text string) int {
	res, err := e.finder.Search(context.Background(), ws, finder.Params{Text: text})
	if err != nil {
		return 0
	}
	return len(res.Hits)
}

// fileHolds reports whether the file at path holds marker.
func fileHolds(t testing.TB, path, marker string) bool {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return bytes.Contains(b, []byte(marker))
}

// folderStore is the folder store of e's database.
func (e *env) folderStore() quire.FolderService { return sqlite.NewFolderService(e.db, e.b) }

// accountStore is the account store of e's database.
func accountStore(e *env) erase.AccountStore { return sqlite.NewAuthService(e.db, e.b) }
