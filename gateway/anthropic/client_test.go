package anthropic

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/quirehq/quire/gateway"
)

func TestChatGolden(t *testing.T) {
	fake := newFake(t)
	p := newProvider(t, fake)
	tests := []struct {
		scenario string
		id       string
		model    string
		text     string
		finish   gateway.FinishReason
		usage    gateway.Usage
		calls    []gateway.ToolCall
	}{
		{"messages_text", "msg_01XFDUDYJgAACzvnptvVoYEL", "claude-sonnet-4-5-20250929", "Hello! How can I help you with your writing today?", gateway.FinishStop,
			gateway.Usage{InputTokens: 21 + 2048, OutputTokens: 15, CachedInputTokens: 2048}, nil},
		{"messages_tools", "msg_01Aq9w938a90dw8q", "claude-sonnet-4-5-20250929", "I'll search your notes and open the folder.", gateway.FinishToolCalls,
			gateway.Usage{InputTokens: 390 + 1024, OutputTokens: 141}, []gateway.ToolCall{
				{ID: "toolu_01A09q90qw90lq917835lq9", Name: "search_notes", Arguments: `{"query":"autumn","limit":5}`},
				{ID: "toolu_01T1x1fJ34qAmk2tNTrN7Up6", Name: "get_folder", Arguments: `{"folder_id":"f_42"}`},
				{ID: "toolu_01Vg3sJk6rHnB2cXy7ZqLm4T", Name: "list_folders", Arguments: `{}`},
			}},
		{"messages_image", "msg_01Bq8ZkR2vYt6NwXs4LpQe7M", "claude-haiku-4-5-20251001", "The image shows a red square centred on a white background.", gateway.FinishStop,
			gateway.Usage{InputTokens: 1552, OutputTokens: 16}, nil},
		{"messages_json", "msg_01Cr9AlS3wZu7OxYt5MqRf8N", "claude-sonnet-4-5-20250929", `{"title":"Autumn notes","tags":["seasons","journal"],"word_count":412}`, gateway.FinishStop,
			gateway.Usage{InputTokens: 188, OutputTokens: 27}, nil},
		{"messages_thinking", "msg_01Ds0BmT4xAv8PyZu6NrSg9P", "claude-sonnet-4-5-20250929", "Twenty-seven.", gateway.FinishStop,
			gateway.Usage{InputTokens: 45, OutputTokens: 212, ReasoningTokens: 184}, nil},
		{"messages_refusal", "msg_01Et1CnU5yBw9QzAv7OsTh0Q", "claude-sonnet-4-5-20250929", "I can't help with that.", gateway.FinishContentFilter,
			gateway.Usage{InputTokens: 30, OutputTokens: 9}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.scenario, func(t *testing.T) {
			resp, err := p.Chat(context.Background(), chatRequest(tt.scenario))
			if err != nil {
				t.Fatal(err)
			}
			if resp.ID != tt.id || resp.Model != tt.model || resp.Message.Role != gateway.RoleAssistant || resp.Message.Text() != tt.text ||
				resp.FinishReason != tt.finish || resp.Usage == nil || *resp.Usage != tt.usage || !reflect.DeepEqual(resp.Message.ToolCalls, tt.calls) {
				t.Fatalf("got %+v (usage %+v)", resp, resp.Usage)
			}
			if strings.Contains(fmt.Sprintf("%+v", resp), "CANARY") {
				t.Fatalf("thinking reached the answer: %+v", resp)
			}
		})
	}
}

// hashedID is toolID's stable replacement for an ID Anthropic refuses.
func hashedID(id string) string {
	sum := sha256.Sum256([]byte(id))
	return "toolu_" + hex.EncodeToString(sum[:12])
}

