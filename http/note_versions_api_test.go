package http_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	quirehttp "github.com/quirehq/quire/http"
)

// versionList returns the versions GET .../versions lists, in order.
func versionList(u *wsUser, id string) []map[string]any {
	u.t.Helper()
	r := u.want(u.do(http.MethodGet, "/api/v1/notes/"+id+"/versions", nil), 200, "")
	var out []map[string]any
	for _, v := range r.body["versions"].([]any) {
		out = append(out, v.(map[string]any))
	}
	return out
}

// TestNoteVersionsAPI lists, reads and restores versions: a restore is a
// new save whose replaced state is kept in turn.
func TestNoteVersionsAPI(t *testing.T) {
	e := newNotesAPI(t, nil)
	u := e.user("history@example.com")
	id := createNote(u, map[string]any{"title": "Draft", "content": "first"})
	path := "/api/v1/notes/" + id
	u.want(u.do(http.MethodPatch, path, map[string]any{"content": "second"}), 200, "")
	u.want(u.do(http.MethodPatch, path, map[string]any{"isPinned": true}), 200, "")
	u.want(u.do(http.MethodPatch, path, map[string]any{"title": "Final", "content": "third"}), 200, "")

	vs := versionList(u, id)
	if len(vs) != 3 || vs[0]["version"] != 4.0 || vs[0]["current"] != true || vs[0]["title"] != "Final" ||
		vs[1]["version"] != 3.0 || vs[1]["current"] != false || vs[2]["version"] != 1.0 || vs[2]["title"] != "Draft" {
		t.Fatalf("versions = %v, want 4 (current), 3 (the pin changed no content), 1", vs)
	}
	for _, v := range vs {
		if _, ok := v["content"]; ok {
			t.Fatalf("a listed version carries its content: %v", v)
		}
	}
	one := u.want(u.do(http.MethodGet, path+"/versions/1", nil), 200, "")
	if one.body["content"] != "first" || one.body["title"] != "Draft" || one.body["current"] != false {
		t.Fatalf("version 1 = %v", one.body)
	}
	if three := u.want(u.do(http.MethodGet, path+"/versions/3", nil), 200, ""); three.body["content"] != "second" {
		t.Fatalf("version 3 = %v", three.body)
	}
	cur := u.want(u.do(http.MethodGet, path+"/versions/4", nil), 200, "")
	if cur.body["content"] != "third" || cur.body["current"] != true {
		t.Fatalf("version 4 = %v", cur.body)
	}
	for _, v := range []string{"2", "5", "0", "-1", "01", "x", "99999999999999999999"} {
		u.want(u.do(http.MethodGet, path+"/versions/"+v, nil), 404, "not_found")
	}

	u.want(send(u.apiClient, http.MethodPost, path+"/versions/1/restore", nil, map[string]string{"If-Match": `"3"`}), 409, "version_conflict")
	restored := u.want(send(u.apiClient, http.MethodPost, path+"/versions/1/restore", nil, map[string]string{"If-Match": `"4"`}), 200, "")
	if restored.body["title"] != "Draft" || restored.body["content"] != "first" || restored.body["version"] != 5.0 ||
		restored.header.Get("ETag") != `"5"` {
		t.Fatalf("restore answered %v", restored.body)
	}
	if vs := versionList(u, id); len(vs) != 4 || vs[1]["version"] != 4.0 || vs[1]["title"] != "Final" {
		t.Fatalf("after restore, versions = %v: the replaced state must be kept", vs)
	}
	u.want(u.do(http.MethodPost, path+"/versions/4/restore", nil), 200, "")
	if got := u.want(u.do(http.MethodGet, path, nil), 200, ""); got.body["content"] != "third" || got.body["version"] != 6.0 {
		t.Fatalf("after restoring 4 the note is %v", got.body)
	}
	u.want(send(u.apiClient, http.MethodPost, path+"/versions/1/restore", `{"x":1}`, nil), 400, "invalid_input")
	u.want(u.do(http.MethodPost, path+"/versions/1/restore?force=1", nil), 400, "invalid_input")
	u.want(u.do(http.MethodGet, path+"/versions?limit=1", nil), 400, "invalid_input")
	u.want(u.do(http.MethodPost, path+"/versions/2/restore", nil), 404, "not_found")

	u.want(u.do(http.MethodDelete, path, nil), 204, "")
	u.want(u.do(http.MethodGet, path+"/versions", nil), 404, "not_found")
	u.want(u.do(http.MethodGet, path+"/versions/1", nil), 404, "not_found")
}

