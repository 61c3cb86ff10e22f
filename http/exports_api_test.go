package http_test

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/quirehq/quire"
	"github.com/quirehq/quire/barrier"
	"github.com/quirehq/quire/blob"
	"github.com/quirehq/quire/export"
	"github.com/quirehq/quire/files"
	quirehttp "github.com/quirehq/quire/http"
	"github.com/quirehq/quire/internal/authtest"
	"github.com/quirehq/quire/sqlite"
)

// startExports builds the export service of a test server over db, with
// its archives under dir/exports, and runs its worker until the test ends.
func startExports(t *testing.T, db *sqlite.DB, b *barrier.Barrier, dir string, ws quire.WorkspaceService, fs *files.Service) *export.Service {
	t.Helper()
	svc, err := export.New(export.Config{Exports: sqlite.NewExportService(db), Users: sqlite.NewUserService(db, b), Workspaces: ws,
		Folders: sqlite.NewFolderService(db, b), Notes: sqlite.NewNoteService(db, b), Ideas: sqlite.NewIdeaService(db, b),
		Chats: sqlite.NewChatService(db, b), Accounts: sqlite.NewAuthService(db, b), Files: fs, Shares: sqlite.NewShareService(db, b),
		Privacy: sqlite.NewPrivacyService(db), Archives: archivesAt(t, b, dir)})
	if err != nil {
		t.Fatal(err)
	}
	ctx, stop := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); svc.Run(ctx) }()
	t.Cleanup(func() { stop(); <-done })
	return svc
}

// waitExport polls the export until it has left queued and running.
func waitExport(t *testing.T, u *wsUser, id string) apiResult {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		r := u.want(u.do(http.MethodGet, "/api/v1/me/exports/"+id, nil), 200, "")
		if s := r.body["state"]; s != quire.ExportQueued && s != quire.ExportRunning {
			return r
		}
		if time.Now().After(deadline) {
			t.Fatalf("export still %v", r.body["state"])
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// fetch sends a GET as c would and returns the raw response.
func fetch(c *wsUser, path, site string) *http.Response {
	req := httptest.NewRequest(http.MethodGet, "https://quire.test"+path, nil)
	req.Header.Set("Sec-Fetch-Site", site)
	if c.cookie != "" {
		req.AddCookie(&http.Cookie{Name: quirehttp.SessionCookie, Value: c.cookie})
	}
	if c.bearer != "" {
		req.Header.Set("Authorization", c.bearer)
	}
	rec := httptest.NewRecorder()
	c.srv.ServeHTTP(rec, req)
	return rec.Result()
}

// TestAPIExportFlow: start, follow the progress, download once, then 410;
// one at a time; another user gets 404 on every route (ISO-1).
func TestAPIExportFlow(t *testing.T) {
	e := newFullAPI(t)
	u, other := e.user("exporter@example.com"), e.user("bystander@example.com")
	u.want(u.do(http.MethodPost, "/api/v1/notes", map[string]any{"title": "Export me", "content": "MARKER-EXPORT-API-42"}), 201, "")
	other.want(other.do(http.MethodPost, "/api/v1/notes", map[string]any{"title": "Not mine", "content": "MARKER-OTHER-77"}), 201, "")

	started := u.want(u.do(http.MethodPost, "/api/v1/me/exports", nil), 202, "")
	id, _ := started.body["exportId"].(string)
	if !quire.ValidID(id) || started.header.Get("Location") != "/api/v1/me/exports/"+id {
		t.Fatalf("started export %v, Location %q", started.body, started.header.Get("Location"))
	}
	if s := started.body["state"]; s != quire.ExportQueued && s != quire.ExportRunning {
		t.Fatalf("a new export is %v", s)
	}
	ready := waitExport(t, u, id)
	if ready.body["state"] != quire.ExportReady || ready.body["downloadUrl"] != "/api/v1/me/exports/"+id+"/download" ||
		ready.body["itemsDone"] != ready.body["itemsTotal"] || ready.body["expiresAt"] == nil {
		t.Fatalf("finished export %v", ready.body)
	}
	list := u.want(u.do(http.MethodGet, "/api/v1/me/exports", nil), 200, "").body["exports"].([]any)
	if len(list) != 1 || list[0].(map[string]any)["exportId"] != id {
		t.Fatalf("list = %v", list)
	}
	if got := other.want(other.do(http.MethodGet, "/api/v1/me/exports", nil), 200, "").body["exports"].([]any); len(got) != 0 {
		t.Fatalf("another user lists %v", got)
	}
	for _, path := range []string{"/api/v1/me/exports/" + id, "/api/v1/me/exports/" + id + "/download"} {
		other.want(other.do(http.MethodGet, path, nil), 404, "not_found")
	}
	// Another site's link must not spend the one download.
	if res := fetch(u, "/api/v1/me/exports/"+id+"/download", "cross-site"); res.StatusCode != 403 {
		t.Fatalf("cross-site download answered %d", res.StatusCode)
	}

	res := fetch(u, "/api/v1/me/exports/"+id+"/download", "same-origin")
	body, _ := io.ReadAll(res.Body)
	sum := sha256.Sum256(body)
	if res.StatusCode != 200 || res.Header.Get("Content-Type") != "application/zip" ||
		!strings.HasPrefix(res.Header.Get("Content-Disposition"), "attachment; ") || hex.EncodeToString(sum[:]) != ready.body["sha256"] {
		t.Fatalf("download answered %d %v, %d bytes", res.StatusCode, res.Header, len(body))
	}
	zr, err := zip.NewReader(bytes.NewReader(body), int64(len(body)))
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, f := range zr.File {
		rc, _ := f.Open()
		data, _ := io.ReadAll(rc)
		_ = rc.Close()
		found = found || bytes.Contains(data, []byte("MARKER-EXPORT-API-42"))
		if bytes.Contains(data, []byte("MARKER-OTHER-77")) {
			t.Errorf("%s holds another user's note", f.Name)
		}
	}
	if !found {
		t.Error("the archive lacks the user's note")
	}
	u.want(u.do(http.MethodGet, "/api/v1/me/exports/"+id+"/download", nil), 410, quire.EEXPORTGONE)
	if s := u.want(u.do(http.MethodGet, "/api/v1/me/exports/"+id, nil), 200, "").body["state"]; s != quire.ExportDownloaded {
		t.Fatalf("state after the download %v", s)
	}
}

// newExportAPI is a server with accounts, workspaces, notes and exports
// whose worker does not run: the test builds the exports itself.
func newExportAPI(t *testing.T) (*wsAPI, *export.Service) {
	t.Helper()
	db, b, dir := authtest.SQLite(t)
	svc, outbox := authtest.OnStore(t, db, b, dir, authtest.Options{})
	e := &wsAPI{t: t, svc: svc, ws: sqlite.NewWorkspaceService(db, b), outbox: outbox}
	exports, err := export.New(export.Config{Exports: sqlite.NewExportService(db), Users: sqlite.NewUserService(db, b), Workspaces: e.ws,
		Folders: sqlite.NewFolderService(db, b), Notes: sqlite.NewNoteService(db, b), Ideas: sqlite.NewIdeaService(db, b),
		Chats: sqlite.NewChatService(db, b), Accounts: sqlite.NewAuthService(db, b), Archives: archivesAt(t, b, dir)})
	if err != nil {
		t.Fatal(err)
	}
	e.srv = quirehttp.NewServer(quirehttp.Config{Auth: svc, AuthBurst: 1000, Workspaces: e.ws, Notes: sqlite.NewNoteService(db, b), Exports: exports})
	return e, exports
}

// archivesAt is an archive store under dir/exports.
func archivesAt(t *testing.T, b *barrier.Barrier, dir string) *export.Archives {
	t.Helper()
	local, err := blob.NewLocal(blob.LocalOptions{Dir: filepath.Join(dir, "exports")})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = local.Close() })
	archives, err := export.NewArchives(b, local)
	if err != nil {
		t.Fatal(err)
	}
	return archives
}

