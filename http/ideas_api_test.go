package http_test

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/quirehq/quire"
	"github.com/quirehq/quire/auth"
)

func createIdea(u *wsUser, body any) string {
	u.t.Helper()
	return created(u, "/api/v1/ideas", "ideaId", body)
}

// listedIdeas returns the IDs GET path lists, and its total.
func listedIdeas(u *wsUser, path string) ([]string, float64) {
	u.t.Helper()
	r := u.want(u.do(http.MethodGet, path, nil), 200, "")
	var ids []string
	for _, i := range r.body["ideas"].([]any) {
		ids = append(ids, i.(map[string]any)["ideaId"].(string))
	}
	total, _ := r.body["total"].(float64)
	return ids, total
}

// TestIdeasCRUD captures, reads, lists, edits, moves and deletes ideas
// through the API.
func TestIdeasCRUD(t *testing.T) {
	e := newFolderIdeaEnv(t)
	u := e.user("ideas@example.com")
	folder := createFolder(u, "errands")
	quick := createIdea(u, map[string]any{"text": "call the bank"})
	filed := createIdea(u, map[string]any{"text": "buy stamps", "folderId": folder})
	third := createIdea(u, map[string]any{"text": "water plants", "folderId": nil})

	got := u.want(u.do(http.MethodGet, "/api/v1/ideas/"+quick, nil), 200, "")
	if got.body["ideaId"] != quick || got.body["text"] != "call the bank" || got.body["folderId"] != nil || len(got.body) != 5 {
		t.Fatalf("idea = %v, want exactly ideaId, text, folderId null, createdAt, updatedAt", got.body)
	}
	if ids, total := listedIdeas(u, "/api/v1/ideas"); !slices.Equal(ids, []string{third, filed, quick}) || total != 3 {
		t.Fatalf("list = %v (%v), want newest first", ids, total)
	}
	if ids, _ := listedIdeas(u, "/api/v1/ideas?folderId="+folder); !slices.Equal(ids, []string{filed}) {
		t.Fatalf("folder list = %v", ids)
	}
	if ids, _ := listedIdeas(u, "/api/v1/ideas?folderId=none"); !slices.Equal(ids, []string{third, quick}) {
		t.Fatalf("no-folder list = %v", ids)
	}
	if ids, total := listedIdeas(u, "/api/v1/ideas?limit=1&offset=1"); !slices.Equal(ids, []string{filed}) || total != 3 {
		t.Fatalf("page = %v (%v)", ids, total)
	}

	upd := u.want(u.do(http.MethodPatch, "/api/v1/ideas/"+quick, map[string]any{"text": "call the bank at 9", "folderId": folder}), 200, "")
	if upd.body["text"] != "call the bank at 9" || upd.body["folderId"] != folder {
		t.Fatalf("update answered %v", upd.body)
	}
	upd = u.want(u.do(http.MethodPatch, "/api/v1/ideas/"+quick, map[string]any{"folderId": nil}), 200, "")
	if upd.body["text"] != "call the bank at 9" || upd.body["folderId"] != nil {
		t.Fatalf("moving out of the folder answered %v", upd.body)
	}
	if r := u.do(http.MethodDelete, "/api/v1/ideas/"+quick, nil); r.status != http.StatusNoContent {
		t.Fatalf("delete answered %d", r.status)
	}
	u.want(u.do(http.MethodGet, "/api/v1/ideas/"+quick, nil), 404, "not_found")
	u.want(u.do(http.MethodDelete, "/api/v1/ideas/"+quick, nil), 404, "not_found")
}

