package http_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/quirehq/quire"
	quirehttp "github.com/quirehq/quire/http"
	"github.com/quirehq/quire/internal/authtest"
	"github.com/quirehq/quire/sqlite"
)

// linksEnv is a server with accounts, notes and note links on one SQLite
// database, logging everything (debug level included) to logs.
type linksEnv struct {
	*wsAPI
	logs *logBuffer
}

func newLinksAPI(t *testing.T) *linksEnv {
	t.Helper()
	db, b, dir := authtest.SQLite(t)
	svc, _ := authtest.OnStore(t, db, b, dir, authtest.Options{})
	logger, logs := newLogger()
	e := &wsAPI{t: t, svc: svc, ws: sqlite.NewWorkspaceService(db, b)}
	e.srv = quirehttp.NewServer(quirehttp.Config{Auth: svc, AuthBurst: 1000, Workspaces: e.ws, Logger: logger,
		Notes: sqlite.NewNoteService(db, b), NoteLinks: sqlite.NewNoteLinkService(db), BlindIndex: b.BlindIndex})
	return &linksEnv{wsAPI: e, logs: logs}
}

// page is an anonymous browser's GET of path: no cookie, no API key.
func (e *linksEnv) page(path string) (*http.Response, string) {
	e.t.Helper()
	req := httptest.NewRequest(http.MethodGet, "https://quire.test"+path, nil)
	req.Header.Set("Sec-Fetch-Site", "none")
	rec := httptest.NewRecorder()
	e.srv.ServeHTTP(rec, req)
	return rec.Result(), rec.Body.String()
}

// makeLink creates the note's link with body and returns its /s/ path.
func makeLink(u *wsUser, noteID string, body any, wantIndexing bool) string {
	u.t.Helper()
	r := u.want(u.do(http.MethodPost, "/api/v1/notes/"+noteID+"/link", body), 201, "")
	url, _ := r.body["url"].(string)
	path, ok := strings.CutPrefix(url, authtest.BaseURL+"/s/")
	if !ok || len(path) != 43 || len(r.body) != 2 || r.body["allowIndexing"] != wantIndexing {
		u.t.Fatalf("create link answered %v, want {url: %s/s/<43 chars>, allowIndexing: %v}", r.body, authtest.BaseURL, wantIndexing)
	}
	if r.header.Get("Cache-Control") != "no-store" {
		u.t.Errorf("create link Cache-Control = %q, want no-store", r.header.Get("Cache-Control"))
	}
	return "/s/" + path
}

// wantPublicHeaders checks the security headers (claim HDR-1) and the
// caching and robots headers of a public page.
func wantPublicHeaders(t *testing.T, resp *http.Response, noindex bool) {
	t.Helper()
	h := resp.Header
	for k, want := range map[string]string{"Content-Security-Policy": quirehttp.ContentSecurityPolicy, "X-Frame-Options": "DENY",
		"Referrer-Policy": "no-referrer", "X-Content-Type-Options": "nosniff", "Cross-Origin-Opener-Policy": "same-origin",
		"Strict-Transport-Security": hstsWant, "Cache-Control": "no-store", "Content-Type": "text/html; charset=utf-8"} {
		if got := h.Get(k); got != want {
			t.Errorf("%s = %q, want %q", k, got, want)
		}
	}
	want := ""
	if noindex {
		want = "noindex, nofollow"
	}
	if got := h.Get("X-Robots-Tag"); got != want {
		t.Errorf("X-Robots-Tag = %q, want %q", got, want)
	}
}

const robotsMeta = `<meta name="robots" content="noindex">`

