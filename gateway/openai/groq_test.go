package openai

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"reflect"
	"testing"
	"time"

	"github.com/quirehq/quire/gateway"
	"github.com/quirehq/quire/gateway/openai/openaitest"
)

// vendorProvider returns a Provider of kind pointed at fake, without the
// OpenAI organization and project headers.
func vendorProvider(t *testing.T, fake *openaitest.Server, kind string, mod ...func(*Config)) *Provider {
	t.Helper()
	return newProvider(t, fake, append([]func(*Config){func(c *Config) {
		c.Kind, c.Organization, c.Project = kind, "", ""
	}}, mod...)...)
}

// checkVendorRequest asserts the last request went to path, with the
// bearer key and no OpenAI-only header, and carried exactly want.
func checkVendorRequest(t *testing.T, fake *openaitest.Server, path string, want map[string]any) {
	t.Helper()
	r := fake.Last()
	if r.Method != http.MethodPost || r.Path != path || r.RawQuery != "" {
		t.Fatalf("sent %s %s?%s", r.Method, r.Path, r.RawQuery)
	}
	if r.Header.Get("Authorization") != "Bearer "+testKey || r.Header.Get("OpenAI-Organization") != "" ||
		r.Header.Get("OpenAI-Project") != "" || r.Header.Get("Api-Key") != "" {
		t.Fatalf("headers %v", r.Header)
	}
	if want == nil {
		return
	}
	if got := sentJSON(t, fake); !reflect.DeepEqual(got, want) {
		t.Fatalf("sent %s\nwant %v", r.Body, want)
	}
}

// baseMessages is what chatRequest's conversation looks like on the wire.
var baseMessages = []any{
	map[string]any{"role": "system", "content": "You are a careful editor."},
	map[string]any{"role": "user", "content": "Say hello."},
}

// TestGroqChat pins what Groq gets (no store, max_completion_tokens) and
// reads its answer, whose usage carries Groq's timing fields.
func TestGroqChat(t *testing.T) {
	fake := newFake(t)
	p := vendorProvider(t, fake, "groq")
	resp, err := p.Chat(context.Background(), chatRequest("groq_chat"))
	if err != nil {
		t.Fatal(err)
	}
	if resp.Message.Text() != "Hello! What are you writing today?" || resp.Model != "llama-3.3-70b-versatile" ||
		resp.FinishReason != gateway.FinishStop || resp.Usage == nil || *resp.Usage != (gateway.Usage{InputTokens: 48, OutputTokens: 10}) {
		t.Fatalf("got %+v", resp)
	}
	checkVendorRequest(t, fake, "/v1/chat/completions", map[string]any{
		"model": "groq_chat", "messages": baseMessages, "temperature": 0.2, "max_completion_tokens": float64(100),
	})
}

// TestGroqChatRequestOptions: tools, parallel_tool_calls and image parts
// are Groq parameters, sent as OpenAI's.
func TestGroqChatRequestOptions(t *testing.T) {
	fake := newFake(t)
	p := vendorProvider(t, fake, "groq")
	req := chatRequest("groq_chat")
	parallel := false
	req.ParallelToolCalls = &parallel
	req.Tools = []gateway.Tool{{Name: "search_notes", Parameters: []byte(`{"type":"object"}`)}}
	req.ToolChoice = gateway.ToolChoice{Mode: gateway.ToolChoiceAuto}
	req.Messages = []gateway.Message{{Role: gateway.RoleUser, Parts: []gateway.Part{
		{Type: gateway.PartText, Text: "What is this?"},
		{Type: gateway.PartImage, Image: gateway.Image{Data: "iVBORw0KGgo=", MediaType: "image/png"}},
	}}}
	if _, err := p.Chat(context.Background(), req); err != nil {
		t.Fatal(err)
	}
	checkVendorRequest(t, fake, "/v1/chat/completions", map[string]any{
		"model": "groq_chat", "temperature": 0.2, "max_completion_tokens": float64(100),
		"messages": []any{
			baseMessages[0],
			map[string]any{"role": "user", "content": []any{
				map[string]any{"type": "text", "text": "What is this?"},
				map[string]any{"type": "image_url", "image_url": map[string]any{"url": "data:image/png;base64,iVBORw0KGgo="}},
			}},
		},
		"tools":               []any{map[string]any{"type": "function", "function": map[string]any{"name": "search_notes", "parameters": map[string]any{"type": "object"}}}},
		"tool_choice":         "auto",
		"parallel_tool_calls": false,
	})
}

