package openai

import (
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/quirehq/quire/gateway"
	"github.com/quirehq/quire/gateway/openai/openaitest"
)

var perplexityCitations = []gateway.Citation{
	{URL: "https://example.org/autumn-equinox", Title: "The autumn equinox"},
	{URL: "https://example.net/seasons", Title: "Why we have seasons"},
}

// perplexityProvider points a Perplexity provider at the fake's root:
// Perplexity's chat endpoint has no /v1.
func perplexityProvider(t *testing.T, fake *openaitest.Server) *Provider {
	t.Helper()
	return vendorProvider(t, fake, "perplexity", func(c *Config) { c.BaseURL = strings.TrimSuffix(fake.URL, "/v1") })
}

// TestPerplexityChat pins what Perplexity gets (no store, max_tokens) and
// reads its citations and search results.
func TestPerplexityChat(t *testing.T) {
	fake := newFake(t)
	p := perplexityProvider(t, fake)
	resp, err := p.Chat(context.Background(), chatRequest("perplexity_chat"))
	if err != nil {
		t.Fatal(err)
	}
	if resp.Message.Text() != "The autumn equinox falls on 22 or 23 September [1][2]." || resp.Model != "sonar-pro" ||
		!reflect.DeepEqual(resp.Citations, perplexityCitations) || resp.Usage == nil || *resp.Usage != (gateway.Usage{InputTokens: 12, OutputTokens: 41}) {
		t.Fatalf("got %+v", resp)
	}
	checkVendorRequest(t, fake, "/chat/completions", map[string]any{
		"model": "perplexity_chat", "messages": baseMessages, "temperature": 0.2, "max_tokens": float64(100),
	})
}

// TestPerplexityUsage: reasoning tokens, counted apart from completion
// tokens, are added to the output; citation tokens and search queries are
// not tokens of the answer and are not counted.
func TestPerplexityUsage(t *testing.T) {
	fake := newFake(t)
	resp, err := perplexityProvider(t, fake).Chat(context.Background(), chatRequest("perplexity_deep_research"))
	if err != nil {
		t.Fatal(err)
	}
	if resp.Usage == nil || *resp.Usage != (gateway.Usage{InputTokens: 1188, OutputTokens: 4240 + 92431, ReasoningTokens: 92431}) {
		t.Fatalf("usage %+v", resp.Usage)
	}
	// OpenAI's own detail wins: reasoning inside completion_tokens is not
	// added twice.
	u := wireUsage{PromptTokens: 1, CompletionTokens: 10, ReasoningTokens: 7, CompletionTokensDetails: &wireOutputDetails{ReasoningTokens: 4}}
	if g := u.canonical(); *g != (gateway.Usage{InputTokens: 1, OutputTokens: 10, ReasoningTokens: 4}) {
		t.Fatalf("details: %+v", g)
	}
	// A client is told OpenAI's shape, never the vendor's top-level field.
	b, err := encodeJSON(wireUsageOf(gateway.Usage{OutputTokens: 3, ReasoningTokens: 2}))
	if err != nil {
		t.Fatal(err)
	}
	var written map[string]any
	if err := json.Unmarshal(b.Bytes(), &written); err != nil {
		t.Fatal(err)
	}
	details, _ := written["completion_tokens_details"].(map[string]any)
	if _, ok := written["reasoning_tokens"]; ok || details["reasoning_tokens"] != float64(2) {
		t.Fatalf("written %s", b)
	}
}

