package http_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/quirehq/quire"
	quirehttp "github.com/quirehq/quire/http"
	"github.com/quirehq/quire/internal/authtest"
	"github.com/quirehq/quire/mail"
	"github.com/quirehq/quire/sharing"
	"github.com/quirehq/quire/sqlite"
)

// sharesEnv is a server with accounts, notes, folders, ideas and folder
// sharing on one SQLite database; invitations land in outbox.
type sharesEnv struct {
	*wsAPI
	outbox string
}

func newSharesAPI(t *testing.T) *sharesEnv {
	t.Helper()
	db, b, dir := authtest.SQLite(t)
	svc, outbox := authtest.OnStore(t, db, b, dir, authtest.Options{})
	e := &wsAPI{t: t, svc: svc, ws: sqlite.NewWorkspaceService(db, b)}
	folders := sqlite.NewFolderService(db, b)
	sh, err := sharing.New(sharing.Config{Shares: sqlite.NewShareService(db, b), Folders: folders, Workspaces: e.ws,
		Users: sqlite.NewUserService(db, b), Credentials: sqlite.NewAuthService(db, b), Mail: &mail.Outbox{Dir: outbox}, Index: b.BlindIndex})
	if err != nil {
		t.Fatal(err)
	}
	e.srv = quirehttp.NewServer(quirehttp.Config{Auth: svc, AuthBurst: 1000, Workspaces: e.ws, Notes: sqlite.NewNoteService(db, b),
		Folders: folders, Ideas: sqlite.NewIdeaService(db, b), Sharing: sh})
	return &sharesEnv{wsAPI: e, outbox: outbox}
}

// share has owner invite addr to folder with permission and returns the
// share's ID and the emailed token.
func (e *sharesEnv) share(owner *wsUser, folder, addr, permission string) (string, string) {
	e.t.Helper()
	path := "/api/v1/folders/" + folder + "/shares"
	r := owner.want(owner.do(http.MethodPost, path, map[string]any{"email": addr, "permission": permission}), 201, "")
	id, _ := r.body["shareId"].(string)
	if !quire.ValidID(id) || r.header.Get("Location") != path+"/"+id || r.body["status"] != "pending" ||
		r.body["email"] != addr || r.body["permission"] != permission || r.body["expiresAt"] == nil {
		e.t.Fatalf("invite answered %v (Location %q)", r.body, r.header.Get("Location"))
	}
	if _, ok := r.body["token"]; ok {
		e.t.Fatal("the invite answer shows the token")
	}
	return id, authtest.Token(e.t, e.outbox, mail.KindFolderInvite)
}

// accept has u accept token and returns the shared folder's ID.
func accept(u *wsUser, token string) string {
	u.t.Helper()
	r := u.want(u.do(http.MethodPost, "/api/v1/invitations/accept", map[string]any{"token": token}), 200, "")
	id, _ := r.body["shareId"].(string)
	if !quire.ValidID(id) {
		u.t.Fatalf("accept answered %v", r.body)
	}
	return id
}

