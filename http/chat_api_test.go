package http_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/quirehq/quire"
	"github.com/quirehq/quire/chat"
	"github.com/quirehq/quire/edge/shield"
	"github.com/quirehq/quire/gateway"
	"github.com/quirehq/quire/gateway/endpoint"
	quirehttp "github.com/quirehq/quire/http"
	"github.com/quirehq/quire/internal/authtest"
	"github.com/quirehq/quire/sqlite"
)

// scriptedAI streams a fixed answer, or refuses with refuse.
type scriptedAI struct {
	answer []string
	refuse error
	calls  int
}

func (s *scriptedAI) ChatStream(_ context.Context, _ *endpoint.Caller, _ *gateway.ChatRequest) (gateway.Stream, error) {
	s.calls++
	if s.refuse != nil {
		return nil, s.refuse
	}
	evs := []gateway.Event{{Type: gateway.EventStart, ID: "r", Model: "m"}}
	for _, p := range s.answer {
		evs = append(evs, gateway.Event{Type: gateway.EventText, Text: p})
	}
	return gateway.SliceStream(evs, nil), nil
}

// newChatAPI is a server with accounts, notes and chat on one SQLite
// database, answering through ai; sh, if not nil, is the shield.
func newChatAPI(t *testing.T, ai *scriptedAI, sh *shield.Shield) *wsAPI {
	t.Helper()
	db, b, dir := authtest.SQLite(t)
	svc, _ := authtest.OnStore(t, db, b, dir, authtest.Options{})
	notes, chats := sqlite.NewNoteService(db, b), sqlite.NewChatService(db, b)
	cs, err := chat.New(chat.Config{Chats: chats, Notes: notes, AI: ai, Model: "quire-default",
		Caller: func(_ context.Context, user, ws string) (*endpoint.Caller, error) {
			return &endpoint.Caller{Account: user, Workspace: ws}, nil
		}})
	if err != nil {
		t.Fatal(err)
	}
	e := &wsAPI{t: t, svc: svc, ws: sqlite.NewWorkspaceService(db, b)}
	e.srv = quirehttp.NewServer(quirehttp.Config{Auth: svc, AuthBurst: 1000, Workspaces: e.ws, Notes: notes,
		Chats: chats, Chat: cs, Shield: sh})
	return e
}

// sseEvent is one server-sent event.
type sseEvent struct {
	name string
	data map[string]any
}

// stream posts a message and returns the response and its events.
func stream(u *wsUser, path string, body any) (*httptest.ResponseRecorder, []sseEvent) {
	u.t.Helper()
	b, _ := json.Marshal(body)
	req := httptest.NewRequest(http.MethodPost, "https://quire.test"+path, bytes.NewReader(b))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "text/event-stream")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	req.AddCookie(&http.Cookie{Name: quirehttp.SessionCookie, Value: u.cookie})
	rec := httptest.NewRecorder()
	u.srv.ServeHTTP(rec, req)
	var evs []sseEvent
	sc := bufio.NewScanner(bytes.NewReader(rec.Body.Bytes()))
	var cur sseEvent
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "event: "):
			cur = sseEvent{name: strings.TrimPrefix(line, "event: ")}
		case strings.HasPrefix(line, "data: "):
			_ = json.Unmarshal([]byte(strings.TrimPrefix(line, "data: ")), &cur.data)
			evs = append(evs, cur)
		}
	}
	return rec, evs
}

