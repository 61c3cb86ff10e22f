package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/quirehq/quire/barrier"
	"github.com/quirehq/quire/blob"
	"github.com/quirehq/quire/gateway/openai/openaitest"
	"github.com/quirehq/quire/internal/authtest"
	"github.com/quirehq/quire/postgres/pgtest"
)

// TestDeletionEndToEnd deletes an account through quire serve on SQLite
// (claim GDPR-3): every marker the user wrote (note, version, idea,
// folder, file bytes, chat message, name, address) is in no file of the
// data directory afterwards; the rows and file bytes of a copy taken
// before the deletion no longer decrypt with the LIVE key store (the
// deployment's keys as they are after the deletion); the workspace the
// user was only a member of stays whole. It also pins down the limit of
// shredding: the copy opened with its OWN key store (the wrapped keys in
// the copied database) and the root key still decrypts, which is why
// backup retention must stay within the purge deadline.
func TestDeletionEndToEnd(t *testing.T) {
	deletionEndToEnd(t, "", func(t *testing.T, data, backup string) backupRows {
		for _, f := range []string{"quire.db", "quire.db-wal", "quire.db-shm"} {
			copyFile(t, filepath.Join(data, f), filepath.Join(backup, f))
		}
		db, err := sql.Open("sqlite", "file:"+filepath.Join(backup, "quire.db")+"?mode=ro")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = db.Close() })
		return func(t *testing.T, q string) []rawRow {
			rows, err := db.Query(q)
			if err != nil {
				t.Fatalf("%s: %v", q, err)
			}
			defer rows.Close()
			var out []rawRow
			for rows.Next() {
				var r rawRow
				if err := rows.Scan(&r.id, &r.ct); err != nil {
					t.Fatal(err)
				}
				out = append(out, r)
			}
			return out
		}
	}, nil)
}

// TestDeletionEndToEndPostgres runs the same on PostgreSQL laid out as in
// production; the "backup" is the rows as a superuser read them before
// the deletion, and a dump of the database after it is scanned too.
func TestDeletionEndToEndPostgres(t *testing.T) {
	env := pgtest.New(t)
	t.Setenv("QUIRE_TEST_APP_URL", env.AppURL)
	t.Setenv("QUIRE_TEST_OWNER_URL", env.OwnerURL)
	deletionEndToEnd(t, "database:\n  driver: postgres\n  url: ${QUIRE_TEST_APP_URL}\n  owner_url: ${QUIRE_TEST_OWNER_URL}\n",
		func(t *testing.T, _, _ string) backupRows {
			return func(t *testing.T, q string) []rawRow {
				c, err := pgx.Connect(context.Background(), env.Admin)
				if err != nil {
					t.Fatal(err)
				}
				defer c.Close(context.Background())
				rows, err := c.Query(context.Background(), q)
				if err != nil {
					t.Fatalf("%s: %v", q, err)
				}
				out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (rawRow, error) {
					var x rawRow
					return x, r.Scan(&x.id, &x.ct)
				})
				if err != nil {
					t.Fatal(err)
				}
				return out
			}
		},
		func(t *testing.T) []byte {
			out, err := exec.Command("pg_dump", "--data-only", env.Admin).Output()
			if err != nil {
				t.Fatalf("pg_dump: %v", err)
			}
			return out
		})
}

// rawRow is one stored ciphertext and the ID of its row.
type rawRow struct {
	id string
	ct []byte
}

// backupRows reads (id, ciphertext) rows from the copy of the database
// taken before the deletion.
type backupRows func(t *testing.T, query string) []rawRow

// sealed is a ciphertext of the backup with what it was bound to.
type sealed struct {
	scope            barrier.Scope
	table, id, field string
	ct               []byte
}

