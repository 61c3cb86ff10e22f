package sharing_test

import (
	"context"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/quirehq/quire"
	"github.com/quirehq/quire/internal/authtest"
	"github.com/quirehq/quire/mail"
	"github.com/quirehq/quire/sharing"
	"github.com/quirehq/quire/sqlite"
)

// inbox records the messages sent; fail makes the next Send fail.
type inbox struct {
	mu   sync.Mutex
	msgs []mail.Message
	fail bool
}

func (b *inbox) Send(_ context.Context, m mail.Message) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.fail {
		b.fail = false
		return quire.Errorf(quire.EUNAVAILABLE, "smtp down")
	}
	b.msgs = append(b.msgs, m)
	return nil
}

// token returns the token of the last invitation sent to addr.
func (b *inbox) token(t *testing.T, addr string) string {
	t.Helper()
	b.mu.Lock()
	defer b.mu.Unlock()
	for i := len(b.msgs) - 1; i >= 0; i-- {
		m := b.msgs[i]
		if m.To != addr || m.Kind != mail.KindFolderInvite {
			continue
		}
		u, err := url.Parse(m.Data["link"])
		if err != nil || u.Path != "/invite" || !strings.HasPrefix(m.Data["link"], "https://quire.test/invite?token=") {
			t.Fatalf("invitation link %q", m.Data["link"])
		}
		return u.Query().Get("token")
	}
	t.Fatalf("no invitation sent to %s", addr)
	return ""
}

type env struct {
	t       *testing.T
	svc     *sharing.Service
	notes   quire.NoteService
	ideas   quire.IdeaService
	folders quire.FolderService
	shares  quire.ShareService
	mail    *inbox
	// accounts makes users with credentials, as sign-up does.
	accounts quire.AuthStore
	now      time.Time
	// ann owns workspace annWS with folder plans; bob and eve have
	// workspaces of their own.
	ann, bob, eve       *quire.User
	annWS, bobWS, plans string
}

func newEnv(t *testing.T) *env {
	t.Helper()
	db, b, _ := authtest.SQLite(t)
	users, wss, accounts := sqlite.NewUserService(db, b), sqlite.NewWorkspaceService(db, b), sqlite.NewAuthService(db, b)
	e := &env{t: t, notes: sqlite.NewNoteService(db, b), ideas: sqlite.NewIdeaService(db, b),
		folders: sqlite.NewFolderService(db, b), shares: sqlite.NewShareService(db, b), mail: &inbox{},
		now: time.Now().UTC(), accounts: accounts}
	svc, err := sharing.New(sharing.Config{Shares: e.shares, Folders: e.folders, Workspaces: wss, Users: users,
		Credentials: accounts, Mail: e.mail, Index: b.BlindIndex, Now: func() time.Time { return e.now }})
	if err != nil {
		t.Fatal(err)
	}
	e.svc = svc
	e.ann, e.annWS = e.account("ann", true)
	e.bob, e.bobWS = e.account("bob", true)
	e.eve, _ = e.account("eve", true)
	e.plans = e.folder(e.annWS, "plans")
	return e
}

// account makes a user with a personal workspace, its address verified
// or not.
func (e *env) account(name string, verified bool) (*quire.User, string) {
	e.t.Helper()
	ctx := context.Background()
	u := &quire.User{Email: name + "@example.com", Name: name}
	w, err := e.accounts.CreateAccount(ctx, &quire.Account{User: u, PasswordHash: "not-a-real-hash", WorkspaceName: name, Region: quire.RegionUS})
	if err != nil {
		e.t.Fatal(err)
	}
	if verified {
		if err := e.accounts.MarkEmailVerified(ctx, u.ID, time.Now()); err != nil {
			e.t.Fatal(err)
		}
	}
	return u, w.ID
}

func (e *env) folder(ws, name string) string {
	e.t.Helper()
	f := &quire.Folder{WorkspaceID: ws, Name: name}
	if err := e.folders.CreateFolder(context.Background(), f); err != nil {
		e.t.Fatal(err)
	}
	return f.ID
}

