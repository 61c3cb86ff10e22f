package openai

import (
	"context"
	"errors"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/openai/openai-go/v3"

	"github.com/quirehq/quire/gateway"
)

var cannedResponse = &gateway.ChatResponse{
	ID: "chatcmpl-canned", Model: "gpt-4o-mini", Created: time.Unix(1760433164, 0),
	Message: gateway.Message{Role: gateway.RoleAssistant, Parts: []gateway.Part{{Type: gateway.PartText, Text: "Two calls: \"quoted\"\n\u2028done"}},
		ToolCalls: []gateway.ToolCall{{ID: "call_a", Name: "lookup", Arguments: `{"q":"cat"}`}, {ID: "call_b", Name: "open", Arguments: `{}`}}},
	FinishReason: gateway.FinishToolCalls,
	Usage:        &gateway.Usage{InputTokens: 40, OutputTokens: 12, CachedInputTokens: 32, ReasoningTokens: 5},
}

var cannedEvents = []gateway.Event{
	{Type: gateway.EventStart, ID: "chatcmpl-s", Model: "gpt-4o-mini"},
	{Type: gateway.EventText, Text: "Hel"}, {Type: gateway.EventText, Text: "lo \"wörld\"\n"},
	{Type: gateway.EventToolCallStart, Index: 0, ID: "call_a", Name: "lookup"},
	{Type: gateway.EventToolCallDelta, Index: 0, Text: `{"q":`}, {Type: gateway.EventToolCallDelta, Index: 0, Text: `"cat"}`},
	{Type: gateway.EventToolCallStart, Index: 1, ID: "call_b", Name: "open"},
	{Type: gateway.EventToolCallDelta, Index: 1, Text: `{}`},
	{Type: gateway.EventUsage, Usage: gateway.Usage{InputTokens: 7, OutputTokens: 9, CachedInputTokens: 3}},
	{Type: gateway.EventFinish, Finish: gateway.FinishToolCalls},
}

func sdkParams(model string) openai.ChatCompletionNewParams {
	return openai.ChatCompletionNewParams{
		Model: model,
		Messages: []openai.ChatCompletionMessageParamUnion{
			openai.SystemMessage("Be brief."),
			openai.UserMessage([]openai.ChatCompletionContentPartUnionParam{
				openai.TextContentPart("What is this?"),
				openai.ImageContentPart(openai.ChatCompletionContentPartImageImageURLParam{URL: "data:image/png;base64,iVBORw0KGgo=", Detail: "low"}),
			}),
		},
		Tools: []openai.ChatCompletionToolUnionParam{openai.ChatCompletionFunctionTool(openai.FunctionDefinitionParam{
			Name: "lookup", Description: openai.String("Look up"), Parameters: openai.FunctionParameters{"type": "object"},
		})},
		Temperature:         openai.Float(0.3),
		MaxCompletionTokens: openai.Int(77),
		User:                openai.String("user-CANARY"),
		Metadata:            openai.Metadata{"k": "CANARY"},
		Store:               openai.Bool(true),
	}
}

func TestSDKChat(t *testing.T) {
	p := &canned{chat: cannedResponse}
	client := sdkClient(codecServer(t, p))
	resp, err := client.Chat.Completions.New(context.Background(), sdkParams("gpt-4o-mini"))
	if err != nil {
		t.Fatal(err)
	}
	c := resp.Choices[0]
	if resp.ID != "chatcmpl-canned" || resp.Model != "gpt-4o-mini" || resp.Created != 1760433164 ||
		c.Message.Content != cannedResponse.Message.Text() || c.FinishReason != "tool_calls" || len(c.Message.ToolCalls) != 2 ||
		c.Message.ToolCalls[0].ID != "call_a" || c.Message.ToolCalls[0].Function.Name != "lookup" || c.Message.ToolCalls[0].Function.Arguments != `{"q":"cat"}` ||
		resp.Usage.PromptTokens != 40 || resp.Usage.CompletionTokens != 12 || resp.Usage.TotalTokens != 52 ||
		resp.Usage.PromptTokensDetails.CachedTokens != 32 || resp.Usage.CompletionTokensDetails.ReasoningTokens != 5 {
		t.Fatalf("SDK read %+v", resp)
	}
	// What the SDK sent arrived as the canonical request, minus state.
	got := p.last()
	if got.Model != "gpt-4o-mini" || len(got.Messages) != 2 || got.Messages[0].Role != gateway.RoleSystem ||
		got.Messages[1].Parts[1].Image.MediaType != "image/png" || got.Tools[0].Name != "lookup" ||
		*got.Temperature != 0.3 || got.MaxTokens != 77 || got.Stream {
		t.Fatalf("canonical request %+v", got)
	}
}

