package anthropic

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/anthropics/anthropic-sdk-go/v2"
	"github.com/anthropics/anthropic-sdk-go/v2/option"

	"github.com/quirehq/quire/gateway"
)

var cannedResponse = &gateway.ChatResponse{
	ID: "chatcmpl-canned", Model: "claude-sonnet-4-5", Created: time.Unix(1760433164, 0),
	Message: gateway.Message{Role: gateway.RoleAssistant, Parts: []gateway.Part{{Type: gateway.PartText, Text: "Two calls: \"quoted\"\n\u2028done"}},
		ToolCalls: []gateway.ToolCall{{ID: "call_a", Name: "lookup", Arguments: `{"q": "cat"}`}, {ID: "call:b", Name: "open", Arguments: ``}}},
	FinishReason: gateway.FinishToolCalls,
	Usage:        &gateway.Usage{InputTokens: 40, OutputTokens: 12, CachedInputTokens: 32, ReasoningTokens: 5},
}

// cannedEvents is a stream as an OpenAI upstream produces it: two tool
// calls, usage before the finish reason.
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

// sdkParams is a request using most of the API, including what the
// gateway drops (metadata, top_k, thinking, service tier).
func sdkParams(model string) anthropic.MessageNewParams {
	return anthropic.MessageNewParams{
		Model:     anthropic.Model(model),
		MaxTokens: 77,
		System:    []anthropic.TextBlockParam{{Text: "Be brief."}, {Text: "Use British spelling.", CacheControl: anthropic.NewCacheControlEphemeralParam()}},
		Messages: []anthropic.MessageParam{
			anthropic.NewUserMessage(anthropic.NewTextBlock("What is this?"), anthropic.NewImageBlockBase64("image/png", "iVBORw0KGgo=")),
			anthropic.NewAssistantMessage(anthropic.NewTextBlock("Let me look."), anthropic.NewToolUseBlock("toolu_01", map[string]any{"q": "square"}, "lookup")),
			anthropic.NewUserMessage(anthropic.NewToolResultBlock("toolu_01", "a red square", false), anthropic.NewTextBlock("Well?")),
		},
		Tools: []anthropic.ToolUnionParam{{OfTool: &anthropic.ToolParam{
			Name: "lookup", Description: anthropic.String("Look up"),
			InputSchema: anthropic.ToolInputSchemaParam{Properties: map[string]any{"q": map[string]any{"type": "string"}}},
		}}},
		ToolChoice:    anthropic.ToolChoiceUnionParam{OfAuto: &anthropic.ToolChoiceAutoParam{DisableParallelToolUse: anthropic.Bool(true)}},
		StopSequences: []string{"END"},
		Metadata:      anthropic.MetadataParam{UserID: anthropic.String("user-CANARY")},
		ServiceTier:   anthropic.MessageNewParamsServiceTierStandardOnly,
	}
}

func TestSDKMessage(t *testing.T) {
	p := &canned{chat: cannedResponse}
	client := sdkClient(codecServer(t, p))
	msg, err := client.Messages.New(context.Background(), sdkParams("claude-sonnet-4-5"), option.WithJSONSet("temperature", 0.3))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(msg.ID, "msg_01") || msg.Model != "claude-sonnet-4-5" || msg.StopReason != anthropic.StopReasonToolUse || len(msg.Content) != 3 ||
		msg.Content[0].Type != "text" || msg.Content[0].Text != cannedResponse.Message.Text() ||
		msg.Content[1].Type != "tool_use" || msg.Content[1].ID != "call_a" || msg.Content[1].Name != "lookup" || string(msg.Content[1].Input) != `{"q":"cat"}` ||
		!strings.HasPrefix(msg.Content[2].ID, "toolu_01") || string(msg.Content[2].Input) != `{}` ||
		msg.Usage.InputTokens != 8 || msg.Usage.CacheReadInputTokens != 32 || msg.Usage.OutputTokens != 12 {
		t.Fatalf("SDK read %+v", msg)
	}
	// What the SDK sent arrived as the canonical request, minus state.
	got := p.last()
	if got.Model != "claude-sonnet-4-5" || got.System != "Be brief." || len(got.Messages) != 5 || got.MaxTokens != 77 || got.Stream || !got.IncludeUsage ||
		got.Messages[0].Role != gateway.RoleSystem || got.Messages[0].Text() != "Use British spelling." ||
		got.Messages[1].Parts[1].Image.MediaType != "image/png" ||
		got.Messages[2].ToolCalls[0].Arguments != `{"q":"square"}` || got.Messages[3].Role != gateway.RoleTool || got.Messages[3].ToolCallID != "toolu_01" ||
		got.Messages[4].Text() != "Well?" || got.Tools[0].Name != "lookup" || *got.Temperature != 0.3 || got.Stop[0] != "END" ||
		got.ParallelToolCalls == nil || *got.ParallelToolCalls || got.ToolChoice.Mode != gateway.ToolChoiceAuto {
		t.Fatalf("canonical request %+v", got)
	}
	if s := fmt.Sprintf("%+v", got); strings.Contains(s, "CANARY") {
		t.Fatalf("metadata reached the canonical request: %s", s)
	}
}