// invite has ann share plans with addr and returns the emailed token.
func (e *env) invite(addr string, p quire.SharePermission) (*quire.FolderShare, string) {
	e.t.Helper()
	sh, _, err := e.svc.Invite(context.Background(), e.ann.ID, e.plans, addr, p, "https://quire.test/")
	if err != nil {
		e.t.Fatalf("Invite: %v", err)
	}
	return sh, e.mail.token(e.t, strings.ToLower(strings.TrimSpace(addr)))
}

// grant has ann share plans with bob, accepted.
func (e *env) grant(p quire.SharePermission) *quire.ShareGrant {
	e.t.Helper()
	ctx := context.Background()
	_, token := e.invite("bob@example.com", p)
	f, err := e.svc.Accept(ctx, e.bob.ID, token)
	if err != nil {
		e.t.Fatalf("Accept: %v", err)
	}
	g, err := e.svc.Grant(ctx, e.bob.ID, f.ShareID)
	if err != nil {
		e.t.Fatalf("Grant: %v", err)
	}
	return g
}

func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	if quire.ErrorCode(err) != code {
		t.Fatalf("error %v (code %q), want code %q", err, quire.ErrorCode(err), code)
	}
}

func TestInviteAndAccept(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	sh, token := e.invite(" Bob@Example.com ", quire.ShareRead)
	if sh.Email != "bob@example.com" || !sh.Pending() || sh.Permission != quire.ShareRead ||
		!sh.ExpiresAt.Equal(e.now.Add(sharing.DefaultInviteTTL).Truncate(time.Second)) {
		t.Fatalf("invitation %+v", sh)
	}
	m := e.mail.msgs[0]
	if m.Data["inviter"] != "ann@example.com" || m.Data["permission"] != "read" {
		t.Fatalf("email data %v", m.Data)
	}
	for k, v := range m.Data {
		if strings.Contains(v, "plans") {
			t.Fatalf("email field %s names the folder: %q", k, v)
		}
	}
	inv, err := e.svc.Preview(ctx, token)
	if err != nil || inv.Inviter != "ann@example.com" || inv.Permission != quire.ShareRead || inv.Expired {
		t.Fatalf("Preview = %+v, %v", inv, err)
	}
	// Someone else holding the link cannot use it.
	_, err = e.svc.Accept(ctx, e.eve.ID, token)
	wantCode(t, err, quire.EFORBIDDEN)
	f, err := e.svc.Accept(ctx, e.bob.ID, token)
	if err != nil {
		t.Fatal(err)
	}
	if f.Name != "plans" || f.FolderID != e.plans || f.Owner != "ann@example.com" || f.Permission != quire.ShareRead || f.AcceptedAt.IsZero() {
		t.Fatalf("accepted %+v", f)
	}
	// The token is spent.
	_, err = e.svc.Accept(ctx, e.bob.ID, token)
	wantCode(t, err, quire.ETOKENINVALID)
	_, err = e.svc.Preview(ctx, token)
	wantCode(t, err, quire.ETOKENINVALID)
	list, err := e.svc.SharedWithMe(ctx, e.bob.ID)
	if err != nil || len(list) != 1 || list[0].ShareID != sh.ID || list[0].Name != "plans" {
		t.Fatalf("SharedWithMe = %+v, %v", list, err)
	}
	if list, _ := e.svc.SharedWithMe(ctx, e.eve.ID); len(list) != 0 {
		t.Fatalf("eve sees %+v", list)
	}
	shares, err := e.svc.Shares(ctx, e.ann.ID, e.plans)
	if err != nil || len(shares) != 1 || shares[0].GranteeID != e.bob.ID || shares[0].Pending() {
		t.Fatalf("Shares = %+v, %v", shares, err)
	}
	// Inviting an address that accepted is a conflict.
	_, _, err = e.svc.Invite(ctx, e.ann.ID, e.plans, "bob@example.com", quire.ShareWrite, "https://quire.test")
	wantCode(t, err, quire.ECONFLICT)
}

