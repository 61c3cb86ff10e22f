package gemini

import (
	"bytes"
	"context"
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
		text     string
		finish   gateway.FinishReason
		usage    gateway.Usage
		calls    []gateway.ToolCall // IDs are generated, and checked apart
		created  time.Time
	}{
		{scenario: "chat_text", id: "nL3taKfVK7-kz7IP4KDSkQg", text: "Hello! How can I help you with your writing today?", finish: gateway.FinishStop,
			usage: gateway.Usage{InputTokens: 11, OutputTokens: 407, ReasoningTokens: 395}},
		{scenario: "chat_json", id: "pL3taNbRM4Ogz7IPp8bz4A0", text: `{"title": "Autumn notes", "tags": ["seasons", "journal"], "word_count": 412}`, finish: gateway.FinishStop,
			usage: gateway.Usage{InputTokens: 2311, OutputTokens: 204, CachedInputTokens: 2024, ReasoningTokens: 180}},
		{scenario: "chat_image", id: "rL3taJ6YOaWfz7IP0ufJ-Qc", text: "The image shows a red square centred on a white background.", finish: gateway.FinishStop,
			usage: gateway.Usage{InputTokens: 264, OutputTokens: 225, ReasoningTokens: 212}},
		{scenario: "chat_tools", id: "sL3taOj3Ks-mz7IPwdLQmQo", finish: gateway.FinishToolCalls,
			usage: gateway.Usage{InputTokens: 142, OutputTokens: 51, ReasoningTokens: 15}, calls: []gateway.ToolCall{
				{Name: "search_notes", Arguments: `{"query":"autumn","limit":5}`},
				{Name: "get_folder", Arguments: `{"folder_id":"f_42"}`},
			}},
		{scenario: "chat_safety", id: "vL3taM_4A5Gfz7IPvtPHmQ4", finish: gateway.FinishContentFilter, usage: gateway.Usage{InputTokens: 9}},
		{scenario: "chat_filtered", id: "xL3taKzHE7-iz7IPq6b1-Q0", finish: gateway.FinishContentFilter,
			usage: gateway.Usage{InputTokens: 31, OutputTokens: 410, ReasoningTokens: 410}},
		{scenario: "chat_malformed", id: "yL3taI2_MeGfz7IPkYPQ-Ag", finish: gateway.FinishError,
			usage: gateway.Usage{InputTokens: 142, OutputTokens: 97, ReasoningTokens: 97}},
		{scenario: "vertex_chat", id: "zL3taIWdJZGhnvgPqf3C4Ac", text: "Bonjour ! Comment puis-je vous aider aujourd\u2019hui ?", finish: gateway.FinishStop,
			usage: gateway.Usage{InputTokens: 12, OutputTokens: 284, ReasoningTokens: 270}, created: time.Date(2025, 10, 14, 9, 12, 44, 613084000, time.UTC)},
	}
	for _, tt := range tests {
		t.Run(tt.scenario, func(t *testing.T) {
			resp, err := p.Chat(context.Background(), chatRequest(tt.scenario))
			if err != nil {
				t.Fatal(err)
			}
			calls := append([]gateway.ToolCall(nil), resp.Message.ToolCalls...)
			seen := map[string]bool{}
			for i := range calls {
				if !strings.HasPrefix(calls[i].ID, "call_") || len(calls[i].ID) < 20 || seen[calls[i].ID] {
					t.Fatalf("generated call ID %q", calls[i].ID)
				}
				seen[calls[i].ID] = true
				calls[i].ID = ""
			}
			if resp.Message.Text() != tt.text || resp.FinishReason != tt.finish || resp.Usage == nil || *resp.Usage != tt.usage ||
				!reflect.DeepEqual(calls, tt.calls) || !resp.Created.Equal(tt.created) {
				t.Fatalf("got %+v (usage %+v)", resp, resp.Usage)
			}
			if resp.ID != tt.id || resp.Model != "gemini-2.5-flash" || resp.Message.Role != gateway.RoleAssistant {
				t.Fatalf("metadata: %+v", resp)
			}
		})
	}
}