// TestMessagesRequestExact checks the whole upstream body: the field
// allowlist (no metadata, no seed or penalties), the system pieces on top,
// alternating turns with tool results merged into one user turn, tool IDs
// Anthropic accepts, max_tokens defaulted, the temperature clamped and
// top_p dropped beside it.
func TestMessagesRequestExact(t *testing.T) {
	fake := newFake(t)
	p := newProvider(t, fake)
	seed, pen, temp, topP, parallel := int64(7), 0.5, 1.4, 0.9, false
	req := &gateway.ChatRequest{
		Model:  "messages_tools",
		System: "You are a careful editor.",
		Messages: []gateway.Message{
			gateway.TextMessage(gateway.RoleUser, "Find my autumn notes."),
			gateway.TextMessage(gateway.RoleSystem, "Answer in British English."),
			{Role: gateway.RoleAssistant, Parts: []gateway.Part{{Type: gateway.PartText, Text: "Searching."}, {Type: gateway.PartText}}, ToolCalls: []gateway.ToolCall{
				{ID: "toolu_01A", Name: "search_notes", Arguments: `{"query": "autumn", "limit": 5}`},
				{ID: "call:odd/id", Name: "list_folders", Arguments: ""},
			}},
			{Role: gateway.RoleTool, ToolCallID: "toolu_01A", Parts: []gateway.Part{{Type: gateway.PartText, Text: "2 notes found"}}},
			{Role: gateway.RoleTool, ToolCallID: "call:odd/id", Parts: []gateway.Part{
				{Type: gateway.PartText, Text: "folders:"}, {Type: gateway.PartImage, Image: gateway.Image{Data: "iVBORw0KGgo=", MediaType: "image/png"}},
			}},
			gateway.TextMessage(gateway.RoleUser, "Summarise them."),
			{Role: gateway.RoleUser, Parts: []gateway.Part{{Type: gateway.PartImage, Image: gateway.Image{URL: "https://example.com/a.jpg", Detail: "high"}}}},
			{Role: gateway.RoleAssistant}, // empty: dropped
		},
		Tools: []gateway.Tool{
			{Name: "search_notes", Description: "Search notes", Parameters: []byte(`{"type": "object", "properties": {"query": {"type": "string"}}}`), Strict: true},
			{Name: "list_folders"},
		},
		ToolChoice:        gateway.ToolChoice{Mode: gateway.ToolChoiceRequired},
		ParallelToolCalls: &parallel,
		Temperature:       &temp, TopP: &topP, Stop: []string{"END"},
		Seed: &seed, FrequencyPenalty: &pen, PresencePenalty: &pen, ReasoningEffort: "minimal",
		IncludeUsage: true, Stream: true,
	}
	if _, err := p.Chat(context.Background(), req); err != nil {
		t.Fatal(err)
	}
	want := `{"model":"messages_tools","max_tokens":4096,` +
		`"system":[{"type":"text","text":"You are a careful editor."},{"type":"text","text":"Answer in British English."}],` +
		`"messages":[` +
		`{"role":"user","content":[{"type":"text","text":"Find my autumn notes."}]},` +
		`{"role":"assistant","content":[{"type":"text","text":"Searching."},` +
		`{"type":"tool_use","id":"toolu_01A","name":"search_notes","input":{"query":"autumn","limit":5}},` +
		`{"type":"tool_use","id":"` + hashedID("call:odd/id") + `","name":"list_folders","input":{}}]},` +
		`{"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_01A","content":"2 notes found"},` +
		`{"type":"tool_result","tool_use_id":"` + hashedID("call:odd/id") + `","content":[{"type":"text","text":"folders:"},{"type":"image","source":{"type":"base64","media_type":"image/png","data":"iVBORw0KGgo="}}]},` +
		`{"type":"text","text":"Summarise them."},{"type":"image","source":{"type":"url","url":"https://example.com/a.jpg"}}]}],` +
		`"tools":[{"name":"search_notes","description":"Search notes","input_schema":{"type":"object","properties":{"query":{"type":"string"}}},"strict":true},` +
		`{"name":"list_folders","input_schema":{"type":"object","properties":{}}}],` +
		`"tool_choice":{"type":"any","disable_parallel_tool_use":true},` +
		`"temperature":1,"stop_sequences":["END"]}` + "\n"
	if got := string(fake.Last().Body); got != want {
		t.Fatalf("upstream body\n got %s\nwant %s", got, want)
	}
	h := fake.Last().Header
	if h.Get("X-Api-Key") != testKey || h.Get("Anthropic-Version") != "2023-06-01" || h.Get("Authorization") != "" ||
		h.Get("Content-Type") != "application/json" || h.Get("Accept") != "application/json" || fake.Last().Path != "/v1/messages" {
		t.Fatalf("request %s, headers %v", fake.Last().Path, h)
	}
}