func TestNoteLinksPublicPage(t *testing.T) {
	e := newLinksAPI(t)
	u := e.user("links@example.com")
	id := createNote(u, map[string]any{"title": "Trip <b>plan</b>",
		"content": "# Day one\n\n<script>alert('x')</script>\n\n**bold** [bad](javascript:alert(1))"})
	none := u.want(u.do(http.MethodGet, "/api/v1/notes/"+id+"/link", nil), 200, "")
	if none.body["exists"] != false || none.body["createdAt"] != nil {
		t.Fatalf("link of a note without one = %v", none.body)
	}

	first := makeLink(u, id, map[string]any{}, false)
	resp, html := e.page(first)
	if resp.StatusCode != 200 {
		t.Fatalf("public page answered %d: %s", resp.StatusCode, html)
	}
	wantPublicHeaders(t, resp, true)
	for _, want := range []string{"<strong>bold</strong>", "Trip &lt;b&gt;plan&lt;/b&gt;", robotsMeta, "Day one"} {
		if !strings.Contains(html, want) {
			t.Errorf("page lacks %q:\n%s", want, html)
		}
	}
	for _, bad := range []string{"<script", "alert(", "javascript:", "<b>plan"} {
		if strings.Contains(html, bad) {
			t.Errorf("page holds %q:\n%s", bad, html)
		}
	}
	got := u.want(u.do(http.MethodGet, "/api/v1/notes/"+id+"/link", nil), 200, "")
	if got.body["exists"] != true || got.body["allowIndexing"] != false || len(got.body) != 3 {
		t.Fatalf("link = %v", got.body)
	}
	if _, ok := got.body["createdAt"].(string); !ok {
		t.Errorf("link has no createdAt: %v", got.body)
	}

	// Recreating replaces the token; indexing allowed drops noindex.
	second := makeLink(u, id, map[string]any{"allowIndexing": true}, true)
	_, gone := e.page(first)
	resp, html = e.page(second)
	if resp.StatusCode != 200 || strings.Contains(html, robotsMeta) {
		t.Fatalf("indexable page answered %d with robots meta %v", resp.StatusCode, strings.Contains(html, robotsMeta))
	}
	wantPublicHeaders(t, resp, false)
	_, malformed := e.page("/s/nope")
	if gone != malformed || !strings.Contains(gone, robotsMeta) {
		t.Errorf("replaced token page differs from a malformed one:\n%s\n---\n%s", gone, malformed)
	}

	// Revoking bites at once.
	u.want(u.do(http.MethodDelete, "/api/v1/notes/"+id+"/link", nil), 204, "")
	if resp, _ := e.page(second); resp.StatusCode != 404 {
		t.Errorf("revoked link answered %d", resp.StatusCode)
	}
	u.want(u.do(http.MethodDelete, "/api/v1/notes/"+id+"/link", nil), 404, "not_found")
	if r := u.want(u.do(http.MethodGet, "/api/v1/notes/"+id+"/link", nil), 200, ""); r.body["exists"] != false {
		t.Errorf("after revoke: %v", r.body)
	}

	// Deleting the note ends its link.
	third := makeLink(u, id, map[string]any{}, false)
	u.want(u.do(http.MethodDelete, "/api/v1/notes/"+id, nil), 204, "")
	if resp, _ := e.page(third); resp.StatusCode != 404 {
		t.Errorf("link of a deleted note answered %d", resp.StatusCode)
	}
	logs := e.logs.String()
	for _, p := range []string{first, second, third} {
		if strings.Contains(logs, strings.TrimPrefix(p, "/s/")) {
			t.Errorf("a link token is in the logs:\n%s", logs)
		}
	}
	// The check above is not vacuous: refused requests were logged, by
	// their route pattern.
	if e.logs.find(t, "route", "DELETE /api/v1/notes/{id}/link") == nil {
		t.Errorf("the refused DELETE was not logged by its route pattern:\n%s", logs)
	}
}