func TestSharesFlow(t *testing.T) {
	e := newSharesAPI(t)
	ann, bob := e.user("ann@example.com"), e.user("bob@example.com")
	plans := createFolder(ann, "plans")
	inside := createNote(ann, map[string]any{"title": "in", "content": "shared text", "folderId": plans})
	outside := createNote(ann, map[string]any{"title": "out", "content": "private text"})
	idea := createIdea(ann, map[string]any{"text": "shared idea", "folderId": plans})

	shareID, token := e.share(ann, plans, "bob@example.com", "read")
	link := authtest.Link(t, e.outbox, mail.KindFolderInvite)
	if link.String() != authtest.BaseURL+"/invite?token="+token {
		t.Fatalf("invitation link %s", link)
	}
	pre := bob.want(bob.do(http.MethodPost, "/api/v1/invitations/preview", map[string]any{"token": token}), 200, "")
	if pre.body["inviter"] != "ann@example.com" || pre.body["permission"] != "read" || pre.body["expired"] != false {
		t.Fatalf("preview %v", pre.body)
	}
	if got := accept(bob, token); got != shareID {
		t.Fatalf("accepted share %s, want %s", got, shareID)
	}
	bob.want(bob.do(http.MethodPost, "/api/v1/invitations/accept", map[string]any{"token": token}), 400, quire.ETOKENINVALID)

	list := bob.want(bob.do(http.MethodGet, "/api/v1/shared", nil), 200, "")
	folders, _ := list.body["folders"].([]any)
	if len(folders) != 1 {
		t.Fatalf("shared with bob: %v", list.body)
	}
	f := folders[0].(map[string]any)
	if f["name"] != "plans" || f["permission"] != "read" || f["owner"] != "ann@example.com" || f["noteCount"] != 1.0 || f["ideaCount"] != 1.0 {
		t.Fatalf("shared folder %v", f)
	}
	owned := ann.want(ann.do(http.MethodGet, "/api/v1/folders/"+plans+"/shares", nil), 200, "")
	if s := owned.body["shares"].([]any); len(s) != 1 || s[0].(map[string]any)["status"] != "accepted" {
		t.Fatalf("ann's shares %v", owned.body)
	}

	base := "/api/v1/shared/" + shareID
	notes := bob.want(bob.do(http.MethodGet, base+"/notes", nil), 200, "")
	if n := notes.body["notes"].([]any); notes.body["total"] != 1.0 || n[0].(map[string]any)["noteId"] != inside {
		t.Fatalf("bob lists %v", notes.body)
	}
	got := bob.want(bob.do(http.MethodGet, base+"/notes/"+inside, nil), 200, "")
	if got.body["content"] != "shared text" {
		t.Fatalf("bob reads %v", got.body)
	}
	bob.want(bob.do(http.MethodGet, base+"/notes/"+outside, nil), 404, quire.ENOTFOUND)
	bob.want(bob.do(http.MethodGet, base+"/notes/"+inside+"/versions", nil), 200, "")
	bob.want(bob.do(http.MethodGet, base+"/ideas/"+idea, nil), 200, "")
	// Read-only: every write is refused, and nothing changes.
	bob.want(bob.do(http.MethodPatch, base+"/notes/"+inside, map[string]any{"title": "x"}), 403, quire.EFORBIDDEN)
	bob.want(bob.do(http.MethodPost, base+"/notes", map[string]any{"title": "x"}), 403, quire.EFORBIDDEN)
	bob.want(bob.do(http.MethodDelete, base+"/notes/"+inside, nil), 403, quire.EFORBIDDEN)
	bob.want(bob.do(http.MethodPost, base+"/ideas", map[string]any{"text": "x"}), 403, quire.EFORBIDDEN)
	bob.want(bob.do(http.MethodDelete, base+"/ideas/"+idea, nil), 403, quire.EFORBIDDEN)

	// Write: bob's notes and ideas land in ann's folder.
	ann.want(ann.do(http.MethodPatch, "/api/v1/folders/"+plans+"/shares/"+shareID, map[string]any{"permission": "write"}), 200, "")
	r := bob.want(bob.do(http.MethodPost, base+"/notes", map[string]any{"title": "by bob", "content": "hello"}), 201, "")
	bobNote, _ := r.body["noteId"].(string)
	if r.header.Get("Location") != base+"/notes/"+bobNote {
		t.Fatalf("Location %q", r.header.Get("Location"))
	}
	mine := ann.want(ann.do(http.MethodGet, "/api/v1/notes/"+bobNote, nil), 200, "")
	if mine.body["folderId"] != plans || mine.body["title"] != "by bob" {
		t.Fatalf("ann sees bob's note as %v", mine.body)
	}
	bob.want(bob.do(http.MethodPatch, base+"/notes/"+inside, map[string]any{"content": "edited by bob"}), 200, "")
	bob.want(bob.do(http.MethodPatch, base+"/notes/"+inside, map[string]any{"isPublic": true}), 403, quire.EFORBIDDEN)
	bob.want(bob.do(http.MethodPatch, base+"/notes/"+inside, map[string]any{"folderId": nil}), 403, quire.EFORBIDDEN)
	outsideIdea := createIdea(ann, map[string]any{"text": "private idea"})
	for _, c := range []struct{ method, path string }{
		{http.MethodGet, base + "/notes/" + outside},
		{http.MethodPatch, base + "/notes/" + outside},
		{http.MethodDelete, base + "/notes/" + outside},
		{http.MethodGet, base + "/notes/" + outside + "/export?format=markdown"},
		{http.MethodGet, base + "/notes/" + outside + "/versions"},
		{http.MethodGet, base + "/notes/" + outside + "/versions/1"},
		{http.MethodPost, base + "/notes/" + outside + "/versions/1/restore"},
		{http.MethodGet, base + "/ideas/" + outsideIdea},
		{http.MethodPatch, base + "/ideas/" + outsideIdea},
		{http.MethodDelete, base + "/ideas/" + outsideIdea},
		{http.MethodPost, base + "/ideas/" + outsideIdea + "/promote"},
	} {
		var body any
		if c.method == http.MethodPatch {
			if strings.Contains(c.path, "/ideas/") {
				body = map[string]any{"text": "x"}
			} else {
				body = map[string]any{"title": "x"}
			}
		}
		if r := bob.do(c.method, c.path, body); r.status != 404 || r.code() != quire.ENOTFOUND {
			t.Errorf("bob's %s %s answered %d %v, want 404", c.method, c.path, r.status, r.body)
		}
	}
	if i := ann.want(ann.do(http.MethodGet, "/api/v1/ideas/"+outsideIdea, nil), 200, ""); i.body["text"] != "private idea" {
		t.Fatalf("the idea outside the folder changed: %v", i.body)
	}
	// A stale version is a version conflict with the current version.
	cur := bob.want(bob.do(http.MethodGet, base+"/notes/"+inside, nil), 200, "")
	v := int(cur.body["version"].(float64))
	stale := bob.do(http.MethodPatch, base+"/notes/"+inside, map[string]any{"content": "stale", "version": v + 1})
	if stale.status != 409 || stale.code() != "version_conflict" || stale.body["error"].(map[string]any)["currentVersion"] != float64(v) {
		t.Fatalf("a stale shared write answered %d %v", stale.status, stale.body)
	}
	bob.want(bob.do(http.MethodPatch, base+"/notes/"+inside, map[string]any{"content": "edited again", "version": v}), 200, "")
	bob.want(bob.do(http.MethodPatch, base+"/ideas/"+idea, map[string]any{"folderId": nil}), 403, quire.EFORBIDDEN)
	r = bob.want(bob.do(http.MethodPost, base+"/ideas/"+idea+"/promote", nil), 201, "")
	if loc := r.header.Get("Location"); !strings.HasPrefix(loc, base+"/notes/") {
		t.Fatalf("promote Location %q", loc)
	}
	if n := ann.want(ann.do(http.MethodGet, "/api/v1/notes/"+outside, nil), 200, ""); n.body["title"] != "out" {
		t.Fatalf("the note outside the folder changed: %v", n.body)
	}

	// Revoked: gone at once.
	ann.want(ann.do(http.MethodDelete, "/api/v1/folders/"+plans+"/shares/"+shareID, nil), 204, "")
	bob.want(bob.do(http.MethodGet, base+"/notes/"+inside, nil), 404, quire.ENOTFOUND)
	bob.want(bob.do(http.MethodGet, base, nil), 404, quire.ENOTFOUND)
	if l := bob.want(bob.do(http.MethodGet, "/api/v1/shared", nil), 200, ""); len(l.body["folders"].([]any)) != 0 {
		t.Fatalf("after revoking, bob sees %v", l.body)
	}

	// Leaving.
	shareID, token = e.share(ann, plans, "bob@example.com", "read")
	accept(bob, token)
	bob.want(bob.do(http.MethodDelete, "/api/v1/shared/"+shareID, nil), 204, "")
	if s := ann.want(ann.do(http.MethodGet, "/api/v1/folders/"+plans+"/shares", nil), 200, ""); len(s.body["shares"].([]any)) != 0 {
		t.Fatalf("after bob left, ann's folder has shares %v", s.body)
	}
}