// TestChatRequestExact checks the whole upstream request: the body byte
// for byte (only allowlisted fields, roles user and model, tool results
// named after their calls), the URL, and the credentials in a header.
func TestChatRequestExact(t *testing.T) {
	fake := newFake(t)
	p := newProvider(t, fake)
	temp, topP, pp, fp, seed, parallel := 0.2, 0.9, 0.1, 0.3, int64(42), false
	text := func(s string) []gateway.Part { return []gateway.Part{{Type: gateway.PartText, Text: s}} }
	req := &gateway.ChatRequest{
		Model:  "models/chat_tools",
		System: "You are a careful editor.",
		Messages: []gateway.Message{
			{Role: gateway.RoleSystem, Parts: text("Answer in English.")},
			{Role: gateway.RoleUser, Parts: []gateway.Part{
				{Type: gateway.PartText, Text: "What is in my notes about autumn?"},
				{Type: gateway.PartImage, Image: gateway.Image{Data: "iVBORw0KGgo=", MediaType: "image/png", Detail: "low"}},
				{Type: gateway.PartImage, Image: gateway.Image{URL: "https://example.com/a.JPG?v=2"}},
				{Type: gateway.PartImage, Image: gateway.Image{URL: "gs://bucket/scan.webp"}},
				{Type: gateway.PartText},
			}},
			{Role: gateway.RoleAssistant, Parts: text("Let me look."), ToolCalls: []gateway.ToolCall{
				{ID: "call_1", Name: "search_notes", Arguments: `{"query": "autumn"}`},
				{ID: "call_2", Name: "get_folder"},
			}},
			{Role: gateway.RoleTool, ToolCallID: "call_1", Parts: text(`[{"id": "n1", "title": "Leaves"}]`)},
			{Role: gateway.RoleTool, ToolCallID: "call_2", Parts: text("Folder not found")},
			{Role: gateway.RoleUser, Parts: text("Thanks. Summarise.")},
		},
		Tools: []gateway.Tool{
			{Name: "search_notes", Description: "Search the notes", Strict: true,
				Parameters: []byte(`{"type": "object", "properties": {"query": {"type": "string"}}, "required": ["query"], "additionalProperties": false}`)},
			{Name: "get_folder"},
		},
		ToolChoice:        gateway.ToolChoice{Mode: gateway.ToolChoiceTool, Name: "search_notes"},
		ParallelToolCalls: &parallel,
		Temperature:       &temp, TopP: &topP, PresencePenalty: &pp, FrequencyPenalty: &fp,
		MaxTokens: 256, Stop: []string{"END"}, Seed: &seed,
		ReasoningEffort: "high", // the scenario is no Gemini model name: no thinking config
		ResponseFormat: gateway.ResponseFormat{Type: gateway.FormatJSONSchema, Name: "summary", Strict: true,
			Schema: []byte(`{"type":"object","properties":{"summary":{"type":"string"}}}`)},
		Stream: true, IncludeUsage: true,
	}
	if _, err := p.Chat(context.Background(), req); err != nil {
		t.Fatal(err)
	}
	want := `{"contents":[` +
		`{"role":"user","parts":[{"text":"What is in my notes about autumn?"},{"inlineData":{"mimeType":"image/png","data":"iVBORw0KGgo="}},` +
		`{"fileData":{"mimeType":"image/jpeg","fileUri":"https://example.com/a.JPG?v=2"}},{"fileData":{"mimeType":"image/webp","fileUri":"gs://bucket/scan.webp"}}]},` +
		`{"role":"model","parts":[{"text":"Let me look."},{"functionCall":{"name":"search_notes","args":{"query":"autumn"}},"thoughtSignature":"skip_thought_signature_validator"},` +
		`{"functionCall":{"name":"get_folder","args":{}}}]},` +
		`{"role":"user","parts":[{"functionResponse":{"name":"search_notes","response":{"result":[{"id":"n1","title":"Leaves"}]}}},` +
		`{"functionResponse":{"name":"get_folder","response":{"result":"Folder not found"}}},{"text":"Thanks. Summarise."}]}],` +
		`"systemInstruction":{"parts":[{"text":"You are a careful editor."},{"text":"Answer in English."}]},` +
		`"tools":[{"functionDeclarations":[{"name":"search_notes","description":"Search the notes","parametersJsonSchema":{"type":"object","properties":{"query":{"type":"string"}},"required":["query"],"additionalProperties":false}},{"name":"get_folder"}]}],` +
		`"toolConfig":{"functionCallingConfig":{"mode":"ANY","allowedFunctionNames":["search_notes"]}},` +
		`"generationConfig":{"temperature":0.2,"topP":0.9,"maxOutputTokens":256,"stopSequences":["END"],"seed":42,"presencePenalty":0.1,"frequencyPenalty":0.3,` +
		`"responseMimeType":"application/json","responseJsonSchema":{"type":"object","properties":{"summary":{"type":"string"}}}}}` + "\n"
	got := fake.Last()
	if string(got.Body) != want {
		t.Fatalf("upstream body\n got %s\nwant %s", got.Body, want)
	}
	if got.Method != http.MethodPost || got.Path != "/v1beta/models/chat_tools:generateContent" || got.RawQuery != "" {
		t.Fatalf("request %s %s?%s", got.Method, got.Path, got.RawQuery)
	}
	h := got.Header
	if h.Get("X-Goog-Api-Key") != testKey || h.Get("Authorization") != "" || h.Get("Content-Type") != "application/json" ||
		h.Get("Accept") != "application/json" || h.Get("User-Agent") != "quire" {
		t.Fatalf("headers %v", h)
	}
}

