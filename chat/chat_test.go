package chat_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/quirehq/quire"
	"github.com/quirehq/quire/chat"
	"github.com/quirehq/quire/gateway"
	"github.com/quirehq/quire/gateway/endpoint"
	"github.com/quirehq/quire/internal/authtest"
	"github.com/quirehq/quire/sqlite"
)

// fakeAI answers with scripted events and records the requests.
type fakeAI struct {
	events []gateway.Event
	err    error // ends the stream after events (nil: io.EOF)
	open   error // refuses the call
	reqs   []*gateway.ChatRequest
}

func (f *fakeAI) ChatStream(_ context.Context, c *endpoint.Caller, req *gateway.ChatRequest) (gateway.Stream, error) {
	if c == nil || c.Account == "" {
		return nil, errors.New("no caller")
	}
	f.reqs = append(f.reqs, req)
	if f.open != nil {
		return nil, f.open
	}
	return gateway.SliceStream(f.events, f.err), nil
}

func text(parts ...string) []gateway.Event {
	evs := []gateway.Event{{Type: gateway.EventStart, ID: "r1", Model: "m"}}
	for _, p := range parts {
		evs = append(evs, gateway.Event{Type: gateway.EventText, Text: p})
	}
	return append(evs, gateway.Event{Type: gateway.EventFinish, Finish: gateway.FinishStop})
}

// fakeRetriever returns fixed passages.
type fakeRetriever struct {
	passages []chat.Passage
	asked    []string
}

func (f *fakeRetriever) Retrieve(_ context.Context, ws, q string, notes, ideas bool, limit int) ([]chat.Passage, error) {
	f.asked = append(f.asked, ws+"|"+q)
	return f.passages, nil
}

type env struct {
	t      *testing.T
	svc    *chat.Service
	chats  quire.ChatService
	notes  quire.NoteService
	ai     *fakeAI
	search *fakeRetriever
	ws     string
	other  string
	conv   *quire.Conversation
}

func newEnv(t *testing.T, cfg chat.Config) *env {
	ctx := context.Background()
	db, b, _ := authtest.SQLite(t)
	users, wss := sqlite.NewUserService(db, b), sqlite.NewWorkspaceService(db, b)
	e := &env{t: t, chats: sqlite.NewChatService(db, b), notes: sqlite.NewNoteService(db, b), ai: &fakeAI{}, search: &fakeRetriever{}}
	for i, name := range []string{"a", "b"} {
		u := &quire.User{Email: name + "@example.com", Name: name}
		if err := users.CreateUser(ctx, u); err != nil {
			t.Fatal(err)
		}
		w := &quire.Workspace{Name: name, Region: quire.RegionEU, OwnerID: u.ID}
		if err := wss.CreateWorkspace(ctx, w); err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			e.ws = w.ID
		} else {
			e.other = w.ID
		}
	}
	cfg.Chats, cfg.Notes, cfg.AI, cfg.Retriever = e.chats, e.notes, e.ai, e.search
	cfg.Caller = func(_ context.Context, user, ws string) (*endpoint.Caller, error) {
		return &endpoint.Caller{Account: user, Workspace: ws}, nil
	}
	if cfg.Model == "" {
		cfg.Model = "default-model"
	}
	var err error
	if e.svc, err = chat.New(cfg); err != nil {
		t.Fatal(err)
	}
	e.conv = &quire.Conversation{WorkspaceID: e.ws, Title: "t", Model: "default-model"}
	if err := e.chats.CreateConversation(ctx, e.conv); err != nil {
		t.Fatal(err)
	}
	return e
}

// send asks a and returns the events and Send's error.
func (e *env) send(a chat.Ask) ([]chat.Event, error) {
	var evs []chat.Event
	err := e.svc.Send(context.Background(), "user-1", e.ws, e.conv.ID, a, func(ev chat.Event) error {
		evs = append(evs, ev)
		return nil
	})
	return evs, err
}

func (e *env) stored() []*quire.ChatMessage {
	e.t.Helper()
	msgs, err := e.chats.FindChatMessages(context.Background(), e.ws, e.conv.ID)
	if err != nil {
		e.t.Fatal(err)
	}
	return msgs
}

func types(evs []chat.Event) string {
	var out []string
	for _, ev := range evs {
		out = append(out, ev.Type)
	}
	return strings.Join(out, ",")
}

