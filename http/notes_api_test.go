package http_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/quirehq/quire"
	"github.com/quirehq/quire/edge/shield"
	quirehttp "github.com/quirehq/quire/http"
	"github.com/quirehq/quire/internal/authtest"
	"github.com/quirehq/quire/sqlite"
)

// newNotesAPI is a server with accounts, workspaces and notes on one
// SQLite database; sh, if not nil, is the shield in front of it.
func newNotesAPI(t *testing.T, sh *shield.Shield) *wsAPI {
	t.Helper()
	db, b, dir := authtest.SQLite(t)
	svc, _ := authtest.OnStore(t, db, b, dir, authtest.Options{})
	e := &wsAPI{t: t, svc: svc, ws: sqlite.NewWorkspaceService(db, b)}
	e.srv = quirehttp.NewServer(quirehttp.Config{Auth: svc, AuthBurst: 1000, Workspaces: e.ws, Notes: sqlite.NewNoteService(db, b),
		Folders: sqlite.NewFolderService(db, b), Shield: sh})
	return e
}

// send is c.raw with extra request headers.
func send(c *apiClient, method, path string, body any, header map[string]string) apiResult {
	c.t.Helper()
	var b []byte
	if s, ok := body.(string); ok {
		b = []byte(s)
	} else if body != nil {
		b, _ = json.Marshal(body)
	}
	req := httptest.NewRequest(method, "https://quire.test"+path, bytes.NewReader(b))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Sec-Fetch-Site", c.site)
	if c.cookie != "" {
		req.AddCookie(&http.Cookie{Name: quirehttp.SessionCookie, Value: c.cookie})
	}
	if c.bearer != "" {
		req.Header.Set("Authorization", c.bearer)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	c.srv.ServeHTTP(rec, req)
	out := apiResult{status: rec.Code, header: rec.Result().Header}
	_ = json.Unmarshal(rec.Body.Bytes(), &out.body)
	if out.status >= 500 {
		c.t.Fatalf("%s %s answered %d: %s", method, path, out.status, rec.Body.String())
	}
	return out
}

func createNote(u *wsUser, body any) string {
	u.t.Helper()
	r := u.want(u.do(http.MethodPost, "/api/v1/notes", body), 201, "")
	id, _ := r.body["noteId"].(string)
	if !quire.ValidID(id) || len(r.body) != 1 || r.header.Get("Location") != "/api/v1/notes/"+id {
		u.t.Fatalf("create answered %v (Location %q), want {noteId}", r.body, r.header.Get("Location"))
	}
	return id
}

func TestNotesCRUD(t *testing.T) {
	e := newNotesAPI(t, nil)
	u := e.user("notes@example.com")
	folder := createFolder(u, "plans")
	id := createNote(u, map[string]any{"title": "Plan", "content": "# Plan\n\n- [ ] write", "folderId": folder, "isPinned": true})
	createNote(u, map[string]any{"title": "Other", "content": "x"})

	got := u.want(u.do(http.MethodGet, "/api/v1/notes/"+id, nil), 200, "")
	if got.header.Get("ETag") != `"1"` {
		t.Fatalf("ETag = %q, want \"1\"", got.header.Get("ETag"))
	}
	for k, want := range map[string]any{"noteId": id, "title": "Plan", "content": "# Plan\n\n- [ ] write", "folderId": folder,
		"isPinned": true, "isPublic": false, "version": 1.0} {
		if got.body[k] != want {
			t.Errorf("note %s = %#v, want %#v", k, got.body[k], want)
		}
	}
	for _, k := range []string{"createdAt", "updatedAt"} {
		if _, ok := got.body[k].(string); !ok {
			t.Errorf("note has no %s", k)
		}
	}
	if _, ok := got.body["html"]; ok || len(got.body) != 9 {
		t.Errorf("note fields %v, want exactly the nine of the contract", got.body)
	}

	html := u.want(u.do(http.MethodGet, "/api/v1/notes/"+id+"?format=html", nil), 200, "")
	if h, _ := html.body["html"].(string); !strings.Contains(h, "<h1>Plan</h1>") || !strings.Contains(h, `type="checkbox"`) {
		t.Errorf("html = %q", h)
	}

	list := u.want(u.do(http.MethodGet, "/api/v1/notes", nil), 200, "")
	if list.body["total"] != 2.0 || len(list.body["notes"].([]any)) != 2 {
		t.Fatalf("list = %v, want 2 notes", list.body)
	}
	if first := list.body["notes"].([]any)[0].(map[string]any); first["noteId"] != id {
		t.Errorf("the pinned note is not first: %v", first)
	}
	pinned := u.want(u.do(http.MethodGet, "/api/v1/notes?pinnedOnly=true", nil), 200, "")
	if pinned.body["total"] != 1.0 {
		t.Errorf("pinnedOnly total = %v, want 1", pinned.body["total"])
	}
	inFolder := u.want(u.do(http.MethodGet, "/api/v1/notes?folderId="+folder, nil), 200, "")
	if inFolder.body["total"] != 1.0 {
		t.Errorf("folderId total = %v, want 1", inFolder.body["total"])
	}
	paged := u.want(u.do(http.MethodGet, "/api/v1/notes?limit=1&offset=1", nil), 200, "")
	if paged.body["total"] != 2.0 || len(paged.body["notes"].([]any)) != 1 {
		t.Errorf("paged list = %v, want total 2 with 1 note", paged.body)
	}

	upd := u.want(u.do(http.MethodPatch, "/api/v1/notes/"+id, map[string]any{"title": "Plan B", "isPublic": true, "folderId": nil}), 200, "")
	if upd.body["title"] != "Plan B" || upd.body["isPublic"] != true || upd.body["folderId"] != nil || upd.body["version"] != 2.0 ||
		upd.body["content"] != "# Plan\n\n- [ ] write" || upd.header.Get("ETag") != `"2"` {
		t.Fatalf("update answered %v (ETag %q)", upd.body, upd.header.Get("ETag"))
	}

	del := u.do(http.MethodDelete, "/api/v1/notes/"+id, nil)
	if del.status != http.StatusNoContent {
		t.Fatalf("delete answered %d", del.status)
	}
	u.want(u.do(http.MethodGet, "/api/v1/notes/"+id, nil), 404, "not_found")
	u.want(u.do(http.MethodDelete, "/api/v1/notes/"+id, nil), 404, "not_found")
}

// TestNotesVersionConflict: a stale If-Match or version field gets 409
// version_conflict with the current version and changes nothing.
func TestNotesVersionConflict(t *testing.T) {
	e := newNotesAPI(t, nil)
	u := e.user("versions@example.com")
	id := createNote(u, map[string]any{"title": "v", "content": "one"})
	path := "/api/v1/notes/" + id

	u.want(send(u.apiClient, http.MethodPatch, path, map[string]any{"content": "two"}, map[string]string{"If-Match": `"1"`}), 200, "")
	stale := u.want(send(u.apiClient, http.MethodPatch, path, map[string]any{"content": "lost"}, map[string]string{"If-Match": `"1"`}), 409, "version_conflict")
	if cur := stale.body["error"].(map[string]any)["currentVersion"]; cur != 2.0 || stale.header.Get("ETag") != `"2"` {
		t.Fatalf("conflict body %v (ETag %q), want currentVersion 2", stale.body, stale.header.Get("ETag"))
	}
	u.want(u.do(http.MethodPatch, path, map[string]any{"content": "lost", "version": 1}), 409, "version_conflict")
	u.want(u.do(http.MethodPatch, path, map[string]any{"content": "three", "version": 2}), 200, "")
	if got := u.want(u.do(http.MethodGet, path, nil), 200, ""); got.body["content"] != "three" || got.body["version"] != 3.0 {
		t.Fatalf("after the conflicts the note is %v, want content three at version 3", got.body)
	}
	for _, h := range []string{`1`, `W/"3"`, `"0"`, `"x"`, `"3", "4"`} {
		u.want(send(u.apiClient, http.MethodPatch, path, map[string]any{"content": "bad"}, map[string]string{"If-Match": h}), 400, "invalid_input")
	}
	u.want(send(u.apiClient, http.MethodPatch, path, map[string]any{"content": "x", "version": 2}, map[string]string{"If-Match": `"3"`}), 400, "invalid_input")
	u.want(send(u.apiClient, http.MethodPatch, path, map[string]any{"content": "four"}, map[string]string{"If-Match": "*"}), 200, "")
}

// TestNotesBadInput: every route refuses malformed input with a precise
// code and, for bodies, names the field.
func TestNotesBadInput(t *testing.T) {
	e := newNotesAPI(t, nil)
	u := e.user("bad@example.com")
	id := createNote(u, map[string]any{"title": "t", "content": "c"})
	path := "/api/v1/notes/" + id
	tests := []struct {
		method, path string
		body         any
		status       int
		code, msg    string
	}{
		{"POST", "/api/v1/notes", `{"title":"t","content":"c","isPublik":true}`, 400, "invalid_input", `"isPublik" is not known`},
		{"POST", "/api/v1/notes", `{"title":"t","updatedAt":"2020-01-01T00:00:00Z"}`, 400, "invalid_input", "set by the server"},
		{"POST", "/api/v1/notes", `{"title":5}`, 400, "invalid_input", `"title" has the wrong type`},
		{"POST", "/api/v1/notes", `{"title":"t"} {}`, 400, "invalid_input", "more than one"},
		{"POST", "/api/v1/notes", `null`, 400, "invalid_input", "JSON object"},
		{"POST", "/api/v1/notes", `{"title":"t","folderId":"../x"}`, 400, "invalid_input", "Folder ID"},
		{"POST", "/api/v1/notes", `{"title":"` + strings.Repeat("a", quire.MaxNoteTitle+1) + `"}`, 400, "invalid_input", "title"},
		{"POST", "/api/v1/notes", `{"content":"` + strings.Repeat("a", quire.MaxNoteContent+1) + `"}`, 400, "invalid_input", "content"},
		{"PATCH", path, `{}`, 400, "invalid_input", "Nothing to change"},
		{"PATCH", path, `{"title":null}`, 400, "invalid_input", `"title" may not be null`},
		{"PATCH", path, `{"folderId":""}`, 400, "invalid_input", "folderId"},
		{"PATCH", path, `{"isPinned":"yes"}`, 400, "invalid_input", ""},
		{"PATCH", path, `{"noteId":"x"}`, 400, "invalid_input", `"noteId" is not known`},
		{"PATCH", path, `{"title":"t","version":0}`, 400, "invalid_input", "version"},
		{"GET", "/api/v1/notes?limit=0", nil, 400, "invalid_input", "limit"},
		{"GET", "/api/v1/notes?limit=201", nil, 400, "invalid_input", "limit"},
		{"GET", "/api/v1/notes?offset=-1", nil, 400, "invalid_input", "offset"},
		{"GET", "/api/v1/notes?pinnedOnly=maybe", nil, 400, "invalid_input", "pinnedOnly"},
		{"GET", "/api/v1/notes?folderId=..", nil, 400, "invalid_input", "folderId"},
		{"GET", "/api/v1/notes?workspaceId=x", nil, 400, "invalid_input", `"workspaceId" is not known`},
		{"GET", "/api/v1/notes?limit=1&limit=2", nil, 400, "invalid_input", "more than once"},
		{"GET", path + "?format=pdf", nil, 400, "invalid_input", "format"},
		{"GET", "/api/v1/notes/not-an-id", nil, 404, "not_found", "Note not found"},
		{"PUT", path, `{}`, 405, "method_not_allowed", ""},
	}
	for _, tt := range tests {
		r := send(u.apiClient, tt.method, tt.path, tt.body, nil)
		msg, _ := r.body["error"].(map[string]any)["message"].(string)
		if r.status != tt.status || r.code() != tt.code || !strings.Contains(msg, tt.msg) {
			t.Errorf("%s %s %.60v: answered %d %q %q, want %d %q containing %q", tt.method, tt.path, tt.body, r.status, r.code(), msg, tt.status, tt.code, tt.msg)
		}
	}
	if got := u.want(u.do(http.MethodGet, path, nil), 200, ""); got.body["version"] != 1.0 {
		t.Fatalf("a refused request changed the note: %v", got.body)
	}
}

// TestNotesIsolation tries every route with a second user's note IDs
// (claim ISO-1): each answers 404, exactly as for an ID that never
// existed, and the note is unchanged.
func TestNotesIsolation(t *testing.T) {
	e := newNotesAPI(t, nil)
	alice, mallory := e.user("alice@example.com"), e.user("mallory@example.com")
	secret := createNote(alice, map[string]any{"title": "salary review", "content": "private", "isPinned": true})
	// Mallory being a member of Alice's workspace does not make it her
	// notes workspace: notes act in the caller's own workspace.
	e.join(mallory, alice.personal, quire.RoleEditor)
	path := "/api/v1/notes/" + secret
	for _, r := range []apiResult{
		mallory.do(http.MethodGet, path, nil),
		mallory.do(http.MethodGet, path+"?format=html", nil),
		mallory.do(http.MethodPatch, path, map[string]any{"title": "owned"}),
		send(mallory.apiClient, http.MethodPatch, path, map[string]any{"title": "owned"}, map[string]string{"If-Match": `"1"`}),
		mallory.do(http.MethodDelete, path, nil),
	} {
		if r.status != 404 || r.code() != "not_found" || r.body["error"].(map[string]any)["message"] != "Note not found." {
			t.Errorf("another user's note answered %d %v, want 404 Note not found.", r.status, r.body)
		}
	}
	list := mallory.want(mallory.do(http.MethodGet, "/api/v1/notes", nil), 200, "")
	if list.body["total"] != 0.0 {
		t.Errorf("mallory lists %v", list.body)
	}
	got := alice.want(alice.do(http.MethodGet, path, nil), 200, "")
	if got.body["title"] != "salary review" || got.body["version"] != 1.0 {
		t.Fatalf("alice's note changed: %v", got.body)
	}
}

// TestNotesAuth: no sign-in is 401, a cross-site cookie write is refused
// (claim ACC-1), an API key works from anywhere.
func TestNotesAuth(t *testing.T) {
	e := newNotesAPI(t, nil)
	u := e.user("keys@example.com")
	anon := u.clone()
	anon.want(anon.do(http.MethodGet, "/api/v1/notes", nil), 401, "unauthorized")
	anon.want(anon.do(http.MethodPost, "/api/v1/notes", map[string]any{"title": "x"}), 401, "unauthorized")

	u.site = "cross-site"
	u.want(u.do(http.MethodPost, "/api/v1/notes", map[string]any{"title": "forged"}), 403, "cross_origin_request")
	u.site = "same-origin"
	if list := u.want(u.do(http.MethodGet, "/api/v1/notes", nil), 200, ""); list.body["total"] != 0.0 {
		t.Fatalf("the forged request created a note: %v", list.body)
	}

	created := u.want(u.do(http.MethodPost, "/api/v1/api-keys", map[string]string{"name": "script", "password": apiPassword}), 201, "")
	script := u.clone()
	script.site, script.bearer = "cross-site", "Bearer "+created.body["key"].(string)
	id := createNote(&wsUser{apiClient: script}, map[string]any{"title": "from a script"})
	if got := u.want(u.do(http.MethodGet, "/api/v1/notes/"+id, nil), 200, ""); got.body["title"] != "from a script" {
		t.Fatalf("the key's note is not the session's: %v", got.body)
	}
}

// TestNotesShieldLetsProseThrough saves prose through the whole stack
// with the default shield: the brief's list of commands, and notes about
// SQL and shell that the Core Rule Set refuses in an inspected body. The
// same note is refused where the body is inspected (no exclusions), so
// the test proves the exclusion, and the notes routes' query still is.
func TestNotesShieldLetsProseThrough(t *testing.T) {
	prose := []string{
		"- cat the files\n- watch the logs\nSELECT * FROM plans",
		"SELECT * FROM plans WHERE 1=1",
		"Never paste the output of cat /etc/passwd into a ticket.",
	}
	// The default shield, whose exclusions include the notes routes.
	sh, err := shield.New(shield.Config{})
	if err != nil {
		t.Fatal(err)
	}
	e := newNotesAPI(t, sh)
	u := e.user("prose@example.com")
	for _, p := range prose {
		id := createNote(u, map[string]any{"title": "Ops", "content": p})
		u.want(u.do(http.MethodPatch, "/api/v1/notes/"+id, map[string]any{"content": p + "\n- rm the old ones"}), 200, "")
		if got := u.want(u.do(http.MethodGet, "/api/v1/notes/"+id, nil), 200, ""); got.body["content"] != p+"\n- rm the old ones" {
			t.Fatalf("content = %q", got.body["content"])
		}
	}
	u.want(u.do(http.MethodGet, "/api/v1/notes?folderId=1%27%20OR%20%271%27=%271", nil), 403, "shield_blocked")

	strict, err := shield.New(shield.Config{Exclusions: []string{}})
	if err != nil {
		t.Fatal(err)
	}
	s := newNotesAPI(t, strict)
	v := s.user("strict@example.com")
	v.want(v.do(http.MethodPost, "/api/v1/notes", map[string]any{"title": "Ops", "content": prose[1]}), 403, "shield_blocked")
}
