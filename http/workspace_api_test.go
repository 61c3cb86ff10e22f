package http_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/quirehq/quire"
	"github.com/quirehq/quire/auth"
	quirehttp "github.com/quirehq/quire/http"
	"github.com/quirehq/quire/internal/authtest"
	"github.com/quirehq/quire/sqlite"
)

// wsAPI is a server with accounts and workspaces on one SQLite database,
// recording the calls of its OnAIPolicyChange hook.
type wsAPI struct {
	t   *testing.T
	svc *auth.Service
	ws  quire.WorkspaceService
	srv *quirehttp.Server
	// outbox is where the server's email goes, where a test needs it.
	outbox string

	mu      sync.Mutex
	changed []string
}

// wsUser is a signed-up user: a client with its session, its ID and its
// personal workspace.
type wsUser struct {
	*apiClient
	id, personal string
}

// newWorkspaceAPI builds the server; wrap, if not nil, wraps the workspace
// store the server uses (to inject failures).
func newWorkspaceAPI(t *testing.T, wrap func(quire.WorkspaceService) quire.WorkspaceService) *wsAPI {
	t.Helper()
	e := buildWorkspaceAPI(t, wrap)
	e.t = t
	return e
}

// buildWorkspaceAPI is newWorkspaceAPI for any test or fuzz target; the
// result's helpers that take a *testing.T are not usable.
func buildWorkspaceAPI(t testing.TB, wrap func(quire.WorkspaceService) quire.WorkspaceService) *wsAPI {
	t.Helper()
	db, b, dir := authtest.SQLite(t)
	svc, _ := authtest.OnStore(t, db, b, dir, authtest.Options{})
	e := &wsAPI{svc: svc, ws: sqlite.NewWorkspaceService(db, b)}
	served := e.ws
	if wrap != nil {
		served = wrap(served)
	}
	e.srv = quirehttp.NewServer(quirehttp.Config{Auth: svc, AuthBurst: 1000, Workspaces: served,
		OnAIPolicyChange: func(id string) {
			e.mu.Lock()
			defer e.mu.Unlock()
			e.changed = append(e.changed, id)
		}})
	return e
}

// hookCalls returns the workspace IDs the hook was called with so far.
func (e *wsAPI) hookCalls() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return slices.Clone(e.changed)
}

// user signs up email (verified) and finds its ID and personal workspace.
func (e *wsAPI) user(email string) *wsUser {
	e.t.Helper()
	c := &apiClient{t: e.t, srv: e.srv, site: "same-origin"}
	c.want(c.do(http.MethodPost, "/api/v1/auth/signup", creds(email, apiPassword)), 201, "")
	confirm(e.t, e.svc, email)
	me := c.want(c.do(http.MethodGet, "/api/v1/me", nil), 200, "")
	u := &wsUser{apiClient: c, id: me.body["id"].(string)}
	list := c.want(c.do(http.MethodGet, "/api/v1/workspaces", nil), 200, "")
	ws := list.body["workspaces"].([]any)
	if len(ws) != 1 {
		e.t.Fatalf("a new account lists %d workspaces, want its personal one", len(ws))
	}
	u.personal = ws[0].(map[string]any)["id"].(string)
	return u
}

// join makes u a member of workspace id with role, through the store.
func (e *wsAPI) join(u *wsUser, id string, role quire.Role) {
	e.t.Helper()
	if err := e.ws.AddMember(context.Background(), &quire.Membership{WorkspaceID: id, UserID: u.id, Role: role}); err != nil {
		e.t.Fatalf("AddMember: %v", err)
	}
}

// stored reads workspace id's policy from the store.
func (e *wsAPI) stored(id string) *quire.AIPolicy {
	e.t.Helper()
	p, err := e.ws.AIPolicy(context.Background(), id)
	if err != nil {
		e.t.Fatalf("AIPolicy: %v", err)
	}
	return p
}