// TestPerplexityStream: every chunk carries the citations and the usage so
// far, and the stream ends after its finish reason without [DONE].
func TestPerplexityStream(t *testing.T) {
	for _, split := range []int{0, 1, 13} {
		fake := newFake(t)
		fake.SplitEvery(split)
		p := perplexityProvider(t, fake)
		s, err := p.ChatStream(context.Background(), chatRequest("perplexity_stream"))
		if err != nil {
			t.Fatal(err)
		}
		evs, err := readStream(s)
		if err != nil {
			t.Fatalf("split %d: %v", split, err)
		}
		want := []gateway.Event{
			{Type: gateway.EventStart, ID: "3e5a7c9b-1d2f-4a6c-8e0b-2d4f6a8c0e19", Model: "sonar"},
			{Type: gateway.EventText, Text: "The autumn"},
			{Type: gateway.EventCitations, Citations: perplexityCitations},
			{Type: gateway.EventUsage, Usage: gateway.Usage{InputTokens: 8, OutputTokens: 3}},
			{Type: gateway.EventText, Text: " equinox falls on"},
			{Type: gateway.EventUsage, Usage: gateway.Usage{InputTokens: 8, OutputTokens: 7}},
			{Type: gateway.EventText, Text: " 22 or 23"},
			{Type: gateway.EventUsage, Usage: gateway.Usage{InputTokens: 8, OutputTokens: 10}},
			{Type: gateway.EventText, Text: " September [1][2]."},
			{Type: gateway.EventFinish, Finish: gateway.FinishStop},
			{Type: gateway.EventUsage, Usage: gateway.Usage{InputTokens: 8, OutputTokens: 14}},
		}
		if !reflect.DeepEqual(evs, want) {
			t.Fatalf("split %d:\ngot  %+v\nwant %+v", split, evs, want)
		}
		checkVendorRequest(t, fake, "/chat/completions", map[string]any{
			"model": "perplexity_stream", "messages": baseMessages, "temperature": 0.2, "max_tokens": float64(100), "stream": true,
		})
	}
	// Collected, it is the non-streamed answer.
	fake := newFake(t)
	s, err := perplexityProvider(t, fake).ChatStream(context.Background(), chatRequest("perplexity_stream"))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := gateway.Collect(s, 1<<16)
	if err != nil || resp.Message.Text() != "The autumn equinox falls on 22 or 23 September [1][2]." ||
		!reflect.DeepEqual(resp.Citations, perplexityCitations) || *resp.Usage != (gateway.Usage{InputTokens: 8, OutputTokens: 14}) {
		t.Fatalf("collected %+v, %v", resp, err)
	}
	// Cut before the finish reason, it is still truncated.
	body := `data: {"id":"x","model":"sonar","choices":[{"index":0,"delta":{"content":"The"},"finish_reason":null}]}` + "\r\n\r\n"
	if _, err := readStream(streamOf(t, "perplexity", body)); !errors.Is(err, gateway.ErrStreamTruncated) {
		t.Fatalf("cut stream: %v", err)
	}
}

func TestPerplexityErrors(t *testing.T) {
	fake := newFake(t)
	p := perplexityProvider(t, fake)
	_, err := p.Chat(context.Background(), chatRequest("perplexity_error_400"))
	if pe := providerError(t, err); pe.Status != 400 || pe.Class != gateway.ClassInvalidRequest || pe.Type != "invalid_model" || pe.Code != "400" {
		t.Fatalf("400: %+v", pe)
	}
	// A bad key is answered with openresty's HTML page.
	_, err = p.Chat(context.Background(), chatRequest("perplexity_error_401"))
	if pe := providerError(t, err); pe.Status != 401 || pe.Class != gateway.ClassAuth || pe.Type != "" || strings.Contains(err.Error(), "openresty") {
		t.Fatalf("401: %+v", pe)
	}
}

// TestPerplexityRefusals: tools, embeddings, transcription and the model
// list are refused before any request; a chat without tools sends no
// tool settings.
func TestPerplexityRefusals(t *testing.T) {
	fake := newFake(t)
	p := perplexityProvider(t, fake)
	withTools := chatRequest("perplexity_chat")
	withTools.Tools = []gateway.Tool{{Name: "search_notes", Parameters: []byte(`{"type":"object"}`)}}
	forced := chatRequest("perplexity_chat")
	forced.ToolChoice = gateway.ToolChoice{Mode: gateway.ToolChoiceRequired}
	calls := map[string]func() error{
		"tools":        func() error { _, err := p.Chat(context.Background(), withTools); return err },
		"tools stream": func() error { _, err := p.ChatStream(context.Background(), withTools); return err },
		"forced tool":  func() error { _, err := p.Chat(context.Background(), forced); return err },
		"embed": func() error {
			_, err := p.Embed(context.Background(), &gateway.EmbedRequest{Model: "embed_float", Inputs: []string{"a"}})
			return err
		},
		"transcribe": func() error {
			_, err := p.Transcribe(context.Background(), &gateway.TranscribeRequest{Model: "transcription", Audio: strings.NewReader("x"), Size: 1, Filename: "a.wav"})
			return err
		},
		"models": func() error { _, err := p.Models(context.Background()); return err },
	}
	for name, call := range calls {
		err := call()
		if pe := providerError(t, err); pe.Class != gateway.ClassInvalidRequest || !errors.Is(err, gateway.ErrUnsupported) || pe.Status != 0 {
			t.Errorf("%s: %+v", name, pe)
		}
	}
	if n := len(fake.Requests()); n != 0 {
		t.Fatalf("%d requests sent", n)
	}
	for _, op := range []Operation{OpEmbed, OpTranscribe, OpModels} {
		if p.Supports(op) {
			t.Errorf("supports %s", op)
		}
	}
	req := chatRequest("perplexity_chat")
	parallel := true
	req.ToolChoice, req.ParallelToolCalls = gateway.ToolChoice{Mode: gateway.ToolChoiceNone}, &parallel
	if _, err := p.Chat(context.Background(), req); err != nil {
		t.Fatal(err)
	}
	got := sentJSON(t, fake)
	if _, ok := got["tool_choice"]; ok {
		t.Fatalf("tool settings sent: %v", got)
	}
	if _, ok := got["parallel_tool_calls"]; ok {
		t.Fatalf("tool settings sent: %v", got)
	}
}