// accumulate reads a whole SDK stream into a message.
func accumulate(t *testing.T, client anthropic.Client, params anthropic.MessageNewParams) (anthropic.Message, int, error) {
	t.Helper()
	stream := client.Messages.NewStreaming(context.Background(), params)
	defer stream.Close()
	var msg anthropic.Message
	n := 0
	for stream.Next() {
		n++
		if err := msg.Accumulate(stream.Current()); err != nil {
			t.Fatalf("the accumulator refused event %d: %v", n, err)
		}
	}
	return msg, n, stream.Err()
}

func TestSDKStream(t *testing.T) {
	tests := []struct {
		name    string
		events  []gateway.Event
		text    []string // text blocks, in order, "" for a tool_use block
		inputs  []string
		ids     []string
		stop    anthropic.StopReason
		in, out int64
	}{
		{"openai tool calls", cannedEvents, []string{"Hello \"wörld\"\n", "", ""}, []string{"", `{"q":"cat"}`, `{}`}, []string{"", "call_a", "call_b"},
			anthropic.StopReasonToolUse, 4, 9},
		{"text after tool calls, usage after finish", []gateway.Event{
			{Type: gateway.EventStart, ID: "msg_01Upstream", Model: "m"},
			{Type: gateway.EventToolCallStart, Index: 0, ID: "c0", Name: "lo"}, {Type: gateway.EventToolCallStart, Index: 0, Name: "okup"},
			{Type: gateway.EventToolCallDelta, Index: 0, Text: `{"a":1}`},
			{Type: gateway.EventText, Text: "then text"},
			{Type: gateway.EventToolCallStart, Index: 1, ID: "c1", Name: "f"},
			{Type: gateway.EventFinish, Finish: gateway.FinishToolCalls},
			{Type: gateway.EventUsage, Usage: gateway.Usage{InputTokens: 10, OutputTokens: 2}},
		}, []string{"", "then text", ""}, []string{`{"a":1}`, "", `{}`}, []string{"c0", "", "c1"}, anthropic.StopReasonToolUse, 10, 2},
		{"interleaved tool calls, no usage", []gateway.Event{
			{Type: gateway.EventToolCallStart, Index: 0, ID: "c0", Name: "f"},
			{Type: gateway.EventToolCallDelta, Index: 0, Text: `{"a":`},
			{Type: gateway.EventToolCallStart, Index: 1, ID: "c1", Name: "g"},
			{Type: gateway.EventToolCallDelta, Index: 1, Text: `{"b":`},
			{Type: gateway.EventToolCallDelta, Index: 0, Text: `1}`},
			{Type: gateway.EventToolCallDelta, Index: 1, Text: `2}`},
			{Type: gateway.EventFinish, Finish: gateway.FinishLength},
		}, []string{"", ""}, []string{`{"a":1}`, `{"b":2}`}, []string{"c0", "c1"}, anthropic.StopReasonMaxTokens, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := &canned{events: tt.events}
			params := sdkParams("claude-sonnet-4-5")
			msg, _, err := accumulate(t, sdkClient(codecServer(t, p)), params)
			if err != nil {
				t.Fatal(err)
			}
			if len(msg.Content) != len(tt.text) || msg.StopReason != tt.stop || msg.Usage.InputTokens != tt.in || msg.Usage.OutputTokens != tt.out || !strings.HasPrefix(msg.ID, "msg_01") {
				t.Fatalf("accumulated %s", msg.RawJSON())
			}
			for i, b := range msg.Content {
				if tt.text[i] != "" && (b.Type != "text" || b.Text != tt.text[i]) || tt.inputs[i] != "" && (b.Type != "tool_use" || string(b.Input) != tt.inputs[i] || b.ID != tt.ids[i]) {
					t.Fatalf("block %d: %s", i, b.RawJSON())
				}
			}
			if got := p.last(); !got.Stream || !got.IncludeUsage {
				t.Fatalf("canonical stream flags %v %v", got.Stream, got.IncludeUsage)
			}
		})
	}
}

