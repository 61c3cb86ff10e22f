package endpoint

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"

	"github.com/quirehq/quire/gateway"
	"github.com/quirehq/quire/gateway/redact"
	"github.com/quirehq/quire/gateway/route"
)

// fakeBackend answers with what the test set and records what it got.
type fakeBackend struct {
	mu      sync.Mutex
	chat    *gateway.ChatResponse
	events  []gateway.Event
	streamE error // error after the events
	err     error // error instead of an answer
	embed   *gateway.EmbedResponse
	rerank  *gateway.RerankResponse
	text    *gateway.Transcription
	gotChat *gateway.ChatRequest
	gotEmb  *gateway.EmbedRequest
	gotRr   *gateway.RerankRequest
	gotTr   *gateway.TranscribeRequest
	policy  route.Policy
	callers []*Caller
}

func (b *fakeBackend) note(ctx context.Context, p route.Policy) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.policy = p
	b.callers = append(b.callers, CallerFrom(ctx))
}

func (b *fakeBackend) Chat(ctx context.Context, req *gateway.ChatRequest, p route.Policy) (*gateway.ChatResponse, error) {
	b.note(ctx, p)
	b.gotChat = req
	if b.err != nil {
		return nil, b.err
	}
	c := *b.chat
	c.Message.Parts = append([]gateway.Part(nil), b.chat.Message.Parts...)
	return &c, nil
}

func (b *fakeBackend) ChatStream(ctx context.Context, req *gateway.ChatRequest, p route.Policy) (gateway.Stream, error) {
	b.note(ctx, p)
	b.gotChat = req
	if b.err != nil {
		return nil, b.err
	}
	return gateway.SliceStream(b.events, b.streamE), nil
}

func (b *fakeBackend) Embed(ctx context.Context, req *gateway.EmbedRequest, p route.Policy) (*gateway.EmbedResponse, error) {
	b.note(ctx, p)
	b.gotEmb = req
	if b.err != nil {
		return nil, b.err
	}
	return b.embed, nil
}

func (b *fakeBackend) Transcribe(ctx context.Context, req *gateway.TranscribeRequest, p route.Policy) (*gateway.Transcription, error) {
	b.note(ctx, p)
	audio, _ := io.ReadAll(req.Audio)
	cp := *req
	cp.Audio = bytes.NewReader(audio)
	b.gotTr = &cp
	if b.err != nil {
		return nil, b.err
	}
	return b.text, nil
}

func (b *fakeBackend) Rerank(ctx context.Context, req *gateway.RerankRequest, p route.Policy) (*gateway.RerankResponse, error) {
	b.note(ctx, p)
	b.gotRr = req
	if b.err != nil {
		return nil, b.err
	}
	return b.rerank, nil
}

func (b *fakeBackend) Models(p route.Policy) []route.ModelInfo {
	return []route.ModelInfo{{ID: "chat", Alias: true, Ops: []route.Op{route.OpChat}}, {ID: "gpt-4o-mini", Ops: []route.Op{route.OpChat}}}
}

const testKey = "qk_test_key"

// serve starts the endpoints over b; every request with testKey as its
// Bearer or x-api-key is account "acct-1".
func serve(t testing.TB, b Backend, mut func(*Config)) *httptest.Server {
	t.Helper()
	cfg := Config{Backend: b, Authenticate: func(r *http.Request) (*Caller, error) {
		key := r.Header.Get("X-Api-Key")
		if h := r.Header.Get("Authorization"); h != "" {
			key = strings.TrimPrefix(h, "Bearer ")
		}
		switch key {
		case "":
			return nil, ErrNoCredentials
		case testKey:
			return &Caller{Account: "acct-1", Policy: route.Policy{AllowNonZDR: true}}, nil
		}
		return nil, ErrInvalidKey
	}}
	if mut != nil {
		mut(&cfg)
	}
	mux := http.NewServeMux()
	for p, h := range New(cfg).Routes() {
		mux.Handle(p, h)
	}
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

func sdk(srv *httptest.Server, key string) openai.Client {
	return openai.NewClient(option.WithBaseURL(srv.URL+"/v1/"), option.WithAPIKey(key), option.WithMaxRetries(0))
}

var answer = &gateway.ChatResponse{
	ID: "chatcmpl-1", Model: "gpt-4o-mini", Created: time.Unix(1760433164, 0),
	Message:      gateway.TextMessage(gateway.RoleAssistant, "Hello"),
	FinishReason: gateway.FinishStop, Usage: &gateway.Usage{InputTokens: 5, OutputTokens: 1},
}

func userAsks(text string) openai.ChatCompletionNewParams {
	return openai.ChatCompletionNewParams{Model: "chat", Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage(text)}}
}

