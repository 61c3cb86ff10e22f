package http_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/quirehq/quire"
	quirehttp "github.com/quirehq/quire/http"
	"github.com/quirehq/quire/internal/authtest"
	"github.com/quirehq/quire/sqlite"
)

// newFolderIdeaAPI is a server with accounts, workspaces, notes, folders
// and ideas on one SQLite database. Its helpers that take a *testing.T
// need e.t set (newFolderIdeaEnv does).
func newFolderIdeaAPI(t testing.TB) *wsAPI {
	t.Helper()
	db, b, dir := authtest.SQLite(t)
	svc, _ := authtest.OnStore(t, db, b, dir, authtest.Options{})
	e := &wsAPI{svc: svc, ws: sqlite.NewWorkspaceService(db, b)}
	e.srv = quirehttp.NewServer(quirehttp.Config{Auth: svc, AuthBurst: 1000, Workspaces: e.ws, Notes: sqlite.NewNoteService(db, b),
		Folders: sqlite.NewFolderService(db, b), Ideas: sqlite.NewIdeaService(db, b)})
	return e
}

func newFolderIdeaEnv(t *testing.T) *wsAPI {
	t.Helper()
	e := newFolderIdeaAPI(t)
	e.t = t
	return e
}

// created posts body to path, wants 201 with exactly {field: ID} and a
// Location of the new resource, and returns the ID.
func created(u *wsUser, path, field string, body any) string {
	u.t.Helper()
	r := u.want(u.do(http.MethodPost, path, body), 201, "")
	id, _ := r.body[field].(string)
	if !quire.ValidID(id) || len(r.body) != 1 || r.header.Get("Location") != path+"/"+id {
		u.t.Fatalf("POST %s answered %v (Location %q), want {%s}", path, r.body, r.header.Get("Location"), field)
	}
	return id
}

func createFolder(u *wsUser, name string) string {
	u.t.Helper()
	return created(u, "/api/v1/folders", "folderId", map[string]any{"name": name})
}

// errMessage returns the message of an error response.
func errMessage(r apiResult) string {
	e, _ := r.body["error"].(map[string]any)
	m, _ := e["message"].(string)
	return m
}

// TestFoldersCRUD creates, reads, lists, renames and deletes folders, with
// notes and ideas in them, through the API.
func TestFoldersCRUD(t *testing.T) {
	e := newFolderIdeaEnv(t)
	u := e.user("folders@example.com")
	work := createFolder(u, "  Work  ")
	home := createFolder(u, "home")
	dup := createFolder(u, "home") // names may repeat
	note := createNote(u, map[string]any{"title": "plan", "folderId": work})
	created(u, "/api/v1/ideas", "ideaId", map[string]any{"text": "one", "folderId": work})
	created(u, "/api/v1/ideas", "ideaId", map[string]any{"text": "two", "folderId": work})

	got := u.want(u.do(http.MethodGet, "/api/v1/folders/"+work, nil), 200, "")
	for k, want := range map[string]any{"folderId": work, "name": "Work", "noteCount": 1.0, "ideaCount": 2.0} {
		if got.body[k] != want {
			t.Errorf("folder %s = %#v, want %#v", k, got.body[k], want)
		}
	}
	if _, ok := got.body["createdAt"].(string); !ok || len(got.body) != 6 {
		t.Errorf("folder fields %v, want exactly folderId, name, noteCount, ideaCount, createdAt, updatedAt", got.body)
	}
	list := u.want(u.do(http.MethodGet, "/api/v1/folders", nil), 200, "")
	var ids []string
	for _, f := range list.body["folders"].([]any) {
		ids = append(ids, f.(map[string]any)["folderId"].(string))
	}
	if list.body["total"] != 3.0 || len(ids) != 3 || ids[2] != work || !slices.Contains(ids[:2], home) || !slices.Contains(ids[:2], dup) {
		t.Fatalf("list = %v, want home, home, Work", list.body)
	}

	ren := u.want(u.do(http.MethodPatch, "/api/v1/folders/"+home, map[string]any{"name": "Archive"}), 200, "")
	if ren.body["name"] != "Archive" || ren.body["folderId"] != home {
		t.Fatalf("rename answered %v", ren.body)
	}

	del := u.want(u.do(http.MethodDelete, "/api/v1/folders/"+work, nil), 200, "")
	if del.body["contents"] != "unfile" || del.body["notes"] != 1.0 || del.body["ideas"] != 2.0 {
		t.Fatalf("delete answered %v, want 1 note and 2 ideas unfiled", del.body)
	}
	if n := u.want(u.do(http.MethodGet, "/api/v1/notes/"+note, nil), 200, ""); n.body["folderId"] != nil || n.body["version"] != 1.0 {
		t.Fatalf("the unfiled note is %v, want no folder at version 1", n.body)
	}
	if l := u.want(u.do(http.MethodGet, "/api/v1/ideas?folderId=none", nil), 200, ""); l.body["total"] != 2.0 {
		t.Fatalf("ideas in no folder: %v, want the 2 unfiled", l.body)
	}
	u.want(u.do(http.MethodGet, "/api/v1/folders/"+work, nil), 404, "not_found")

	inDup := createNote(u, map[string]any{"title": "goes", "folderId": dup})
	del = u.want(u.do(http.MethodDelete, "/api/v1/folders/"+dup+"?contents=delete", nil), 200, "")
	if del.body["contents"] != "delete" || del.body["notes"] != 1.0 || del.body["ideas"] != 0.0 {
		t.Fatalf("delete with contents answered %v", del.body)
	}
	u.want(u.do(http.MethodGet, "/api/v1/notes/"+inDup, nil), 404, "not_found")
	u.want(u.do(http.MethodDelete, "/api/v1/folders/"+dup, nil), 404, "not_found")
}

