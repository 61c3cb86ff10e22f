package http_test

import (
	"bytes"
	"cmp"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/quirehq/quire"
	"github.com/quirehq/quire/barrier"
	"github.com/quirehq/quire/blob"
	"github.com/quirehq/quire/chat"
	"github.com/quirehq/quire/disclosure"
	"github.com/quirehq/quire/erase"
	"github.com/quirehq/quire/files"
	"github.com/quirehq/quire/finder"
	"github.com/quirehq/quire/gateway"
	"github.com/quirehq/quire/gateway/endpoint"
	quirehttp "github.com/quirehq/quire/http"
	"github.com/quirehq/quire/internal/authtest"
	"github.com/quirehq/quire/mail"
	"github.com/quirehq/quire/metrics"
	"github.com/quirehq/quire/sharing"
	"github.com/quirehq/quire/sqlite"
	"github.com/quirehq/quire/trust"
	"github.com/quirehq/quire/voice"
)

// openAPI is the part of the document the tests read.
type openAPI struct {
	OpenAPI string                                `json:"openapi"`
	Paths   map[string]map[string]openAPIOp       `json:"paths"`
	Comps   map[string]map[string]json.RawMessage `json:"components"`
}

type openAPIOp struct {
	ID          string `json:"operationId"`
	StrictQuery bool   `json:"x-strict-query"`
	Parameters  []struct {
		Name     string `json:"name"`
		In       string `json:"in"`
		Required bool   `json:"required"`
		Example  any    `json:"example"`
	} `json:"parameters"`
	Responses map[string]openAPIResponse `json:"responses"`
}

type openAPIResponse struct {
	Ref     string   `json:"$ref"`
	Codes   []string `json:"x-error-codes"`
	Content map[string]struct {
		Schema struct {
			Ref string `json:"$ref"`
		} `json:"schema"`
	} `json:"content"`
}

// response returns r, or the shared response it refers to.
func (d *openAPI) response(t *testing.T, r openAPIResponse) openAPIResponse {
	t.Helper()
	name, ok := strings.CutPrefix(r.Ref, "#/components/responses/")
	if !ok {
		return r
	}
	var out openAPIResponse
	if err := json.Unmarshal(d.Comps["responses"][name], &out); err != nil {
		t.Errorf("response %s: %v", r.Ref, err)
	}
	return out
}

// readOpenAPI reads the document the server embeds, raw and parsed.
func readOpenAPI(t *testing.T) ([]byte, *openAPI) {
	t.Helper()
	raw, err := os.ReadFile("openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	var doc openAPI
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatalf("openapi.json does not parse: %v", err)
	}
	return raw, &doc
}

// operations calls fn for every operation with its "METHOD /path".
func (d *openAPI) operations(fn func(route, path string, o openAPIOp)) {
	for path, item := range d.Paths {
		for method, o := range item {
			fn(strings.ToUpper(method)+" "+path, path, o)
		}
	}
}

// TestOpenAPIDocument checks the document's own consistency: version,
// operations, references, and the session cookie's name.
func TestOpenAPIDocument(t *testing.T) {
	raw, doc := readOpenAPI(t)
	if doc.OpenAPI != "3.1.0" {
		t.Fatalf("openapi = %q, want 3.1.0", doc.OpenAPI)
	}
	ids := map[string]string{}
	doc.operations(func(route, path string, o openAPIOp) {
		if o.ID == "" || ids[o.ID] != "" {
			t.Errorf("%s: operationId %q missing or also on %s", route, o.ID, ids[o.ID])
		}
		ids[o.ID] = route
		checkOperation(t, route, path, o)
		checkErrorCodes(t, doc, route, o)
	})
	checkRefs(t, raw)
	var session struct {
		Name string `json:"name"`
	}
	if err := json.Unmarshal(doc.Comps["securitySchemes"]["session"], &session); err != nil || session.Name != quirehttp.SessionCookie {
		t.Errorf("session scheme names cookie %q (%v), want %q", session.Name, err, quirehttp.SessionCookie)
	}
}

var pathParam = regexp.MustCompile(`\{([^}]*)\}`)