func TestChatThroughSDK(t *testing.T) {
	b := &fakeBackend{chat: answer}
	c := sdk(serve(t, b, nil), testKey)
	resp, err := c.Chat.Completions.New(context.Background(), userAsks("Hi"))
	if err != nil {
		t.Fatal(err)
	}
	if resp.Choices[0].Message.Content != "Hello" || resp.Usage.TotalTokens != 6 {
		t.Fatalf("answer %+v", resp)
	}
	if b.gotChat.Model != "chat" || b.gotChat.Messages[0].Text() != "Hi" || !b.policy.AllowNonZDR {
		t.Fatalf("backend got %+v, policy %+v", b.gotChat, b.policy)
	}
	if len(b.callers) != 1 || b.callers[0] == nil || b.callers[0].Account != "acct-1" {
		t.Fatalf("the backend's context does not carry the caller: %+v", b.callers)
	}
}

func TestChatStreamThroughSDK(t *testing.T) {
	b := &fakeBackend{events: []gateway.Event{
		{Type: gateway.EventStart, ID: "chatcmpl-2", Model: "gpt-4o-mini"},
		{Type: gateway.EventText, Text: "Hel"}, {Type: gateway.EventText, Text: "lo"},
		{Type: gateway.EventFinish, Finish: gateway.FinishStop},
		{Type: gateway.EventUsage, Usage: gateway.Usage{InputTokens: 3, OutputTokens: 2}},
	}}
	c := sdk(serve(t, b, nil), testKey)
	params := userAsks("Hi")
	params.StreamOptions = openai.ChatCompletionStreamOptionsParam{IncludeUsage: openai.Bool(true)}
	st := c.Chat.Completions.NewStreaming(context.Background(), params)
	var acc openai.ChatCompletionAccumulator
	for st.Next() {
		acc.AddChunk(st.Current())
	}
	if err := st.Err(); err != nil {
		t.Fatal(err)
	}
	if acc.Choices[0].Message.Content != "Hello" || acc.Usage.TotalTokens != 5 || !b.gotChat.Stream {
		t.Fatalf("accumulated %+v", acc.ChatCompletion)
	}
}

func TestStreamErrorReachesSDK(t *testing.T) {
	b := &fakeBackend{events: []gateway.Event{
		{Type: gateway.EventStart, ID: "chatcmpl-3", Model: "m"}, {Type: gateway.EventText, Text: "par"},
	}, streamE: gateway.NewError("p", gateway.ClassStreamError, gateway.ErrStreamError)}
	c := sdk(serve(t, b, nil), testKey)
	st := c.Chat.Completions.NewStreaming(context.Background(), userAsks("Hi"))
	for st.Next() {
	}
	if st.Err() == nil {
		t.Fatal("a stream that failed upstream ended without an error for the client")
	}
}

