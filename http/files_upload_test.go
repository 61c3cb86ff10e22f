package http_test

import (
	"bytes"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/quirehq/quire"
	"github.com/quirehq/quire/edge/shield"
)

// TestFilesUploadBadInput: every malformed or refused upload gets a
// precise status and code, and none leaves a file behind.
func TestFilesUploadBadInput(t *testing.T) {
	const limit = 200_000
	e := newFilesAPI(t, nil, limit)
	u := e.user("badfiles@example.com")
	note := createNote(u, map[string]any{"title": "n"})
	noteField := func(v string) part { return part{name: "noteId", data: []byte(v)} }
	txt := filePart("a.txt", []byte("text"))
	good, goodCT := multipartBody(txt)
	cut := good[:len(good)-10]
	for _, tc := range []struct {
		what        string
		body        []byte
		contentType string
		status      int
		code, msg   string
	}{
		{"JSON", []byte(`{"file":"x"}`), "application/json", 400, "multipart_required", "multipart/form-data"},
		{"no boundary", good, "multipart/form-data", 400, "multipart_required", "boundary"},
		{"urlencoded", []byte("file=x"), "application/x-www-form-urlencoded", 400, "multipart_required", ""},
		{"a cut body", cut, goodCT, 400, "invalid_input", "malformed or was cut short"},
		{"the wrong boundary", good, "multipart/form-data; boundary=nope", 400, "invalid_input", "malformed"},
	} {
		r := result(u.apiClient, sendRaw(u.apiClient, http.MethodPost, "/api/v1/files", tc.body, tc.contentType))
		wantError(t, tc.what, r, tc.status, tc.code, tc.msg)
	}
	for _, tc := range []struct {
		what      string
		parts     []part
		status    int
		code, msg string
	}{
		{"no file", []part{noteField(note)}, 400, "file_missing", "no file"},
		{"an empty form", nil, 400, "file_missing", ""},
		{"two files", []part{txt, filePart("b.txt", []byte("b"))}, 400, "too_many_files", "one file per request"},
		{"a file and a file field", []part{txt, {name: "file", data: []byte("x")}}, 400, "too_many_files", ""},
		{"a file under another name", []part{{name: "upload", filename: "a.txt", data: []byte("a")}}, 400, "invalid_input", `named "file"`},
		{"a file part without a name", []part{{name: "file", data: []byte("a")}}, 400, "invalid_input", "no file name"},
		{"an unknown field", []part{txt, {name: "folderId", data: []byte("x")}}, 400, "invalid_input", `"folderId" is not known`},
		{"noteId twice", []part{noteField(note), noteField(note), txt}, 400, "invalid_input", "more than once"},
		{"a bad noteId", []part{noteField("../x"), txt}, 400, "invalid_input", "note ID"},
		{"a bad noteId after the file", []part{txt, noteField("1 OR 1=1")}, 400, "invalid_input", "note ID"},
		{"an unknown note", []part{noteField(quire.NewID()), txt}, 404, "not_found", "Note not found."},
		{"an unknown note after the file", []part{txt, noteField(quire.NewID())}, 404, "not_found", "Note not found."},
		{"an executable", []part{filePart("tool", []byte("\x7fELF\x02\x01\x01"))}, 415, "unsupported_media_type", "executable"},
		{"HTML", []part{filePart("page.txt", []byte("<html><script>alert(1)</script>"))}, 415, "unsupported_media_type", "markup"},
		{"an extension that lies", []part{filePart("photo.jpg", pngData(10))}, 415, "unsupported_media_type", "extension"},
		{"too large", []part{filePart("big.txt", bytes.Repeat([]byte("a"), limit+1))}, 413, "too_large", fmt.Sprint(limit)},
		{"too large for the body cap", []part{filePart("big.txt", bytes.Repeat([]byte("a"), limit+100_000))}, 413, "too_large", ""},
		{"a bad file name", []part{filePart("dir/", []byte("a"))}, 400, "invalid_input", "File name"},
		{"a second file after a refused one", []part{filePart("tool", []byte("\x7fELF")), txt}, 415, "unsupported_media_type", ""},
	} {
		wantError(t, tc.what, uploadForm(u.apiClient, tc.parts...), tc.status, tc.code, tc.msg)
	}
	wantError(t, "a query", result(u.apiClient, sendRaw(u.apiClient, http.MethodPost, "/api/v1/files?noteId="+note, good, goodCT)),
		400, "invalid_input", `"noteId" is not known`)
	if list := u.want(u.do(http.MethodGet, "/api/v1/files", nil), 200, ""); list.body["total"] != 0.0 || e.blobCount() != 0 {
		t.Fatalf("refused uploads left %v files and %d blobs", list.body["total"], e.blobCount())
	}
	id := upload(u, "a.txt", []byte("a"), "")
	for _, tc := range []struct {
		what, method, path, body string
		status                   int
		code, msg                string
	}{
		{"an empty patch", "PATCH", "/api/v1/files/" + id, `{}`, 400, "invalid_input", "Nothing to change"},
		{"a null name", "PATCH", "/api/v1/files/" + id, `{"name":null}`, 400, "invalid_input", `"name" may not be null`},
		{"a bad note", "PATCH", "/api/v1/files/" + id, `{"noteId":"x"}`, 400, "invalid_input", "noteId"},
		{"an unknown field", "PATCH", "/api/v1/files/" + id, `{"size":1}`, 400, "invalid_input", `"size" is not known`},
		{"a bad name", "PATCH", "/api/v1/files/" + id, `{"name":"a\u0000b"}`, 400, "invalid_input", "control"},
		{"an unknown note", "PATCH", "/api/v1/files/" + id, `{"noteId":"` + quire.NewID() + `"}`, 404, "not_found", "Note not found."},
		{"a type change", "PATCH", "/api/v1/files/" + id, `{"name":"a.png"}`, 415, "unsupported_media_type", ""},
		{"a bad limit", "GET", "/api/v1/files?limit=0", "", 400, "invalid_input", "limit"},
		{"a big offset", "GET", "/api/v1/files?offset=99999999", "", 400, "invalid_input", "offset"},
		{"a bad note filter", "GET", "/api/v1/files?noteId=..", "", 400, "invalid_input", "noteId"},
		{"an unknown query", "GET", "/api/v1/files?folderId=x", "", 400, "invalid_input", `"folderId" is not known`},
		{"a malformed ID", "GET", "/api/v1/files/not-an-id", "", 404, "not_found", "File not found."},
		{"a malformed ID's content", "GET", "/api/v1/files/not-an-id/content", "", 404, "not_found", "File not found."},
		{"PUT", "PUT", "/api/v1/files/" + id, `{}`, 405, "method_not_allowed", ""},
	} {
		wantError(t, tc.what, send(u.apiClient, tc.method, tc.path, tc.body, nil), tc.status, tc.code, tc.msg)
	}
	if got := u.want(u.do(http.MethodGet, "/api/v1/files/"+id, nil), 200, ""); got.body["name"] != "a.txt" || got.body["noteId"] != nil {
		t.Fatalf("a refused request changed the file: %v", got.body)
	}
}