// checkOperation fails for an operation without a success response, whose
// path parameters are not those of its path, or whose query parameters
// have no example.
func checkOperation(t *testing.T, route, path string, o openAPIOp) {
	t.Helper()
	success := false
	for status := range o.Responses {
		success = success || status[0] == '2' || status[0] == '3'
	}
	if !success {
		t.Errorf("%s: no success response", route)
	}
	var declared, inPath []string
	for _, p := range o.Parameters {
		if p.In == "path" {
			declared = append(declared, p.Name)
		}
		if p.In == "query" && p.Example == nil {
			t.Errorf("%s: query parameter %s has no example", route, p.Name)
		}
	}
	for _, m := range pathParam.FindAllStringSubmatch(path, -1) {
		inPath = append(inPath, m[1])
	}
	if !slices.Equal(declared, inPath) {
		t.Errorf("%s: path parameters %v, declared %v", route, inPath, declared)
	}
}

// checkErrorCodes fails for a listed error code that the server answers
// with another status, or in another shape.
func checkErrorCodes(t *testing.T, doc *openAPI, route string, o openAPIOp) {
	t.Helper()
	for status, r := range o.Responses {
		r = doc.response(t, r)
		for _, code := range r.Codes {
			want, shape := quirehttp.ErrorStatus(code), "#/components/schemas/Error"
			if code == quirehttp.EVERSIONCONFLICT {
				want, shape = http.StatusConflict, "#/components/schemas/VersionConflict"
			}
			if strconv.Itoa(want) != status {
				t.Errorf("%s: code %s listed under %s; the server answers it with %d", route, code, status, want)
			}
			if got := r.Content["application/json"].Schema.Ref; got != shape {
				t.Errorf("%s %s: schema %q, want %q", route, status, got, shape)
			}
		}
	}
}

// checkRefs fails for a $ref that does not point into the document, and
// for a component schema nothing refers to.
func checkRefs(t *testing.T, raw []byte) {
	t.Helper()
	var root any
	if err := json.Unmarshal(raw, &root); err != nil {
		t.Fatal(err)
	}
	used := map[string]bool{}
	var walk func(v any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			if ref, ok := v["$ref"].(string); ok {
				used[ref] = true
				if !resolves(root, ref) {
					t.Errorf("$ref %q does not resolve", ref)
				}
			}
			for _, x := range v {
				walk(x)
			}
		case []any:
			for _, x := range v {
				walk(x)
			}
		}
	}
	walk(root)
	schemas := root.(map[string]any)["components"].(map[string]any)["schemas"].(map[string]any)
	for name := range schemas {
		if !used["#/components/schemas/"+name] {
			t.Errorf("schema %s is not used", name)
		}
	}
}

// resolves reports whether the local JSON pointer ref names a value of root.
func resolves(root any, ref string) bool {
	rest, ok := strings.CutPrefix(ref, "#/")
	if !ok {
		return false
	}
	v := root
	for _, seg := range strings.Split(rest, "/") {
		m, ok := v.(map[string]any)
		if !ok {
			return false
		}
		if v, ok = m[strings.ReplaceAll(strings.ReplaceAll(seg, "~1", "/"), "~0", "~")]; !ok {
			return false
		}
	}
	return true
}

// mountedByServe are the documented routes that cmd/quire mounts after
// NewServer: the AI gateway's (endpoint.Handler.Routes) and the trust
// report's. cmd/quire's tests should check that serve mounts each.
var mountedByServe = []string{"GET /trust", "GET /trust.json", "GET /v1/models", "POST /anthropic/v1/messages",
	"POST /v1/audio/transcriptions", "POST /v1/chat/completions", "POST /v1/embeddings", "POST /v1/rerank"}

// documented reports whether a registered route belongs in the document:
// everything but the HTML pages of the web UI and their assets.
func documented(route string) bool {
	_, path, _ := strings.Cut(route, " ")
	for _, p := range []string{"/api/", "/v1/", "/anthropic/", "/.well-known/"} {
		if strings.HasPrefix(path, p) {
			return true
		}
	}
	return slices.Contains([]string{"/healthz", "/readyz", "/metrics", "/trust", "/trust.json"}, path)
}

// TestOpenAPIRoutes checks the document against the routes of a server
// with every optional part configured, and the routes cmd/quire mounts on
// it: every route is documented, and every documented route is served.
func TestOpenAPIRoutes(t *testing.T) {
	_, doc := readOpenAPI(t)
	srv := newFullAPI(t).srv
	for _, r := range srv.Routes() {
		if slices.Contains(mountedByServe, r) {
			t.Errorf("%s is registered by NewServer; take it out of mountedByServe", r)
		}
	}
	outside := []string{"GET /trust", "GET /trust.json"}
	for pattern, h := range endpoint.New(endpoint.Config{}).Routes() {
		srv.Mount(pattern, h)
		outside = append(outside, pattern)
	}
	th := trust.Handler(func(context.Context) *trust.Report { return nil })
	srv.Mount("GET /trust", th)
	srv.Mount("GET /trust.json", th)
	slices.Sort(outside)
	if !slices.Equal(outside, mountedByServe) {
		t.Errorf("routes mounted outside NewServer %v, want mountedByServe %v", outside, mountedByServe)
	}
	served := map[string]bool{}
	for _, r := range srv.Routes() {
		if documented(r) {
			served[r] = true
		}
	}
	doc.operations(func(route, _ string, _ openAPIOp) {
		if !served[route] {
			t.Errorf("%s is documented but not served", route)
		}
		delete(served, route)
	})
	for r := range served {
		t.Errorf("%s is served but not documented", r)
	}
}