// TestIdeasBadInput: every idea route refuses malformed input with a
// precise code and message, and changes nothing.
func TestIdeasBadInput(t *testing.T) {
	e := newFolderIdeaEnv(t)
	u := e.user("bad-ideas@example.com")
	id := createIdea(u, map[string]any{"text": "keep"})
	path := "/api/v1/ideas/" + id
	ids := func(n int) string {
		out := make([]string, n)
		for i := range out {
			out[i] = `"` + quire.NewID() + `"`
		}
		return "[" + strings.Join(out, ",") + "]"
	}
	tests := []struct {
		method, path string
		body         any
		status       int
		code, msg    string
	}{
		{"POST", "/api/v1/ideas", `{}`, 400, "invalid_input", `field "text"`},
		{"POST", "/api/v1/ideas", `{"text":""}`, 400, "invalid_input", "1 to 10000 characters"},
		{"POST", "/api/v1/ideas", `{"text":" \n "}`, 400, "invalid_input", "white space"},
		{"POST", "/api/v1/ideas", `{"text":"a\u001bb"}`, 400, "invalid_input", "control characters"},
		{"POST", "/api/v1/ideas", `{"text":"` + strings.Repeat("x", quire.MaxIdeaText+1) + `"}`, 400, "invalid_input", "1 to 10000"},
		{"POST", "/api/v1/ideas", `{"text":"x","folderId":""}`, 400, "invalid_input", "folder ID or null"},
		{"POST", "/api/v1/ideas", `{"text":"x","folderId":"../x"}`, 400, "invalid_input", "Folder ID"},
		{"POST", "/api/v1/ideas", `{"text":["x"]}`, 400, "invalid_input", `"text" has the wrong type`},
		{"POST", "/api/v1/ideas", `{"text":"x","title":"y"}`, 400, "invalid_input", `"title" is not known`},
		{"POST", "/api/v1/ideas", `{"text":"x","ideaId":"y"}`, 400, "invalid_input", `"ideaId" is not known`},
		{"POST", "/api/v1/ideas", `null`, 400, "invalid_input", "JSON object"},
		{"POST", "/api/v1/ideas", `{"text":"` + strings.Repeat("x", 130<<10) + `"}`, 413, "too_large", ""},
		{"PATCH", path, `{}`, 400, "invalid_input", "Nothing to change"},
		{"PATCH", path, `{"text":null}`, 400, "invalid_input", `"text" may not be null`},
		{"PATCH", path, `{"folderId":""}`, 400, "invalid_input", "folder ID or null"},
		{"PATCH", path, `{"text":"ok","extra":1}`, 400, "invalid_input", `"extra" is not known`},
		{"GET", "/api/v1/ideas?limit=0", nil, 400, "invalid_input", "limit"},
		{"GET", "/api/v1/ideas?limit=201", nil, 400, "invalid_input", "limit"},
		{"GET", "/api/v1/ideas?offset=-1", nil, 400, "invalid_input", "offset"},
		{"GET", "/api/v1/ideas?folderId=", nil, 400, "invalid_input", `"folderId" must be a folder ID or "none"`},
		{"GET", "/api/v1/ideas?folderId=NONE", nil, 400, "invalid_input", "folderId"},
		{"GET", "/api/v1/ideas?q=x", nil, 400, "invalid_input", `"q" is not known`},
		{"GET", path + "?format=html", nil, 400, "invalid_input", `"format" is not known`},
		{"GET", "/api/v1/ideas/not-an-id", nil, 404, "not_found", "Idea not found"},
		{"GET", "/api/v1/ideas/bulk", nil, 404, "not_found", "Idea not found"},
		{"POST", "/api/v1/ideas/bulk", `{"ids":["` + id + `"]}`, 400, "invalid_input", `"action" and "ids"`},
		{"POST", "/api/v1/ideas/bulk", `{"action":"move"}`, 400, "invalid_input", `"action" and "ids"`},
		{"POST", "/api/v1/ideas/bulk", `{"action":"copy","ids":["` + id + `"]}`, 400, "invalid_input", "move or delete"},
		{"POST", "/api/v1/ideas/bulk", `{"action":"move","ids":["` + id + `"]}`, 400, "invalid_input", "or null for no folder"},
		{"POST", "/api/v1/ideas/bulk", `{"action":"move","ids":["` + id + `"],"folderId":""}`, 400, "invalid_input", "or null for no folder"},
		{"POST", "/api/v1/ideas/bulk", `{"action":"delete","ids":["` + id + `"],"folderId":null}`, 400, "invalid_input", "only for the move"},
		{"POST", "/api/v1/ideas/bulk", `{"action":"delete","ids":[]}`, 400, "invalid_input", "1 to 500"},
		{"POST", "/api/v1/ideas/bulk", `{"action":"delete","ids":` + ids(501) + `}`, 400, "invalid_input", "1 to 500"},
		{"POST", "/api/v1/ideas/bulk", `{"action":"delete","ids":["` + id + `","` + id + `"]}`, 400, "invalid_input", "number 2 repeats"},
		{"POST", "/api/v1/ideas/bulk", `{"action":"delete","ids":["` + id + `","x"]}`, 400, "invalid_input", "number 2 is not"},
		{"POST", "/api/v1/ideas/bulk", `{"action":"delete","ids":"` + id + `"}`, 400, "invalid_input", `"ids" has the wrong type`},
		{"POST", "/api/v1/ideas/bulk", `{"action":"delete","ids":["` + id + `"],"all":true}`, 400, "invalid_input", `"all" is not known`},
		{"POST", "/api/v1/ideas/bulk?dry=1", `{"action":"delete","ids":["` + id + `"]}`, 400, "invalid_input", `"dry" is not known`},
		{"POST", path + "/promote", `{"title":"x"}`, 400, "invalid_input", `"title" is not known`},
		{"POST", path + "/promote", `[]`, 400, "invalid_input", ""},
		{"POST", path + "/promote", `null`, 400, "invalid_input", "empty or {}"},
		{"GET", "/api/v1/ideas/export", nil, 400, "invalid_input", "txt or csv"},
		{"GET", "/api/v1/ideas/export?format=xlsx", nil, 400, "invalid_input", "txt or csv"},
		{"GET", "/api/v1/ideas/export?format=csv&folderId=x", nil, 400, "invalid_input", "folderId"},
		{"GET", "/api/v1/ideas/export?format=csv&name=x.csv", nil, 400, "invalid_input", `"name" is not known`},
		{"PUT", path, `{}`, 405, "method_not_allowed", ""},
	}
	for _, tt := range tests {
		r := send(u.apiClient, tt.method, tt.path, tt.body, nil)
		if r.status != tt.status || r.code() != tt.code || !strings.Contains(errMessage(r), tt.msg) {
			t.Errorf("%s %s %.60v: answered %d %q %q, want %d %q containing %q", tt.method, tt.path, tt.body, r.status, r.code(), errMessage(r), tt.status, tt.code, tt.msg)
		}
	}
	got := u.want(u.do(http.MethodGet, path, nil), 200, "")
	if ids, total := listedIdeas(u, "/api/v1/ideas"); got.body["text"] != "keep" || total != 1 || ids[0] != id {
		t.Fatalf("refused requests changed the ideas: %v, %v", got.body, ids)
	}
}