// deletionEndToEnd is the test on the database of dbYAML (SQLite when
// empty). snapshot takes the backup while the server is stopped and
// returns its reader; dump, if not nil, dumps the database.
func deletionEndToEnd(t *testing.T, dbYAML string, snapshot func(t *testing.T, data, backup string) backupRows, dump func(t *testing.T) []byte) {
	fake := openaitest.New(t, os.DirFS("../../gateway/openai/testdata"))
	s, key := gatewayServerWith(t, dbYAML+fmt.Sprintf(`ai:
  providers:
    - name: main
      kind: openai
      base_url: %s
      api_key: sk-test-upstream
      zdr: true
      trains_on_data: false
      models: [chat_stream]
workspace:
  chat:
    model: chat_stream
`, fake.URL))
	cfgPath := filepath.Join(filepath.Dir(s.data), "quire.yaml")
	canary := "erase-canary-4b7d2e"
	m := map[string]string{"name": "Name " + canary, "email": "doomed.erase.canary@example.org", "title": "Title " + canary,
		"content": "Content " + canary, "version": "Older draft " + canary, "idea": "Idea " + canary, "folder": "Folder " + canary,
		"file": "file-bytes-" + canary, "chat": "Chat question " + canary, "filename": "notes-" + canary + ".txt"}

	owner := &rightsClient{t: t, url: s.url, hc: client(t, s.data), key: key}
	verifications := len(authtest.Files(t, filepath.Join(s.data, "outbox"), "verify_email"))
	doomed := rightsSignUp(t, s, m["email"])
	doomed.call(http.MethodPost, "/api/v1/auth/verify-email", map[string]any{"token": rightsMail(t, s.data, "verify_email", verifications+1)}, 204)
	doomed.call(http.MethodPatch, "/api/v1/me", map[string]any{"name": m["name"]}, 200)
	ws := doomed.call(http.MethodGet, "/api/v1/workspaces", nil, 200)["workspaces"].([]any)[0].(map[string]any)["id"].(string)
	me := doomed.call(http.MethodGet, "/api/v1/me", nil, 200)
	userID := me["id"].(string)
	folder := doomed.call(http.MethodPost, "/api/v1/folders", map[string]any{"name": m["folder"]}, 201)["folderId"].(string)
	note := doomed.call(http.MethodPost, "/api/v1/notes", map[string]any{"title": m["title"], "content": m["version"], "folderId": folder}, 201)["noteId"].(string)
	doomed.call(http.MethodPatch, "/api/v1/notes/"+note, map[string]any{"content": m["content"]}, 200)
	doomed.call(http.MethodPost, "/api/v1/ideas", map[string]any{"text": m["idea"]}, 201)
	fileID := doomed.upload(m["filename"], strings.Repeat(m["file"]+"\n", 500))["fileId"].(string)
	conv := doomed.call(http.MethodPost, "/api/v1/chats", map[string]any{"title": "Chat " + canary}, 201)["conversationId"].(string)
	doomed.call(http.MethodPost, "/api/v1/chats/"+conv+"/messages", map[string]any{"content": m["chat"]}, 200)
	if found := doomed.call(http.MethodGet, "/api/v1/search?q="+canary, nil, 200)["results"].([]any); len(found) == 0 {
		t.Fatal("search does not find the user's notes before the deletion")
	}
	// The user is a member of a folder of another account's workspace, and
	// writes in it: that workspace is the other account's, and stays.
	team := owner.call(http.MethodPost, "/api/v1/folders", map[string]any{"name": "Team"}, 201)["folderId"].(string)
	kept := owner.call(http.MethodPost, "/api/v1/notes", map[string]any{"title": "Owner's plan", "content": "stays", "folderId": team}, 201)["noteId"].(string)
	ownerFile := owner.upload("owner.txt", "the owner's bytes")["fileId"].(string)
	owner.call(http.MethodPost, "/api/v1/folders/"+team+"/shares", map[string]any{"email": m["email"], "permission": "write"}, 201)
	share := doomed.call(http.MethodPost, "/api/v1/invitations/accept", map[string]any{"token": rightsMail(t, s.data, "folder_invite", 1)}, 200)["shareId"].(string)
	inTeam := doomed.call(http.MethodPost, "/api/v1/shared/"+share+"/notes", map[string]any{"title": "Written for the team", "content": "kept by the owner"}, 201)["noteId"].(string)
	doomedKey := doomed.call(http.MethodPost, "/api/v1/api-keys", map[string]any{"name": "script", "password": rightsPassword}, 201)["key"].(string)
	ownerWS := owner.call(http.MethodGet, "/api/v1/workspaces", nil, 200)["workspaces"].([]any)[0].(map[string]any)["id"].(string)

	// A backup, taken while the server is stopped.
	s.stop(t)
	backup := t.TempDir()
	read := snapshot(t, s.data, backup)
	copyDir(t, filepath.Join(s.data, "blobs"), filepath.Join(backup, "blobs"))
	rows := backupCiphertexts(t, read, userID, ws)
	control := read(t, "SELECT id, title_enc FROM notes WHERE id = '"+kept+"'")
	if len(rows) < 9 || len(control) != 1 {
		t.Fatalf("the backup holds %d sealed values of the user and %d of the owner", len(rows), len(control))
	}

	s2 := startServe(t, s.data, "--config", cfgPath)
	doomed.url, owner.url = s2.url, s2.url
	script := &rightsClient{t: t, url: s2.url, hc: doomed.hc, key: doomedKey}
	script.call(http.MethodDelete, "/api/v1/me", map[string]any{"password": rightsPassword}, 403)
	doomed.crossSite = true
	doomed.call(http.MethodDelete, "/api/v1/me", map[string]any{"password": rightsPassword}, 403)
	doomed.crossSite = false
	doomed.call(http.MethodDelete, "/api/v1/me", map[string]any{"password": "not the password"}, 401)
	gone := doomed.call(http.MethodDelete, "/api/v1/me", map[string]any{"password": rightsPassword}, 202)
	if gone["status"] != "shredded" {
		t.Fatalf("DELETE /api/v1/me answered %v", gone)
	}
	doomed.call(http.MethodGet, "/api/v1/notes", nil, 401)
	script.call(http.MethodGet, "/api/v1/notes", nil, 401)
	receipt := rightsMailFile(t, s.data, "account_deleted")
	if !bytes.Contains(receipt, []byte(m["email"])) {
		t.Fatal("the deletion receipt is not addressed to the account's address")
	}
	waitGone(t, filepath.Join(s.data, "blobs", ws))
	if n := owner.call(http.MethodGet, "/api/v1/notes/"+kept, nil, 200); n["content"] != "stays" {
		t.Fatalf("the owner's note reads %v", n)
	}
	if n := owner.call(http.MethodGet, "/api/v1/notes/"+inTeam, nil, 200); n["content"] != "kept by the owner" {
		t.Fatalf("the note the user wrote in the owner's folder reads %v", n)
	}
	s2.stop(t)

	if out := runOK(t, "admin", "deletions", "--config", cfgPath, "--data", s.data); !strings.Contains(out, userID) ||
		!strings.Contains(out, "done") || strings.Contains(out, canary) || strings.Contains(out, m["email"]) {
		t.Fatalf("quire admin deletions:\n%s", out)
	}
	markers := []string{canary, m["email"]}
	scanRights(t, s.data, markers)
	scanRights(t, backup, []string{canary})
	if dump != nil {
		d := dump(t)
		if !bytes.Contains(d, []byte(kept)) {
			t.Fatal("the dump lacks the owner's note: it is not a dump of this database")
		}
		for _, mk := range markers {
			if bytes.Contains(d, []byte(mk)) {
				t.Errorf("the database dump holds the marker %q", mk)
			}
		}
	}
	checkCopyDeadToLiveKeys(t, cfgPath, s.data, backup, rows, sealed{barrier.WorkspaceScope(ownerWS), "notes", kept, "title", control[0].ct},
		[2]string{ws, fileID}, [2]string{ownerWS, ownerFile})
	if dbYAML == "" {
		checkCopyReadableWithOwnKeys(t, cfgPath, s.data, backup, rows)
	}
}