// TestMessagesRequestTurns covers the turn rules: a user turn that holds
// tool results lists them first, consecutive turns of one role merge, a
// lone system string stays a string.
func TestMessagesRequestTurns(t *testing.T) {
	p := &Provider{name: "t", maxTokens: 10}
	req := &gateway.ChatRequest{Model: "m", System: "Be brief.", Messages: []gateway.Message{
		gateway.TextMessage(gateway.RoleUser, "a"),
		gateway.TextMessage(gateway.RoleUser, "b"),
		{Role: gateway.RoleAssistant, ToolCalls: []gateway.ToolCall{{ID: "t1", Name: "f", Arguments: "{}"}, {ID: "t2", Name: "f", Arguments: " {\"x\" : [1, 2]} "}}},
		gateway.TextMessage(gateway.RoleUser, "c"),
		{Role: gateway.RoleTool, ToolCallID: "t1"},
		{Role: gateway.RoleTool, ToolCallID: "t2", Parts: []gateway.Part{{Type: gateway.PartText, Text: "r2"}}},
		gateway.TextMessage(gateway.RoleAssistant, "done"),
		gateway.TextMessage(gateway.RoleAssistant, "really"),
	}}
	buf, err := p.messagesBody(req, true)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"model":"m","max_tokens":10,"system":"Be brief.","messages":[` +
		`{"role":"user","content":[{"type":"text","text":"a"},{"type":"text","text":"b"}]},` +
		`{"role":"assistant","content":[{"type":"tool_use","id":"t1","name":"f","input":{}},{"type":"tool_use","id":"t2","name":"f","input":{"x":[1,2]}}]},` +
		`{"role":"user","content":[{"type":"tool_result","tool_use_id":"t1"},{"type":"tool_result","tool_use_id":"t2","content":"r2"},{"type":"text","text":"c"}]},` +
		`{"role":"assistant","content":[{"type":"text","text":"done"},{"type":"text","text":"really"}]}],"stream":true}` + "\n"
	if got := buf.String(); got != want {
		t.Fatalf("body\n got %s\nwant %s", got, want)
	}
}

func TestMessagesRequestFormats(t *testing.T) {
	p := &Provider{name: "t", maxTokens: 10}
	tests := []struct {
		name   string
		mod    func(*gateway.ChatRequest)
		want   string // a fragment of the body
		refuse bool
	}{
		{"json schema", func(r *gateway.ChatRequest) {
			r.ResponseFormat = gateway.ResponseFormat{Type: gateway.FormatJSONSchema, Name: "note", Schema: []byte(`{"type":"object","additionalProperties":false}`), Strict: true}
		}, `"output_config":{"format":{"type":"json_schema","schema":{"type":"object","additionalProperties":false}}}`, false},
		{"effort", func(r *gateway.ChatRequest) { r.ReasoningEffort = "high" }, `"output_config":{"effort":"high"}`, false},
		{"text format", func(r *gateway.ChatRequest) { r.ResponseFormat.Type = gateway.FormatText }, `"messages":[{"role":"user","content":[{"type":"text","text":"hi"}]}]}`, false},
		{"top_p alone", func(r *gateway.ChatRequest) { r.TopP = ptr(0.5) }, `"top_p":0.5`, false},
		{"tool choice none", func(r *gateway.ChatRequest) {
			r.Tools, r.ToolChoice, r.ParallelToolCalls = []gateway.Tool{{Name: "f"}}, gateway.ToolChoice{Mode: gateway.ToolChoiceNone}, ptr(false)
		}, `"tool_choice":{"type":"none"}`, false},
		{"tool choice named", func(r *gateway.ChatRequest) {
			r.Tools, r.ToolChoice = []gateway.Tool{{Name: "f"}}, gateway.ToolChoice{Mode: gateway.ToolChoiceTool, Name: "f"}
		}, `"tool_choice":{"type":"tool","name":"f"}`, false},
		{"parallel off alone", func(r *gateway.ChatRequest) { r.Tools, r.ParallelToolCalls = []gateway.Tool{{Name: "f"}}, ptr(false) },
			`"tool_choice":{"type":"auto","disable_parallel_tool_use":true}`, false},
		{"tool choice without tools", func(r *gateway.ChatRequest) { r.ToolChoice.Mode = gateway.ToolChoiceAuto },
			`"messages":[{"role":"user","content":[{"type":"text","text":"hi"}]}]}`, false},
		{"json object", func(r *gateway.ChatRequest) { r.ResponseFormat.Type = gateway.FormatJSONObject }, "", true},
		{"schema missing", func(r *gateway.ChatRequest) { r.ResponseFormat.Type = gateway.FormatJSONSchema }, "", true},
		{"invalid arguments", func(r *gateway.ChatRequest) {
			r.Messages = append(r.Messages, gateway.Message{Role: gateway.RoleAssistant, ToolCalls: []gateway.ToolCall{{ID: "a", Name: "f", Arguments: `{"CANARY": `}}})
		}, "", true},
		{"arguments not an object", func(r *gateway.ChatRequest) {
			r.Messages = append(r.Messages, gateway.Message{Role: gateway.RoleAssistant, ToolCalls: []gateway.ToolCall{{ID: "a", Name: "f", Arguments: `["CANARY"]`}}})
		}, "", true},
		{"image from assistant", func(r *gateway.ChatRequest) {
			r.Messages = append(r.Messages, gateway.Message{Role: gateway.RoleAssistant, Parts: []gateway.Part{{Type: gateway.PartImage, Image: gateway.Image{URL: "https://x"}}}})
		}, "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := &gateway.ChatRequest{Model: "m", Messages: []gateway.Message{gateway.TextMessage(gateway.RoleUser, "hi")}}
			tt.mod(req)
			buf, err := p.messagesBody(req, false)
			if tt.refuse {
				if !errors.Is(err, gateway.ErrUnsupported) || strings.Contains(err.Error(), "CANARY") {
					t.Fatalf("got %v, want an ErrUnsupported that quotes nothing", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(buf.String(), tt.want) {
				t.Fatalf("body %s\nlacks %s", buf, tt.want)
			}
		})
	}
}

// TestChatRefusedLocally: a request this format cannot express is an
// invalid-request ProviderError wrapping ErrUnsupported, and nothing is
// sent.
func TestChatRefusedLocally(t *testing.T) {
	fake := newFake(t)
	p := newProvider(t, fake)
	req := chatRequest("messages_text")
	req.ResponseFormat.Type = gateway.FormatJSONObject
	_, err := p.Chat(context.Background(), req)
	if pe := providerError(t, err); pe.Class != gateway.ClassInvalidRequest || !errors.Is(err, gateway.ErrUnsupported) || pe.Retryable() {
		t.Fatalf("got %+v", pe)
	}
	_, err = p.ChatStream(context.Background(), req)
	if pe := providerError(t, err); pe.Class != gateway.ClassInvalidRequest || !errors.Is(err, gateway.ErrUnsupported) {
		t.Fatalf("stream: got %+v", pe)
	}
	if n := len(fake.Requests()); n != 0 {
		t.Fatalf("%d requests sent", n)
	}
}

func TestChatErrors(t *testing.T) {
	fake := newFake(t)
	p := newProvider(t, fake)
	tests := []struct {
		scenario   string
		status     int
		class      gateway.ErrorClass
		typ        string
		retryable  bool
		retryAfter time.Duration
		requestID  string
		cause      error
	}{
		{"error_400", 400, gateway.ClassInvalidRequest, "invalid_request_error", false, 0, "req_011CU8aA1bCd2eFg3hIj4kLm", nil},
		{"error_401", 401, gateway.ClassAuth, "authentication_error", false, 0, "req_011CU8aB2cDe3fGh4iJk5lMn", nil},
		{"error_403", 403, gateway.ClassAuth, "permission_error", false, 0, "req_011CU8aC3dEf4gHi5jKl6mNo", nil},
		{"error_404", 404, gateway.ClassNotFound, "not_found_error", false, 0, "req_011CU8aD4eFg5hIj6kLm7nOp", nil},
		{"error_413", 413, gateway.ClassInvalidRequest, "request_too_large", false, 0, "req_011CU8aE5fGh6iJk7lMn8oPq", nil},
		{"error_429", 429, gateway.ClassRateLimited, "rate_limit_error", true, 17 * time.Second, "req_011CU8aF6gHi7jKl8mNo9pQr", nil},
		{"error_500", 500, gateway.ClassServer, "api_error", true, 0, "req_011CU8aG7hIj8kLm9nOp0qRs", nil},
		{"error_529", 529, gateway.ClassServer, "overloaded_error", true, 0, "req_011CU8aH8iJk9lMn0oPq1rSt", nil},
		{"html_502", 502, gateway.ClassServer, "", true, 0, "", nil},
		{"no_such_model", 404, gateway.ClassNotFound, "not_found_error", false, 0, "req_011CUfakeNotFound0000000", nil},
		{"invalid_json", 200, gateway.ClassBadResponse, "", false, 0, "", gateway.ErrInvalidJSON},
		{"stream_text", 200, gateway.ClassBadResponse, "", false, 0, "", gateway.ErrInvalidJSON},
	}
	for _, tt := range tests {
		t.Run(tt.scenario, func(t *testing.T) {
			_, err := p.Chat(context.Background(), chatRequest(tt.scenario))
			pe := providerError(t, err)
			if pe.Status != tt.status || pe.Class != tt.class || pe.Type != tt.typ || pe.Retryable() != tt.retryable ||
				pe.RetryAfter != tt.retryAfter || pe.RequestID != tt.requestID || pe.Provider != "main-anthropic" {
				t.Fatalf("got %+v (retryable %v)", pe, pe.Retryable())
			}
			if tt.cause != nil && !errors.Is(err, tt.cause) {
				t.Fatalf("cause %v, want %v", pe.Err, tt.cause)
			}
		})
	}
}

// TestRateLimitReset: a 429 without retry-after waits for the exhausted
// budget named by the anthropic-ratelimit-* headers.
func TestRateLimitReset(t *testing.T) {
	now := time.Date(2025, 10, 14, 9, 12, 46, 0, time.UTC)
	h := http.Header{}
	h.Set("Anthropic-Ratelimit-Requests-Remaining", "12")
	h.Set("Anthropic-Ratelimit-Requests-Reset", "2025-10-14T09:13:46Z")
	h.Set("Anthropic-Ratelimit-Output-Tokens-Remaining", "0")
	h.Set("Anthropic-Ratelimit-Output-Tokens-Reset", "2025-10-14T09:12:58Z")
	h.Set("Anthropic-Ratelimit-Tokens-Reset", "not a time")
	if d := rateLimitReset(h, now); d != 12*time.Second {
		t.Fatalf("exhausted budget: %v", d)
	}
	h.Set("Anthropic-Ratelimit-Output-Tokens-Remaining", "9")
	if d := rateLimitReset(h, now); d != time.Minute {
		t.Fatalf("none exhausted: %v, want the latest reset", d)
	}
	if d := rateLimitReset(http.Header{}, now); d != 0 {
		t.Fatalf("no headers: %v", d)
	}

	fake := newFake(t)
	fake.Handle("limited", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Anthropic-Ratelimit-Input-Tokens-Remaining", "0")
		w.Header().Set("Anthropic-Ratelimit-Input-Tokens-Reset", time.Now().Add(30*time.Second).UTC().Format(time.RFC3339))
		w.WriteHeader(429)
		io.WriteString(w, `{"type":"error","error":{"type":"rate_limit_error","message":"CANARY"}}`)
	})
	_, err := newProvider(t, fake).Chat(context.Background(), chatRequest("limited"))
	if pe := providerError(t, err); pe.RetryAfter < 25*time.Second || pe.RetryAfter > 31*time.Second {
		t.Fatalf("retry after %v", pe.RetryAfter)
	}
}

func TestBillingErrorNotRetryable(t *testing.T) {
	fake := newFake(t)
	fake.Handle("broke", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(402)
		io.WriteString(w, `{"type":"error","error":{"type":"billing_error","message":"Your credit balance is too low CANARY"}}`)
	})
	_, err := newProvider(t, fake).Chat(context.Background(), chatRequest("broke"))
	if pe := providerError(t, err); pe.Retryable() || pe.Type != "billing_error" || pe.Status != 402 {
		t.Fatalf("got %+v", pe)
	}
}

func TestChatTimeoutAndCancel(t *testing.T) {
	fake := newFake(t)
	release := make(chan struct{})
	defer close(release)
	fake.Handle("slow", func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-release:
		}
	})
	p := newProvider(t, fake, func(c *Config) { c.Timeout = 50 * time.Millisecond })
	_, err := p.Chat(context.Background(), chatRequest("slow"))
	if pe := providerError(t, err); pe.Class != gateway.ClassTimeout || !pe.Retryable() {
		t.Fatalf("timeout: %+v", pe)
	}
	p = newProvider(t, fake)
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(20*time.Millisecond, cancel)
	_, err = p.Chat(ctx, chatRequest("slow"))
	if pe := providerError(t, err); pe.Class != gateway.ClassCanceled || !errors.Is(err, context.Canceled) {
		t.Fatalf("cancel: %+v", pe)
	}
}

func TestChatResponseTooLarge(t *testing.T) {
	fake := newFake(t)
	p := newProvider(t, fake, func(c *Config) { c.MaxResponseBytes = 100 })
	_, err := p.Chat(context.Background(), chatRequest("messages_text"))
	if pe := providerError(t, err); pe.Class != gateway.ClassBadResponse || !errors.Is(err, gateway.ErrTooLarge) {
		t.Fatalf("got %+v", pe)
	}
}

// TestChatErrorInside200: a 200 whose body is an error object.
func TestChatErrorInside200(t *testing.T) {
	fake := newFake(t)
	fake.Handle("err200", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Request-Id", "req_x1")
		io.WriteString(w, `{"type":"error","error":{"type":"overloaded_error","message":"CANARY"}}`)
	})
	_, err := newProvider(t, fake).Chat(context.Background(), chatRequest("err200"))
	if pe := providerError(t, err); pe.Class != gateway.ClassServer || !pe.Retryable() || !errors.Is(err, gateway.ErrStreamError) || pe.RequestID != "req_x1" {
		t.Fatalf("got %+v", pe)
	}
}

func TestModels(t *testing.T) {
	fake := newFake(t)
	models, err := newProvider(t, fake).Models(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	want := []gateway.Model{
		{ID: "claude-sonnet-4-5-20250929", OwnedBy: "anthropic", Created: time.Date(2025, 9, 29, 0, 0, 0, 0, time.UTC)},
		{ID: "claude-opus-4-1-20250805", OwnedBy: "anthropic", Created: time.Date(2025, 8, 5, 0, 0, 0, 0, time.UTC)},
		{ID: "claude-haiku-4-5-20251001", OwnedBy: "anthropic", Created: time.Date(2025, 10, 1, 0, 0, 0, 0, time.UTC)},
	}
	if !reflect.DeepEqual(models, want) {
		t.Fatalf("models %+v", models)
	}
	reqs := fake.Requests()
	if len(reqs) != 2 || reqs[0].Method != http.MethodGet || reqs[0].Path != "/v1/models" || reqs[0].RawQuery != "limit=1000" ||
		reqs[1].RawQuery != "after_id=claude-opus-4-1-20250805&limit=1000" || reqs[1].Header.Get("X-Api-Key") != testKey {
		t.Fatalf("requests %+v", reqs)
	}
}

// TestModelsBounded: a server that always has more pages is read up to
// the bound, and one that repeats its last ID is not read again.
func TestModelsBounded(t *testing.T) {
	fake := newFake(t)
	n := 0
	endless := func(w http.ResponseWriter, r *http.Request) {
		n++
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"data":[{"type":"model","id":"m%d","created_at":"2025-01-01T00:00:00Z"}],"has_more":true,"last_id":"m%d"}`, n, n)
	}
	fake.Handle("models", endless)
	for i := 1; i <= maxModelPages+1; i++ {
		fake.Handle(fmt.Sprintf("models_after_m%d", i), endless)
	}
	models, err := newProvider(t, fake).Models(context.Background())
	if err != nil || len(models) != maxModelPages || n != maxModelPages {
		t.Fatalf("%d models after %d pages, %v", len(models), n, err)
	}
	fake.Handle("models", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"data":[{"type":"model","id":"same"}],"has_more":true,"last_id":"same"}`)
	})
	fake.Handle("models_after_same", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"data":[{"type":"model","id":"same"}],"has_more":true,"last_id":"same"}`)
	})
	before := len(fake.Requests())
	models, err = newProvider(t, fake).Models(context.Background())
	if err != nil || len(models) != 2 || len(fake.Requests())-before != 2 {
		t.Fatalf("repeating server: %d models, %d requests, %v", len(models), len(fake.Requests())-before, err)
	}
}