func TestSDKStreamErrors(t *testing.T) {
	// Mid-stream: the SDK raises the error event, typed.
	overloaded := gateway.NewStatusError("up", 529, nil, "overloaded_error", "", "")
	p := &canned{events: cannedEvents[:3], streamErr: overloaded}
	client := sdkClient(codecServer(t, p))
	msg, n, err := accumulate(t, client, sdkParams("m"))
	var ae *anthropic.Error
	if !errors.As(err, &ae) || ae.Type() != TypeOverloaded || n != 4 || msg.Content[0].Text != "Hello \"wörld\"\n" {
		t.Fatalf("after %d events: %v", n, err)
	}
	// Before the first event: a real status, as for a non-streamed call.
	rl := gateway.NewStatusError("up", 429, http.Header{"Retry-After": {"3"}}, "", "", "")
	p = &canned{err: rl}
	_, n, err = accumulate(t, sdkClient(codecServer(t, p)), sdkParams("m"))
	if !errors.As(err, &ae) || ae.StatusCode != 429 || ae.Type() != TypeRateLimit || ae.Response.Header.Get("Retry-After") != "3" || n != 0 {
		t.Fatalf("got %v", err)
	}
	// A stream that ends without its finish reason is an error, not a
	// short answer.
	p = &canned{events: cannedEvents[:3]}
	_, _, err = accumulate(t, sdkClient(codecServer(t, p)), sdkParams("m"))
	if !errors.As(err, &ae) || ae.Type() != TypeAPI {
		t.Fatalf("truncated: %v", err)
	}
}