// TestSharesIsolation tries every sharing route as someone the share is
// not for (claim ISO-1): a third user with the share's and folder's IDs
// and the invitation's token, and the grantee on the owner's routes and
// on their own notes routes with the owner's IDs. Each answers as for an
// ID that never existed, and nothing changes.
func TestSharesIsolation(t *testing.T) {
	e := newSharesAPI(t)
	ann, bob, eve := e.user("ann@example.com"), e.user("bob@example.com"), e.user("eve@example.com")
	plans := createFolder(ann, "plans")
	note := createNote(ann, map[string]any{"title": "in", "content": "shared text", "folderId": plans})
	idea := createIdea(ann, map[string]any{"text": "shared idea", "folderId": plans})
	shareID, token := e.share(ann, plans, "bob@example.com", "write")
	eve.want(eve.do(http.MethodPost, "/api/v1/invitations/accept", map[string]any{"token": token}), 403, quire.EFORBIDDEN)
	accept(bob, token)

	base := "/api/v1/shared/" + shareID
	folderShares := "/api/v1/folders/" + plans + "/shares"
	for _, c := range []struct {
		who          *wsUser
		method, path string
		body         any
	}{
		{eve, http.MethodGet, base, nil},
		{eve, http.MethodDelete, base, nil},
		{eve, http.MethodGet, base + "/notes", nil},
		{eve, http.MethodPost, base + "/notes", map[string]any{"title": "x"}},
		{eve, http.MethodGet, base + "/notes/" + note, nil},
		{eve, http.MethodPatch, base + "/notes/" + note, map[string]any{"title": "x"}},
		{eve, http.MethodDelete, base + "/notes/" + note, nil},
		{eve, http.MethodGet, base + "/notes/" + note + "/export", nil},
		{eve, http.MethodGet, base + "/notes/" + note + "/versions", nil},
		{eve, http.MethodGet, base + "/notes/" + note + "/versions/1", nil},
		{eve, http.MethodPost, base + "/notes/" + note + "/versions/1/restore", nil},
		{eve, http.MethodGet, base + "/ideas", nil},
		{eve, http.MethodPost, base + "/ideas", map[string]any{"text": "x"}},
		{eve, http.MethodGet, base + "/ideas/" + idea, nil},
		{eve, http.MethodPatch, base + "/ideas/" + idea, map[string]any{"text": "x"}},
		{eve, http.MethodDelete, base + "/ideas/" + idea, nil},
		{eve, http.MethodPost, base + "/ideas/" + idea + "/promote", nil},
		{eve, http.MethodGet, folderShares, nil},
		{eve, http.MethodPost, folderShares, map[string]any{"email": "mallory@example.com", "permission": "write"}},
		{eve, http.MethodPatch, folderShares + "/" + shareID, map[string]any{"permission": "read"}},
		{eve, http.MethodDelete, folderShares + "/" + shareID, nil},
		{bob, http.MethodGet, folderShares, nil},
		{bob, http.MethodPost, folderShares, map[string]any{"email": "mallory@example.com", "permission": "write"}},
		{bob, http.MethodPatch, folderShares + "/" + shareID, map[string]any{"permission": "write"}},
		{bob, http.MethodDelete, folderShares + "/" + shareID, nil},
		{bob, http.MethodGet, "/api/v1/notes/" + note, nil},
		{bob, http.MethodPatch, "/api/v1/notes/" + note, map[string]any{"title": "x"}},
		{bob, http.MethodGet, "/api/v1/ideas/" + idea, nil},
		{bob, http.MethodGet, "/api/v1/folders/" + plans, nil},
	} {
		r := c.who.do(c.method, c.path, c.body)
		if r.status != 404 || r.code() != quire.ENOTFOUND {
			t.Errorf("%s %s answered %d %v, want 404 not_found", c.method, c.path, r.status, r.body)
		}
	}
	if n := ann.want(ann.do(http.MethodGet, "/api/v1/notes/"+note, nil), 200, ""); n.body["title"] != "in" || n.body["version"] != 1.0 {
		t.Fatalf("the shared note changed: %v", n.body)
	}
	if s := ann.want(ann.do(http.MethodGet, folderShares, nil), 200, ""); len(s.body["shares"].([]any)) != 1 {
		t.Fatalf("ann's folder has shares %v", s.body)
	}
	if l := eve.want(eve.do(http.MethodGet, "/api/v1/shared", nil), 200, ""); len(l.body["folders"].([]any)) != 0 {
		t.Fatalf("eve sees %v", l.body)
	}
}