func policyPath(id string) string { return "/api/v1/workspaces/" + id + "/ai-policy" }

// wantPolicyBody fails unless r's body is exactly the policy shape with
// these values, updatedAt set or null as set says.
func wantPolicyBody(t *testing.T, r apiResult, allowNonZDR, redactionOff bool, kinds []string, set bool) {
	t.Helper()
	if len(r.body) != 4 {
		t.Fatalf("policy body has fields %v, want allowNonZdr, redactionOff, redactKinds, updatedAt", r.body)
	}
	got, ok := r.body["redactKinds"].([]any)
	if !ok {
		t.Fatalf("redactKinds = %#v, want an array (never null)", r.body["redactKinds"])
	}
	var names []string
	for _, k := range got {
		names = append(names, k.(string))
	}
	if r.body["allowNonZdr"] != allowNonZDR || r.body["redactionOff"] != redactionOff || !slices.Equal(names, kinds) {
		t.Fatalf("policy = %v, want allowNonZdr %t, redactionOff %t, redactKinds %v", r.body, allowNonZDR, redactionOff, kinds)
	}
	at, isString := r.body["updatedAt"].(string)
	if set != isString || (set && at == "") || (!set && r.body["updatedAt"] != nil) {
		t.Fatalf("updatedAt = %#v, want set: %t", r.body["updatedAt"], set)
	}
}

func TestWorkspaceAPIList(t *testing.T) {
	e := newWorkspaceAPI(t, nil)
	ann, bob := e.user("ann@example.com"), e.user("bob@example.com")

	own := ann.want(ann.do(http.MethodGet, "/api/v1/workspaces", nil), 200, "")
	if cc := own.header.Get("Cache-Control"); cc != "no-store" {
		t.Errorf("Cache-Control = %q, want no-store", cc)
	}
	list := own.body["workspaces"].([]any)
	w := list[0].(map[string]any)
	for k, want := range map[string]any{"id": ann.personal, "name": "Personal", "region": "us", "role": "owner", "ownerId": ann.id} {
		if w[k] != want {
			t.Errorf("workspace %s = %v, want %v (%v)", k, w[k], want, w)
		}
	}
	for _, k := range []string{"createdAt", "updatedAt"} {
		if s, _ := w[k].(string); s == "" {
			t.Errorf("workspace %s missing: %v", k, w)
		}
	}

	e.join(bob, ann.personal, quire.RoleEditor)
	roles := map[string]string{}
	for _, x := range bob.want(bob.do(http.MethodGet, "/api/v1/workspaces", nil), 200, "").body["workspaces"].([]any) {
		m := x.(map[string]any)
		roles[m["id"].(string)] = m["role"].(string)
	}
	if len(roles) != 2 || roles[bob.personal] != "owner" || roles[ann.personal] != "editor" {
		t.Fatalf("bob's workspaces and roles = %v", roles)
	}
	// Ann's list is her own: Bob's workspace is not in it.
	if got := ann.want(ann.do(http.MethodGet, "/api/v1/workspaces", nil), 200, "").body["workspaces"].([]any); len(got) != 1 {
		t.Fatalf("ann lists %d workspaces, want 1", len(got))
	}
	if err := e.ws.RemoveMember(context.Background(), ann.personal, bob.id); err != nil {
		t.Fatal(err)
	}
	if got := bob.want(bob.do(http.MethodGet, "/api/v1/workspaces", nil), 200, "").body["workspaces"].([]any); len(got) != 1 {
		t.Fatalf("after removal bob lists %d workspaces, want 1", len(got))
	}
	anon := ann.clone()
	anon.want(anon.do(http.MethodGet, "/api/v1/workspaces", nil), 401, "unauthorized")
}