func TestInviteBadInput(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	bobFolder := e.folder(e.bobWS, "bob's")
	for _, c := range []struct {
		name, user, folder, email string
		p                         quire.SharePermission
		code                      string
	}{
		{"permission", e.ann.ID, e.plans, "bob@example.com", "admin", quire.EINVALID},
		{"email", e.ann.ID, e.plans, "bob", quire.ShareRead, quire.EINVALID},
		{"header injection", e.ann.ID, e.plans, "bob@example.com\r\nBcc: x@y.z", quire.ShareRead, quire.EINVALID},
		{"self", e.ann.ID, e.plans, "ANN@example.com", quire.ShareRead, quire.EINVALID},
		{"another workspace's folder", e.ann.ID, bobFolder, "eve@example.com", quire.ShareRead, quire.ENOTFOUND},
		{"malformed folder", e.ann.ID, "../x", "eve@example.com", quire.ShareRead, quire.ENOTFOUND},
		{"not the owner", e.eve.ID, e.plans, "bob@example.com", quire.ShareRead, quire.ENOTFOUND},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, _, err := e.svc.Invite(ctx, c.user, c.folder, c.email, c.p, "https://quire.test")
			wantCode(t, err, c.code)
		})
	}
	if len(e.mail.msgs) != 0 {
		t.Fatalf("%d emails sent for refused invitations", len(e.mail.msgs))
	}
	for _, tok := range []string{"", "short", strings.Repeat("A", 43), strings.Repeat("é", 22)} {
		_, err := e.svc.Accept(ctx, e.bob.ID, tok)
		wantCode(t, err, quire.ETOKENINVALID)
	}
}

// A failed email leaves no invitation behind.
func TestInviteMailFailure(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.mail.fail = true
	_, _, err := e.svc.Invite(ctx, e.ann.ID, e.plans, "bob@example.com", quire.ShareRead, "https://quire.test")
	wantCode(t, err, quire.EUNAVAILABLE)
	if list, err := e.svc.Shares(ctx, e.ann.ID, e.plans); err != nil || len(list) != 0 {
		t.Fatalf("after a failed email the folder has shares %+v, %v", list, err)
	}
}

func TestInviteRenewAndExpiry(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	first, old := e.invite("bob@example.com", quire.ShareRead)
	second, fresh := e.invite("bob@example.com", quire.ShareWrite)
	if second.ID != first.ID || old == fresh || second.Permission != quire.ShareWrite {
		t.Fatalf("renewed %+v from %+v", second, first)
	}
	_, err := e.svc.Accept(ctx, e.bob.ID, old)
	wantCode(t, err, quire.ETOKENINVALID)
	e.now = e.now.Add(sharing.DefaultInviteTTL + time.Second)
	inv, err := e.svc.Preview(ctx, fresh)
	if err != nil || !inv.Expired {
		t.Fatalf("Preview after expiry = %+v, %v", inv, err)
	}
	_, err = e.svc.Accept(ctx, e.bob.ID, fresh)
	wantCode(t, err, quire.ETOKENINVALID)
	if list, _ := e.svc.SharedWithMe(ctx, e.bob.ID); len(list) != 0 {
		t.Fatalf("an expired invitation granted %+v", list)
	}
}