func TestChatAPI(t *testing.T) {
	ai := &scriptedAI{answer: []string{"# Plan\n", "Ship it."}}
	e := newChatAPI(t, ai, nil)
	u := e.user("chat@example.com")
	created := u.want(u.do(http.MethodPost, "/api/v1/chats", map[string]any{"title": "Planning"}), 201, "")
	id, _ := created.body["conversationId"].(string)
	if !quire.ValidID(id) || created.body["model"] != "quire-default" {
		t.Fatalf("create answered %v", created.body)
	}
	path := "/api/v1/chats/" + id

	rec, evs := stream(u, path+"/messages", map[string]any{"content": "What next?"})
	if rec.Code != 200 || rec.Header().Get("Content-Type") != "text/event-stream" || len(evs) != 5 ||
		evs[0].name != "question" || evs[1].name != "sources" || evs[2].name != "delta" || evs[4].name != "done" {
		t.Fatalf("stream answered %d %q: %v", rec.Code, rec.Header().Get("Content-Type"), evs)
	}
	done := evs[4].data
	if done["content"] != "# Plan\nShip it." || done["status"] != "complete" || done["role"] != "assistant" {
		t.Fatalf("done = %v", done)
	}
	got := u.want(u.do(http.MethodGet, path, nil), 200, "")
	if msgs := got.body["messages"].([]any); len(msgs) != 2 {
		t.Fatalf("conversation holds %v", got.body)
	}

	saved := u.want(u.do(http.MethodPost, path+"/messages/"+done["messageId"].(string)+"/note", nil), 201, "")
	note := u.want(u.do(http.MethodGet, "/api/v1/notes/"+saved.body["noteId"].(string), nil), 200, "")
	if note.body["title"] != "Planning" || note.body["content"] != "# Plan\nShip it." {
		t.Fatalf("saved note %v", note.body)
	}
	q := evs[0].data["messageId"].(string)
	u.want(u.do(http.MethodPost, path+"/messages/"+q+"/note", nil), 404, "not_found")

	whole := u.want(send(u.apiClient, http.MethodPost, path+"/messages", map[string]any{"content": "And then?", "model": "other"},
		map[string]string{"Accept": "application/json"}), 200, "")
	if a := whole.body["answer"].(map[string]any); a["content"] != "# Plan\nShip it." || a["model"] != "other" {
		t.Fatalf("JSON answer %v", whole.body)
	}
	upd := u.want(u.do(http.MethodPatch, path, map[string]any{"title": "Renamed"}), 200, "")
	if upd.body["title"] != "Renamed" || upd.body["model"] != "other" {
		t.Fatalf("patch answered %v", upd.body)
	}
	list := u.want(u.do(http.MethodGet, "/api/v1/chats", nil), 200, "")
	if list.body["total"] != 1.0 || list.body["defaultModel"] != "quire-default" {
		t.Fatalf("list %v", list.body)
	}
	if models, _ := list.body["models"].([]any); len(models) == 0 || models[0] != "quire-default" {
		t.Fatalf("list offers models %v, want the default first", list.body["models"])
	}
	u.want(u.do(http.MethodDelete, path, nil), 204, "")
	u.want(u.do(http.MethodGet, path, nil), 404, "not_found")
}

func TestChatAPIRefusals(t *testing.T) {
	ai := &scriptedAI{refuse: &endpoint.BudgetError{RetryAfter: 30 * time.Second}}
	e := newChatAPI(t, ai, nil)
	u := e.user("budget@example.com")
	id := u.want(u.do(http.MethodPost, "/api/v1/chats", map[string]any{}), 201, "").body["conversationId"].(string)
	path := "/api/v1/chats/" + id
	r := u.want(u.do(http.MethodPost, path+"/messages", map[string]any{"content": "hi"}), 429, "rate_limited")
	if r.header.Get("Retry-After") != "30" {
		t.Fatalf("Retry-After %q", r.header.Get("Retry-After"))
	}
	for _, tt := range []struct {
		body any
		msg  string
	}{
		{`{"content":"hi","temperature":1}`, `"temperature" is not known`},
		{`{"content":""}`, "1 to"},
		{`{"content":"hi","model":""}`, "Model"},
		{`{"content":"hi","context":{"noteId":"../x"}}`, "noteId"},
		{`{"content":"hi","context":{"web":true}}`, "Web search"},
		{`null`, "JSON object"},
	} {
		r := send(u.apiClient, http.MethodPost, path+"/messages", tt.body, nil)
		msg, _ := r.body["error"].(map[string]any)["message"].(string)
		if r.status != 400 || !strings.Contains(msg, tt.msg) {
			t.Errorf("%v: %d %q, want 400 with %q", tt.body, r.status, msg, tt.msg)
		}
	}
	u.want(u.do(http.MethodPost, "/api/v1/chats", map[string]any{"model": "has space"}), 400, "invalid_input")
	u.want(u.do(http.MethodPatch, path, map[string]any{}), 400, "invalid_input")
	u.want(u.do(http.MethodGet, "/api/v1/chats?limit=0", nil), 400, "invalid_input")
	if got := u.want(u.do(http.MethodGet, path, nil), 200, ""); len(got.body["messages"].([]any)) != 0 {
		t.Fatalf("refused messages were stored: %v", got.body)
	}
}

