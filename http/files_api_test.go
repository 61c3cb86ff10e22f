package http_test

import (
	"bytes"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/textproto"
	"os"
	"path/filepath"
	"testing"

	"github.com/quirehq/quire"
	"github.com/quirehq/quire/blob"
	"github.com/quirehq/quire/edge/shield"
	"github.com/quirehq/quire/files"
	quirehttp "github.com/quirehq/quire/http"
	"github.com/quirehq/quire/internal/authtest"
	"github.com/quirehq/quire/sqlite"
)

// filesEnv is a server with accounts, workspaces, notes and files on one
// SQLite database and a local blob directory.
type filesEnv struct {
	*wsAPI
	blobDir string
	files   *files.Service
}

// newFilesAPI builds the server with files of at most maxSize bytes (0:
// the default); sh, if not nil, is the shield in front of it.
func newFilesAPI(t *testing.T, sh *shield.Shield, maxSize int64) *filesEnv {
	t.Helper()
	db, b, dir := authtest.SQLite(t)
	blobDir := filepath.Join(dir, "blobs")
	local, err := blob.NewLocal(blob.LocalOptions{Dir: blobDir})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = local.Close() })
	store, err := blob.New(b, local, blob.Options{})
	if err != nil {
		t.Fatal(err)
	}
	svc, err := files.New(files.Config{Blobs: store, Backend: local, Files: sqlite.NewFileService(db, b), MaxSize: maxSize})
	if err != nil {
		t.Fatal(err)
	}
	authSvc, _ := authtest.OnStore(t, db, b, dir, authtest.Options{})
	e := &filesEnv{wsAPI: &wsAPI{t: t, svc: authSvc, ws: sqlite.NewWorkspaceService(db, b)}, blobDir: blobDir, files: svc}
	e.srv = quirehttp.NewServer(quirehttp.Config{Auth: authSvc, AuthBurst: 1000, Workspaces: e.ws,
		Notes: sqlite.NewNoteService(db, b), Files: svc, Shield: sh})
	return e
}

// blobCount counts the blobs stored, in every workspace.
func (e *filesEnv) blobCount() int {
	e.t.Helper()
	n := 0
	err := filepath.WalkDir(e.blobDir, func(_ string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			n++
		}
		return err
	})
	if err != nil {
		e.t.Fatal(err)
	}
	return n
}

// part is one part of an upload form: a file when filename is set.
type part struct {
	name, filename string
	data           []byte
}

func filePart(name string, data []byte) part { return part{name: "file", filename: name, data: data} }

// multipartBody encodes parts as multipart/form-data and returns the
// body and its Content-Type.
func multipartBody(parts ...part) ([]byte, string) {
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for _, p := range parts {
		h := textproto.MIMEHeader{}
		disp := fmt.Sprintf(`form-data; name=%q`, p.name)
		if p.filename != "" {
			disp += fmt.Sprintf(`; filename=%q`, p.filename)
			h.Set("Content-Type", "application/octet-stream")
		}
		h.Set("Content-Disposition", disp)
		w, _ := mw.CreatePart(h)
		_, _ = w.Write(p.data)
	}
	_ = mw.Close()
	return buf.Bytes(), mw.FormDataContentType()
}

// sendRaw sends body with contentType through the whole stack and
// returns the response as a recorder.
func sendRaw(c *apiClient, method, path string, body []byte, contentType string) *httptest.ResponseRecorder {
	c.t.Helper()
	req := httptest.NewRequest(method, "https://quire.test"+path, bytes.NewReader(body))
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	req.Header.Set("Sec-Fetch-Site", c.site)
	if c.cookie != "" {
		req.AddCookie(&http.Cookie{Name: quirehttp.SessionCookie, Value: c.cookie})
	}
	if c.bearer != "" {
		req.Header.Set("Authorization", c.bearer)
	}
	rec := httptest.NewRecorder()
	c.srv.ServeHTTP(rec, req)
	return rec
}

