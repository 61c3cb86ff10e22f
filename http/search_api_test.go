package http_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/quirehq/quire"
	"github.com/quirehq/quire/edge/shield"
	"github.com/quirehq/quire/finder"
	quirehttp "github.com/quirehq/quire/http"
	"github.com/quirehq/quire/internal/authtest"
	"github.com/quirehq/quire/sqlite"
)

// newSearchAPI is a server with notes, ideas and folders on one SQLite
// database, written through the search service's wrappers.
func newSearchAPI(t *testing.T, sh *shield.Shield) *wsAPI {
	t.Helper()
	db, b, dir := authtest.SQLite(t)
	svc, _ := authtest.OnStore(t, db, b, dir, authtest.Options{})
	notes, ideas, folders := sqlite.NewNoteService(db, b), sqlite.NewIdeaService(db, b), sqlite.NewFolderService(db, b)
	f, err := finder.New(finder.Config{Notes: notes, Ideas: ideas, Folders: folders})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = f.Close() })
	e := &wsAPI{t: t, svc: svc, ws: sqlite.NewWorkspaceService(db, b)}
	e.srv = quirehttp.NewServer(quirehttp.Config{Auth: svc, AuthBurst: 1000, Workspaces: e.ws, Notes: f.Notes(notes),
		Ideas: f.Ideas(ideas), Folders: f.Folders(folders), Search: f, Shield: sh})
	return e
}

func results(r apiResult) []map[string]any {
	var out []map[string]any
	for _, h := range r.body["results"].([]any) {
		out = append(out, h.(map[string]any))
	}
	return out
}

func TestSearchAPI(t *testing.T) {
	e := newSearchAPI(t, nil)
	u := e.user("search@example.com")
	id := createNote(u, map[string]any{"title": "Café plans", "content": "Open the café in spring."})
	u.want(u.do(http.MethodPost, "/api/v1/ideas", map[string]any{"text": "A café loyalty card"}), 201, "")
	r := u.want(u.do(http.MethodGet, "/api/v1/search?q=cafe+spring", nil), 200, "")
	hits := results(r)
	if len(hits) != 1 || hits[0]["id"] != id || hits[0]["type"] != "note" || r.body["mode"] != "keyword" {
		t.Fatalf("search answered %v", r.body)
	}
	title := hits[0]["title"].(map[string]any)
	rng := title["ranges"].([]any)[0].([]any)
	if text := title["text"].(string); text[int(rng[0].(float64)):int(rng[1].(float64))] != "Café" {
		t.Fatalf("title highlight %v does not mark the word", title)
	}
	if got := results(u.want(u.do(http.MethodGet, "/api/v1/search?q=cafe&type=idea", nil), 200, "")); len(got) != 1 || got[0]["type"] != "idea" {
		t.Fatalf("type=idea: %v", got)
	}
	u.want(u.do(http.MethodPatch, "/api/v1/notes/"+id, map[string]any{"content": "Closed for winter."}), 200, "")
	if got := results(u.want(u.do(http.MethodGet, "/api/v1/search?q=spring", nil), 200, "")); len(got) != 0 {
		t.Fatalf("an edited note is found by its old words: %v", got)
	}
	for _, q := range []string{"mode=vector", "type=page", "folderId=..", "after=yesterday", "limit=101", "rerank=yes", "x=1",
		"q=" + strings.Repeat("a+", 600), "mode=semantic&q=cafe"} {
		u.want(u.do(http.MethodGet, "/api/v1/search?"+q, nil), 400, "invalid_input")
	}
}

// TestSearchAPIIsolation: a second user, also a member of the first
// user's workspace, finds nothing of it (claim ISO-1).
func TestSearchAPIIsolation(t *testing.T) {
	e := newSearchAPI(t, nil)
	alice, mallory := e.user("alice@example.com"), e.user("mallory@example.com")
	createNote(alice, map[string]any{"title": "Salary review", "content": "confidential numbers"})
	e.join(mallory, alice.personal, quire.RoleEditor)
	for _, q := range []string{"q=salary", "q=confidential", "q=", "q=type:note"} {
		if got := results(mallory.want(mallory.do(http.MethodGet, "/api/v1/search?"+q, nil), 200, "")); len(got) != 0 {
			t.Fatalf("mallory's search %q found %v", q, got)
		}
	}
	if got := results(alice.want(alice.do(http.MethodGet, "/api/v1/search?q=salary", nil), 200, "")); len(got) != 1 {
		t.Fatalf("alice's search found %v", got)
	}
	anon := alice.clone()
	anon.cookie = ""
	anon.want(anon.do(http.MethodGet, "/api/v1/search?q=salary", nil), 401, "unauthorized")
}

// TestSearchAPIByBody searches for text the shield refuses in a URL:
// through the body, with the default shield, it is found.
func TestSearchAPIByBody(t *testing.T) {
	sh, err := shield.New(shield.Config{})
	if err != nil {
		t.Fatal(err)
	}
	e := newSearchAPI(t, sh)
	u := e.user("sql@example.com")
	id := createNote(u, map[string]any{"title": "Injection notes", "content": "Never build SELECT * FROM users WHERE 1=1 OR name = 'x' by hand."})
	u.want(u.do(http.MethodGet, "/api/v1/search?q=%27+OR+1%3D1+--", nil), 403, "shield_blocked")
	r := u.want(u.do(http.MethodPost, "/api/v1/search", map[string]any{"q": "\"SELECT * FROM users WHERE 1=1\"", "type": []string{"note"}, "limit": 5}), 200, "")
	if hits := results(r); len(hits) != 1 || hits[0]["id"] != id {
		t.Fatalf("search by body found %v", r.body)
	}
	u.want(u.do(http.MethodPost, "/api/v1/search", map[string]any{"q": "x", "mode": "vector"}), 400, "invalid_input")
	u.want(u.do(http.MethodPost, "/api/v1/search", map[string]any{"q": "x", "sort": "date"}), 400, "invalid_input")
	u.want(u.do(http.MethodPost, "/api/v1/search", map[string]any{"q": "x", "type": []string{"page"}}), 400, "invalid_input")
}