func TestSendStreamsAndStores(t *testing.T) {
	e := newEnv(t, chat.Config{})
	note := &quire.Note{WorkspaceID: e.ws, Title: "Roadmap", Content: "Q3: ship search."}
	if err := e.notes.CreateNote(context.Background(), note); err != nil {
		t.Fatal(err)
	}
	e.search.passages = []chat.Passage{
		{Source: quire.Source{Kind: "note", ID: note.ID, Title: "Roadmap"}, Text: "duplicate of the current note"},
		{Source: quire.Source{Kind: "idea", ID: "i1"}, Text: "an idea about search"},
	}
	e.ai.events = text("Search ", "ships in Q3 [1].")
	evs, err := e.send(chat.Ask{Text: "When does search ship?", Notes: true, Ideas: true, NoteID: note.ID})
	if err != nil {
		t.Fatal(err)
	}
	if got := types(evs); got != "question,sources,delta,delta,done" {
		t.Fatalf("events %s", got)
	}
	if src := evs[1].Sources; len(src) != 2 || src[0].ID != note.ID || src[1].ID != "i1" {
		t.Fatalf("sources %+v: the current note once, then the idea", src)
	}
	done := evs[4].Message
	if done.Content != "Search ships in Q3 [1]." || done.Status != quire.ChatComplete || done.Model != "default-model" || done.ID == "" {
		t.Fatalf("answer %+v", done)
	}
	req := e.ai.reqs[0]
	if req.Model != "default-model" || !strings.Contains(req.System, "[1] note: Roadmap\nQ3: ship search.") ||
		!strings.Contains(req.System, "[2] idea\nan idea about search") || strings.Contains(req.System, "duplicate") ||
		len(req.Messages) != 1 || req.MaxTokens != chat.DefaultAnswerTokens {
		t.Fatalf("request: model %q, system %q, %d messages", req.Model, req.System, len(req.Messages))
	}
	msgs := e.stored()
	if len(msgs) != 2 || msgs[0].Content != "When does search ship?" || msgs[1].Content != done.Content || len(msgs[1].Sources) != 2 {
		t.Fatalf("stored %+v", msgs)
	}

	// The next question carries the conversation so far.
	e.ai.events = text("Yes.")
	if _, err := e.send(chat.Ask{Text: "Sure?", Model: "other-model"}); err != nil {
		t.Fatal(err)
	}
	req = e.ai.reqs[1]
	if req.Model != "other-model" || len(req.Messages) != 3 || req.Messages[0].Role != gateway.RoleUser ||
		req.Messages[1].Role != gateway.RoleAssistant || req.System != e.ai.reqs[1].System || strings.Contains(req.System, "Passages") {
		t.Fatalf("second request: model %q, %d messages, system %q", req.Model, len(req.Messages), req.System)
	}
	conv, _ := e.chats.FindConversation(context.Background(), e.ws, e.conv.ID)
	if conv.Model != "other-model" {
		t.Fatalf("the model switch was not kept: %q", conv.Model)
	}
}

func TestSendRefusedLeavesNothing(t *testing.T) {
	e := newEnv(t, chat.Config{})
	e.ai.open = &endpoint.BudgetError{Daily: true, RetryAfter: time.Hour}
	_, err := e.send(chat.Ask{Text: "hi", Model: "switched"})
	if quire.ErrorCode(err) != quire.ERATELIMITED || quire.ErrorRetryAfter(err) != time.Hour {
		t.Fatalf("budget: %v", err)
	}
	e.ai.open = errors.New("upstream 500")
	if _, err := e.send(chat.Ask{Text: "hi"}); quire.ErrorCode(err) != quire.EUNAVAILABLE {
		t.Fatalf("provider failure: %v", err)
	}
	if msgs := e.stored(); len(msgs) != 0 {
		t.Fatalf("a refused call stored %d messages", len(msgs))
	}
	if conv, _ := e.chats.FindConversation(context.Background(), e.ws, e.conv.ID); conv.Model != "default-model" {
		t.Fatalf("a refused call switched the model to %q", conv.Model)
	}
}

func TestSendEndsEarly(t *testing.T) {
	e := newEnv(t, chat.Config{})
	e.ai.events, e.ai.err = text("half an ans")[:2], errors.New("connection reset")
	evs, err := e.send(chat.Ask{Text: "q1"})
	if err != nil || types(evs) != "question,sources,delta,done" || evs[3].Message.Status != quire.ChatFailed ||
		evs[3].Message.Content != "half an ans" {
		t.Fatalf("failed stream: %v %s %+v", err, types(evs), evs[len(evs)-1].Message)
	}

	// The client goes away after the first fragment.
	e.ai.events, e.ai.err = text("one ", "two ", "three"), nil
	n := 0
	err = e.svc.Send(context.Background(), "user-1", e.ws, e.conv.ID, chat.Ask{Text: "q2"}, func(ev chat.Event) error {
		if ev.Type == "delta" {
			if n++; n == 2 {
				return errors.New("client gone")
			}
		}
		return nil
	})
	msgs := e.stored()
	last := msgs[len(msgs)-1]
	if err != nil || last.Status != quire.ChatCancelled || last.Content != "one two " {
		t.Fatalf("cancelled answer stored as %+v (%v)", last, err)
	}

	// Failed and cancelled turns are not sent again as history.
	e.ai.events, e.ai.err = text("ok"), nil
	if _, err := e.send(chat.Ask{Text: "q3"}); err != nil {
		t.Fatal(err)
	}
	if req := e.ai.reqs[len(e.ai.reqs)-1]; len(req.Messages) != 1 {
		t.Fatalf("history of %d messages after only failed turns", len(req.Messages))
	}
}