func TestErrorsThroughSDK(t *testing.T) {
	cases := []struct {
		name   string
		key    string
		err    error
		meter  Meter
		status int
		code   string
	}{
		{"no key", "", nil, nil, 401, "missing_api_key"},
		{"bad key", "qk_wrong", nil, nil, 401, "invalid_api_key"},
		{"unknown model", testKey, &route.Error{Kind: route.ErrUnknownModel, Reason: "no model x"}, nil, 404, "model_not_found"},
		{"no compliant provider", testKey, &route.Error{Kind: route.ErrNoCompliantProvider, Reason: "no zdr"}, nil, 403, "zero_data_retention_required"},
		{"upstream rate limit", testKey, &gateway.ProviderError{Class: gateway.ClassRateLimited, Status: 429, RetryAfter: 3 * time.Second}, nil, 429, "rate_limit_exceeded"},
		{"upstream down", testKey, gateway.NewError("p", gateway.ClassConnection, errors.New("dial")), nil, 502, "upstream_unavailable"},
		{"daily budget", testKey, nil, meterFunc(func(*Caller, int) error { return &BudgetError{Daily: true, RetryAfter: time.Hour} }), 429, "insufficient_quota"},
		{"token rate", testKey, nil, meterFunc(func(*Caller, int) error { return &BudgetError{RetryAfter: 20 * time.Second} }), 429, "rate_limit_exceeded"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			b := &fakeBackend{chat: answer, err: tc.err}
			c := sdk(serve(t, b, func(c *Config) { c.Meter = tc.meter }), tc.key)
			_, err := c.Chat.Completions.New(context.Background(), userAsks("Hi"))
			var ae *openai.Error
			if !errors.As(err, &ae) {
				t.Fatalf("err = %v, want an *openai.Error", err)
			}
			if ae.StatusCode != tc.status || ae.Code != tc.code {
				t.Fatalf("status %d code %q, want %d %q", ae.StatusCode, ae.Code, tc.status, tc.code)
			}
			if tc.status == 429 && ae.Response.Header.Get("Retry-After") == "" {
				t.Fatal("429 without Retry-After")
			}
			if tc.meter != nil && b.gotChat != nil {
				t.Fatal("a call over budget reached the backend")
			}
		})
	}
}

type meterFunc func(*Caller, int) error

func (f meterFunc) Admit(_ context.Context, c *Caller, n int) error { return f(c, n) }

func TestBudgetEstimate(t *testing.T) {
	var got int
	b := &fakeBackend{chat: answer}
	c := sdk(serve(t, b, func(c *Config) {
		c.Meter = meterFunc(func(_ *Caller, n int) error { got = n; return nil })
	}), testKey)
	p := userAsks(strings.Repeat("abcd", 100))
	p.MaxCompletionTokens = openai.Int(50)
	if _, err := c.Chat.Completions.New(context.Background(), p); err != nil {
		t.Fatal(err)
	}
	if got != 150 {
		t.Fatalf("estimate %d, want 100 input + 50 output", got)
	}
}