func TestPermissionRevokeLeave(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	g := e.grant(quire.ShareRead)
	bobFolder := e.folder(e.bobWS, "other")
	// Only the owner, and only through the share's own folder.
	_, err := e.svc.SetPermission(ctx, e.bob.ID, e.plans, g.ShareID, quire.ShareWrite)
	wantCode(t, err, quire.ENOTFOUND)
	_, err = e.svc.SetPermission(ctx, e.bob.ID, bobFolder, g.ShareID, quire.ShareWrite)
	wantCode(t, err, quire.ENOTFOUND)
	other := e.folder(e.annWS, "other")
	_, err = e.svc.SetPermission(ctx, e.ann.ID, other, g.ShareID, quire.ShareWrite)
	wantCode(t, err, quire.ENOTFOUND)
	sh, err := e.svc.SetPermission(ctx, e.ann.ID, e.plans, g.ShareID, quire.ShareWrite)
	if err != nil || sh.Permission != quire.ShareWrite {
		t.Fatalf("SetPermission = %+v, %v", sh, err)
	}
	if g, err := e.svc.Grant(ctx, e.bob.ID, g.ShareID); err != nil || g.Permission != quire.ShareWrite {
		t.Fatalf("grant after the change %+v, %v", g, err)
	}
	wantCode(t, e.svc.Revoke(ctx, e.eve.ID, e.plans, g.ShareID), quire.ENOTFOUND)
	wantCode(t, e.svc.Leave(ctx, e.eve.ID, g.ShareID), quire.ENOTFOUND)
	if err := e.svc.Revoke(ctx, e.ann.ID, e.plans, g.ShareID); err != nil {
		t.Fatal(err)
	}
	_, err = e.svc.Grant(ctx, e.bob.ID, g.ShareID)
	wantCode(t, err, quire.ENOTFOUND)

	g = e.grant(quire.ShareRead)
	if err := e.svc.Leave(ctx, e.bob.ID, g.ShareID); err != nil {
		t.Fatal(err)
	}
	if list, _ := e.svc.Shares(ctx, e.ann.ID, e.plans); len(list) != 0 {
		t.Fatalf("after leaving, the folder has shares %+v", list)
	}
}

func TestFolderNotesReadOnly(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	in := &quire.Note{WorkspaceID: e.annWS, Title: "in", Content: "shared", FolderID: e.plans}
	out := &quire.Note{WorkspaceID: e.annWS, Title: "out", Content: "private"}
	for _, n := range []*quire.Note{in, out} {
		if err := e.notes.CreateNote(ctx, n); err != nil {
			t.Fatal(err)
		}
	}
	notes := sharing.FolderNotes(e.notes, e.grant(quire.ShareRead))
	if n, err := notes.FindNoteByID(ctx, e.annWS, in.ID); err != nil || n.Content != "shared" {
		t.Fatalf("FindNoteByID(in) = %+v, %v", n, err)
	}
	_, err := notes.FindNoteByID(ctx, e.annWS, out.ID)
	wantCode(t, err, quire.ENOTFOUND)
	list, total, err := notes.FindNotes(ctx, quire.NoteFilter{WorkspaceID: e.annWS, Limit: 10})
	if err != nil || total != 1 || len(list) != 1 || list[0].ID != in.ID {
		t.Fatalf("FindNotes = %d %v, %v", total, list, err)
	}
	none := ""
	if list, total, _ := notes.FindNotes(ctx, quire.NoteFilter{WorkspaceID: e.annWS, FolderID: &none, Limit: 10}); total != 0 || len(list) != 0 {
		t.Fatalf("FindNotes outside any folder = %d %v", total, list)
	}
	title := "changed"
	_, err = notes.UpdateNote(ctx, e.annWS, in.ID, quire.NoteUpdate{Title: &title})
	wantCode(t, err, quire.EFORBIDDEN)
	wantCode(t, notes.DeleteNote(ctx, e.annWS, in.ID), quire.EFORBIDDEN)
	wantCode(t, notes.CreateNote(ctx, &quire.Note{WorkspaceID: e.annWS, Title: "x"}), quire.EFORBIDDEN)
	if _, err := notes.FindNoteVersions(ctx, e.annWS, in.ID); err != nil {
		t.Fatal(err)
	}
	_, err = notes.FindNoteVersions(ctx, e.annWS, out.ID)
	wantCode(t, err, quire.ENOTFOUND)
	if n, _ := e.notes.FindNoteByID(ctx, e.annWS, in.ID); n.Title != "in" || n.Version != 1 {
		t.Fatalf("a read-only grantee changed the note: %+v", n)
	}
}