// TestOpenAPIServed checks that the server publishes the document as it
// is in the repository, with the security headers, and cacheable although
// every other API answer is not.
func TestOpenAPIServed(t *testing.T) {
	raw, _ := readOpenAPI(t)
	c, _, _ := newAPI(t, authtest.Options{}, 1000)
	srv := c.srv
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "https://quire.test/api/v1/openapi.json", nil))
	h := rec.Header()
	if rec.Code != 200 || !bytes.Equal(rec.Body.Bytes(), raw) || h.Get("Content-Type") != "application/json" ||
		h.Get("Cache-Control") != "public, max-age=300" || h.Get("ETag") == "" {
		t.Fatalf("GET answered %d, %d bytes (want %d), headers %v", rec.Code, rec.Body.Len(), len(raw), h)
	}
	assertSecurityHeaders(t, h, hstsWant)
	req := httptest.NewRequest(http.MethodGet, "https://quire.test/api/v1/openapi.json", nil)
	req.Header.Set("If-None-Match", h.Get("ETag"))
	rec = httptest.NewRecorder()
	srv.ServeHTTP(rec, req)
	if rec.Code != http.StatusNotModified || rec.Body.Len() != 0 {
		t.Fatalf("revalidation answered %d with %d bytes, want 304", rec.Code, rec.Body.Len())
	}
}

// TestOpenAPIQueryParameters calls every operation marked x-strict-query
// with an unknown parameter (400 not known), and with each parameter the
// document lists, at its example value and beside the required ones: the
// name is known and the example valid (never 400), and given twice it is
// refused (400 more than once).
func TestOpenAPIQueryParameters(t *testing.T) {
	_, doc := readOpenAPI(t)
	e := newFullAPI(t)
	u := e.user("query@example.com")
	// The shared folder routes look the share up before anything else:
	// give them a real one, shared with u.
	owner := e.user("owner@example.com")
	owner.want(owner.do(http.MethodPost, "/api/v1/folders/"+createFolder(owner, "shared")+"/shares",
		map[string]any{"email": "query@example.com", "permission": "write"}), 201, "")
	share := accept(u, authtest.Token(t, e.outbox, mail.KindFolderInvite))
	fill := strings.NewReplacer("{id}", quire.NewID(), "{message}", quire.NewID(), "{version}", "1", "{share}", share)
	doc.operations(func(route, path string, o openAPIOp) {
		method, _, _ := strings.Cut(route, " ")
		call := func(query string) apiResult { return u.raw(method, fill.Replace(path)+"?"+query, nil) }
		base, optional := queryParams(o)
		if (base != "" || len(optional) > 0) && !o.StrictQuery {
			t.Errorf("%s lists query parameters but is not marked x-strict-query", route)
		}
		if !o.StrictQuery {
			return
		}
		if r := call(join(base, "zzunknown=1")); r.status != 400 || !strings.Contains(r.message(), "is not known") {
			t.Errorf("%s?zzunknown=1 answered %d %q, want 400 not known", route, r.status, r.message())
		}
		if base != "" {
			optional = append(optional, "") // the required ones alone
		}
		for _, q := range optional {
			once := join(base, q)
			if r := call(once); r.status == 400 {
				t.Errorf("%s?%s answered 400 %q", route, once, r.message())
			}
			if r := call(join(once, cmp.Or(q, base))); r.status != 400 || !strings.Contains(r.message(), "more than once") {
				t.Errorf("%s?%s with %s again answered %d %q, want 400 more than once", route, once, cmp.Or(q, base), r.status, r.message())
			}
		}
	})
}