func TestSendWeb(t *testing.T) {
	e := newEnv(t, chat.Config{WebModel: "sonar"})
	e.ai.events = append(text("It rains."), gateway.Event{Type: gateway.EventCitations,
		Citations: []gateway.Citation{{URL: "https://weather.example/today", Title: "Today"}}})
	evs, err := e.send(chat.Ask{Text: "weather?", Web: true})
	if err != nil {
		t.Fatal(err)
	}
	done := evs[len(evs)-1].Message
	if e.ai.reqs[0].Model != "sonar" || done.Model != "sonar" || len(done.Sources) != 1 || done.Sources[0].URL != "https://weather.example/today" {
		t.Fatalf("web answer %+v via %q", done, e.ai.reqs[0].Model)
	}
	if conv, _ := e.chats.FindConversation(context.Background(), e.ws, e.conv.ID); conv.Model != "default-model" {
		t.Fatalf("a web answer switched the conversation's model to %q", conv.Model)
	}
}

// TestSendMinimumContext: whatever retrieval finds, what reaches the
// provider stays within the context budget (claim AI-4).
func TestSendMinimumContext(t *testing.T) {
	e := newEnv(t, chat.Config{ContextTokens: 500})
	big := strings.Repeat("lorem ipsum ", 400) // ~1200 tokens each
	for i := range 10 {
		e.search.passages = append(e.search.passages, chat.Passage{Source: quire.Source{Kind: "note", ID: "n" + string(rune('0'+i))}, Text: big})
	}
	e.search.passages = append(e.search.passages, chat.Passage{Source: quire.Source{Kind: "idea", ID: "small"}, Text: "short"})
	e.ai.events = text("ok")
	evs, err := e.send(chat.Ask{Text: "q", Notes: true})
	if err != nil {
		t.Fatal(err)
	}
	sys := e.ai.reqs[0].System
	if extra := (len(sys) - len(strings.Split(sys, "\n\nPassages")[0])) / 4; extra > 500+16 || !strings.Contains(sys, "lorem") { // the budget, and the heading of the passages
		t.Fatalf("passages of about %d tokens were sent, over the budget of 500", extra)
	}
	if src := evs[1].Sources; len(src) != 1 || src[0].ID != "n0" {
		t.Fatalf("sources %+v, want only the best passage, cut to the budget", src)
	}
}

func TestSendRefusesBadInput(t *testing.T) {
	e := newEnv(t, chat.Config{})
	other := &quire.Note{WorkspaceID: e.other, Title: "theirs", Content: "secret"}
	if err := e.notes.CreateNote(context.Background(), other); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		a    chat.Ask
		code string
	}{
		{chat.Ask{}, quire.EINVALID},
		{chat.Ask{Text: strings.Repeat("x", quire.MaxChatMessage+1)}, quire.EINVALID},
		{chat.Ask{Text: "\xff"}, quire.EINVALID},
		{chat.Ask{Text: "q", NoteID: "../x"}, quire.EINVALID},
		{chat.Ask{Text: "q", Web: true}, quire.EINVALID},
		{chat.Ask{Text: "q", NoteID: other.ID}, quire.ENOTFOUND},
	} {
		if _, err := e.send(tt.a); quire.ErrorCode(err) != tt.code {
			t.Errorf("%+v: %v, want %s", tt.a, err, tt.code)
		}
	}
	err := e.svc.Send(context.Background(), "u", e.other, e.conv.ID, chat.Ask{Text: "q"}, func(chat.Event) error { return nil })
	if quire.ErrorCode(err) != quire.ENOTFOUND {
		t.Errorf("another workspace's conversation: %v", err)
	}
	if len(e.ai.reqs) != 0 || len(e.stored()) != 0 {
		t.Fatalf("bad input reached the AI (%d calls) or the store", len(e.ai.reqs))
	}
}

// TestModels offers the default model first, then the policy's others
// once each, and passes a policy failure on rather than a partial list.
func TestModels(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, chat.Config{})
	got, err := e.svc.Models(ctx, "user-1", e.ws)
	if err != nil || !slices.Equal(got, []string{"default-model"}) {
		t.Fatalf("without a Models function: %v, %v", got, err)
	}
	var asked string
	e = newEnv(t, chat.Config{Models: func(_ context.Context, user, ws string) ([]string, error) {
		asked = user + "/" + ws
		return []string{"alpha", "default-model", "beta"}, nil
	}})
	got, err = e.svc.Models(ctx, "user-1", e.ws)
	if err != nil || !slices.Equal(got, []string{"default-model", "alpha", "beta"}) || asked != "user-1/"+e.ws {
		t.Fatalf("with a policy: %v, %v (asked %q)", got, err, asked)
	}
	e = newEnv(t, chat.Config{Models: func(context.Context, string, string) ([]string, error) {
		return nil, quire.Errorf(quire.EFORBIDDEN, "no")
	}})
	if got, err := e.svc.Models(ctx, "user-1", e.ws); quire.ErrorCode(err) != quire.EFORBIDDEN || got != nil {
		t.Fatalf("a refused policy gave %v, %v", got, err)
	}
}