func TestFolderNotesWrite(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	out := &quire.Note{WorkspaceID: e.annWS, Title: "out", Content: "private"}
	if err := e.notes.CreateNote(ctx, out); err != nil {
		t.Fatal(err)
	}
	other := e.folder(e.annWS, "other")
	notes := sharing.FolderNotes(e.notes, e.grant(quire.ShareWrite))
	n := &quire.Note{WorkspaceID: e.annWS, Title: "new", Content: "by bob"}
	if err := notes.CreateNote(ctx, n); err != nil || n.FolderID != e.plans {
		t.Fatalf("CreateNote = %v, folder %q", err, n.FolderID)
	}
	wantCode(t, notes.CreateNote(ctx, &quire.Note{WorkspaceID: e.annWS, Title: "x", FolderID: other}), quire.EFORBIDDEN)
	wantCode(t, notes.CreateNote(ctx, &quire.Note{WorkspaceID: e.annWS, Title: "x", Public: true}), quire.EFORBIDDEN)
	wantCode(t, notes.CreateNote(ctx, &quire.Note{WorkspaceID: e.bobWS, Title: "x"}), quire.ENOTFOUND)
	title, yes, none := "edited", true, ""
	if got, err := notes.UpdateNote(ctx, e.annWS, n.ID, quire.NoteUpdate{Title: &title}); err != nil || got.Title != "edited" {
		t.Fatalf("UpdateNote = %+v, %v", got, err)
	}
	for _, upd := range []quire.NoteUpdate{{FolderID: &other}, {FolderID: &none}, {Public: &yes}} {
		_, err := notes.UpdateNote(ctx, e.annWS, n.ID, upd)
		wantCode(t, err, quire.EFORBIDDEN)
	}
	_, err := notes.UpdateNote(ctx, e.annWS, out.ID, quire.NoteUpdate{Title: &title})
	wantCode(t, err, quire.ENOTFOUND)
	wantCode(t, notes.DeleteNote(ctx, e.annWS, out.ID), quire.ENOTFOUND)
	// A note the owner moves out is out of reach at once.
	if _, err := e.notes.UpdateNote(ctx, e.annWS, n.ID, quire.NoteUpdate{FolderID: &other}); err != nil {
		t.Fatal(err)
	}
	_, err = notes.UpdateNote(ctx, e.annWS, n.ID, quire.NoteUpdate{Title: &title})
	wantCode(t, err, quire.ENOTFOUND)
	if _, err := e.notes.UpdateNote(ctx, e.annWS, n.ID, quire.NoteUpdate{FolderID: &e.plans}); err != nil {
		t.Fatal(err)
	}
	if err := notes.DeleteNote(ctx, e.annWS, n.ID); err != nil {
		t.Fatal(err)
	}
	if n, err := e.notes.FindNoteByID(ctx, e.annWS, out.ID); err != nil || n.Title != "out" {
		t.Fatalf("the note outside the folder: %+v, %v", n, err)
	}
}