// TestIdeasBulk: moves and deletes in bulk are all or nothing.
func TestIdeasBulk(t *testing.T) {
	e := newFolderIdeaEnv(t)
	u := e.user("bulk@example.com")
	other := e.user("bulk-other@example.com")
	folder := createFolder(u, "later")
	var ids []string
	for i := range 4 {
		ids = append(ids, createIdea(u, map[string]any{"text": "idea " + string(rune('a'+i))}))
	}
	foreign := createIdea(other, map[string]any{"text": "not yours"})
	for _, bad := range [][]string{append(ids[:2:2], quire.NewID()), append(ids[:2:2], foreign)} {
		for _, body := range []map[string]any{{"action": "move", "ids": bad, "folderId": folder}, {"action": "delete", "ids": bad}} {
			r := u.want(u.do(http.MethodPost, "/api/v1/ideas/bulk", body), 404, "not_found")
			if !strings.Contains(errMessage(r), "nothing was changed") {
				t.Errorf("bulk with an unknown ID: %q", errMessage(r))
			}
		}
	}
	if in, _ := listedIdeas(u, "/api/v1/ideas?folderId="+folder); len(in) != 0 {
		t.Fatalf("a refused bulk move moved %v", in)
	}
	if all, _ := listedIdeas(u, "/api/v1/ideas"); len(all) != 4 {
		t.Fatalf("a refused bulk delete deleted: %v left", all)
	}
	r := u.want(u.do(http.MethodPost, "/api/v1/ideas/bulk", map[string]any{"action": "move", "ids": ids[:3], "folderId": folder}), 200, "")
	if r.body["action"] != "move" || r.body["count"] != 3.0 {
		t.Fatalf("bulk move answered %v", r.body)
	}
	if in, _ := listedIdeas(u, "/api/v1/ideas?folderId="+folder); !slices.Equal(in, []string{ids[2], ids[1], ids[0]}) {
		t.Fatalf("folder holds %v after the move", in)
	}
	u.want(u.do(http.MethodPost, "/api/v1/ideas/bulk", map[string]any{"action": "move", "ids": ids[:1], "folderId": nil}), 200, "")
	u.want(u.do(http.MethodPost, "/api/v1/ideas/bulk", map[string]any{"action": "delete", "ids": ids[1:]}), 200, "")
	if all, _ := listedIdeas(u, "/api/v1/ideas?folderId=none"); !slices.Equal(all, []string{ids[0]}) {
		t.Fatalf("after the delete: %v", all)
	}
	other.want(other.do(http.MethodGet, "/api/v1/ideas/"+foreign, nil), 200, "")
}