// TestChatMinimalRequest: a bare request sends contents only.
func TestChatMinimalRequest(t *testing.T) {
	fake := newFake(t)
	req := &gateway.ChatRequest{Model: "chat_text", Messages: []gateway.Message{gateway.TextMessage(gateway.RoleUser, "Hi")}}
	if _, err := newProvider(t, fake).Chat(context.Background(), req); err != nil {
		t.Fatal(err)
	}
	if got, want := string(fake.Last().Body), `{"contents":[{"role":"user","parts":[{"text":"Hi"}]}]}`+"\n"; got != want {
		t.Fatalf("body %s, want %s", got, want)
	}
}

// TestChatThinkingConfig: the reasoning effort reaches a Gemini model as
// its family's setting.
func TestChatThinkingConfig(t *testing.T) {
	fake := newFake(t)
	golden, err := fake.Golden("chat_text")
	if err != nil {
		t.Fatal(err)
	}
	p := newProvider(t, fake)
	for model, want := range map[string]string{
		"gemini-2.5-flash":       `"generationConfig":{"thinkingConfig":{"thinkingBudget":1024}}`,
		"gemini-3-pro-preview":   `"generationConfig":{"thinkingConfig":{"thinkingLevel":"LOW"}}`,
		"gemini-2.0-flash-001":   "",
		"gemini-3.1-flash-image": `"generationConfig":{"thinkingConfig":{"thinkingLevel":"LOW"}}`,
	} {
		fake.Handle(model, func(w http.ResponseWriter, r *http.Request) {
			for k, v := range golden.Header {
				w.Header()[k] = v
			}
			w.Write(golden.Body)
		})
		req := &gateway.ChatRequest{Model: model, ReasoningEffort: "low", Messages: []gateway.Message{gateway.TextMessage(gateway.RoleUser, "Hi")}}
		if _, err := p.Chat(context.Background(), req); err != nil {
			t.Fatal(err)
		}
		body := string(fake.Last().Body)
		if want == "" && strings.Contains(body, "generationConfig") || want != "" && !strings.Contains(body, want) {
			t.Fatalf("%s: body %s, want %s", model, body, want)
		}
	}
}