// uploadForm posts parts to /api/v1/files.
func uploadForm(c *apiClient, parts ...part) apiResult {
	c.t.Helper()
	body, ct := multipartBody(parts...)
	return result(c, sendRaw(c, http.MethodPost, "/api/v1/files", body, ct))
}

// result decodes a recorded JSON response.
func result(c *apiClient, rec *httptest.ResponseRecorder) apiResult {
	c.t.Helper()
	out := apiResult{status: rec.Code, header: rec.Result().Header}
	_ = json.Unmarshal(rec.Body.Bytes(), &out.body)
	if out.status >= 500 {
		c.t.Fatalf("answered %d: %s", out.status, rec.Body.String())
	}
	return out
}

// upload posts one file, with noteId before it if note is set, and
// returns the new file's ID.
func upload(u *wsUser, name string, data []byte, note string) string {
	u.t.Helper()
	parts := []part{filePart(name, data)}
	if note != "" {
		parts = append([]part{{name: "noteId", data: []byte(note)}}, parts...)
	}
	r := u.want(uploadForm(u.apiClient, parts...), 201, "")
	id, _ := r.body["fileId"].(string)
	if !quire.ValidID(id) || r.header.Get("Location") != "/api/v1/files/"+id {
		u.t.Fatalf("upload answered %v (Location %q)", r.body, r.header.Get("Location"))
	}
	return id
}

// download fetches a file's content.
func download(c *apiClient, id string) *httptest.ResponseRecorder {
	c.t.Helper()
	return sendRaw(c, http.MethodGet, "/api/v1/files/"+id+"/content", nil, "")
}

// pngData is a PNG signature and n random bytes.
func pngData(n int) []byte {
	p := make([]byte, n)
	_, _ = rand.Read(p)
	return append([]byte("\x89PNG\r\n\x1a\n"), p...)
}