func TestWorkspaceAPIAIPolicyRoundTrip(t *testing.T) {
	e := newWorkspaceAPI(t, nil)
	ann := e.user("ann@example.com")
	path := policyPath(ann.personal)

	wantPolicyBody(t, ann.want(ann.do(http.MethodGet, path, nil), 200, ""), false, false, []string{}, false)
	put := ann.want(ann.raw(http.MethodPut, path, []byte(`{"allowNonZdr":true,"redactionOff":false,"redactKinds":["national_id","email"]}`)), 200, "")
	wantPolicyBody(t, put, true, false, []string{"national_id", "email"}, true)
	got := ann.want(ann.do(http.MethodGet, path, nil), 200, "")
	wantPolicyBody(t, got, true, false, []string{"national_id", "email"}, true)
	if got.body["updatedAt"] != put.body["updatedAt"] {
		t.Errorf("GET updatedAt %v, PUT answered %v", got.body["updatedAt"], put.body["updatedAt"])
	}
	if p := e.stored(ann.personal); !p.AllowNonZDR || p.RedactionOff || !slices.Equal(p.RedactKinds, []string{"national_id", "email"}) {
		t.Fatalf("stored policy = %+v", p)
	}
	if calls := e.hookCalls(); !slices.Equal(calls, []string{ann.personal}) {
		t.Fatalf("OnAIPolicyChange calls = %v, want one for the workspace", calls)
	}

	// PUT replaces the whole policy: fields left out take their strictest value.
	wantPolicyBody(t, ann.want(ann.raw(http.MethodPut, path, []byte(`{"redactionOff":true}`)), 200, ""), false, true, []string{}, true)
	wantPolicyBody(t, ann.want(ann.raw(http.MethodPut, path, []byte(`{}`)), 200, ""), false, false, []string{}, true)
	wantPolicyBody(t, ann.want(ann.raw(http.MethodPut, path, []byte(`{"redactKinds":null}`)), 200, ""), false, false, []string{}, true)
	if p := e.stored(ann.personal); p.AllowNonZDR || p.RedactionOff || len(p.RedactKinds) != 0 || p.UpdatedAt.IsZero() {
		t.Fatalf("stored policy after a reset = %+v", p)
	}
	if n := len(e.hookCalls()); n != 4 {
		t.Fatalf("OnAIPolicyChange called %d times after 4 successful PUTs", n)
	}
	// Every change is on the audit log, the opt-out named (claim AI-2).
	audit := ann.want(ann.do(http.MethodGet, "/api/v1/me/audit", nil), 200, "")
	var optOuts, changes int
	for _, ev := range audit.body["events"].([]any) {
		m := ev.(map[string]any)
		if m["event"] != "ai_policy_changed" {
			continue
		}
		changes++
		meta := m["meta"].(map[string]any)
		if meta["workspace"] != ann.personal {
			t.Fatalf("audit event for the wrong workspace: %v", meta)
		}
		if meta["allow_non_zdr"] == "true" {
			optOuts++
		}
	}
	if changes != 4 || optOuts != 1 {
		t.Fatalf("audit log: %d policy changes (%d opting out), want 4 (1)", changes, optOuts)
	}
}

