package anthropic

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"

	"github.com/anthropics/anthropic-sdk-go/v2"

	"github.com/quirehq/quire/gateway"
)

// TestRoundTrip runs the official SDK against the server codec, backed by
// this package's Provider talking to the fake upstream: both directions of
// the wire format meet in one request.
func TestRoundTrip(t *testing.T) {
	fake := newFake(t)
	client := sdkClient(codecServer(t, newProvider(t, fake)))
	ctx := context.Background()

	t.Run("message", func(t *testing.T) {
		msg, err := client.Messages.New(ctx, sdkParams("messages_text"))
		if err != nil {
			t.Fatal(err)
		}
		if msg.Content[0].Text != "Hello! How can I help you with your writing today?" || msg.ID != "msg_01XFDUDYJgAACzvnptvVoYEL" ||
			msg.Model != "claude-sonnet-4-5-20250929" || msg.Usage.InputTokens != 21 || msg.Usage.CacheReadInputTokens != 2048 || msg.Usage.OutputTokens != 15 {
			t.Fatalf("got %s", msg.RawJSON())
		}
		assertUpstreamMinimal(t, fake.Last().Body)
	})
	t.Run("tools", func(t *testing.T) {
		msg, err := client.Messages.New(ctx, sdkParams("messages_tools"))
		if err != nil {
			t.Fatal(err)
		}
		if len(msg.Content) != 4 || msg.Content[1].ID != "toolu_01A09q90qw90lq917835lq9" || string(msg.Content[2].Input) != `{"folder_id":"f_42"}` ||
			string(msg.Content[3].Input) != `{}` || msg.StopReason != anthropic.StopReasonToolUse {
			t.Fatalf("got %s", msg.RawJSON())
		}
	})
	for _, scenario := range []string{"stream_text", "stream_tools", "stream_thinking"} {
		t.Run(scenario, func(t *testing.T) {
			msg, _, err := accumulate(t, client, sdkParams(scenario))
			if err != nil {
				t.Fatal(err)
			}
			switch scenario {
			case "stream_text":
				if len(msg.Content) != 1 || msg.Content[0].Text != "Hello! How can I help with \"your\" writing\ntoday? \u00e9\u2028" ||
					msg.StopReason != anthropic.StopReasonEndTurn || msg.Usage.InputTokens != 21 || msg.Usage.CacheReadInputTokens != 2048 || msg.Usage.OutputTokens != 15 ||
					msg.ID != "msg_01Gv3EpW7aDy1SbCx9QuVj2S" {
					t.Fatalf("got %s", msg.RawJSON())
				}
			case "stream_tools":
				if len(msg.Content) != 4 || msg.Content[0].Text != "I'll search your notes and open the folder." ||
					string(msg.Content[1].Input) != `{"query": "autumn", "limit": 5}` || msg.Content[2].Name != "get_folder" || string(msg.Content[3].Input) != `{}` ||
					msg.StopReason != anthropic.StopReasonToolUse || msg.Usage.InputTokens != 390+1024 || msg.Usage.OutputTokens != 141 {
					t.Fatalf("got %s", msg.RawJSON())
				}
			default:
				if len(msg.Content) != 1 || msg.Content[0].Text != "Twenty-seven." || strings.Contains(msg.RawJSON(), "CANARY") {
					t.Fatalf("got %s", msg.RawJSON())
				}
			}
			assertUpstreamMinimal(t, fake.Last().Body)
		})
	}
	t.Run("rate limit", func(t *testing.T) {
		_, err := client.Messages.New(ctx, sdkParams("error_429"))
		var ae *anthropic.Error
		if !errors.As(err, &ae) || ae.StatusCode != 429 || ae.Response.Header.Get("Retry-After") != "17" || ae.Type() != TypeRateLimit {
			t.Fatalf("got %v", err)
		}
		if strings.Contains(ae.RawJSON(), "organization") || strings.Contains(ae.RawJSON(), "CANARY") {
			t.Fatalf("the upstream's message reached the client: %s", ae.RawJSON())
		}
	})
	t.Run("mid-stream error", func(t *testing.T) {
		msg, _, err := accumulate(t, client, sdkParams("stream_overloaded"))
		var ae *anthropic.Error
		if !errors.As(err, &ae) || ae.Type() != TypeOverloaded || msg.Content[0].Text != "Once upon" || strings.Contains(ae.RawJSON(), "CANARY") {
			t.Fatalf("err %v, content %s", err, msg.RawJSON())
		}
	})
	t.Run("truncated", func(t *testing.T) {
		_, _, err := accumulate(t, client, sdkParams("stream_truncated"))
		var ae *anthropic.Error
		if !errors.As(err, &ae) || ae.Type() != TypeAPI {
			t.Fatalf("got %v", err)
		}
	})
}