// TestNoteLinksNotFoundAlike: every token that opens nothing gets the same
// response, byte for byte, so none tells the others apart.
func TestNoteLinksNotFoundAlike(t *testing.T) {
	e := newLinksAPI(t)
	u := e.user("alike@example.com")
	id := createNote(u, map[string]any{"title": "t", "content": "c"})
	revoked := makeLink(u, id, map[string]any{}, false)
	u.want(u.do(http.MethodDelete, "/api/v1/notes/"+id+"/link", nil), 204, "")
	live := makeLink(u, id, map[string]any{}, false)
	tok := strings.TrimPrefix(live, "/s/")
	paths := []string{revoked, "/s/x", "/s/" + tok[:42], "/s/" + tok + "A", "/s/" + strings.Repeat("A", 43),
		"/s/" + tok[:42] + "%3D", "/s/" + tok[:42] + "~", "/s/" + strings.Repeat("_", 43), "/s/" + tok[:42] + "B",
		"/s/" + strings.ToUpper(tok), "/s/" + strings.Repeat("%00", 43)}
	want, wantBody := e.page(paths[0])
	if want.StatusCode != 404 {
		t.Fatalf("revoked token answered %d", want.StatusCode)
	}
	wantPublicHeaders(t, want, true)
	for _, p := range paths[1:] {
		got, body := e.page(p)
		if got.StatusCode != 404 || body != wantBody || got.Header.Get("Content-Length") != want.Header.Get("Content-Length") ||
			got.Header.Get("X-Robots-Tag") != want.Header.Get("X-Robots-Tag") {
			t.Errorf("%s answered %d %q, want the same 404 as a revoked token", p, got.StatusCode, body)
		}
	}
	if resp, _ := e.page(live); resp.StatusCode != 200 {
		t.Fatalf("live link answered %d", resp.StatusCode)
	}
}

// TestNoteLinksIsolation: a member of Alice's workspace reaches none of
// the link routes of her notes (claim ISO-1), and her link is unchanged.
func TestNoteLinksIsolation(t *testing.T) {
	e := newLinksAPI(t)
	alice, mallory := e.user("alice@example.com"), e.user("mallory@example.com")
	id := createNote(alice, map[string]any{"title": "secret", "content": "private"})
	link := makeLink(alice, id, map[string]any{}, false)
	e.join(mallory, alice.personal, quire.RoleEditor)
	path := "/api/v1/notes/" + id + "/link"
	for _, r := range []apiResult{
		mallory.do(http.MethodPost, path, map[string]any{"allowIndexing": true}),
		mallory.do(http.MethodGet, path, nil),
		mallory.do(http.MethodDelete, path, nil),
	} {
		if r.status != 404 || r.code() != "not_found" || r.body["error"].(map[string]any)["message"] != "Note not found." {
			t.Errorf("another user's note link answered %d %v, want 404 Note not found.", r.status, r.body)
		}
	}
	if resp, _ := e.page(link); resp.StatusCode != 200 {
		t.Fatalf("alice's link answered %d after mallory's attempts", resp.StatusCode)
	}
	if r := alice.want(alice.do(http.MethodGet, path, nil), 200, ""); r.body["allowIndexing"] != false {
		t.Errorf("mallory changed alice's link: %v", r.body)
	}
}

// TestNoteLinksBadInput covers bodies, IDs and sign-in.
func TestNoteLinksBadInput(t *testing.T) {
	e := newLinksAPI(t)
	u := e.user("bad@example.com")
	id := createNote(u, map[string]any{"title": "t", "content": "c"})
	path := "/api/v1/notes/" + id + "/link"
	for _, body := range []string{"", "null", "[]", `{"allowIndexing": "yes"}`, `{"token": "x"}`, `{} {}`} {
		u.want(u.raw(http.MethodPost, path, []byte(body)), 400, "invalid_input")
	}
	u.want(u.raw(http.MethodPost, path, []byte(`{"allowIndexing": false, "pad": "`+strings.Repeat("x", 2<<10)+`"}`)), 413, "too_large")
	for _, m := range []string{http.MethodPost, http.MethodGet, http.MethodDelete} {
		u.want(u.do(m, "/api/v1/notes/"+quire.NewID()+"/link", map[string]any{}), 404, "not_found")
		u.want(u.do(m, "/api/v1/notes/not-an-id/link", map[string]any{}), 404, "not_found")
		anon := u.clone()
		anon.want(anon.do(m, path, map[string]any{}), 401, "unauthorized")
	}
	if r := u.want(u.do(http.MethodGet, path, nil), 200, ""); r.body["exists"] != false {
		t.Errorf("a refused create made a link: %v", r.body)
	}
}