func TestSDKStream(t *testing.T) {
	for _, usage := range []bool{true, false} {
		p := &canned{events: cannedEvents}
		client := sdkClient(codecServer(t, p))
		params := sdkParams("gpt-4o-mini")
		if usage {
			params.StreamOptions.IncludeUsage = openai.Bool(true)
		}
		stream := client.Chat.Completions.NewStreaming(context.Background(), params)
		var acc openai.ChatCompletionAccumulator
		chunks := 0
		for stream.Next() {
			chunks++
			if !acc.AddChunk(stream.Current()) {
				t.Fatalf("the accumulator refused chunk %d", chunks)
			}
		}
		if err := stream.Err(); err != nil {
			t.Fatal(err)
		}
		c := acc.Choices[0]
		if acc.ID != "chatcmpl-s" || c.Message.Content != "Hello \"wörld\"\n" || c.FinishReason != "tool_calls" || len(c.Message.ToolCalls) != 2 ||
			c.Message.ToolCalls[0].Function.Arguments != `{"q":"cat"}` || c.Message.ToolCalls[1].ID != "call_b" || c.Message.ToolCalls[1].Function.Name != "open" {
			t.Fatalf("accumulated %+v", acc.ChatCompletion)
		}
		wantUsage := int64(0)
		if usage {
			wantUsage = 16
		}
		if acc.Usage.TotalTokens != wantUsage || (usage && acc.Usage.PromptTokensDetails.CachedTokens != 3) {
			t.Fatalf("include_usage %v: usage %+v", usage, acc.Usage)
		}
		if got := p.last(); !got.Stream || got.IncludeUsage != usage {
			t.Fatalf("canonical stream flags %v %v", got.Stream, got.IncludeUsage)
		}
	}
}

func TestSDKStreamErrors(t *testing.T) {
	// Mid-stream: the SDK raises the error event.
	p := &canned{events: cannedEvents[:3], streamErr: gateway.NewError("up", gateway.ClassStreamError, gateway.ErrStreamError)}
	client := sdkClient(codecServer(t, p))
	stream := client.Chat.Completions.NewStreaming(context.Background(), sdkParams("m"))
	n := 0
	for stream.Next() {
		n++
	}
	if err := stream.Err(); err == nil || !strings.Contains(err.Error(), "upstream_error") || n != 3 {
		t.Fatalf("after %d chunks: %v", n, err)
	}
	// Before the first event: a real status, as for a non-streamed call.
	rl := gateway.NewStatusError("up", 429, http.Header{"Retry-After": {"3"}}, "", "", "")
	p = &canned{err: rl}
	client = sdkClient(codecServer(t, p))
	stream = client.Chat.Completions.NewStreaming(context.Background(), sdkParams("m"))
	for stream.Next() {
		t.Fatal("a chunk after a refusal")
	}
	var ae *openai.Error
	if !errors.As(stream.Err(), &ae) || ae.StatusCode != 429 || ae.Type != TypeRateLimit || ae.Code != "rate_limit_exceeded" ||
		ae.Response.Header.Get("Retry-After") != "3" {
		t.Fatalf("got %v", stream.Err())
	}
}