func TestSharesBadInput(t *testing.T) {
	e := newSharesAPI(t)
	ann := e.user("ann@example.com")
	plans := createFolder(ann, "plans")
	path := "/api/v1/folders/" + plans + "/shares"
	for _, body := range []any{
		map[string]any{"email": "bob@example.com"},
		map[string]any{"email": "bob@example.com", "permission": "owner"},
		map[string]any{"email": "not an address", "permission": "read"},
		map[string]any{"email": "ann@example.com", "permission": "read"},
		map[string]any{"email": "bob@example.com", "permission": "read", "role": "admin"},
		nil,
	} {
		ann.want(ann.do(http.MethodPost, path, body), 400, quire.EINVALID)
	}
	ann.want(ann.do(http.MethodPost, path+"?x=1", map[string]any{"email": "bob@example.com", "permission": "read"}), 400, quire.EINVALID)
	if files := authtest.Files(t, e.outbox, mail.KindFolderInvite); len(files) != 0 {
		t.Fatalf("refused invitations sent %d emails", len(files))
	}
	for _, tok := range []any{map[string]any{}, map[string]any{"token": "nope"}, map[string]any{"token": strings.Repeat("A", 43)}} {
		r := ann.do(http.MethodPost, "/api/v1/invitations/accept", tok)
		if r.status != 400 {
			t.Errorf("accept %v answered %d %v, want 400", tok, r.status, r.body)
		}
	}
	anon := ann.clone()
	anon.want(anon.do(http.MethodPost, "/api/v1/invitations/accept", map[string]any{"token": strings.Repeat("A", 43)}), 401, quire.EUNAUTHORIZED)
	anon.want(anon.do(http.MethodGet, "/api/v1/shared", nil), 401, quire.EUNAUTHORIZED)
	anon.want(anon.do(http.MethodGet, path, nil), 401, quire.EUNAUTHORIZED)
}