func TestFilesCRUD(t *testing.T) {
	e := newFilesAPI(t, nil, 0)
	u := e.user("files@example.com")
	note := createNote(u, map[string]any{"title": "with files", "content": "x"})
	img := pngData(100_000)
	pic := upload(u, `C:\Users\me\Pictures\Fête "été".png`, img, note)
	txtID := u.want(uploadForm(u.apiClient, filePart("notes.txt", []byte("hello")), part{name: "noteId", data: []byte(note)}), 201, "")
	txt := txtID.body["fileId"].(string)
	if txtID.body["noteId"] != note || txtID.body["mediaType"] != "text/plain; charset=utf-8" || txtID.body["size"] != 5.0 {
		t.Fatalf("a noteId after the file: %v", txtID.body)
	}
	loose := upload(u, "loose.md", []byte("# heading"), "")

	got := u.want(u.do(http.MethodGet, "/api/v1/files/"+pic, nil), 200, "")
	for k, want := range map[string]any{"fileId": pic, "name": `Fête "été".png`, "mediaType": "image/png", "size": float64(len(img)), "noteId": note} {
		if got.body[k] != want {
			t.Errorf("file %s = %#v, want %#v", k, got.body[k], want)
		}
	}
	if _, ok := got.body["createdAt"].(string); !ok || len(got.body) != 6 {
		t.Errorf("file fields %v, want exactly six", got.body)
	}

	rec := download(u.apiClient, pic)
	h := rec.Result().Header
	for k, want := range map[string]string{
		"Content-Type":           "image/png",
		"Content-Disposition":    `attachment; filename="F_te __t__.png"; filename*=UTF-8''F%C3%AAte%20%22%C3%A9t%C3%A9%22.png`,
		"X-Content-Type-Options": "nosniff",
		"Cache-Control":          "private, no-store",
		"Content-Length":         fmt.Sprint(len(img)),
	} {
		if h.Get(k) != want {
			t.Errorf("download %s = %q, want %q", k, h.Get(k), want)
		}
	}
	if rec.Code != 200 || !bytes.Equal(rec.Body.Bytes(), img) {
		t.Fatalf("download answered %d with %d bytes, want the %d uploaded", rec.Code, rec.Body.Len(), len(img))
	}

	for _, tc := range []struct {
		query string
		want  []string
		total float64
	}{
		{"", []string{loose, txt, pic}, 3},
		{"?noteId=" + note, []string{txt, pic}, 2},
		{"?limit=1&offset=1", []string{txt}, 3},
		{"?noteId=" + quire.NewID(), nil, 0},
	} {
		list := u.want(u.do(http.MethodGet, "/api/v1/files"+tc.query, nil), 200, "")
		var ids []string
		for _, f := range list.body["files"].([]any) {
			ids = append(ids, f.(map[string]any)["fileId"].(string))
		}
		if fmt.Sprint(ids) != fmt.Sprint(tc.want) || list.body["total"] != tc.total {
			t.Errorf("list%s = %v (total %v), want %v (total %v)", tc.query, ids, list.body["total"], tc.want, tc.total)
		}
	}

	upd := u.want(u.do(http.MethodPatch, "/api/v1/files/"+txt, map[string]any{"name": "renamed.log", "noteId": nil}), 200, "")
	if upd.body["name"] != "renamed.log" || upd.body["noteId"] != nil {
		t.Fatalf("rename and detach answered %v", upd.body)
	}
	if upd = u.want(u.do(http.MethodPatch, "/api/v1/files/"+loose, map[string]any{"noteId": note}), 200, ""); upd.body["noteId"] != note {
		t.Fatalf("attach answered %v", upd.body)
	}
	u.want(u.do(http.MethodPatch, "/api/v1/files/"+txt, map[string]any{"name": "page.html"}), 415, "unsupported_media_type")

	if del := u.do(http.MethodDelete, "/api/v1/files/"+pic, nil); del.status != http.StatusNoContent {
		t.Fatalf("delete answered %d", del.status)
	}
	u.want(u.do(http.MethodGet, "/api/v1/files/"+pic, nil), 404, "not_found")
	u.want(result(u.apiClient, download(u.apiClient, pic)), 404, "not_found")
	u.want(u.do(http.MethodDelete, "/api/v1/files/"+pic, nil), 404, "not_found")
	if n := e.blobCount(); n != 2 {
		t.Fatalf("%d blobs stored after deleting one of three files, want 2", n)
	}
}

// TestFilesNoteDelete: deleting a note through the API deletes its
// files, rows and blobs, and no other file.
func TestFilesNoteDelete(t *testing.T) {
	e := newFilesAPI(t, nil, 0)
	u := e.user("notedelete@example.com")
	note := createNote(u, map[string]any{"title": "doomed"})
	gone := []string{upload(u, "a.png", pngData(10), note), upload(u, "b.txt", []byte("b"), note)}
	kept := upload(u, "c.txt", []byte("c"), "")
	if del := u.do(http.MethodDelete, "/api/v1/notes/"+note, nil); del.status != http.StatusNoContent {
		t.Fatalf("note delete answered %d", del.status)
	}
	for _, id := range gone {
		u.want(u.do(http.MethodGet, "/api/v1/files/"+id, nil), 404, "not_found")
	}
	u.want(u.do(http.MethodGet, "/api/v1/files/"+kept, nil), 200, "")
	if n := e.blobCount(); n != 1 {
		t.Fatalf("%d blobs left, want only the unattached file's", n)
	}
	u.want(u.do(http.MethodDelete, "/api/v1/notes/"+note, nil), 404, "not_found")
}