// assertUpstreamMinimal checks that what the SDK sent beyond the
// allowlist (metadata, service tier, top_k, cache control) never reached
// the upstream.
func assertUpstreamMinimal(t *testing.T, body []byte) {
	t.Helper()
	var top map[string]any
	if err := json.Unmarshal(body, &top); err != nil {
		t.Fatal(err)
	}
	for k := range top {
		switch k {
		case "model", "max_tokens", "system", "messages", "tools", "tool_choice", "stop_sequences", "stream":
		default:
			t.Fatalf("upstream received %q: %s", k, body)
		}
	}
	if strings.Contains(string(body), "CANARY") || strings.Contains(string(body), "cache_control") {
		t.Fatalf("upstream body: %s", body)
	}
}

// TestRequestRoundTrip: what the Provider sends upstream, read back by
// the server codec, is the canonical request it was built from. Requests
// are in the form the codec produces: a system prompt in System, the
// others as leading RoleSystem messages; compact JSON; no image detail.
func TestRequestRoundTrip(t *testing.T) {
	temp, no := 0.4, false
	tests := []*gateway.ChatRequest{
		{Model: "claude-haiku-4-5", MaxTokens: 64, Messages: []gateway.Message{gateway.TextMessage(gateway.RoleUser, "hi")}},
		{
			Model: "claude-sonnet-4-5", MaxTokens: 1024, System: "Be brief.", Stream: true,
			Messages: []gateway.Message{
				gateway.TextMessage(gateway.RoleSystem, "Use British spelling."),
				{Role: gateway.RoleUser, Parts: []gateway.Part{
					{Type: gateway.PartText, Text: "What is \"this\"?\n\u2028"},
					{Type: gateway.PartImage, Image: gateway.Image{Data: "iVBORw0KGgo=", MediaType: "image/png"}},
					{Type: gateway.PartImage, Image: gateway.Image{URL: "https://example.com/a.jpg"}},
				}},
				{Role: gateway.RoleAssistant, Parts: []gateway.Part{{Type: gateway.PartText, Text: "Looking."}}, ToolCalls: []gateway.ToolCall{
					{ID: "toolu_01", Name: "lookup", Arguments: `{"q":"square","n":[1,2.5,{"x":null}]}`},
					{ID: "toolu_02", Name: "open", Arguments: `{}`},
				}},
				{Role: gateway.RoleTool, ToolCallID: "toolu_01", Parts: []gateway.Part{{Type: gateway.PartText, Text: "a red square"}}},
				{Role: gateway.RoleTool, ToolCallID: "toolu_02", Parts: []gateway.Part{
					{Type: gateway.PartText, Text: "opened"}, {Type: gateway.PartImage, Image: gateway.Image{Data: "R0lGODlhAQABAAAAACw=", MediaType: "image/gif"}},
				}},
				{Role: gateway.RoleTool, ToolCallID: "toolu_03"},
				gateway.TextMessage(gateway.RoleUser, "Well?"),
			},
			Tools: []gateway.Tool{
				{Name: "lookup", Description: "Look up", Parameters: json.RawMessage(`{"type":"object","properties":{"q":{"type":"string"}},"required":["q"]}`), Strict: true},
				{Name: "open", Parameters: json.RawMessage(`{"type":"object","properties":{}}`)},
			},
			ToolChoice:        gateway.ToolChoice{Mode: gateway.ToolChoiceTool, Name: "lookup"},
			ParallelToolCalls: &no,
			Temperature:       &temp,
			Stop:              []string{"END", "\n\nHuman:"},
			ReasoningEffort:   "high",
			ResponseFormat:    gateway.ResponseFormat{Type: gateway.FormatJSONSchema, Schema: json.RawMessage(`{"type":"object","additionalProperties":false}`), Strict: true},
		},
	}
	p := &Provider{name: "t", maxTokens: DefaultMaxTokens}
	for i, want := range tests {
		want.IncludeUsage = true
		buf, err := p.messagesBody(want, want.Stream)
		if err != nil {
			t.Fatal(err)
		}
		r := httptest.NewRequest("POST", "/anthropic/v1/messages", bytes.NewReader(buf.Bytes()))
		r.Header.Set("Content-Type", "application/json")
		got, err := DecodeMessagesRequest(r, Limits{})
		if err != nil {
			t.Fatalf("%d: %v\n%s", i, err, buf)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("%d:\n got %+v\nwant %+v\nwire %s", i, got, want, buf)
		}
	}
}