func TestFolderIdeas(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	in := &quire.Idea{WorkspaceID: e.annWS, Text: "shared idea", FolderID: e.plans}
	out := &quire.Idea{WorkspaceID: e.annWS, Text: "private idea"}
	for _, i := range []*quire.Idea{in, out} {
		if err := e.ideas.CreateIdea(ctx, i); err != nil {
			t.Fatal(err)
		}
	}
	g := e.grant(quire.ShareRead)
	read := sharing.FolderIdeas(e.ideas, g)
	if list, total, err := read.FindIdeas(ctx, quire.IdeaFilter{WorkspaceID: e.annWS, Limit: 10}); err != nil || total != 1 || list[0].ID != in.ID {
		t.Fatalf("FindIdeas = %d %v, %v", total, list, err)
	}
	_, err := read.FindIdeaByID(ctx, e.annWS, out.ID)
	wantCode(t, err, quire.ENOTFOUND)
	text := "changed"
	_, err = read.UpdateIdea(ctx, e.annWS, in.ID, quire.IdeaUpdate{Text: &text})
	wantCode(t, err, quire.EFORBIDDEN)
	wantCode(t, read.DeleteIdea(ctx, e.annWS, in.ID), quire.EFORBIDDEN)

	write := sharing.FolderIdeas(e.ideas, &quire.ShareGrant{ShareID: g.ShareID, WorkspaceID: g.WorkspaceID, FolderID: g.FolderID, Permission: quire.ShareWrite})
	wantCode(t, write.MoveIdeas(ctx, e.annWS, []string{in.ID}, ""), quire.EFORBIDDEN)
	wantCode(t, write.DeleteIdeas(ctx, e.annWS, []string{in.ID, out.ID}), quire.ENOTFOUND)
	if _, err := e.ideas.FindIdeaByID(ctx, e.annWS, in.ID); err != nil {
		t.Fatalf("a refused bulk delete deleted the shared idea: %v", err)
	}
	_, err = write.PromoteIdea(ctx, e.annWS, out.ID)
	wantCode(t, err, quire.ENOTFOUND)
	n, err := write.PromoteIdea(ctx, e.annWS, in.ID)
	if err != nil || n.FolderID != e.plans {
		t.Fatalf("PromoteIdea = %+v, %v", n, err)
	}
	if err := write.CreateIdea(ctx, &quire.Idea{WorkspaceID: e.annWS, Text: "new"}); err != nil {
		t.Fatal(err)
	}
	if _, total, _ := e.ideas.FindIdeas(ctx, quire.IdeaFilter{WorkspaceID: e.annWS, FolderID: &e.plans, Limit: 10}); total != 1 {
		t.Fatalf("the folder holds %d ideas, want the new one", total)
	}
	if i, err := e.ideas.FindIdeaByID(ctx, e.annWS, out.ID); err != nil || i.Text != "private idea" {
		t.Fatalf("the idea outside the folder: %+v, %v", i, err)
	}
}

// Whoever holds a forwarded link and signs up with the invited address
// before its owner cannot accept until the address is proven.
func TestAcceptNeedsVerifiedAddress(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	dan, _ := e.account("dan", false)
	_, token := e.invite("dan@example.com", quire.ShareRead)
	_, err := e.svc.Accept(ctx, dan.ID, token)
	wantCode(t, err, quire.EEMAILUNVERIFIED)
	if err := e.accounts.MarkEmailVerified(ctx, dan.ID, time.Now()); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Accept(ctx, dan.ID, token); err != nil {
		t.Fatalf("Accept once verified: %v", err)
	}
}

func TestInviteRenewedFlag(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	_, renewed, err := e.svc.Invite(ctx, e.ann.ID, e.plans, "bob@example.com", quire.ShareRead, "https://quire.test")
	if err != nil || renewed {
		t.Fatalf("first invitation: renewed %v, %v", renewed, err)
	}
	time.Sleep(2 * time.Millisecond)
	_, renewed, err = e.svc.Invite(ctx, e.ann.ID, e.plans, "bob@example.com", quire.ShareRead, "https://quire.test")
	if err != nil || !renewed {
		t.Fatalf("second invitation: renewed %v, %v", renewed, err)
	}
}

func TestFolderIdeasWriteOutside(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	in := &quire.Idea{WorkspaceID: e.annWS, Text: "shared idea", FolderID: e.plans}
	out := &quire.Idea{WorkspaceID: e.annWS, Text: "private idea"}
	for _, i := range []*quire.Idea{in, out} {
		if err := e.ideas.CreateIdea(ctx, i); err != nil {
			t.Fatal(err)
		}
	}
	other := e.folder(e.annWS, "other")
	ideas, _, err := e.svc.Ideas(ctx, e.bob.ID, e.grant(quire.ShareWrite).ShareID, e.ideas)
	if err != nil {
		t.Fatal(err)
	}
	text := "changed"
	_, err = ideas.UpdateIdea(ctx, e.annWS, out.ID, quire.IdeaUpdate{Text: &text})
	wantCode(t, err, quire.ENOTFOUND)
	wantCode(t, ideas.DeleteIdea(ctx, e.annWS, out.ID), quire.ENOTFOUND)
	_, err = ideas.UpdateIdea(ctx, e.annWS, in.ID, quire.IdeaUpdate{FolderID: &other})
	wantCode(t, err, quire.EFORBIDDEN)
	got, err := ideas.UpdateIdea(ctx, e.annWS, in.ID, quire.IdeaUpdate{Text: &text, FolderID: &e.plans})
	if err != nil || got.Text != "changed" || got.FolderID != e.plans {
		t.Fatalf("UpdateIdea in the folder = %+v, %v", got, err)
	}
	if i, _ := e.ideas.FindIdeaByID(ctx, e.annWS, out.ID); i.Text != "private idea" {
		t.Fatalf("the idea outside the folder changed: %+v", i)
	}
}