// TestIdeasPromote turns an idea into a note in its folder.
func TestIdeasPromote(t *testing.T) {
	e := newFolderIdeaEnv(t)
	u := e.user("promote@example.com")
	folder := createFolder(u, "drafts")
	text := "Launch post\nthank everyone"
	id := createIdea(u, map[string]any{"text": text, "folderId": folder})
	r := u.want(send(u.apiClient, http.MethodPost, "/api/v1/ideas/"+id+"/promote", "{}", nil), 201, "")
	note, _ := r.body["noteId"].(string)
	if !quire.ValidID(note) || r.header.Get("Location") != "/api/v1/notes/"+note || len(r.body) != 1 {
		t.Fatalf("promote answered %v (Location %q)", r.body, r.header.Get("Location"))
	}
	n := u.want(u.do(http.MethodGet, "/api/v1/notes/"+note, nil), 200, "")
	if n.body["title"] != "Launch post" || n.body["content"] != text || n.body["folderId"] != folder || n.body["version"] != 1.0 {
		t.Fatalf("the promoted note is %v", n.body)
	}
	u.want(u.do(http.MethodGet, "/api/v1/ideas/"+id, nil), 404, "not_found")
	u.want(u.do(http.MethodPost, "/api/v1/ideas/"+id+"/promote", nil), 404, "not_found")
	id2 := createIdea(u, map[string]any{"text": "no body"})
	u.want(send(u.apiClient, http.MethodPost, "/api/v1/ideas/"+id2+"/promote", "", nil), 201, "")
}

// TestIdeasIsolation tries every idea route with another user's idea ID
// (claim ISO-1), as a user who is a member of that user's workspace: each
// answers exactly as for an ID that never existed, bulk operations that
// include it change nothing, and the idea is unchanged.
func TestIdeasIsolation(t *testing.T) {
	e := newFolderIdeaEnv(t)
	alice, mallory := e.user("alice@example.com"), e.user("mallory@example.com")
	e.join(mallory, alice.personal, quire.RoleOwner)
	secret := createIdea(alice, map[string]any{"text": "acquire the competitor"})
	own := createIdea(mallory, map[string]any{"text": "mine"})
	path := "/api/v1/ideas/" + secret
	for _, r := range []apiResult{
		mallory.do(http.MethodGet, path, nil),
		mallory.do(http.MethodPatch, path, map[string]any{"text": "owned"}),
		mallory.do(http.MethodPatch, path, map[string]any{"folderId": nil}),
		mallory.do(http.MethodPost, path+"/promote", nil),
		mallory.do(http.MethodDelete, path, nil),
	} {
		if r.status != 404 || r.code() != "not_found" || errMessage(r) != "Idea not found." {
			t.Errorf("another user's idea answered %d %v, want 404 Idea not found.", r.status, r.body)
		}
	}
	for _, body := range []map[string]any{{"action": "delete", "ids": []string{own, secret}}, {"action": "move", "ids": []string{secret}, "folderId": nil}} {
		mallory.want(mallory.do(http.MethodPost, "/api/v1/ideas/bulk", body), 404, "not_found")
	}
	if ids, total := listedIdeas(mallory, "/api/v1/ideas"); total != 1 || ids[0] != own {
		t.Errorf("mallory lists %v", ids)
	}
	if body := ideaExportBody(t, mallory, "csv", ""); strings.Contains(body, "competitor") || strings.Contains(body, secret) {
		t.Errorf("mallory's export holds alice's idea:\n%s", body)
	}
	got := alice.want(alice.do(http.MethodGet, path, nil), 200, "")
	if got.body["text"] != "acquire the competitor" {
		t.Fatalf("alice's idea changed: %v", got.body)
	}
	if n := alice.want(alice.do(http.MethodGet, "/api/v1/notes", nil), 200, ""); n.body["total"] != 0.0 {
		t.Fatalf("a refused promotion made a note: %v", n.body)
	}
}