func TestSDKErrors(t *testing.T) {
	tests := []struct {
		name    string
		err     error
		params  func(*anthropic.MessageNewParams)
		opt     option.RequestOption
		status  int
		typ     string
		message string // a fragment of the message
	}{
		{"invalid request from codec", nil, nil, option.WithJSONSet("temperature", 7), 400, TypeInvalidRequest, "temperature: out of range"},
		{"server tool", nil, func(p *anthropic.MessageNewParams) {
			p.Tools = append(p.Tools, anthropic.ToolUnionParam{OfWebSearchTool20250305: &anthropic.WebSearchTool20250305Param{}})
		}, nil, 400, TypeInvalidRequest, "tools.1.type"},
		{"upstream invalid", gateway.NewStatusError("up", 400, nil, "invalid_request_error", "", ""), nil, nil, 400, TypeInvalidRequest, "rejected the request"},
		{"upstream too large", gateway.NewStatusError("up", 413, nil, "request_too_large", "", ""), nil, nil, 413, TypeRequestTooLarge, "rejected the request"},
		{"unsupported upstream", gateway.NewError("up", gateway.ClassInvalidRequest, gateway.ErrUnsupported), nil, nil, 400, TypeInvalidRequest, "does not support"},
		{"upstream rate limit", gateway.NewStatusError("up", 429, nil, "rate_limit_error", "", ""), nil, nil, 429, TypeRateLimit, "rate limit"},
		{"upstream auth", gateway.NewStatusError("up", 401, nil, "authentication_error", "", ""), nil, nil, 502, TypeAPI, "authenticate"},
		{"unknown model", gateway.NewStatusError("up", 404, nil, "", "", ""), nil, nil, 404, TypeNotFound, "model"},
		{"overloaded", gateway.NewStatusError("up", 529, nil, "overloaded_error", "", ""), nil, nil, 529, TypeOverloaded, "overloaded"},
		{"upstream 500", gateway.NewStatusError("up", 500, nil, "api_error", "", ""), nil, nil, 502, TypeAPI, "failed to answer"},
		{"timeout", gateway.NewError("up", gateway.ClassTimeout, context.DeadlineExceeded), nil, nil, 504, TypeTimeout, "in time"},
		{"plain error", errors.New("boom CANARY"), nil, nil, 500, TypeAPI, "gateway failed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := &canned{chat: cannedResponse, err: tt.err}
			params := sdkParams("m")
			if tt.params != nil {
				tt.params(&params)
			}
			var opts []option.RequestOption
			if tt.opt != nil {
				opts = append(opts, tt.opt)
			}
			client := sdkClient(codecServer(t, p))
			_, err := client.Messages.New(context.Background(), params, opts...)
			var ae *anthropic.Error
			if !errors.As(err, &ae) {
				t.Fatalf("got %v (%T)", err, err)
			}
			if ae.StatusCode != tt.status || string(ae.Type()) != tt.typ || !strings.Contains(ae.Message, tt.message) {
				t.Fatalf("got %d %s %q", ae.StatusCode, ae.Type(), ae.Message)
			}
			if strings.Contains(ae.RawJSON(), "CANARY") {
				t.Fatalf("error body carries content: %s", ae.RawJSON())
			}
		})
	}
}

// TestSDKRetries: the SDK retries what may succeed (a 529) and not what
// cannot (the gateway's own credentials refused upstream), as told by
// x-should-retry.
func TestSDKRetries(t *testing.T) {
	for _, tt := range []struct {
		err   error
		calls int
	}{
		{gateway.NewStatusError("up", 401, nil, "authentication_error", "", ""), 1},
		{gateway.NewStatusError("up", 402, nil, "billing_error", "", ""), 1},
		{gateway.NewStatusError("up", 529, http.Header{"Retry-After-Ms": {"1"}}, "overloaded_error", "", ""), 3},
	} {
		p := &canned{err: tt.err}
		if tt.calls == 1 {
			// billing_error's hint is set by the provider that read it.
			if pe, ok := gateway.AsProviderError(tt.err); ok && pe.Type == "billing_error" {
				pe.SetRetryable(false)
			}
		}
		client := sdkClient(codecServer(t, p), option.WithMaxRetries(2))
		_, err := client.Messages.New(context.Background(), sdkParams("m"))
		if err == nil || p.calls() != tt.calls {
			t.Fatalf("%v: %d calls, %v", tt.err, p.calls(), err)
		}
	}
}

// TestSDKGatewayErrors: the errors the gateway writes itself (its own
// authentication, rate limits, overload) are what the SDK expects.
func TestSDKGatewayErrors(t *testing.T) {
	for _, tt := range []struct {
		status int
		typ    string
	}{
		{400, TypeInvalidRequest}, {401, TypeAuthentication}, {403, TypePermission}, {404, TypeNotFound},
		{413, TypeRequestTooLarge}, {429, TypeRateLimit}, {500, TypeAPI}, {529, TypeOverloaded},
	} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			WriteError(w, tt.status, tt.typ, "Refused by the gateway.")
		}))
		client := sdkClient(srv)
		_, err := client.Messages.New(context.Background(), sdkParams("m"))
		srv.Close()
		var ae *anthropic.Error
		if !errors.As(err, &ae) || ae.StatusCode != tt.status || string(ae.Type()) != tt.typ || ae.Message != "Refused by the gateway." {
			t.Fatalf("%d %s: got %v", tt.status, tt.typ, err)
		}
	}
}