// TestChatAPIIsolation tries every chat route with another user's
// conversation, that user being a member of the owner's workspace
// (claim ISO-1).
func TestChatAPIIsolation(t *testing.T) {
	ai := &scriptedAI{answer: []string{"private answer"}}
	e := newChatAPI(t, ai, nil)
	alice, mallory := e.user("alice@example.com"), e.user("mallory@example.com")
	id := alice.want(alice.do(http.MethodPost, "/api/v1/chats", map[string]any{"title": "salary"}), 201, "").body["conversationId"].(string)
	_, evs := stream(alice, "/api/v1/chats/"+id+"/messages", map[string]any{"content": "my salary?"})
	answer := evs[len(evs)-1].data["messageId"].(string)
	e.join(mallory, alice.personal, quire.RoleEditor)
	path := "/api/v1/chats/" + id
	calls := ai.calls
	for _, r := range []apiResult{
		mallory.do(http.MethodGet, path, nil),
		mallory.do(http.MethodPatch, path, map[string]any{"title": "owned"}),
		mallory.do(http.MethodPost, path+"/messages", map[string]any{"content": "hi"}),
		mallory.do(http.MethodPost, path+"/messages/"+answer+"/note", nil),
		mallory.do(http.MethodDelete, path, nil),
	} {
		if r.status != 404 || r.code() != "not_found" {
			t.Errorf("another user's conversation answered %d %v", r.status, r.body)
		}
	}
	if ai.calls != calls {
		t.Fatal("another user's message reached the AI")
	}
	if list := mallory.want(mallory.do(http.MethodGet, "/api/v1/chats", nil), 200, ""); list.body["total"] != 0.0 {
		t.Fatalf("mallory lists %v", list.body)
	}
	got := alice.want(alice.do(http.MethodGet, path, nil), 200, "")
	if got.body["chat"].(map[string]any)["title"] != "salary" || len(got.body["messages"].([]any)) != 2 {
		t.Fatalf("alice's conversation changed: %v", got.body)
	}
}

// TestChatAPIShieldLetsProseThrough asks about SQL through the default
// shield: chat bodies are prose, as notes are.
func TestChatAPIShieldLetsProseThrough(t *testing.T) {
	sh, err := shield.New(shield.Config{})
	if err != nil {
		t.Fatal(err)
	}
	e := newChatAPI(t, &scriptedAI{answer: []string{"Use a parameter."}}, sh)
	u := e.user("prose@example.com")
	id := u.want(u.do(http.MethodPost, "/api/v1/chats", map[string]any{"title": "SELECT * FROM t WHERE 1=1"}), 201, "").body["conversationId"].(string)
	rec, evs := stream(u, "/api/v1/chats/"+id+"/messages", map[string]any{"content": "Why is SELECT * FROM users WHERE 1=1 OR 'a'='a' dangerous? cat /etc/passwd"})
	if rec.Code != 200 || len(evs) == 0 || evs[len(evs)-1].data["status"] != "complete" {
		t.Fatalf("the shield refused a question about SQL: %d %s", rec.Code, rec.Body.String())
	}
	u.want(u.do(http.MethodGet, "/api/v1/chats/"+id+"?q=1%27%20OR%20%271%27=%271", nil), 403, "shield_blocked")
}