func TestChatErrors(t *testing.T) {
	fake := newFake(t)
	p := newProvider(t, fake)
	tests := []struct {
		scenario   string
		status     int
		class      gateway.ErrorClass
		typ, code  string
		param      string
		retryable  bool
		retryAfter time.Duration
		cause      error
	}{
		{"error_400", 400, gateway.ClassInvalidRequest, "INVALID_ARGUMENT", "", "tool_config.function_calling_config.mode", false, 0, nil},
		{"error_400_key", 400, gateway.ClassAuth, "INVALID_ARGUMENT", "API_KEY_INVALID", "", false, 0, nil},
		{"error_400_location", 400, gateway.ClassAuth, "FAILED_PRECONDITION", "", "", false, 0, nil},
		{"error_403", 403, gateway.ClassAuth, "PERMISSION_DENIED", "IAM_PERMISSION_DENIED", "", false, 0, nil},
		{"error_404", 404, gateway.ClassNotFound, "NOT_FOUND", "", "", false, 0, nil},
		{"no_such_model", 404, gateway.ClassNotFound, "NOT_FOUND", "", "", false, 0, nil},
		{"error_429", 429, gateway.ClassRateLimited, "RESOURCE_EXHAUSTED", "", "", true, 13 * time.Second, nil},
		{"error_429_vertex", 429, gateway.ClassRateLimited, "RESOURCE_EXHAUSTED", "", "", true, 0, nil},
		{"error_500", 500, gateway.ClassServer, "INTERNAL", "", "", true, 0, nil},
		{"error_503", 503, gateway.ClassServer, "UNAVAILABLE", "", "", true, 0, nil},
		{"error_504", 504, gateway.ClassServer, "DEADLINE_EXCEEDED", "", "", true, 0, nil},
		{"html_502", 502, gateway.ClassServer, "", "", "", true, 0, nil},
		{"invalid_json", 200, gateway.ClassBadResponse, "", "", "", false, 0, gateway.ErrInvalidJSON},
		{"chat_stream", 200, gateway.ClassBadResponse, "", "", "", false, 0, gateway.ErrInvalidJSON},
	}
	for _, tt := range tests {
		t.Run(tt.scenario, func(t *testing.T) {
			_, err := p.Chat(context.Background(), chatRequest(tt.scenario))
			pe := providerError(t, err)
			if pe.Status != tt.status || pe.Class != tt.class || pe.Type != tt.typ || pe.Code != tt.code || pe.Param != tt.param ||
				pe.Retryable() != tt.retryable || pe.RetryAfter != tt.retryAfter || pe.Provider != "main-gemini" {
				t.Fatalf("got %+v (retryable %v)", pe, pe.Retryable())
			}
			if pe.Message != gateway.NewError("", tt.class, nil).Message {
				t.Fatalf("message %q is not the class's", pe.Message)
			}
			if tt.cause != nil && !errors.Is(err, tt.cause) {
				t.Fatalf("cause %v, want %v", pe.Err, tt.cause)
			}
		})
	}
}

// TestRetryAfterHeader: a Retry-After header wins over RetryInfo.
func TestRetryAfterHeader(t *testing.T) {
	fake := newFake(t)
	golden, err := fake.Golden("error_429")
	if err != nil {
		t.Fatal(err)
	}
	fake.Handle("limited", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json; charset=UTF-8")
		w.Header().Set("Retry-After", "7")
		w.WriteHeader(http.StatusTooManyRequests)
		w.Write(golden.Body)
	})
	_, err = newProvider(t, fake).Chat(context.Background(), chatRequest("limited"))
	if pe := providerError(t, err); pe.RetryAfter != 7*time.Second || pe.Class != gateway.ClassRateLimited {
		t.Fatalf("got %+v", pe)
	}
}