func TestModelsError(t *testing.T) {
	fake := newFake(t)
	fake.Handle("models", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(401)
		io.WriteString(w, `{"type":"error","error":{"type":"authentication_error","message":"invalid x-api-key"}}`)
	})
	_, err := newProvider(t, fake).Models(context.Background())
	if pe := providerError(t, err); pe.Class != gateway.ClassAuth {
		t.Fatalf("got %+v", pe)
	}
}

func TestMisconfiguredUpstream(t *testing.T) {
	fake := newFake(t)
	fake.Handle("redirect", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "https://elsewhere.example/v1/messages", http.StatusTemporaryRedirect)
	})
	_, err := newProvider(t, fake).Chat(context.Background(), chatRequest("redirect"))
	if pe := providerError(t, err); pe.Class != gateway.ClassConfig || pe.Retryable() {
		t.Fatalf("redirect: %+v", pe)
	}
	// A client that does not allow loopback http refuses to send at all,
	// even when the provider was built with AllowLoopbackHTTP.
	p, err := New(Config{Name: "p", APIKey: "k", BaseURL: fake.URL, AllowLoopbackHTTP: true, Client: gateway.NewHTTPClient(gateway.HTTPOptions{})})
	if err != nil {
		t.Fatal(err)
	}
	before := len(fake.Requests())
	_, err = p.Chat(context.Background(), chatRequest("messages_text"))
	if pe := providerError(t, err); pe.Class != gateway.ClassConfig || !errors.Is(err, gateway.ErrInsecureURL) || len(fake.Requests()) != before {
		t.Fatalf("insecure URL: %+v", pe)
	}
}