// TestAPIExportOneAtATimeAndRateLimited: while an export is queued a
// second is 409, by session or API key; three a day, then 429 with
// Retry-After. CSRF and sign-in hold as on every route.
func TestAPIExportOneAtATimeAndRateLimited(t *testing.T) {
	e, exports := newExportAPI(t)
	u := e.user("busy@example.com")
	key := u.want(u.do(http.MethodPost, "/api/v1/api-keys", map[string]any{"name": "script", "password": apiPassword}), 201, "").body["key"].(string)
	script := u.clone()
	script.bearer, script.site = "Bearer "+key, "cross-site"
	first := script.want(script.do(http.MethodPost, "/api/v1/me/exports", nil), 202, "").body["exportId"].(string)
	u.want(u.do(http.MethodPost, "/api/v1/me/exports", nil), 409, "conflict")
	script.want(script.do(http.MethodPost, "/api/v1/me/exports", nil), 409, "conflict")
	u.want(u.do(http.MethodGet, "/api/v1/me/exports/"+first+"/download", nil), 409, "conflict")
	for range 2 {
		if _, err := exports.Process(context.Background()); err != nil {
			t.Fatal(err)
		}
		u.want(u.do(http.MethodPost, "/api/v1/me/exports", nil), 202, "")
	}
	if _, err := exports.Process(context.Background()); err != nil {
		t.Fatal(err)
	}
	limited := u.want(u.do(http.MethodPost, "/api/v1/me/exports", nil), 429, "rate_limited")
	if limited.header.Get("Retry-After") == "" {
		t.Fatal("429 without Retry-After")
	}
	cross := u.clone()
	cross.cookie, cross.site = u.cookie, "cross-site"
	cross.want(cross.do(http.MethodPost, "/api/v1/me/exports", nil), 403, "cross_origin_request")
	u.want(u.raw(http.MethodGet, "/api/v1/me/exports?zzunknown=1", nil), 400, "invalid_input")
	anon := u.clone()
	anon.want(anon.do(http.MethodGet, "/api/v1/me/exports", nil), 401, "unauthorized")
	anon.want(anon.do(http.MethodGet, "/api/v1/me/exports/"+first+"/download", nil), 401, "unauthorized")
}

// TestAPIExportSecondDownloadWhileOneStreamsIsGone: while one download
// streams the archive, another is 410 export_gone; once the first ends
// without completing, the archive downloads again.
func TestAPIExportSecondDownloadWhileOneStreamsIsGone(t *testing.T) {
	e, exports := newExportAPI(t)
	u := e.user("twice@example.com")
	id := u.want(u.do(http.MethodPost, "/api/v1/me/exports", nil), 202, "").body["exportId"].(string)
	if _, err := exports.Process(context.Background()); err != nil {
		t.Fatal(err)
	}
	first, err := exports.Open(context.Background(), u.id, id) // a download under way
	if err != nil {
		t.Fatal(err)
	}
	u.want(u.do(http.MethodGet, "/api/v1/me/exports/"+id+"/download", nil), 410, quire.EEXPORTGONE)
	if err := first.Close(); err != nil { // cut short: not counted
		t.Fatal(err)
	}
	if res := fetch(u, "/api/v1/me/exports/"+id+"/download", "same-origin"); res.StatusCode != 200 {
		t.Fatalf("download after a cut one answered %d", res.StatusCode)
	}
	u.want(u.do(http.MethodGet, "/api/v1/me/exports/"+id+"/download", nil), 410, quire.EEXPORTGONE)
}