// FuzzFolderIdeaBodies sends arbitrary bodies to every folder and idea
// route that takes one, through the whole stack: each answer is a 2xx or
// a 4xx whose message echoes nothing of the body; never a 5xx.
func FuzzFolderIdeaBodies(f *testing.F) {
	for _, seed := range []string{`{"text":"x"}`, `{"name":"f"}`, `{"action":"move","ids":[],"folderId":null}`,
		`{"action":"delete","ids":["aaaaaaaaaaaaaaaaaaaaaaaaaa"]}`, `{"text":null,"folderId":"x"}`, `{}`, `null`, `[]`, `{"text":"\u0000"}`,
		`{"action":"move","ids":["aaaaaaaaaaaaaaaaaaaaaaaaaa","aaaaaaaaaaaaaaaaaaaaaaaaaa"]}`, `{"name":"` + strings.Repeat("n", 300) + `"}`} {
		for route := range uint8(7) {
			f.Add(route, seed)
		}
	}
	e := newFolderIdeaAPI(f)
	ctx := context.Background()
	_, login, err := e.svc.SignUp(ctx, "fuzz-bodies@example.com", apiPassword, auth.Client{})
	if err != nil {
		f.Fatal(err)
	}
	create := func(path, body string) string {
		r := serveRaw(f, e.srv, http.MethodPost, path, body, login.Token)
		var out map[string]string
		if err := json.Unmarshal([]byte(r.body), &out); err != nil || r.status != 201 {
			f.Fatalf("POST %s: %d %s", path, r.status, r.body)
		}
		return out["folderId"] + out["ideaId"]
	}
	folder := create("/api/v1/folders", `{"name":"fuzz"}`)
	idea := create("/api/v1/ideas", `{"text":"fuzz","folderId":"`+folder+`"}`)
	routes := []struct{ method, path string }{
		{http.MethodPost, "/api/v1/folders"}, {http.MethodPatch, "/api/v1/folders/" + folder},
		{http.MethodPost, "/api/v1/ideas"}, {http.MethodPatch, "/api/v1/ideas/" + idea},
		{http.MethodPost, "/api/v1/ideas/bulk"}, {http.MethodPost, "/api/v1/ideas/" + quire.NewID() + "/promote"},
		{http.MethodPost, "/api/v1/ideas/" + idea + "/promote"},
	}
	f.Fuzz(func(t *testing.T, route uint8, body string) {
		rt := routes[int(route)%len(routes)]
		r := serveRaw(t, e.srv, rt.method, rt.path, body, login.Token)
		switch {
		case r.status >= 200 && r.status < 300:
		case r.status >= 400 && r.status < 500:
			var eb errorResponse
			if err := json.Unmarshal([]byte(r.body), &eb); err != nil || eb.Error.Code == "" || eb.Error.Message == "" {
				t.Fatalf("%s %s %q: %d %q (%v)", rt.method, rt.path, body, r.status, r.body, err)
			}
			if len(body) >= 12 && strings.Contains(eb.Error.Message, body) {
				t.Fatalf("message %q echoes the body", eb.Error.Message)
			}
		default:
			t.Fatalf("%s %s %q: answered %d: %s", rt.method, rt.path, body, r.status, r.body)
		}
	})
}