// TestGroqStream reads both places Groq reports a stream's usage:
// x_groq.usage on the finish chunk, and the usage chunk that
// stream_options asks for.
func TestGroqStream(t *testing.T) {
	fake := newFake(t)
	p := vendorProvider(t, fake, "groq")
	usage := gateway.Event{Type: gateway.EventUsage, Usage: gateway.Usage{InputTokens: 48, OutputTokens: 10}}
	for scenario, usages := range map[string]int{"groq_stream": 2, "groq_stream_xgroq": 1} {
		s, err := p.ChatStream(context.Background(), chatRequest(scenario))
		if err != nil {
			t.Fatal(err)
		}
		evs, err := readStream(s)
		if err != nil {
			t.Fatal(err)
		}
		want := []gateway.Event{
			{Type: gateway.EventStart, ID: "chatcmpl-8b9d3e2a-41c7-4f0e-a6d5-2c9e8f1b7a34", Model: "llama-3.3-70b-versatile"},
			{Type: gateway.EventText, Text: "Hello"}, {Type: gateway.EventText, Text: "!"}, {Type: gateway.EventText, Text: " What are"},
			{Type: gateway.EventText, Text: " you writing"}, {Type: gateway.EventText, Text: " today?"},
			{Type: gateway.EventFinish, Finish: gateway.FinishStop},
		}
		for range usages {
			want = append(want, usage)
		}
		if !reflect.DeepEqual(evs, want) {
			t.Fatalf("%s:\ngot  %+v\nwant %+v", scenario, evs, want)
		}
		checkVendorRequest(t, fake, "/v1/chat/completions", map[string]any{
			"model": scenario, "messages": baseMessages, "temperature": 0.2, "max_completion_tokens": float64(100),
			"stream": true, "stream_options": map[string]any{"include_usage": true},
		})
	}
}

// TestGroqStreamUsageLastWins: when x_groq.usage and usage disagree, the
// one reported last is the answer's.
func TestGroqStreamUsageLastWins(t *testing.T) {
	body := chunks(
		`{"id":"c","model":"m","choices":[{"index":0,"delta":{"content":"a"},"finish_reason":"stop"}],"x_groq":{"id":"req_1","usage":{"prompt_tokens":5,"completion_tokens":1}}}`,
		`{"id":"c","model":"m","choices":[],"usage":{"prompt_tokens":5,"completion_tokens":2},"x_groq":{"id":"req_1","usage":{"prompt_tokens":5,"completion_tokens":3}}}`,
	)
	resp, err := gateway.Collect(streamOf(t, "groq", body), 1<<10)
	if err != nil || resp.Usage == nil || *resp.Usage != (gateway.Usage{InputTokens: 5, OutputTokens: 2}) {
		t.Fatalf("got %+v, %v", resp, err)
	}
}