func TestConfig(t *testing.T) {
	for _, tt := range []struct {
		name string
		cfg  Config
		want string // a fragment of the error, or "" for success
	}{
		{"defaults", Config{Name: "a", APIKey: "k"}, ""},
		{"trailing v1", Config{Name: "a", APIKey: "k", BaseURL: "https://proxy.example/anthropic/v1/"}, ""},
		{"no key", Config{Name: "a"}, "API key is required"},
		{"bad name", Config{Name: "a b", APIKey: "k"}, "provider name"},
		{"key with space", Config{Name: "a", APIKey: "k k"}, "white space"},
		{"http", Config{Name: "a", APIKey: "k", BaseURL: "http://api.example"}, "must be https"},
		{"loopback without permission", Config{Name: "a", APIKey: "k", BaseURL: "http://127.0.0.1:1"}, "must be https"},
		{"query", Config{Name: "a", APIKey: "k", BaseURL: "https://api.example/?x=1"}, "query"},
		{"key header", Config{Name: "a", APIKey: "k", Header: http.Header{"x-api-key": {"other"}}}, "X-Api-Key may not be set"},
		{"version header", Config{Name: "a", APIKey: "k", Header: http.Header{"Anthropic-Version": {"2099"}}}, "may not be set"},
		{"header line break", Config{Name: "a", APIKey: "k", Header: http.Header{"Anthropic-Beta": {"x\r\nEvil: 1"}}}, "line break"},
		{"bad version", Config{Name: "a", APIKey: "k", Version: "2023 06 01"}, "version"},
		{"negative max tokens", Config{Name: "a", APIKey: "k", DefaultMaxTokens: -1}, "default_max_tokens"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p, err := New(tt.cfg)
			if tt.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				if p.timeout != DefaultTimeout || p.maxTokens != DefaultMaxTokens || p.Kind() != "anthropic" || strings.HasSuffix(p.base, "/v1") {
					t.Fatalf("provider %+v", *p)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got %v, want %q", err, tt.want)
			}
		})
	}
	p, _ := New(Config{Name: "a", APIKey: testKey, Header: http.Header{"anthropic-beta": {"b1"}}, Version: "2024-01-01"})
	if s := fmt.Sprintf("%v %+v %#v %s", p, p, p, p); strings.Contains(s, "CANARY") || !strings.Contains(s, "anthropic.Provider(a)") {
		t.Fatalf("provider prints %s", s)
	}
	if p.header.Get("Anthropic-Beta") != "b1" || p.header.Get("Anthropic-Version") != "2024-01-01" {
		t.Fatalf("headers %v", p.header)
	}
}