// TestFoldersBadInput: every folder route refuses malformed input with a
// precise code and message, and changes nothing.
func TestFoldersBadInput(t *testing.T) {
	e := newFolderIdeaEnv(t)
	u := e.user("bad-folders@example.com")
	id := createFolder(u, "keep")
	path := "/api/v1/folders/" + id
	tests := []struct {
		method, path string
		body         any
		status       int
		code, msg    string
	}{
		{"POST", "/api/v1/folders", `{}`, 400, "invalid_input", `field "name"`},
		{"POST", "/api/v1/folders", `{"name":null}`, 400, "invalid_input", `field "name"`},
		{"POST", "/api/v1/folders", `{"name":""}`, 400, "invalid_input", "1 to 200 characters"},
		{"POST", "/api/v1/folders", `{"name":"   "}`, 400, "invalid_input", "1 to 200 characters"},
		{"POST", "/api/v1/folders", `{"name":"` + strings.Repeat("é", 201) + `"}`, 400, "invalid_input", "1 to 200 characters"},
		{"POST", "/api/v1/folders", `{"name":"a\nb"}`, 400, "invalid_input", "control characters"},
		{"POST", "/api/v1/folders", `{"name":"a\u0000b"}`, 400, "invalid_input", "control characters"},
		{"POST", "/api/v1/folders", `{"name":5}`, 400, "invalid_input", `"name" has the wrong type`},
		{"POST", "/api/v1/folders", `{"name":"x","color":"red"}`, 400, "invalid_input", `"color" is not known`},
		{"POST", "/api/v1/folders", `{"name":"x","updatedAt":"now"}`, 400, "invalid_input", "set by the server"},
		{"POST", "/api/v1/folders", `{"name":"x"} {}`, 400, "invalid_input", "more than one"},
		{"POST", "/api/v1/folders", `null`, 400, "invalid_input", "JSON object"},
		{"POST", "/api/v1/folders", `[]`, 400, "invalid_input", "not valid JSON"},
		{"POST", "/api/v1/folders?parent=x", `{"name":"x"}`, 400, "invalid_input", `"parent" is not known`},
		{"POST", "/api/v1/folders", `{"name":"` + strings.Repeat("a", 4000) + `"}`, 413, "too_large", ""},
		{"PATCH", path, `{}`, 400, "invalid_input", `field "name"`},
		{"PATCH", path, `{"name":"\t"}`, 400, "invalid_input", "1 to 200"},
		{"PATCH", path, `{"name":"x","folderId":"y"}`, 400, "invalid_input", `"folderId" is not known`},
		{"GET", "/api/v1/folders?sort=name", nil, 400, "invalid_input", `"sort" is not known`},
		{"GET", path + "?x=1", nil, 400, "invalid_input", `"x" is not known`},
		{"DELETE", path + "?contents=keep", nil, 400, "invalid_input", "unfile or delete"},
		{"DELETE", path + "?contents=", nil, 400, "invalid_input", "unfile or delete"},
		{"DELETE", path + "?contents=delete&contents=unfile", nil, 400, "invalid_input", "more than once"},
		{"DELETE", path + "?force=1", nil, 400, "invalid_input", `"force" is not known`},
		{"GET", "/api/v1/folders/not-an-id", nil, 404, "not_found", "Folder not found"},
		{"PATCH", "/api/v1/folders/" + strings.ToUpper(id), `{"name":"x"}`, 404, "not_found", "Folder not found"},
		{"DELETE", "/api/v1/folders/" + quire.NewID(), nil, 404, "not_found", "Folder not found"},
		{"PUT", path, `{"name":"x"}`, 405, "method_not_allowed", ""},
	}
	for _, tt := range tests {
		r := send(u.apiClient, tt.method, tt.path, tt.body, nil)
		if r.status != tt.status || r.code() != tt.code || !strings.Contains(errMessage(r), tt.msg) {
			t.Errorf("%s %s %.60v: answered %d %q %q, want %d %q containing %q", tt.method, tt.path, tt.body, r.status, r.code(), errMessage(r), tt.status, tt.code, tt.msg)
		}
	}
	if got := u.want(u.do(http.MethodGet, path, nil), 200, ""); got.body["name"] != "keep" {
		t.Fatalf("a refused request changed the folder: %v", got.body)
	}
	if l := u.want(u.do(http.MethodGet, "/api/v1/folders", nil), 200, ""); l.body["total"] != 1.0 {
		t.Fatalf("refused requests created folders: %v", l.body)
	}
}