// TestWorkspaceAPIAIPolicyRoles checks who may do what: every member reads,
// only an owner writes, and an editor or viewer is told why.
func TestWorkspaceAPIAIPolicyRoles(t *testing.T) {
	e := newWorkspaceAPI(t, nil)
	ann, ed, vi, co := e.user("ann@example.com"), e.user("ed@example.com"), e.user("vi@example.com"), e.user("co@example.com")
	e.join(ed, ann.personal, quire.RoleEditor)
	e.join(vi, ann.personal, quire.RoleViewer)
	e.join(co, ann.personal, quire.RoleOwner)
	path := policyPath(ann.personal)
	ann.want(ann.raw(http.MethodPut, path, []byte(`{"redactKinds":["card"]}`)), 200, "")
	before := e.stored(ann.personal)

	for _, m := range []*wsUser{ed, vi} {
		wantPolicyBody(t, m.want(m.do(http.MethodGet, path, nil), 200, ""), false, false, []string{"card"}, true)
		r := m.want(m.raw(http.MethodPut, path, []byte(`{"allowNonZdr":true}`)), 403, "forbidden")
		msg := r.body["error"].(map[string]any)["message"].(string)
		if !strings.Contains(msg, "owner") {
			t.Errorf("403 message %q does not say that an owner may", msg)
		}
		// The role check comes first: a bad body changes nothing in the answer.
		m.want(m.raw(http.MethodPut, path, []byte(`{"bogus":1}`)), 403, "forbidden")
	}
	if p := e.stored(ann.personal); p.AllowNonZDR || !p.UpdatedAt.Equal(before.UpdatedAt) {
		t.Fatalf("a refused PUT changed the policy: %+v", p)
	}
	if n := len(e.hookCalls()); n != 1 {
		t.Fatalf("OnAIPolicyChange called %d times, want once (the owner's PUT)", n)
	}
	// A second owner may change it.
	wantPolicyBody(t, co.want(co.raw(http.MethodPut, path, []byte(`{"allowNonZdr":true}`)), 200, ""), true, false, []string{}, true)
	// So may each member in their own workspace.
	ed.want(ed.raw(http.MethodPut, policyPath(ed.personal), []byte(`{"redactionOff":true}`)), 200, "")
	if p := e.stored(ann.personal); p.RedactionOff {
		t.Fatal("a PUT on the editor's own workspace changed another's policy")
	}
}