func TestGroqErrors(t *testing.T) {
	fake := newFake(t)
	p := vendorProvider(t, fake, "groq")
	_, err := p.Chat(context.Background(), chatRequest("groq_error_429"))
	pe := providerError(t, err)
	if pe.Status != 429 || pe.Class != gateway.ClassRateLimited || !pe.Retryable() || pe.RetryAfter != 7*time.Second ||
		pe.Type != "tokens" || pe.Code != "rate_limit_exceeded" || pe.RequestID != "req_01k7h3yc0n5f7d9v2kq4m8b6tz" {
		t.Fatalf("429: %+v", pe)
	}
	// Without retry-after, the reset of the exhausted token budget.
	g, err := fake.Golden("groq_error_429")
	if err != nil {
		t.Fatal(err)
	}
	fake.Handle("no_retry_after", func(w http.ResponseWriter, r *http.Request) {
		for k, v := range g.Header {
			w.Header()[k] = v
		}
		w.Header().Del("Retry-After")
		w.WriteHeader(g.StatusCode)
		w.Write(g.Body)
	})
	_, err = p.Chat(context.Background(), chatRequest("no_retry_after"))
	if pe := providerError(t, err); pe.RetryAfter != 6605*time.Millisecond {
		t.Fatalf("429 without retry-after: %+v", pe)
	}
	_, err = p.Chat(context.Background(), chatRequest("groq_error_404"))
	if pe := providerError(t, err); pe.Status != 404 || pe.Class != gateway.ClassNotFound || pe.Code != "model_not_found" || pe.Type != "invalid_request_error" {
		t.Fatalf("404: %+v", pe)
	}
	if errors.Is(err, gateway.ErrUnsupported) {
		t.Fatal("an upstream 404 is not a refusal")
	}
}

// TestGroqTranscribe: Groq's whisper answers json and verbose_json with an
// x_groq member; the upload is OpenAI's multipart form.
func TestGroqTranscribe(t *testing.T) {
	fake := newFake(t)
	p := vendorProvider(t, fake, "groq")
	audio := []byte("RIFF....WAVEfmt fake audio CANARY-AUDIO")
	for _, segments := range []bool{false, true} {
		scenario := "groq_transcription"
		if segments {
			scenario = "groq_transcription_verbose"
		}
		tr, err := p.Transcribe(context.Background(), &gateway.TranscribeRequest{
			Model: scenario, Audio: bytes.NewReader(audio), Size: int64(len(audio)), Filename: "note.m4a", Language: "en", Segments: segments,
		})
		if err != nil {
			t.Fatal(err)
		}
		r := fake.Last()
		form := parseForm(t, r.Header.Get("Content-Type"), r.Body)
		wantFormat := map[bool]string{false: "json", true: "verbose_json"}[segments]
		if r.Path != "/v1/audio/transcriptions" || string(form["file"]) != string(audio) || string(form["response_format"]) != wantFormat ||
			string(form["model"]) != scenario || string(form["language"]) != "en" || len(form) != 4 {
			t.Fatalf("sent %s %q", r.Path, form)
		}
		if tr.Text != " Remember to buy ink. Send the chapter draft to Ana on Friday." {
			t.Fatalf("text %q", tr.Text)
		}
		if segments && (tr.Language != "English" || tr.Duration != 4730*time.Millisecond || len(tr.Segments) != 2 ||
			tr.Segments[1].Start != 1840*time.Millisecond || tr.Segments[1].Text != " Send the chapter draft to Ana on Friday.") {
			t.Fatalf("verbose: %+v", tr)
		}
	}
}

// TestGroqRefusesEmbed: Groq has no embeddings; the call is refused
// before any request.
func TestGroqRefusesEmbed(t *testing.T) {
	fake := newFake(t)
	p := vendorProvider(t, fake, "groq")
	_, err := p.Embed(context.Background(), &gateway.EmbedRequest{Model: "embed_float", Inputs: []string{"CANARY"}})
	if pe := providerError(t, err); pe.Class != gateway.ClassInvalidRequest || !errors.Is(err, gateway.ErrUnsupported) || pe.Status != 0 || pe.Retryable() {
		t.Fatalf("got %+v", pe)
	}
	if n := len(fake.Requests()); n != 0 {
		t.Fatalf("%d requests sent", n)
	}
	if p.Supports(OpEmbed) || !p.Supports(OpTranscribe) || !p.Supports(OpModels) {
		t.Fatal("Supports disagrees with the variant")
	}
	if _, err := p.Models(context.Background()); err != nil || fake.Last().Path != "/v1/models" {
		t.Fatalf("models: %v", err)
	}
}