// backupCiphertexts reads every sealed value of the user and of its
// workspace from the backup.
func backupCiphertexts(t *testing.T, read backupRows, userID, ws string) []sealed {
	t.Helper()
	var out []sealed
	add := func(scope barrier.Scope, table, field, q string) {
		for _, r := range read(t, q) {
			out = append(out, sealed{scope, table, r.id, field, r.ct})
		}
	}
	u, w := barrier.UserScope(userID), barrier.WorkspaceScope(ws)
	in := " WHERE workspace_id = '" + ws + "'"
	add(u, "users", "email", "SELECT id, email_enc FROM users WHERE id = '"+userID+"'")
	add(u, "users", "name", "SELECT id, name_enc FROM users WHERE id = '"+userID+"'")
	add(w, "workspaces", "name", "SELECT id, name_enc FROM workspaces WHERE id = '"+ws+"'")
	add(w, "notes", "title", "SELECT id, title_enc FROM notes"+in)
	add(w, "notes", "content", "SELECT id, content_enc FROM notes"+in)
	add(w, "note_versions", "content", "SELECT id, content_enc FROM note_versions"+in)
	add(w, "ideas", "text", "SELECT id, text_enc FROM ideas"+in)
	add(w, "folders", "name", "SELECT id, name_enc FROM folders"+in)
	add(w, "files", "name", "SELECT id, name_enc FROM files"+in)
	add(w, "conversations", "title", "SELECT id, title_enc FROM conversations"+in)
	add(w, "chat_messages", "content", "SELECT id, content_enc FROM chat_messages"+in)
	return out
}