func wantError(t *testing.T, what string, r apiResult, status int, code, msg string) {
	t.Helper()
	m, _ := r.body["error"].(map[string]any)
	text, _ := m["message"].(string)
	if r.status != status || r.code() != code || !strings.Contains(text, msg) {
		t.Errorf("%s: answered %d %q %q, want %d %q containing %q", what, r.status, r.code(), text, status, code, msg)
	}
}

// TestFilesShieldLetsUploadsThrough uploads binary and text files whose
// bytes the Core Rule Set would refuse as a field value, through the
// default shield: file contents are not inspected, the form's fields and
// the file's name are.
func TestFilesShieldLetsUploadsThrough(t *testing.T) {
	sh, err := shield.New(shield.Config{})
	if err != nil {
		t.Fatal(err)
	}
	e := newFilesAPI(t, sh, 0)
	u := e.user("shieldfiles@example.com")
	sql := []byte("SELECT * FROM x WHERE 1=1\n' OR '1'='1' --\n<script>alert(1)</script>\ncat /etc/passwd\n")
	for _, tc := range []struct {
		name string
		data []byte
	}{
		{"query.txt", sql},
		{"small.png", append(pngData(64), sql...)},
		{"large.png", append(pngData(300_000), sql...)}, // beyond the shield's inspection limit
		{"notes.md", bytes.Repeat(sql, 2000)},
	} {
		id := upload(u, tc.name, tc.data, "")
		if rec := download(u.apiClient, id); !bytes.Equal(rec.Body.Bytes(), tc.data) {
			t.Fatalf("%s came back as %d bytes (%d sent): %q", tc.name, rec.Body.Len(), len(tc.data), rec.Body.Bytes()[:min(rec.Body.Len(), 200)])
		}
	}
	// The form's fields and the file's name are inspected like any
	// other request value.
	u.want(uploadForm(u.apiClient, part{name: "noteId", data: []byte("1' OR '1'='1")}, filePart("a.txt", []byte("a"))), 403, "shield_blocked")
	u.want(uploadForm(u.apiClient, filePart("x' OR '1'='1' -- .txt", []byte("a"))), 403, "shield_blocked")
	if n := e.blobCount(); n != 4 {
		t.Fatalf("%d blobs stored, want the four files let through", n)
	}
}

// TestFilesDownloadIntegrity: a stored file whose bytes were changed on
// disk is never served as if whole. Damage in the first chunk is a 500
// before any byte is sent; damage later aborts the response.
func TestFilesDownloadIntegrity(t *testing.T) {
	e := newFilesAPI(t, nil, 0)
	u := e.user("integrity@example.com")
	data := bytes.Repeat([]byte("0123456789abcdef"), 20_000) // several 64 KiB chunks
	flip := func(id string, fromEnd int) {
		path := filepath.Join(e.blobDir, u.personal, id)
		raw, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		raw[len(raw)-fromEnd] ^= 1
		if err := os.WriteFile(path, raw, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	early := upload(u, "early.txt", data, "")
	flip(early, len(data)) // inside the first chunk
	rec := download(u.apiClient, early)
	if rec.Code != 500 || rec.Header().Get("Content-Disposition") != "" || bytes.Contains(rec.Body.Bytes(), data[:64]) {
		t.Fatalf("a damaged first chunk answered %d (Content-Disposition %q)", rec.Code, rec.Header().Get("Content-Disposition"))
	}
	late := upload(u, "late.txt", data, "")
	flip(late, 20)
	aborted := func() (v any) {
		defer func() { v = recover() }()
		download(u.apiClient, late)
		return nil
	}()
	if aborted != http.ErrAbortHandler {
		t.Fatalf("a damaged last chunk: the handler ended with %v, want it aborted (http.ErrAbortHandler)", aborted)
	}
}