// TestFolderReferences: notes and ideas can only be written into a folder
// of the caller's workspace that exists: otherwise 422 folder_not_found,
// and nothing is written.
func TestFolderReferences(t *testing.T) {
	e := newFolderIdeaEnv(t)
	u := e.user("refs@example.com")
	note := createNote(u, map[string]any{"title": "t"})
	idea := created(u, "/api/v1/ideas", "ideaId", map[string]any{"text": "i"})
	for _, folder := range []string{quire.NewID(), createFolder(e.user("other@example.com"), "theirs")} {
		for _, r := range []apiResult{
			u.do(http.MethodPost, "/api/v1/notes", map[string]any{"title": "x", "folderId": folder}),
			u.do(http.MethodPatch, "/api/v1/notes/"+note, map[string]any{"folderId": folder}),
			u.do(http.MethodPost, "/api/v1/ideas", map[string]any{"text": "x", "folderId": folder}),
			u.do(http.MethodPatch, "/api/v1/ideas/"+idea, map[string]any{"text": "changed", "folderId": folder}),
			u.do(http.MethodPost, "/api/v1/ideas/bulk", map[string]any{"action": "move", "ids": []string{idea}, "folderId": folder}),
		} {
			if r.status != 422 || r.code() != "folder_not_found" {
				t.Errorf("a write into an unknown folder answered %d %v, want 422 folder_not_found", r.status, r.body)
			}
		}
	}
	notes := u.want(u.do(http.MethodGet, "/api/v1/notes", nil), 200, "")
	ideas := u.want(u.do(http.MethodGet, "/api/v1/ideas", nil), 200, "")
	if notes.body["total"] != 1.0 || ideas.body["total"] != 1.0 || ideas.body["ideas"].([]any)[0].(map[string]any)["text"] != "i" {
		t.Fatalf("refused writes changed something: %v %v", notes.body, ideas.body)
	}
}

// TestFoldersIsolation tries every folder route with another user's
// folder ID (claim ISO-1), as a user who is a member of that user's
// workspace: each answers exactly as for an ID that never existed, and
// the folder and its contents are unchanged.
func TestFoldersIsolation(t *testing.T) {
	e := newFolderIdeaEnv(t)
	alice, mallory := e.user("alice@example.com"), e.user("mallory@example.com")
	e.join(mallory, alice.personal, quire.RoleEditor)
	secret := createFolder(alice, "salary review")
	created(alice, "/api/v1/ideas", "ideaId", map[string]any{"text": "raise", "folderId": secret})
	path := "/api/v1/folders/" + secret
	for _, r := range []apiResult{
		mallory.do(http.MethodGet, path, nil),
		mallory.do(http.MethodPatch, path, map[string]any{"name": "owned"}),
		mallory.do(http.MethodDelete, path, nil),
		mallory.do(http.MethodDelete, path+"?contents=delete", nil),
	} {
		if r.status != 404 || r.code() != "not_found" || errMessage(r) != "Folder not found." {
			t.Errorf("another user's folder answered %d %v, want 404 Folder not found.", r.status, r.body)
		}
	}
	for _, r := range []apiResult{
		mallory.do(http.MethodPost, "/api/v1/notes", map[string]any{"title": "x", "folderId": secret}),
		mallory.do(http.MethodPost, "/api/v1/ideas", map[string]any{"text": "x", "folderId": secret}),
	} {
		if r.status != 422 || r.code() != "folder_not_found" {
			t.Errorf("a write into another user's folder answered %d %v, want 422 folder_not_found", r.status, r.body)
		}
	}
	if l := mallory.want(mallory.do(http.MethodGet, "/api/v1/folders", nil), 200, ""); l.body["total"] != 0.0 {
		t.Errorf("mallory lists %v", l.body)
	}
	for _, p := range []string{"/api/v1/ideas?folderId=" + secret, "/api/v1/notes?folderId=" + secret} {
		if l := mallory.want(mallory.do(http.MethodGet, p, nil), 200, ""); l.body["total"] != 0.0 {
			t.Errorf("mallory lists %v from %s", l.body, p)
		}
	}
	if body := ideaExportBody(t, mallory, "csv", secret); body != "id,text,folder,createdAt\r\n" {
		t.Errorf("mallory's export of alice's folder: %q", body)
	}
	got := alice.want(alice.do(http.MethodGet, path, nil), 200, "")
	if got.body["name"] != "salary review" || got.body["ideaCount"] != 1.0 || got.body["noteCount"] != 0.0 {
		t.Fatalf("alice's folder changed: %v", got.body)
	}
}
