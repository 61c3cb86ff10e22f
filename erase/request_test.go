package erase_test

import (
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/quirehq/quire"
	"github.com/quirehq/quire/barrier"
	"github.com/quirehq/quire/erase"
	"github.com/quirehq/quire/internal/authtest"
	"github.com/quirehq/quire/mail"
	_ "modernc.org/sqlite"
)

// lateWorkspace is the deletion store, through which a workspace of the
// user is created just before the deletion commits: as if the user made
// one in another tab between Request's first listing and its commit.
type lateWorkspace struct {
	quire.AccountDeletionService
	create func(ctx context.Context, userID string)
}

func (l *lateWorkspace) RequestDeletion(ctx context.Context, d *quire.AccountDeletion) error {
	l.create(ctx, d.UserID)
	return l.AccountDeletionService.RequestDeletion(ctx, d)
}

// TestRequestShredsLateWorkspace: a workspace created after the first
// listing of the owned workspaces, before the deletion is recorded, is
// shredded at once too.
func TestRequestShredsLateWorkspace(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	ann := e.signUp("late@example.com")
	var late *quire.Note
	var lateWS string
	deletions := &lateWorkspace{AccountDeletionService: e.deletions, create: func(ctx context.Context, userID string) {
		w := &quire.Workspace{Name: "Late", Region: quire.RegionEU, OwnerID: userID}
		mustOK(t, e.ws.CreateWorkspace(ctx, w))
		lateWS, late = w.ID, e.note(w.ID, "Late note", "written in the meantime")
	}}
	svc, err := erase.New(erase.Config{Deletions: deletions, Users: e.users, Workspaces: e.ws,
		Accounts: accountStore(e), Identity: e.accounts, Shred: e.b.Shred, Forget: e.finder.Forget})
	mustOK(t, err)
	d, err := svc.Request(ctx, ann.user.ID, password, "", "")
	mustOK(t, err)
	if d.Status != quire.DeletionShredded || !slices.Contains(d.WorkspaceIDs, lateWS) {
		t.Fatalf("deletion = %+v; want shredded, with %s", d, lateWS)
	}
	if _, err := e.notes.FindNoteByID(ctx, lateWS, late.ID); err == nil {
		t.Fatal("the note of the workspace created meanwhile still decrypts")
	}
}

// TestRequestShredsDespiteBrokenShare: a share whose stored address no
// longer decrypts does not stop the keys being shredded; the purge then
// deletes its row with the workspace.
func TestRequestShredsDespiteBrokenShare(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	ann := e.signUp("broken-share@example.com")
	f := &quire.Folder{WorkspaceID: ann.personal, Name: "shared"}
	mustOK(t, e.folderStore().CreateFolder(ctx, f))
	idx := func() []byte {
		b := make([]byte, quire.ShareIndexSize)
		_, _ = rand.Read(b)
		return b
	}
	sh := &quire.FolderShare{WorkspaceID: ann.personal, FolderID: f.ID, Email: "carol@example.com", Permission: quire.ShareRead,
		InvitedBy: ann.user.ID, ExpiresAt: time.Now().Add(time.Hour)}
	mustOK(t, e.shares.CreateShare(ctx, sh, idx(), idx()))
	own := e.note(ann.personal, "Private", "words")

	raw, err := sql.Open("sqlite", filepath.Join(e.dir, "quire.db"))
	mustOK(t, err)
	defer raw.Close()
	_, err = raw.ExecContext(ctx, "UPDATE folder_shares SET email_enc = randomblob(64) WHERE id = ?", sh.ID)
	mustOK(t, err)
	if _, err := e.shares.FindShares(ctx, ann.personal, ""); err == nil {
		t.Fatal("the damaged share still decrypts: the test is blind")
	}

	d, err := e.svc.Request(ctx, ann.user.ID, password, "", "")
	mustOK(t, err)
	if d.Status != quire.DeletionShredded {
		t.Fatalf("deletion = %+v; want shredded despite the share", d)
	}
	if _, err := e.notes.FindNoteByID(ctx, ann.personal, own.ID); err == nil {
		t.Fatal("the note still decrypts")
	}
	mustOK(t, e.svc.Purge(ctx, ann.user.ID))
	var n int
	mustOK(t, raw.QueryRowContext(ctx, "SELECT count(*) FROM folder_shares WHERE id = ?", sh.ID).Scan(&n))
	if n != 0 {
		t.Fatal("the share's row outlived the purge")
	}
}

// TestReceiptWhenShredFails: when shredding fails the deletion stays
// pending and the receipt does not say the keys were destroyed; when it
// succeeds, it does.
func TestReceiptWhenShredFails(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	ann := e.signUp("shred-fails@example.com")
	svc, err := erase.New(erase.Config{Deletions: e.deletions, Users: e.users, Workspaces: e.ws,
		Accounts: accountStore(e), Identity: e.accounts, Forget: e.finder.Forget,
		Shred: func(context.Context, barrier.Scope) error { return errors.New("key store unavailable") },
		Mail:  &mail.Outbox{Dir: e.outbox}})
	mustOK(t, err)
	d, err := svc.Request(ctx, ann.user.ID, password, "", "")
	mustOK(t, err)
	if d.Status != quire.DeletionPending {
		t.Fatalf("deletion = %+v; want pending", d)
	}
	receipts := authtest.Files(t, e.outbox, mail.KindAccountDeleted)
	if len(receipts) != 1 {
		t.Fatalf("receipts %v", receipts)
	}
	if fileHolds(t, receipts[0], "were destroyed") || !fileHolds(t, receipts[0], "are being destroyed") {
		t.Fatal("the receipt of a deletion whose shred failed says the keys were destroyed")
	}

	bob := e.signUp("shred-works@example.com")
	_, err = e.svc.Request(ctx, bob.user.ID, password, "", "")
	mustOK(t, err)
	receipts = authtest.Files(t, e.outbox, mail.KindAccountDeleted)
	var found bool
	for _, r := range receipts {
		if fileHolds(t, r, "shred-works@example.com") {
			found = fileHolds(t, r, "were destroyed in our database")
		}
	}
	if !found {
		t.Fatal("the receipt of a shredded deletion does not say the keys were destroyed")
	}
}