// TestWorkspaceAPIAIPolicyNotMember checks claim ISO-1 at the API: another
// user's workspace ID answers exactly as an unknown one, on GET and PUT,
// by session and by API key, and nothing changes.
func TestWorkspaceAPIAIPolicyNotMember(t *testing.T) {
	e := newWorkspaceAPI(t, nil)
	ann, mal := e.user("ann@example.com"), e.user("mal@example.com")
	ann.want(ann.raw(http.MethodPut, policyPath(ann.personal), []byte(`{"redactKinds":["iban"]}`)), 200, "")
	before := e.stored(ann.personal)
	key := mal.want(mal.do(http.MethodPost, "/api/v1/api-keys", map[string]string{"name": "script", "password": apiPassword}), 201, "").body["key"].(string)
	script := mal.clone()
	script.bearer = "Bearer " + key

	deleted := e.user("gone@example.com")
	if err := e.ws.DeleteWorkspace(context.Background(), deleted.personal); err != nil {
		t.Fatal(err)
	}
	var first map[string]any
	for _, c := range []*apiClient{mal.apiClient, script} {
		for name, id := range map[string]string{"another user's": ann.personal, "unknown": quire.NewID(), "deleted": deleted.personal,
			"malformed": "not-an-id", "upper case": strings.ToUpper(ann.personal)} {
			for _, req := range []struct{ method, body string }{{http.MethodGet, ""}, {http.MethodPut, `{"allowNonZdr":true}`}} {
				r := c.want(c.raw(req.method, policyPath(id), []byte(req.body)), 404, "not_found")
				if first == nil {
					first = r.body
				} else if b1, b2 := mustJSON(t, first), mustJSON(t, r.body); b1 != b2 {
					t.Errorf("%s %s workspace: %s, differs from %s", req.method, name, b2, b1)
				}
			}
		}
	}
	if p := e.stored(ann.personal); p.AllowNonZDR || !p.UpdatedAt.Equal(before.UpdatedAt) {
		t.Fatalf("a non-member's PUT changed the policy: %+v", p)
	}
	if calls := e.hookCalls(); len(calls) != 1 || calls[0] != ann.personal {
		t.Fatalf("OnAIPolicyChange calls = %v, want only ann's own PUT", calls)
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestWorkspaceAPIAIPolicyBadInput(t *testing.T) {
	e := newWorkspaceAPI(t, nil)
	ann := e.user("ann@example.com")
	path := policyPath(ann.personal)
	ann.want(ann.raw(http.MethodPut, path, []byte(`{"allowNonZdr":true,"redactKinds":["ip"]}`)), 200, "")
	before := e.stored(ann.personal)
	for _, tc := range []struct {
		name, body string
		status     int
		code       string
		mention    string // the message must name this (the field)
	}{
		{"unknown kind", `{"redactKinds":["email","passport"]}`, 400, "invalid_input", "redactKinds"},
		{"kind in capitals", `{"redactKinds":["EMAIL"]}`, 400, "invalid_input", "redactKinds"},
		{"repeated kind", `{"redactKinds":["ip","card","ip"]}`, 400, "invalid_input", "redactKinds"},
		{"eight kinds", `{"redactKinds":["email","phone","card","iban","national_id","ip","secret","email"]}`, 400, "invalid_input", "redactKinds"},
		{"unknown field", `{"allowNonZdr":true,"strictMode":false}`, 400, "invalid_input", "strictMode"},
		{"misspelt field", `{"allowNonZDRs":true}`, 400, "invalid_input", "allowNonZDRs"},
		{"updatedAt sent", `{"allowNonZdr":true,"updatedAt":"2026-01-01T00:00:00Z"}`, 400, "invalid_input", "updatedAt"},
		{"unquotable unknown field", `{"a<b>\u0000":1}`, 400, "invalid_input", "not known"},
		{"bool as string", `{"allowNonZdr":"true"}`, 400, "invalid_input", "allowNonZdr"},
		{"bool as number", `{"redactionOff":1}`, 400, "invalid_input", "redactionOff"},
		{"kinds as string", `{"redactKinds":"email"}`, 400, "invalid_input", "redactKinds"},
		{"kind as number", `{"redactKinds":[5]}`, 400, "invalid_input", "redactKinds"},
		{"kinds as object", `{"redactKinds":{"email":true}}`, 400, "invalid_input", "redactKinds"},
		{"array body", `[]`, 400, "invalid_input", "body"},
		{"null body", `null`, 400, "invalid_input", "JSON object"},
		{"string body", `"allowNonZdr"`, 400, "invalid_input", "body"},
		{"malformed JSON", `{"allowNonZdr":`, 400, "invalid_input", "JSON"},
		{"two values", `{} {}`, 400, "invalid_input", "more than one"},
		{"empty body", ``, 400, "invalid_input", "empty"},
		{"oversized body", `{"redactKinds":["` + strings.Repeat("x", 8<<10) + `"]}`, 413, "too_large", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := ann.want(ann.raw(http.MethodPut, path, []byte(tc.body)), tc.status, tc.code)
			msg := r.body["error"].(map[string]any)["message"].(string)
			if !strings.Contains(msg, tc.mention) {
				t.Errorf("message %q does not mention %q", msg, tc.mention)
			}
			if strings.Contains(msg, "passport") || strings.Contains(msg, "EMAIL") || strings.Contains(msg, "<b>") {
				t.Errorf("message %q echoes the input", msg)
			}
			if p := e.stored(ann.personal); !p.AllowNonZDR || !slices.Equal(p.RedactKinds, []string{"ip"}) || !p.UpdatedAt.Equal(before.UpdatedAt) {
				t.Fatalf("a refused PUT changed the policy: %+v", p)
			}
		})
	}
	if n := len(e.hookCalls()); n != 1 {
		t.Fatalf("OnAIPolicyChange called %d times, want once (the first, valid PUT)", n)
	}
	// Other methods are not routes.
	ann.want(ann.raw(http.MethodPost, path, []byte(`{}`)), 405, "method_not_allowed")
	ann.want(ann.raw(http.MethodDelete, path, nil), 405, "method_not_allowed")
}

// TestWorkspaceAPIAIPolicyAuth checks the routes' authentication as the
// other API routes are: anonymous requests are refused, a session's PUT
// from another origin is refused (claim ACC-1), and an API key works from
// anywhere.
func TestWorkspaceAPIAIPolicyAuth(t *testing.T) {
	e := newWorkspaceAPI(t, nil)
	ann := e.user("ann@example.com")
	path := policyPath(ann.personal)

	anon := ann.clone()
	anon.want(anon.do(http.MethodGet, path, nil), 401, "unauthorized")
	anon.want(anon.raw(http.MethodPut, path, []byte(`{"allowNonZdr":true}`)), 401, "unauthorized")

	for _, site := range []string{"cross-site", "same-site"} {
		forged := *ann.apiClient
		forged.site = site
		forged.want(forged.raw(http.MethodPut, path, []byte(`{"allowNonZdr":true}`)), 403, "cross_origin_request")
	}
	if p := e.stored(ann.personal); p.AllowNonZDR || !p.UpdatedAt.IsZero() {
		t.Fatalf("a cross-origin PUT changed the policy: %+v", p)
	}
	if n := len(e.hookCalls()); n != 0 {
		t.Fatalf("OnAIPolicyChange called %d times by refused requests", n)
	}

	key := ann.want(ann.do(http.MethodPost, "/api/v1/api-keys", map[string]string{"name": "script", "password": apiPassword}), 201, "").body["key"].(string)
	script := ann.clone()
	script.site, script.bearer = "cross-site", "Bearer "+key
	wantPolicyBody(t, script.want(script.do(http.MethodGet, path, nil), 200, ""), false, false, []string{}, false)
	wantPolicyBody(t, script.want(script.raw(http.MethodPut, path, []byte(`{"allowNonZdr":true}`)), 200, ""), true, false, []string{}, true)
	script.want(script.do(http.MethodGet, "/api/v1/workspaces", nil), 200, "")
	script.bearer = "Bearer qk_notakey"
	script.want(script.do(http.MethodGet, path, nil), 401, "unauthorized")
}

// failingStore is a workspace store whose SetAIPolicy fails with an
// internal error that quotes what it was given, as a careless store might.
type failingStore struct{ quire.WorkspaceService }

func (failingStore) SetAIPolicy(_ context.Context, _ string, p *quire.AIPolicy) error {
	return quire.WrapError(quire.EINTERNAL, "Internal database error.", errors.New("store failed on kinds "+strings.Join(p.RedactKinds, ",")))
}

// TestWorkspaceAPIAIPolicyStoreFailure checks that a failing store answers
// 500 with an error ID and nothing of the cause, and that the hook is not
// called for a change that did not happen.
func TestWorkspaceAPIAIPolicyStoreFailure(t *testing.T) {
	e := newWorkspaceAPI(t, func(ws quire.WorkspaceService) quire.WorkspaceService { return failingStore{ws} })
	ann := e.user("ann@example.com")
	// apiClient fails the test on a 5xx; this request goes through the stack directly.
	rec := serveRaw(t, e.srv, http.MethodPut, policyPath(ann.personal), `{"redactKinds":["national_id"]}`, ann.cookie)
	if rec.status != 500 || strings.Contains(rec.body, "national_id") || strings.Contains(rec.body, "store failed") {
		t.Fatalf("store failure answered %d: %s", rec.status, rec.body)
	}
	var eb errorResponse
	if err := json.Unmarshal([]byte(rec.body), &eb); err != nil || eb.Error.ID == "" || eb.Error.Code != "internal" {
		t.Fatalf("500 body %s: want an internal error with an ID (%v)", rec.body, err)
	}
	if n := len(e.hookCalls()); n != 0 {
		t.Fatalf("OnAIPolicyChange called %d times for a failed change", n)
	}
}

// TestWorkspaceAPIWithoutStore checks that without Config.Workspaces the
// routes are not served.
func TestWorkspaceAPIWithoutStore(t *testing.T) {
	c, _, _ := newAPI(t, authtest.Options{}, 1000)
	c.want(c.do(http.MethodPost, "/api/v1/auth/signup", creds("solo@example.com", apiPassword)), 201, "")
	c.want(c.do(http.MethodGet, "/api/v1/workspaces", nil), 404, "not_found")
	c.want(c.do(http.MethodGet, policyPath(quire.NewID()), nil), 404, "not_found")
}

// rawResult is a response as the recorder saw it.
type rawResult struct {
	status int
	body   string
}

// serveRaw sends one same-origin request with the session cookie through
// the whole stack and returns the response, whatever its status.
func serveRaw(t testing.TB, srv *quirehttp.Server, method, path, body, cookie string) rawResult {
	t.Helper()
	req := httptest.NewRequest(method, "https://quire.test"+path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	req.AddCookie(&http.Cookie{Name: quirehttp.SessionCookie, Value: cookie})
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, req)
	return rawResult{status: rec.Code, body: rec.Body.String()}
}

// FuzzAIPolicyPUT sends arbitrary bodies to PUT …/ai-policy through the
// whole stack as the workspace's owner: every answer is 200 with a policy
// that validates and is what the store holds, or a 4xx that echoes nothing
// of the body; never a 5xx.
func FuzzAIPolicyPUT(f *testing.F) {
	for _, seed := range []string{
		`{"allowNonZdr":true,"redactionOff":false,"redactKinds":["national_id","email"]}`,
		`{"redactKinds":["ip","ip"]}`, `{"updatedAt":"x"}`, `{"AllowNonZDR":true}`, `null`, `{} {}`,
		`{"redactKinds":[null]}`, `{"allowNonZdr":true,"allowNonZdr":false}`, `{"\u0061llowNonZdr":true}`,
	} {
		f.Add([]byte(seed))
	}
	e := buildWorkspaceAPI(f, nil)
	ctx := context.Background()
	u, login, err := e.svc.SignUp(ctx, "fuzz@example.com", apiPassword, auth.Client{})
	if err != nil {
		f.Fatal(err)
	}
	list, err := e.ws.FindWorkspacesByUser(ctx, u.ID)
	if err != nil || len(list) != 1 {
		f.Fatalf("personal workspace: %v (%d)", err, len(list))
	}
	path := policyPath(list[0].ID)
	f.Fuzz(func(t *testing.T, body []byte) {
		r := serveRaw(t, e.srv, http.MethodPut, path, string(body), login.Token)
		switch {
		case r.status == 200:
			p, err := e.ws.AIPolicy(ctx, list[0].ID)
			if err != nil {
				t.Fatalf("AIPolicy after a 200: %v", err)
			}
			if err := p.Validate(); err != nil {
				t.Fatalf("stored an invalid policy %+v from %q", p, body)
			}
			var got struct {
				AllowNonZDR  bool     `json:"allowNonZdr"`
				RedactionOff bool     `json:"redactionOff"`
				RedactKinds  []string `json:"redactKinds"`
			}
			if err := json.Unmarshal([]byte(r.body), &got); err != nil || got.AllowNonZDR != p.AllowNonZDR ||
				got.RedactionOff != p.RedactionOff || len(got.RedactKinds) != len(p.RedactKinds) {
				t.Fatalf("answered %s, stored %+v (%v)", r.body, p, err)
			}
		case r.status == 400 || r.status == 413:
			var eb errorResponse
			if err := json.Unmarshal([]byte(r.body), &eb); err != nil || eb.Error.Message == "" {
				t.Fatalf("%d body %q (%v)", r.status, r.body, err)
			}
			if len(body) >= 12 && strings.Contains(eb.Error.Message, string(body)) {
				t.Fatalf("message %q echoes the body", eb.Error.Message)
			}
		default:
			t.Fatalf("answered %d to %q: %s", r.status, body, r.body)
		}
	})
}