func TestSDKErrors(t *testing.T) {
	tests := []struct {
		name   string
		err    error
		params func(*openai.ChatCompletionNewParams)
		status int
		typ    string
		code   string
		param  string
	}{
		{"invalid request from codec", nil, func(p *openai.ChatCompletionNewParams) { p.Temperature = openai.Float(7) }, 400, TypeInvalidRequest, "invalid_value", "temperature"},
		{"n unsupported", nil, func(p *openai.ChatCompletionNewParams) { p.N = openai.Int(3) }, 400, TypeInvalidRequest, "unsupported_value", "n"},
		{"upstream invalid", gateway.NewStatusError("up", 400, nil, "invalid_request_error", "context_length_exceeded", "messages"), nil, 400, TypeInvalidRequest, "context_length_exceeded", "messages"},
		{"upstream rate limit", gateway.NewStatusError("up", 429, nil, "tokens", "rate_limit_exceeded", ""), nil, 429, TypeRateLimit, "rate_limit_exceeded", ""},
		{"upstream auth", gateway.NewStatusError("up", 401, nil, "invalid_request_error", "invalid_api_key", ""), nil, 502, TypeServer, "upstream_auth_failed", ""},
		{"unknown model", gateway.NewStatusError("up", 404, nil, "", "", ""), nil, 404, TypeInvalidRequest, "model_not_found", ""},
		{"timeout", gateway.NewError("up", gateway.ClassTimeout, context.DeadlineExceeded), nil, 504, TypeServer, "upstream_timeout", ""},
		{"plain error", errors.New("boom CANARY"), nil, 500, TypeServer, "internal_error", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := &canned{chat: cannedResponse, err: tt.err}
			params := sdkParams("m")
			if tt.params != nil {
				tt.params(&params)
			}
			client := sdkClient(codecServer(t, p))
			_, err := client.Chat.Completions.New(context.Background(), params)
			var ae *openai.Error
			if !errors.As(err, &ae) {
				t.Fatalf("got %v (%T)", err, err)
			}
			if ae.StatusCode != tt.status || ae.Type != tt.typ || ae.Code != tt.code || ae.Param != tt.param {
				t.Fatalf("got %d %s %s %s", ae.StatusCode, ae.Type, ae.Code, ae.Param)
			}
			if strings.Contains(ae.RawJSON(), "CANARY") {
				t.Fatalf("error body carries content: %s", ae.RawJSON())
			}
		})
	}
}

func TestSDKEmbeddings(t *testing.T) {
	p := &canned{embed: &gateway.EmbedResponse{Model: "text-embedding-3-small", Vectors: wantVectors, Usage: gateway.Usage{InputTokens: 9}}}
	client := sdkClient(codecServer(t, p))
	for _, format := range []openai.EmbeddingNewParamsEncodingFormat{"", openai.EmbeddingNewParamsEncodingFormatFloat, openai.EmbeddingNewParamsEncodingFormatBase64} {
		resp, err := client.Embeddings.New(context.Background(), openai.EmbeddingNewParams{
			Model: "text-embedding-3-small", Input: openai.EmbeddingNewParamsInputUnion{OfArrayOfStrings: []string{"a", "b"}},
			Dimensions: openai.Int(8), EncodingFormat: format, User: openai.String("CANARY"),
		})
		if err != nil {
			t.Fatalf("%q: %v", format, err)
		}
		if len(resp.Data) != 2 || resp.Usage.PromptTokens != 9 || resp.Model != "text-embedding-3-small" {
			t.Fatalf("%q: %+v", format, resp)
		}
		for i, d := range resp.Data {
			for j, f := range d.Embedding {
				if float32(f) != wantVectors[i][j] {
					t.Fatalf("%q: vector %d[%d] = %v, want %v", format, i, j, f, wantVectors[i][j])
				}
			}
		}
		if !reflect.DeepEqual(p.gotEmbed, &gateway.EmbedRequest{Model: "text-embedding-3-small", Inputs: []string{"a", "b"}, Dimensions: 8}) {
			t.Fatalf("canonical %+v", p.gotEmbed)
		}
	}
}

func TestSDKModelsAndTranscription(t *testing.T) {
	p := &canned{transcript: &gateway.Transcription{
		Text: "Buy ink.", Language: "english", Duration: 1500 * time.Millisecond,
		Segments: []gateway.Segment{{ID: 0, Start: 0, End: 1500 * time.Millisecond, Text: " Buy ink."}},
		Usage:    &gateway.Usage{InputTokens: 10, OutputTokens: 3},
	}}
	client := sdkClient(codecServer(t, p))
	page, err := client.Models.List(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Data) != 2 || page.Data[1].ID != "text-embedding-3-small" || page.Data[1].OwnedBy != "openai" {
		t.Fatalf("models %+v", page.Data)
	}
	for _, format := range []openai.AudioResponseFormat{"", openai.AudioResponseFormatJSON, openai.AudioResponseFormatVerboseJSON} {
		tr, err := client.Audio.Transcriptions.New(context.Background(), openai.AudioTranscriptionNewParams{
			File: openai.File(strings.NewReader("fake wav bytes"), "memo.wav", "audio/wav"), Model: "whisper-1", ResponseFormat: format,
		})
		if err != nil {
			t.Fatalf("%q: %v", format, err)
		}
		if tr.Text != "Buy ink." || string(p.gotAudio) != "fake wav bytes" {
			t.Fatalf("%q: %+v", format, tr)
		}
		if format == openai.AudioResponseFormatVerboseJSON && (tr.Duration != 1.5 || len(tr.Segments) != 1 || tr.Language != "english") {
			t.Fatalf("verbose: %+v", tr)
		}
	}
}