// TestFilesIsolation tries every route with another user's file and note
// IDs (claim ISO-1), that user being a member of the owner's workspace:
// each answers 404 as for an ID that never existed, and nothing changes.
func TestFilesIsolation(t *testing.T) {
	e := newFilesAPI(t, nil, 0)
	alice, mallory := e.user("alice@example.com"), e.user("mallory@example.com")
	note := createNote(alice, map[string]any{"title": "private"})
	secret := upload(alice, "salaries.txt", []byte("confidential"), note)
	e.join(mallory, alice.personal, quire.RoleEditor)
	own := upload(mallory, "mine.txt", []byte("mine"), "")
	path := "/api/v1/files/" + secret
	for _, r := range []apiResult{
		mallory.do(http.MethodGet, path, nil),
		result(mallory.apiClient, download(mallory.apiClient, secret)),
		mallory.do(http.MethodPatch, path, map[string]any{"name": "owned.txt"}),
		mallory.do(http.MethodPatch, path, map[string]any{"noteId": nil}),
		mallory.do(http.MethodDelete, path, nil),
	} {
		if r.status != 404 || r.code() != "not_found" || r.body["error"].(map[string]any)["message"] != "File not found." {
			t.Errorf("another user's file answered %d %v, want 404 File not found.", r.status, r.body)
		}
	}
	for _, r := range []apiResult{
		mallory.do(http.MethodPatch, "/api/v1/files/"+own, map[string]any{"noteId": note}),
		uploadForm(mallory.apiClient, part{name: "noteId", data: []byte(note)}, filePart("x.txt", []byte("x"))),
		uploadForm(mallory.apiClient, filePart("x.txt", []byte("x")), part{name: "noteId", data: []byte(note)}),
	} {
		if r.status != 404 || r.body["error"].(map[string]any)["message"] != "Note not found." {
			t.Errorf("attaching to another user's note answered %d %v, want 404 Note not found.", r.status, r.body)
		}
	}
	if list := mallory.want(mallory.do(http.MethodGet, "/api/v1/files?noteId="+note, nil), 200, ""); list.body["total"] != 0.0 {
		t.Errorf("mallory lists %v", list.body)
	}
	if list := mallory.want(mallory.do(http.MethodGet, "/api/v1/files", nil), 200, ""); list.body["total"] != 1.0 {
		t.Errorf("mallory lists %v, want her own file only", list.body)
	}
	got := alice.want(alice.do(http.MethodGet, path, nil), 200, "")
	if got.body["name"] != "salaries.txt" || got.body["noteId"] != note {
		t.Fatalf("alice's file changed: %v", got.body)
	}
	if rec := download(alice.apiClient, secret); rec.Body.String() != "confidential" {
		t.Fatalf("alice's file reads %q", rec.Body.String())
	}
	if n := e.blobCount(); n != 2 {
		t.Fatalf("%d blobs stored, want alice's and mallory's file only", n)
	}
}

// TestFilesAuth: no sign-in is 401, a cross-site cookie upload is
// refused (claim ACC-1), an API key works from anywhere.
func TestFilesAuth(t *testing.T) {
	e := newFilesAPI(t, nil, 0)
	u := e.user("filekeys@example.com")
	anon := u.clone()
	anon.want(anon.do(http.MethodGet, "/api/v1/files", nil), 401, "unauthorized")
	anon.want(uploadForm(anon, filePart("a.txt", []byte("a"))), 401, "unauthorized")
	u.site = "cross-site"
	u.want(uploadForm(u.apiClient, filePart("a.txt", []byte("a"))), 403, "cross_origin_request")
	u.site = "same-origin"
	created := u.want(u.do(http.MethodPost, "/api/v1/api-keys", map[string]string{"name": "script", "password": apiPassword}), 201, "")
	script := u.clone()
	script.site, script.bearer = "cross-site", "Bearer "+created.body["key"].(string)
	id := upload(&wsUser{apiClient: script}, "from a script.txt", []byte("s"), "")
	if got := u.want(u.do(http.MethodGet, "/api/v1/files/"+id, nil), 200, ""); got.body["name"] != "from a script.txt" {
		t.Fatalf("the key's file is not the session's: %v", got.body)
	}
	if e.blobCount() != 1 {
		t.Fatal("a refused upload stored a blob")
	}
}