// exportRaw fetches an export and returns the recorder, body unparsed.
func exportRaw(u *wsUser, path string) *httptest.ResponseRecorder {
	u.t.Helper()
	req := httptest.NewRequest(http.MethodGet, "https://quire.test"+path, nil)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	req.AddCookie(&http.Cookie{Name: quirehttp.SessionCookie, Value: u.cookie})
	rec := httptest.NewRecorder()
	u.srv.ServeHTTP(rec, req)
	return rec
}

// TestNoteExport downloads a note as markdown, HTML and JSON: attachments
// with a safe file name, HTML through the sanitizer.
func TestNoteExport(t *testing.T) {
	e := newNotesAPI(t, nil)
	u := e.user("export@example.com")
	id := createNote(u, map[string]any{"title": "Q3 \"plan\"\r\nContent-Type: x <b>", "content": "# Goals\n\n<script>alert(1)</script>\n\n**ship**"})
	path := "/api/v1/notes/" + id + "/export?format="
	for _, tt := range []struct{ format, mediaType, ext string }{
		{"markdown", "text/markdown; charset=utf-8", ".md"},
		{"html", "text/html; charset=utf-8", ".html"},
		{"json", "application/json", ".json"},
	} {
		rec := exportRaw(u, path+tt.format)
		h := rec.Result().Header
		if rec.Code != 200 || h.Get("Content-Type") != tt.mediaType || h.Get("X-Content-Type-Options") != "nosniff" ||
			h.Get("Content-Disposition") != `attachment; filename="q3-plan-content-type-x-b`+tt.ext+`"` {
			t.Fatalf("%s: %d %v", tt.format, rec.Code, h)
		}
		body := rec.Body.String()
		switch tt.format {
		case "markdown":
			if body != "# Q3 \"plan\" Content-Type: x <b>\n\n# Goals\n\n<script>alert(1)</script>\n\n**ship**" {
				t.Errorf("markdown export = %q", body)
			}
		case "html":
			if strings.Contains(body, "<script>") || strings.Contains(body, "<b>") || !strings.Contains(body, "<strong>ship</strong>") ||
				!strings.Contains(body, "<title>Q3 &#34;plan&#34;\r\nContent-Type: x &lt;b&gt;</title>") {
				t.Errorf("html export = %q", body)
			}
		case "json":
			var n map[string]any
			if err := json.Unmarshal(rec.Body.Bytes(), &n); err != nil || n["noteId"] != id || n["content"] == nil {
				t.Errorf("json export = %q (%v)", body, err)
			}
		}
	}
	for _, q := range []string{"pdf", "", "markdown&x=1"} {
		if rec := exportRaw(u, path+q); rec.Code != 400 {
			t.Errorf("format %q answered %d", q, rec.Code)
		}
	}
	other := e.user("other@example.com")
	if rec := exportRaw(other, path+"markdown"); rec.Code != 404 || strings.Contains(rec.Body.String(), "Goals") {
		t.Errorf("another user's export answered %d %q", rec.Code, rec.Body.String())
	}
	if rec := exportRaw(u, "/api/v1/notes/"+id+"x/export?format=json"); rec.Code != 404 {
		t.Errorf("unknown note answered %d", rec.Code)
	}
}

// TestNoteVersionsIsolation tries the version and export routes with a
// second user's note ID, the second user being a member of the first
// user's workspace (claim ISO-1).
func TestNoteVersionsIsolation(t *testing.T) {
	e := newNotesAPI(t, nil)
	alice, mallory := e.user("alice@example.com"), e.user("mallory@example.com")
	id := createNote(alice, map[string]any{"title": "secret", "content": "one"})
	alice.want(alice.do(http.MethodPatch, "/api/v1/notes/"+id, map[string]any{"content": "two"}), 200, "")
	e.join(mallory, alice.personal, "editor")
	path := "/api/v1/notes/" + id
	for _, r := range []apiResult{
		mallory.do(http.MethodGet, path+"/versions", nil),
		mallory.do(http.MethodGet, path+"/versions/1", nil),
		mallory.do(http.MethodGet, path+"/versions/2", nil),
		mallory.do(http.MethodPost, path+"/versions/1/restore", nil),
		mallory.do(http.MethodGet, path+"/export?format=json", nil),
	} {
		if r.status != 404 || r.body["error"].(map[string]any)["message"] != "Note not found." {
			t.Errorf("another user's note answered %d %v", r.status, r.body)
		}
	}
	if got := alice.want(alice.do(http.MethodGet, path, nil), 200, ""); got.body["content"] != "two" || got.body["version"] != 2.0 {
		t.Fatalf("alice's note changed: %v", got.body)
	}
}