func redactor(t testing.TB) *redact.Redactor {
	t.Helper()
	r, err := redact.New(redact.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestRedactionRoundTrip(t *testing.T) {
	const email = "ada@example.com"
	respond := func(req *gateway.ChatRequest) string {
		sent := req.Messages[0].Text()
		if strings.Contains(sent, email) {
			t.Fatalf("the email left unredacted: %q", sent)
		}
		i := strings.Index(sent, "[EMAIL_")
		if i < 0 {
			t.Fatalf("no placeholder in %q", sent)
		}
		return "Write to " + sent[i:i+strings.Index(sent[i:], "]")+1] + " today."
	}
	b := &echoBackend{fakeBackend: &fakeBackend{}, respond: respond}
	c := sdk(serve(t, b, func(c *Config) { c.Redactor = redactor(t) }), testKey)
	resp, err := c.Chat.Completions.New(context.Background(), userAsks("Mail "+email+" please"))
	if err != nil {
		t.Fatal(err)
	}
	if got := resp.Choices[0].Message.Content; got != "Write to "+email+" today." {
		t.Fatalf("restored answer %q", got)
	}
	st := c.Chat.Completions.NewStreaming(context.Background(), userAsks("Mail "+email+" please"))
	var acc openai.ChatCompletionAccumulator
	for st.Next() {
		acc.AddChunk(st.Current())
	}
	if err := st.Err(); err != nil {
		t.Fatal(err)
	}
	if got := acc.Choices[0].Message.Content; got != "Write to "+email+" today." {
		t.Fatalf("restored stream %q", got)
	}
}

// echoBackend answers with respond(request), streamed one byte an event so
// that every placeholder is split.
type echoBackend struct {
	*fakeBackend
	respond func(*gateway.ChatRequest) string
}

func (e *echoBackend) Chat(ctx context.Context, req *gateway.ChatRequest, p route.Policy) (*gateway.ChatResponse, error) {
	return &gateway.ChatResponse{ID: "e", Model: "m", Message: gateway.TextMessage(gateway.RoleAssistant, e.respond(req)), FinishReason: gateway.FinishStop}, nil
}

func (e *echoBackend) ChatStream(ctx context.Context, req *gateway.ChatRequest, p route.Policy) (gateway.Stream, error) {
	evs := []gateway.Event{{Type: gateway.EventStart, ID: "e", Model: "m"}}
	for _, r := range e.respond(req) {
		evs = append(evs, gateway.Event{Type: gateway.EventText, Text: string(r)})
	}
	evs = append(evs, gateway.Event{Type: gateway.EventFinish, Finish: gateway.FinishStop})
	return gateway.SliceStream(evs, nil), nil
}

func TestEmbeddingsThroughSDK(t *testing.T) {
	b := &fakeBackend{embed: &gateway.EmbedResponse{Model: "e", Vectors: [][]float32{{0.5, -1}}, Usage: gateway.Usage{InputTokens: 2}}}
	c := sdk(serve(t, b, func(c *Config) { c.Redactor = redactor(t) }), testKey)
	resp, err := c.Embeddings.New(context.Background(), openai.EmbeddingNewParams{
		Model: "e", Input: openai.EmbeddingNewParamsInputUnion{OfString: openai.String("call +44 20 7946 0958 or ada@example.com")},
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(resp.Data) != 1 || resp.Data[0].Embedding[0] != 0.5 {
		t.Fatalf("embedding %+v", resp.Data)
	}
	if in := b.gotEmb.Inputs[0]; strings.Contains(in, "ada@example.com") {
		t.Fatalf("embedding input left unredacted: %q", in)
	}
}

func TestModelsThroughSDK(t *testing.T) {
	c := sdk(serve(t, &fakeBackend{}, nil), testKey)
	page, err := c.Models.List(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Data) != 2 || page.Data[0].ID != "chat" || page.Data[1].ID != "gpt-4o-mini" {
		t.Fatalf("models %+v", page.Data)
	}
	anon := sdk(serve(t, &fakeBackend{}, nil), "")
	if _, err := anon.Models.List(context.Background()); err == nil {
		t.Fatal("models listed without a key")
	}
}

func TestTranscriptionThroughSDK(t *testing.T) {
	b := &fakeBackend{text: &gateway.Transcription{Text: "hello there", Language: "en"}}
	c := sdk(serve(t, b, nil), testKey)
	resp, err := c.Audio.Transcriptions.New(context.Background(), openai.AudioTranscriptionNewParams{
		Model: "whisper-1", File: openai.File(bytes.NewReader([]byte("RIFF....WAVEfmt ")), "memo.wav", "audio/wav"),
	})
	if err != nil {
		t.Fatal(err)
	}
	if resp.Text != "hello there" {
		t.Fatalf("transcript %q", resp.Text)
	}
	if a, _ := io.ReadAll(b.gotTr.Audio); string(a) != "RIFF....WAVEfmt " {
		t.Fatalf("audio %q", a)
	}
}

func TestRerank(t *testing.T) {
	b := &fakeBackend{rerank: &gateway.RerankResponse{Model: "r", Results: []gateway.RerankResult{{Index: 1, Score: 0.9}, {Index: 0, Score: 0.1}}}}
	srv := serve(t, b, nil)
	post := func(body string, key string) (*http.Response, map[string]any) {
		req, _ := http.NewRequest("POST", srv.URL+"/v1/rerank", strings.NewReader(body))
		if key != "" {
			req.Header.Set("Authorization", "Bearer "+key)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var m map[string]any
		_ = json.NewDecoder(resp.Body).Decode(&m)
		return resp, m
	}
	resp, m := post(`{"model":"r","query":"q","documents":["a",{"text":"b"}],"top_n":5,"return_documents":true}`, testKey)
	if resp.StatusCode != 200 {
		t.Fatalf("status %d: %v", resp.StatusCode, m)
	}
	res := m["results"].([]any)
	first := res[0].(map[string]any)
	if first["index"].(float64) != 1 || first["document"].(map[string]any)["text"] != "b" || b.gotRr.TopN != 2 {
		t.Fatalf("rerank %v (top_n %d)", m, b.gotRr.TopN)
	}
	for _, body := range []string{``, `[]`, `{"model":"r"}`, `{"model":"r","query":"q"}`, `{"model":"r","query":"q","documents":[]}`,
		`{"model":"r","query":"q","documents":[1]}`, `{"model":"r","query":"q","documents":["a"],"top_n":0}`, `{"model":"r","query":"q","documents":["a"]} {}`} {
		if resp, m := post(body, testKey); resp.StatusCode != 400 {
			t.Errorf("%s: status %d %v, want 400", body, resp.StatusCode, m)
		}
	}
	if resp, _ := post(`{"model":"r","query":"q","documents":["a"]}`, ""); resp.StatusCode != 401 {
		t.Errorf("no key: status %d", resp.StatusCode)
	}
	many := `{"model":"r","query":"q","documents":[` + strings.Repeat(`"d",`, 1000) + `"d"]}`
	if resp, _ := post(many, testKey); resp.StatusCode != 400 {
		t.Errorf("1001 documents: status %d", resp.StatusCode)
	}
	b.rerank = &gateway.RerankResponse{Results: []gateway.RerankResult{{Index: 7}}}
	if resp, _ := post(`{"model":"r","query":"q","documents":["a"]}`, testKey); resp.StatusCode != 502 {
		t.Errorf("an index out of range from upstream: status %d, want 502", resp.StatusCode)
	}
}

// A workspace can turn redaction off, or narrow it to some kinds.
func TestWorkspaceRedaction(t *testing.T) {
	const prompt = "Mail ada@example.com or call +44 20 7946 0958"
	for _, tc := range []struct {
		name             string
		caller           Caller
		email, phoneSent bool
	}{
		{"default", Caller{}, false, false},
		{"off", Caller{RedactionOff: true}, true, true},
		{"email only", Caller{RedactKinds: []redact.Kind{redact.Email}}, false, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := &fakeBackend{chat: answer}
			srv := serve(t, b, func(c *Config) {
				c.Redactor = redactor(t)
				c.Authenticate = func(*http.Request) (*Caller, error) { cc := tc.caller; cc.Account = "a"; return &cc, nil }
			})
			c := sdk(srv, testKey)
			if _, err := c.Chat.Completions.New(context.Background(), userAsks(prompt)); err != nil {
				t.Fatal(err)
			}
			sent := b.gotChat.Messages[0].Text()
			if strings.Contains(sent, "ada@example.com") != tc.email || strings.Contains(sent, "+44 20 7946 0958") != tc.phoneSent {
				t.Fatalf("sent %q", sent)
			}
		})
	}
}

// slowBackend answers after a delay longer than the server's write
// timeout, as a reasoning model may.
type slowBackend struct {
	*fakeBackend
	delay time.Duration
}

func (s *slowBackend) Chat(ctx context.Context, req *gateway.ChatRequest, p route.Policy) (*gateway.ChatResponse, error) {
	time.Sleep(s.delay)
	return s.fakeBackend.Chat(ctx, req, p)
}

func TestSlowAnswerOutlivesWriteTimeout(t *testing.T) {
	b := &slowBackend{fakeBackend: &fakeBackend{chat: answer}, delay: 400 * time.Millisecond}
	cfg := Config{Backend: b, Authenticate: func(*http.Request) (*Caller, error) { return &Caller{Account: "a"}, nil }}
	mux := http.NewServeMux()
	for p, h := range New(cfg).Routes() {
		mux.Handle(p, h)
	}
	srv := httptest.NewUnstartedServer(mux)
	srv.Config.WriteTimeout = 200 * time.Millisecond
	srv.Start()
	defer srv.Close()
	c := sdk(srv, testKey)
	resp, err := c.Chat.Completions.New(context.Background(), userAsks("Hi"))
	if err != nil {
		t.Fatalf("an answer slower than the server's write timeout was lost: %v", err)
	}
	if resp.Choices[0].Message.Content != "Hello" {
		t.Fatalf("answer %+v", resp)
	}
}