// TestErrorInsideSuccess: an error object in a 200 body is reported as
// one, with its status token.
func TestErrorInsideSuccess(t *testing.T) {
	fake := newFake(t)
	fake.Handle("odd", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"error":{"code":400,"message":"CANARY","status":"INVALID_ARGUMENT"}}`)
	})
	_, err := newProvider(t, fake).Chat(context.Background(), chatRequest("odd"))
	if pe := providerError(t, err); pe.Class != gateway.ClassStreamError || pe.Type != "INVALID_ARGUMENT" || pe.Retryable() {
		t.Fatalf("got %+v", pe)
	}
}

func TestChatInvalidRequests(t *testing.T) {
	fake := newFake(t)
	p := newProvider(t, fake)
	big := int64(1) << 40
	for name, mod := range map[string]func(*gateway.ChatRequest){
		"model path":  func(r *gateway.ChatRequest) { r.Model = "../chat_text" },
		"model query": func(r *gateway.ChatRequest) { r.Model = "chat_text?alt=json" },
		"tuned model": func(r *gateway.ChatRequest) { r.Model = "tunedModels/x" },
		"no contents": func(r *gateway.ChatRequest) { r.Messages = nil },
		"http image": func(r *gateway.ChatRequest) {
			r.Messages[0].Parts = []gateway.Part{{Type: gateway.PartImage, Image: gateway.Image{URL: "http://example.com/a.png"}}}
		},
		"data image URL": func(r *gateway.ChatRequest) {
			r.Messages[0].Parts = []gateway.Part{{Type: gateway.PartImage, Image: gateway.Image{URL: "data:image/png;base64,AAAA"}}}
		},
		"seed": func(r *gateway.ChatRequest) { r.Seed = &big },
		"tool args": func(r *gateway.ChatRequest) {
			r.Messages = append(r.Messages, gateway.Message{Role: gateway.RoleAssistant, ToolCalls: []gateway.ToolCall{{ID: "c", Name: "f", Arguments: "[1]"}}})
		},
		"orphan tool result": func(r *gateway.ChatRequest) {
			r.Messages = append(r.Messages, gateway.Message{Role: gateway.RoleTool, ToolCallID: "nope", Parts: []gateway.Part{{Type: gateway.PartText, Text: "x"}}})
		},
		"bad schema": func(r *gateway.ChatRequest) {
			r.Tools = []gateway.Tool{{Name: "f", Parameters: []byte(`{"CANARY":`)}}
		},
		"role": func(r *gateway.ChatRequest) { r.Messages[0].Role = "developer" },
	} {
		req := chatRequest("chat_text")
		mod(req)
		before := len(fake.Requests())
		_, err := p.Chat(context.Background(), req)
		if pe := providerError(t, err); pe.Class != gateway.ClassInvalidRequest || pe.Retryable() {
			t.Fatalf("%s: %+v", name, pe)
		}
		if len(fake.Requests()) != before {
			t.Fatalf("%s: the request was sent", name)
		}
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
	_, err := p.Chat(context.Background(), chatRequest("chat_text"))
	if pe := providerError(t, err); pe.Class != gateway.ClassBadResponse || !errors.Is(err, gateway.ErrTooLarge) {
		t.Fatalf("got %+v", pe)
	}
}

func TestMisconfiguredUpstream(t *testing.T) {
	fake := newFake(t)
	fake.Handle("redirect", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "https://elsewhere.example/v1beta/models/x:generateContent", http.StatusTemporaryRedirect)
	})
	_, err := newProvider(t, fake).Chat(context.Background(), chatRequest("redirect"))
	if pe := providerError(t, err); pe.Class != gateway.ClassConfig || pe.Retryable() {
		t.Fatalf("redirect: %+v", pe)
	}
	// A client that does not allow loopback http refuses to send at all.
	p, err := New(Config{Name: "p", APIKey: "k", BaseURL: fake.URL, AllowLoopbackHTTP: true}, gateway.NewHTTPClient(gateway.HTTPOptions{}))
	if err != nil {
		t.Fatal(err)
	}
	before := len(fake.Requests())
	_, err = p.Chat(context.Background(), chatRequest("chat_text"))
	if pe := providerError(t, err); pe.Class != gateway.ClassConfig || !errors.Is(err, gateway.ErrInsecureURL) || len(fake.Requests()) != before {
		t.Fatalf("insecure URL: %+v", pe)
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
	golden, err := fake.Golden("chat_text")
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
		for range 2 {
			body, err := r.GetBody()
			if err != nil {
				return nil, err
			}
			again, _ := io.ReadAll(body)
			body.Close()
			sent = append(sent, again)
		}
		if r.ContentLength != int64(len(first)) {
			return nil, fmt.Errorf("ContentLength %d for %d bytes", r.ContentLength, len(first))
		}
		return &http.Response{StatusCode: 200, Header: golden.Header, Body: io.NopCloser(bytes.NewReader(golden.Body)), Request: r}, nil
	})
	p, err := New(Config{Name: "a", APIKey: testKey}, &http.Client{Transport: rt})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Chat(context.Background(), chatRequest("chat_text")); err != nil {
		t.Fatal(err)
	}
	if len(sent) != 3 || len(sent[0]) == 0 || !bytes.Equal(sent[0], sent[1]) || !bytes.Equal(sent[0], sent[2]) {
		t.Fatalf("bodies sent: %q", sent)
	}
}
