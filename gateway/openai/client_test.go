package openai

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
		text     string
		finish   gateway.FinishReason
		usage    gateway.Usage
		calls    []gateway.ToolCall
		cites    []gateway.Citation
	}{
		{"chat_text", "Hello! How can I help you with your writing today?", gateway.FinishStop, gateway.Usage{InputTokens: 19, OutputTokens: 12}, nil, nil},
		{"chat_json", `{"title":"Autumn notes","tags":["seasons","journal"],"word_count":412}`, gateway.FinishStop, gateway.Usage{InputTokens: 61, OutputTokens: 24}, nil, nil},
		{"chat_image", "The image shows a red square centred on a white background.", gateway.FinishStop, gateway.Usage{InputTokens: 275, OutputTokens: 13, CachedInputTokens: 256}, nil, nil},
		{"chat_tools", "", gateway.FinishToolCalls, gateway.Usage{InputTokens: 142, OutputTokens: 51}, []gateway.ToolCall{
			{ID: "call_Qm3T9vXw2bY8nK1pL0sR4dF6", Name: "search_notes", Arguments: `{"query":"autumn","limit":5}`},
			{ID: "call_Zx8C7vB6nM5aS4dF3gH2jK1l", Name: "get_folder", Arguments: `{"folder_id":"f_42"}`},
		}, nil},
		{"chat_citations", "The autumn equinox falls on 22 or 23 September [1][2].", gateway.FinishStop, gateway.Usage{InputTokens: 8, OutputTokens: 57}, nil, []gateway.Citation{
			{URL: "https://example.org/autumn-equinox", Title: "The autumn equinox"}, {URL: "https://example.net/seasons", Title: "Why we have seasons"},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.scenario, func(t *testing.T) {
			resp, err := p.Chat(context.Background(), chatRequest(tt.scenario))
			if err != nil {
				t.Fatal(err)
			}
			if resp.Message.Text() != tt.text || resp.FinishReason != tt.finish || resp.Usage == nil || *resp.Usage != tt.usage ||
				!reflect.DeepEqual(resp.Message.ToolCalls, tt.calls) || !reflect.DeepEqual(resp.Citations, tt.cites) {
				t.Fatalf("got %+v", resp)
			}
			if resp.ID == "" || resp.Model == "" || resp.Created.IsZero() || resp.Message.Role != gateway.RoleAssistant {
				t.Fatalf("metadata missing: %+v", resp)
			}
		})
	}
}

// TestChatRequestAllowlist checks what reaches the upstream: exactly the
// allowlisted fields, store false, credentials in headers.
func TestChatRequestAllowlist(t *testing.T) {
	fake := newFake(t)
	p := newProvider(t, fake)
	parallel, seed := false, int64(7)
	req := chatRequest("chat_tools")
	req.Messages = append(req.Messages,
		gateway.Message{Role: gateway.RoleAssistant, ToolCalls: []gateway.ToolCall{{ID: "c1", Name: "search_notes", Arguments: `{"q":1}`}}},
		gateway.Message{Role: gateway.RoleTool, ToolCallID: "c1", Parts: []gateway.Part{{Type: gateway.PartText, Text: "no notes"}}},
	)
	req.Tools = []gateway.Tool{{Name: "search_notes", Description: "Search", Parameters: []byte(`{"type":"object"}`), Strict: true}}
	req.ToolChoice = gateway.ToolChoice{Mode: gateway.ToolChoiceTool, Name: "search_notes"}
	req.ParallelToolCalls, req.Seed, req.Stop = &parallel, &seed, []string{"END"}
	req.ResponseFormat = gateway.ResponseFormat{Type: gateway.FormatJSONSchema, Name: "note", Schema: []byte(`{"type":"object"}`), Strict: true}
	req.IncludeUsage = true // a client wish; never sent on a non-streamed call
	if _, err := p.Chat(context.Background(), req); err != nil {
		t.Fatal(err)
	}
	got := sentJSON(t, fake)
	allowed := map[string]bool{
		"model": true, "messages": true, "tools": true, "tool_choice": true, "parallel_tool_calls": true,
		"temperature": true, "max_completion_tokens": true, "stop": true, "seed": true, "response_format": true, "store": true,
	}
	for k := range got {
		if !allowed[k] {
			t.Errorf("field %q sent upstream", k)
		}
	}
	for k := range allowed {
		if _, ok := got[k]; !ok {
			t.Errorf("field %q missing", k)
		}
	}
	if got["store"] != false {
		t.Errorf("store = %v, want false", got["store"])
	}
	msgs := got["messages"].([]any)
	if len(msgs) != 4 || msgs[0].(map[string]any)["role"] != "system" || msgs[0].(map[string]any)["content"] != "You are a careful editor." {
		t.Errorf("messages = %v", msgs)
	}
	if a := msgs[2].(map[string]any); a["content"] != nil || a["tool_calls"] == nil {
		t.Errorf("assistant tool-call message = %v", a)
	}
	if tm := msgs[3].(map[string]any); tm["tool_call_id"] != "c1" || tm["content"] != "no notes" {
		t.Errorf("tool message = %v", tm)
	}
	if tc := got["tool_choice"].(map[string]any); tc["type"] != "function" {
		t.Errorf("tool_choice = %v", tc)
	}
	h := fake.Last().Header
	if h.Get("Authorization") != "Bearer "+testKey || h.Get("OpenAI-Organization") != "org-1" || h.Get("OpenAI-Project") != "proj-1" {
		t.Errorf("headers %v", h)
	}
	if fake.Last().Path != "/v1/chat/completions" || h.Get("Content-Type") != "application/json" {
		t.Errorf("path %s, content type %s", fake.Last().Path, h.Get("Content-Type"))
	}
}