// queryParams returns the required query parameters of o at their
// examples, encoded, and each optional one at its example.
func queryParams(o openAPIOp) (string, []string) {
	required, optional := url.Values{}, []string(nil)
	for _, p := range o.Parameters {
		v := fmt.Sprint(p.Example)
		switch {
		case p.In == "query" && p.Required:
			required.Set(p.Name, v)
		case p.In == "query":
			optional = append(optional, url.Values{p.Name: {v}}.Encode())
		}
	}
	return required.Encode(), optional
}

// join joins two query strings.
func join(a, b string) string {
	if a == "" || b == "" {
		return a + b
	}
	return a + "&" + b
}

// message is the error message of an error response.
func (r apiResult) message() string {
	e, _ := r.body["error"].(map[string]any)
	m, _ := e["message"].(string)
	return m
}

// silentAI transcribes nothing, for a voice service that is never called.
type silentAI struct{}

func (silentAI) Transcribe(context.Context, *endpoint.Caller, *gateway.TranscribeRequest) (*gateway.Transcription, error) {
	return &gateway.Transcription{}, nil
}

// newFullAPI is a server with every optional part of Config set, on one
// SQLite database and a local blob directory.
func newFullAPI(t *testing.T) *wsAPI {
	t.Helper()
	ctx, dir := context.Background(), t.TempDir()
	db, err := sqlite.Open(ctx, filepath.Join(dir, "quire.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	key := make([]byte, barrier.RootKeySize)
	_, _ = rand.Read(key)
	b, err := barrier.Open(ctx, barrier.StaticSource(key), sqlite.NewKeyStore(db), barrier.Options{})
	if err != nil {
		t.Fatal(err)
	}
	local, err := blob.NewLocal(blob.LocalOptions{Dir: filepath.Join(dir, "blobs")})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = local.Close() })
	store, err := blob.New(b, local, blob.Options{})
	if err != nil {
		t.Fatal(err)
	}
	svc, outbox := authtest.OnStore(t, db, b, dir, authtest.Options{})
	notes, ideas := sqlite.NewNoteService(db, b), sqlite.NewIdeaService(db, b)
	folders, chats := sqlite.NewFolderService(db, b), sqlite.NewChatService(db, b)
	caller := func(_ context.Context, user, ws string) (*endpoint.Caller, error) {
		return &endpoint.Caller{Account: user, Workspace: ws}, nil
	}
	fs, err1 := files.New(files.Config{Blobs: store, Backend: local, Files: sqlite.NewFileService(db, b)})
	f, err2 := finder.New(finder.Config{Notes: notes, Ideas: ideas, Folders: folders})
	cs, err3 := chat.New(chat.Config{Chats: chats, Notes: notes, AI: &scriptedAI{}, Model: "quire-default", Caller: caller})
	vs, err4 := voice.New(voice.Config{Ideas: ideas, Files: fs, AI: silentAI{}, Caller: caller, Model: "whisper-1"})
	if err := errors.Join(err1, err2, err3, err4); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = f.Close() })
	e := &wsAPI{t: t, svc: svc, ws: sqlite.NewWorkspaceService(db, b), outbox: outbox}
	sh, err := sharing.New(sharing.Config{Shares: sqlite.NewShareService(db, b), Folders: folders, Workspaces: e.ws,
		Users: sqlite.NewUserService(db, b), Credentials: sqlite.NewAuthService(db, b), Mail: &mail.Outbox{Dir: outbox}, Index: b.BlindIndex})
	if err != nil {
		t.Fatal(err)
	}
	er, err := erase.New(erase.Config{Deletions: sqlite.NewDeletionService(db), Users: sqlite.NewUserService(db, b),
		Workspaces: e.ws, Accounts: sqlite.NewAuthService(db, b), Identity: svc, Shred: b.Shred, Blobs: fs, Forget: f.Forget,
		Mail: &mail.Outbox{Dir: outbox}})
	if err != nil {
		t.Fatal(err)
	}
	exports := startExports(t, db, b, dir, e.ws, fs)
	e.srv = quirehttp.NewServer(quirehttp.Config{Auth: svc, AuthBurst: 1000, Workspaces: e.ws, Exports: exports,
		Notes: f.Notes(notes), NoteLinks: sqlite.NewNoteLinkService(db), BlindIndex: b.BlindIndex,
		Ideas: f.Ideas(ideas), Folders: f.Folders(folders), Files: fs, Chats: chats, Chat: cs, Search: f, Voice: vs,
		Sharing: sh, Erase: er, Privacy: sqlite.NewPrivacyService(db), Metrics: metrics.New(), MetricsToken: "metrics-token",
		Disclosure: disclosureFor(t, db, b, outbox, disclosure.Config{})})
	return e
}