// checkCopyDeadToLiveKeys opens the deployment as it is after the
// deletion and tries every sealed value of the copy taken before it, and
// the file's bytes, with the LIVE key store (the keys in the deployment's
// database now, not the copy's own): none of the user's opens; the
// control (the owner's) does, so the check itself works. It says nothing
// about the copy read with its own wrapped keys: see
// checkCopyReadableWithOwnKeys.
func checkCopyDeadToLiveKeys(t *testing.T, cfgPath, data, backup string, rows []sealed, control sealed, file, ownerFile [2]string) {
	t.Helper()
	ctx := context.Background()
	cfg, err := loadConfig(cfgPath, data)
	if err != nil {
		t.Fatal(err)
	}
	a, err := openApp(ctx, cfg, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	for _, r := range rows {
		if pt, err := a.barrier.Decrypt(ctx, r.scope, barrier.AD(r.table, r.id, r.field), r.ct); err == nil {
			t.Errorf("%s.%s of %s from the copy still decrypts with the live keys: %q", r.table, r.field, r.id, pt)
		}
	}
	if pt, err := a.barrier.Decrypt(ctx, control.scope, barrier.AD(control.table, control.id, control.field), control.ct); err != nil || string(pt) != "Owner's plan" {
		t.Fatalf("the owner's note from the backup does not decrypt (%q, %v): the check is blind", pt, err)
	}
	local, err := blob.NewLocal(blob.LocalOptions{Dir: filepath.Join(backup, "blobs")})
	if err != nil {
		t.Fatal(err)
	}
	defer local.Close()
	store, err := blob.New(a.barrier, local, blob.Options{})
	if err != nil {
		t.Fatal(err)
	}
	readBlob := func(ws, id string) ([]byte, error) {
		rc, _, err := store.Open(ctx, ws, id)
		if err != nil {
			return nil, err
		}
		defer rc.Close()
		return io.ReadAll(rc)
	}
	if b, err := readBlob(file[0], file[1]); err == nil {
		t.Errorf("the file's bytes from the copy still decrypt with the live keys (%d bytes)", len(b))
	}
	if b, err := readBlob(ownerFile[0], ownerFile[1]); err != nil || string(b) != "the owner's bytes" {
		t.Fatalf("the owner's file from the backup does not decrypt (%v): the check is blind", err)
	}
}

// checkCopyReadableWithOwnKeys opens the SQLite copy taken before the
// deletion as a deployment of its own (its database, so its own wrapped
// data keys, and the same root key) and finds the user's values still
// decrypt: shredding destroys the keys in the live database only. This is
// the documented limit (erase package, README): a backup made before a
// deletion stays readable with the root key until the backup is deleted.
// If this ever fails, the documentation can promise more.
func checkCopyReadableWithOwnKeys(t *testing.T, cfgPath, data, backup string, rows []sealed) {
	t.Helper()
	ctx := context.Background()
	restored := filepath.Join(t.TempDir(), "restored")
	if err := os.MkdirAll(restored, 0o700); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"quire.db", "quire.db-wal", "quire.db-shm"} {
		if _, err := os.Stat(filepath.Join(backup, f)); err == nil {
			copyFile(t, filepath.Join(backup, f), filepath.Join(restored, f))
		}
	}
	if _, err := os.Stat(filepath.Join(data, "root.key")); err == nil {
		copyFile(t, filepath.Join(data, "root.key"), filepath.Join(restored, "root.key"))
	}
	cfg, err := loadConfig(cfgPath, restored)
	if err != nil {
		t.Fatal(err)
	}
	a, err := openApp(ctx, cfg, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	opened := 0
	for _, r := range rows {
		if _, err := a.barrier.Decrypt(ctx, r.scope, barrier.AD(r.table, r.id, r.field), r.ct); err == nil {
			opened++
		}
	}
	if opened != len(rows) {
		t.Fatalf("%d of the copy's %d values of the user decrypt with its own keys; expected all (the documented limit of shredding)", opened, len(rows))
	}
}

// scanRights fails if any file under dir holds a marker; the address is
// expected in the development outbox only (the receipt is sent to it).
func scanRights(t *testing.T, dir string, markers []string) {
	t.Helper()
	files := 0
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		files++
		inOutbox := strings.Contains(path, string(filepath.Separator)+"outbox"+string(filepath.Separator))
		for _, m := range markers {
			if bytes.Contains(b, []byte(m)) && !(inOutbox && strings.Contains(m, "@")) {
				t.Errorf("%s holds the marker %q", path, m)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if files < 2 {
		t.Fatalf("scanned only %d files under %s", files, dir)
	}
}

// rightsPassword is the password of the accounts these tests sign up.
const rightsPassword = "a long data rights passphrase 3"

// rightsClient calls the JSON API as a browser (session cookie) or with
// an API key.
type rightsClient struct {
	t         *testing.T
	url       string
	hc        *http.Client
	key       string
	crossSite bool
}

func (c *rightsClient) request(method, path string, body io.Reader, contentType string) *http.Request {
	req, _ := http.NewRequest(method, c.url+path, body)
	req.Header.Set("Content-Type", contentType)
	req.Header.Set("Accept", "application/json")
	if c.key != "" {
		req.Header.Set("Authorization", "Bearer "+c.key)
		return req
	}
	req.Header.Set("User-Agent", "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36")
	req.Header.Set("Accept-Language", "en-GB,en;q=0.9")
	req.Header.Set("Accept-Encoding", "gzip, deflate, br")
	if c.crossSite {
		req.Header.Set("Sec-Fetch-Site", "cross-site")
		req.Header.Set("Origin", "https://evil.example")
	} else {
		req.Header.Set("Sec-Fetch-Site", "same-origin")
		req.Header.Set("Origin", c.url)
	}
	return req
}

func (c *rightsClient) do(req *http.Request, want int) map[string]any {
	c.t.Helper()
	resp, err := c.hc.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&out)
	if resp.StatusCode != want {
		c.t.Fatalf("%s %s: %d %v, want %d", req.Method, req.URL.Path, resp.StatusCode, out, want)
	}
	return out
}

func (c *rightsClient) call(method, path string, body any, want int) map[string]any {
	c.t.Helper()
	var r io.Reader = bytes.NewReader(nil)
	if body != nil {
		b, _ := json.Marshal(body)
		r = bytes.NewReader(b)
	}
	return c.do(c.request(method, path, r, "application/json"), want)
}

func (c *rightsClient) upload(name, content string) map[string]any {
	c.t.Helper()
	var form bytes.Buffer
	mw := multipart.NewWriter(&form)
	fw, _ := mw.CreateFormFile("file", name)
	_, _ = fw.Write([]byte(content))
	_ = mw.Close()
	return c.do(c.request(http.MethodPost, "/api/v1/files", &form, mw.FormDataContentType()), 201)
}

// rightsSignUp signs email up on s as a browser would, keeping its session.
func rightsSignUp(t *testing.T, s *running, email string) *rightsClient {
	t.Helper()
	hc := client(t, s.data)
	hc.Jar, _ = cookiejar.New(nil)
	c := &rightsClient{t: t, url: s.url, hc: hc}
	c.call(http.MethodPost, "/api/v1/auth/signup", map[string]string{"email": email, "password": rightsPassword}, 201)
	return c
}

// rightsMail waits until the outbox of data holds at least n messages of
// kind (the mailer sends in the background) and returns the newest one's
// link token.
func rightsMail(t *testing.T, data, kind string, n int) string {
	t.Helper()
	outbox := filepath.Join(data, "outbox")
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if len(authtest.Files(t, outbox, kind)) >= n {
			return authtest.Token(t, outbox, kind)
		}
	}
	t.Fatalf("no %s email within 20s", kind)
	return ""
}

// rightsMailFile waits for a message of kind in the outbox of data and
// returns it.
func rightsMailFile(t *testing.T, data, kind string) []byte {
	t.Helper()
	outbox := filepath.Join(data, "outbox")
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if f := authtest.Files(t, outbox, kind); len(f) > 0 {
			b, err := os.ReadFile(f[len(f)-1])
			if err != nil {
				t.Fatal(err)
			}
			return b
		}
	}
	t.Fatalf("no %s email within 20s", kind)
	return nil
}

// waitGone waits for the background purge to remove path.
func waitGone(t *testing.T, path string) {
	t.Helper()
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if _, err := os.Stat(path); os.IsNotExist(err) {
			return
		}
	}
	t.Fatalf("%s is still there 20s after the deletion", path)
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if os.IsNotExist(err) {
		return // a -wal or -shm file that a clean shutdown removed
	} else if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(to), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

func copyDir(t *testing.T, from, to string) {
	t.Helper()
	err := filepath.WalkDir(from, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(from, path)
		copyFile(t, path, filepath.Join(to, rel))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