func TestChatImageInput(t *testing.T) {
	fake := newFake(t)
	p := newProvider(t, fake)
	req := chatRequest("chat_image")
	req.Messages = []gateway.Message{{Role: gateway.RoleUser, Parts: []gateway.Part{
		{Type: gateway.PartText, Text: "What is this?"},
		{Type: gateway.PartImage, Image: gateway.Image{Data: "iVBORw0KGgo=", MediaType: "image/png", Detail: "low"}},
		{Type: gateway.PartImage, Image: gateway.Image{URL: "https://example.com/a.jpg"}},
	}}}
	if _, err := p.Chat(context.Background(), req); err != nil {
		t.Fatal(err)
	}
	want := `"content":[{"type":"text","text":"What is this?"},{"type":"image_url","image_url":{"url":"data:image/png;base64,iVBORw0KGgo=","detail":"low"}},{"type":"image_url","image_url":{"url":"https://example.com/a.jpg"}}]`
	if body := string(fake.Last().Body); !strings.Contains(body, want) {
		t.Fatalf("upstream body %s\nlacks %s", body, want)
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
		{"error_400", 400, gateway.ClassInvalidRequest, "invalid_request_error", "string_above_max_length", "messages[1].content", false, 0, nil},
		{"error_401", 401, gateway.ClassAuth, "invalid_request_error", "invalid_api_key", "", false, 0, nil},
		{"error_429", 429, gateway.ClassRateLimited, "tokens", "rate_limit_exceeded", "", true, 2 * time.Second, nil},
		{"error_429_reset", 429, gateway.ClassRateLimited, "requests", "rate_limit_exceeded", "", true, 88800 * time.Millisecond, nil},
		{"error_429_quota", 429, gateway.ClassRateLimited, "insufficient_quota", "insufficient_quota", "", false, 0, nil},
		{"error_500", 500, gateway.ClassServer, "server_error", "", "", true, 0, nil},
		{"error_503", 503, gateway.ClassServer, "server_error", "overloaded", "", true, 0, nil},
		{"html_502", 502, gateway.ClassServer, "", "", "", true, 0, nil},
		{"no_such_model", 404, gateway.ClassNotFound, "invalid_request_error", "model_not_found", "", false, 0, nil},
		{"invalid_json", 200, gateway.ClassBadResponse, "", "", "", false, 0, gateway.ErrInvalidJSON},
		{"chat_stream", 200, gateway.ClassBadResponse, "", "", "", false, 0, gateway.ErrInvalidJSON},
	}
	for _, tt := range tests {
		t.Run(tt.scenario, func(t *testing.T) {
			_, err := p.Chat(context.Background(), chatRequest(tt.scenario))
			pe := providerError(t, err)
			if pe.Status != tt.status || pe.Class != tt.class || pe.Type != tt.typ || pe.Code != tt.code || pe.Param != tt.param ||
				pe.Retryable() != tt.retryable || pe.RetryAfter != tt.retryAfter || pe.Provider != "main-openai" {
				t.Fatalf("got %+v (retryable %v)", pe, pe.Retryable())
			}
			if tt.status >= 400 && tt.scenario != "html_502" && tt.scenario != "no_such_model" && pe.RequestID != "req_9f8e7d6c5b4a39281706f5e4d3c2b1a0" {
				t.Fatalf("request ID %q", pe.RequestID)
			}
			if tt.cause != nil && !errors.Is(err, tt.cause) {
				t.Fatalf("cause %v, want %v", pe.Err, tt.cause)
			}
		})
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

func TestModels(t *testing.T) {
	fake := newFake(t)
	models, err := newProvider(t, fake).Models(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(models) != 3 || models[0].ID != "gpt-4o-mini" || models[2].OwnedBy != "openai-internal" || models[1].Created.Unix() != 1705948997 {
		t.Fatalf("models %+v", models)
	}
	if r := fake.Last(); r.Method != http.MethodGet || r.Path != "/v1/models" {
		t.Fatalf("request %s %s", r.Method, r.Path)
	}
}

func TestMisconfiguredUpstream(t *testing.T) {
	fake := newFake(t)
	fake.Handle("redirect", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "https://elsewhere.example/v1/chat/completions", http.StatusTemporaryRedirect)
	})
	_, err := newProvider(t, fake).Chat(context.Background(), chatRequest("redirect"))
	if pe := providerError(t, err); pe.Class != gateway.ClassConfig || pe.Retryable() {
		t.Fatalf("redirect: %+v", pe)
	}
	// A client that does not allow loopback http refuses to send at all,
	// even when the provider was built with AllowLoopbackHTTP.
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
// send a request again on a fresh connection after a stale keep-alive
// connection or an HTTP/2 GOAWAY; each replay is the whole body, even
// after the first reader was read and closed.
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
	cfg := Config{Name: "a", APIKey: testKey, BaseURL: "https://api.example.com/v1"}
	p, err := New(cfg, &http.Client{Transport: rt})
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

// TestDefaultTimeout: a non-streamed call may last as long as the shared
// client waits for response headers (reasoning models think for minutes).
func TestDefaultTimeout(t *testing.T) {
	p, err := New(Config{Name: "a", APIKey: "k"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if p.timeout != DefaultTimeout || DefaultTimeout != 10*time.Minute {
		t.Fatalf("timeout %v", p.timeout)
	}
	p, _ = New(Config{Name: "a", APIKey: "k", Timeout: time.Second}, nil)
	if p.timeout != time.Second {
		t.Fatalf("configured timeout %v", p.timeout)
	}
}