// moveFirst is the owner's note store with a move out of the folder made
// just before the first update it passes on: the owner's move racing a
// grantee's write.
type moveFirst struct {
	quire.NoteService
	to    string
	moved bool
}

func (m *moveFirst) UpdateNote(ctx context.Context, ws, id string, upd quire.NoteUpdate) (*quire.Note, error) {
	if !m.moved {
		m.moved = true
		if _, err := m.NoteService.UpdateNote(ctx, ws, id, quire.NoteUpdate{FolderID: &m.to}); err != nil {
			return nil, err
		}
	}
	return m.NoteService.UpdateNote(ctx, ws, id, upd)
}

func TestFolderNotesVersionGuard(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	n := &quire.Note{WorkspaceID: e.annWS, Title: "in", Content: "shared", FolderID: e.plans}
	if err := e.notes.CreateNote(ctx, n); err != nil {
		t.Fatal(err)
	}
	private := e.folder(e.annWS, "private")
	g := e.grant(quire.ShareWrite)
	title := "tampered"
	// A version the caller names must be the one checked.
	notes := sharing.FolderNotes(e.notes, g)
	_, err := notes.UpdateNote(ctx, e.annWS, n.ID, quire.NoteUpdate{Title: &title, IfVersion: 2})
	wantCode(t, err, quire.ECONFLICT)
	// A move out between the check and the write: the write does not land.
	racing := sharing.FolderNotes(&moveFirst{NoteService: e.notes, to: private}, g)
	_, err = racing.UpdateNote(ctx, e.annWS, n.ID, quire.NoteUpdate{Title: &title})
	wantCode(t, err, quire.ECONFLICT)
	got, _ := e.notes.FindNoteByID(ctx, e.annWS, n.ID)
	if got.Title != "in" || got.FolderID != private {
		t.Fatalf("after the race the note is %+v", got)
	}
	// Now outside, it is out of reach whatever version is named.
	_, err = notes.UpdateNote(ctx, e.annWS, n.ID, quire.NoteUpdate{Title: &title, IfVersion: got.Version})
	wantCode(t, err, quire.ENOTFOUND)
}

// A write checks the share again just before it acts: a revocation or a
// change to read-only stops a request already under way.
func TestWritesRecheckTheShare(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	g := e.grant(quire.ShareWrite)
	notes, _, err := e.svc.Notes(ctx, e.bob.ID, g.ShareID, e.notes)
	if err != nil {
		t.Fatal(err)
	}
	ideas, _, err := e.svc.Ideas(ctx, e.bob.ID, g.ShareID, e.ideas)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.SetPermission(ctx, e.ann.ID, e.plans, g.ShareID, quire.ShareRead); err != nil {
		t.Fatal(err)
	}
	wantCode(t, notes.CreateNote(ctx, &quire.Note{WorkspaceID: e.annWS, Title: "late"}), quire.EFORBIDDEN)
	wantCode(t, ideas.CreateIdea(ctx, &quire.Idea{WorkspaceID: e.annWS, Text: "late"}), quire.EFORBIDDEN)
	if err := e.svc.Revoke(ctx, e.ann.ID, e.plans, g.ShareID); err != nil {
		t.Fatal(err)
	}
	wantCode(t, notes.CreateNote(ctx, &quire.Note{WorkspaceID: e.annWS, Title: "late"}), quire.ENOTFOUND)
	if _, total, _ := e.notes.FindNotes(ctx, quire.NoteFilter{WorkspaceID: e.annWS, Limit: 10}); total != 0 {
		t.Fatalf("a write after the revocation landed: %d notes", total)
	}
}