// TestInvitePage follows an invitation to someone with no account: the
// emailed link's page, sign-up, then acceptance by the page's button.
func TestInvitePage(t *testing.T) {
	e := newSharesAPI(t)
	ann := e.user("ann@example.com")
	plans := createFolder(ann, "plans")
	_, token := e.share(ann, plans, "carol@example.com", "write")
	pages := &pageEnv{srv: e.srv, svc: e.svc, outbox: e.outbox}

	anon := pages.browser(t).get("/invite?token="+token).want(t, http.StatusOK)
	anon.contains(t, "ann@example.com shared a folder with you, with write access", `href="/signup"`, `href="/login"`)
	if strings.Contains(anon.body, `action="/invite"`) || strings.Contains(anon.body, "plans") {
		t.Fatalf("the page for a signed-out visitor offers to accept or names the folder:\n%s", anon.body)
	}
	pages.browser(t).get("/invite?token="+strings.Repeat("A", 43)).want(t, http.StatusBadRequest)
	pages.browser(t).get("/invite").want(t, http.StatusBadRequest)

	carol := pages.signUp(t, "carol@example.com", goodPassword)
	carol.get("/invite?token="+token).want(t, http.StatusOK).contains(t, `action="/invite"`, `name="token" value="`+token+`"`)
	carol.post("/invite", url.Values{"token": {token}}).redirect(t, "/account?done=folder-shared")
	shared := carol.get("/api/v1/shared").want(t, http.StatusOK)
	if !strings.Contains(shared.body, `"name":"plans"`) || !strings.Contains(shared.body, `"permission":"write"`) {
		t.Fatalf("carol's shared folders: %s", shared.body)
	}
	// The link is spent.
	carol.get("/invite?token="+token).want(t, http.StatusBadRequest)
	carol.post("/invite", url.Values{"token": {token}}).want(t, http.StatusBadRequest)
	// Signed out, the form's target sends the browser to sign in.
	pages.browser(t).post("/invite", url.Values{"token": {token}}).redirect(t, "/login")
}

// TestSharesRenewAndVerify: inviting again renews (200, the same share),
// the owner reads one share, and an unverified address cannot accept.
func TestSharesRenewAndVerify(t *testing.T) {
	e := newSharesAPI(t)
	ann := e.user("ann@example.com")
	plans := createFolder(ann, "plans")
	id, _ := e.share(ann, plans, "dan@example.com", "read")
	path := "/api/v1/folders/" + plans + "/shares"
	again := ann.want(ann.do(http.MethodPost, path, map[string]any{"email": "dan@example.com", "permission": "write"}), 200, "")
	if again.body["shareId"] != id || again.body["permission"] != "write" || again.header.Get("Location") != path+"/"+id {
		t.Fatalf("renewal answered %v (Location %q)", again.body, again.header.Get("Location"))
	}
	one := ann.want(ann.do(http.MethodGet, path+"/"+id, nil), 200, "")
	if one.body["email"] != "dan@example.com" || one.body["status"] != "pending" {
		t.Fatalf("GET share %v", one.body)
	}
	token := authtest.Token(t, e.outbox, mail.KindFolderInvite)
	// Dan signs up but has not confirmed the address yet.
	dan := &wsUser{apiClient: &apiClient{t: t, srv: e.srv, site: "same-origin"}}
	dan.want(dan.do(http.MethodPost, "/api/v1/auth/signup", creds("dan@example.com", apiPassword)), 201, "")
	dan.want(dan.do(http.MethodPost, "/api/v1/invitations/accept", map[string]any{"token": token}), 403, quire.EEMAILUNVERIFIED)
	confirm(t, e.svc, "dan@example.com")
	accept(dan, token)
	// A cross-origin form cannot accept on someone's behalf.
	pages := &pageEnv{srv: e.srv, svc: e.svc, outbox: e.outbox}
	eve := pages.signUp(t, "eve@example.com", goodPassword)
	eve.site = "cross-site"
	eve.post("/invite", url.Values{"token": {token}}).want(t, http.StatusForbidden)
}