// roundTripFunc is an http.RoundTripper.
type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// TestRequestBodyReplayable: the transport gets GetBody, so that it can
// send a request again on a fresh connection; each replay is the whole
// body.
func TestRequestBodyReplayable(t *testing.T) {
	fake := newFake(t)
	golden, err := fake.Golden("messages_text")
	if err != nil {
		t.Fatal(err)
	}
	var sent [][]byte
	rt := roundTripFunc(func(r *http.Request) (*http.Response, error) {
		first, _ := io.ReadAll(r.Body)
		r.Body.Close()
		sent = append(sent, first)
		if r.GetBody == nil {
			return nil, errors.New("no GetBody: the request cannot be replayed")
		}
		body, err := r.GetBody()
		if err != nil {
			return nil, err
		}
		again, _ := io.ReadAll(body)
		body.Close()
		sent = append(sent, again)
		if r.ContentLength != int64(len(first)) || r.URL.String() != "https://api.anthropic.com/v1/messages" {
			return nil, fmt.Errorf("ContentLength %d for %d bytes, URL %s", r.ContentLength, len(first), r.URL)
		}
		return &http.Response{StatusCode: 200, Header: golden.Header, Body: io.NopCloser(bytes.NewReader(golden.Body)), Request: r}, nil
	})
	p, err := New(Config{Name: "a", APIKey: testKey, Client: &http.Client{Transport: rt}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Chat(context.Background(), chatRequest("messages_text")); err != nil {
		t.Fatal(err)
	}
	if len(sent) != 2 || len(sent[0]) == 0 || !bytes.Equal(sent[0], sent[1]) {
		t.Fatalf("bodies sent: %q", sent)
	}
}
