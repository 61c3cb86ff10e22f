package anthropic

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"

	"github.com/quirehq/quire/gateway"
)

// decode runs DecodeMessagesRequest on body.
func decode(body string) (*gateway.ChatRequest, error) {
	r := httptest.NewRequest("POST", "/anthropic/v1/messages", strings.NewReader(body))
	r.Header.Set("Content-Type", "application/json")
	return DecodeMessagesRequest(r, Limits{})
}

func TestDecodeMessagesRequest(t *testing.T) {
	no, temp, topP := false, 0.7, 0.9
	tests := []struct {
		name string
		body string
		want *gateway.ChatRequest
	}{
		{"minimal", `{"model":"claude-haiku-4-5","max_tokens":16,"messages":[{"role":"user","content":"hi"}]}`,
			&gateway.ChatRequest{Model: "claude-haiku-4-5", MaxTokens: 16, IncludeUsage: true, Messages: []gateway.Message{gateway.TextMessage(gateway.RoleUser, "hi")}}},
		{"everything, and what is dropped", `{
			"model": "claude-sonnet-4-5", "max_tokens": 1024, "stream": true,
			"system": [{"type": "text", "text": "Be brief.", "cache_control": {"type": "ephemeral"}}, {"type": "text", "text": ""}, {"type": "text", "text": "Use British spelling."}],
			"messages": [
				{"role": "user", "content": [
					{"type": "text", "text": "What is this?", "cache_control": {"type": "ephemeral", "ttl": "1h"}},
					{"type": "image", "source": {"type": "base64", "media_type": "IMAGE/PNG", "data": "iVBORw0KGgo="}},
					{"type": "image", "source": {"type": "url", "url": "https://example.com/a.jpg"}}
				]},
				{"role": "assistant", "content": [
					{"type": "thinking", "thinking": "CANARY thoughts", "signature": "sig"},
					{"type": "redacted_thinking", "data": "CANARY"},
					{"type": "text", "text": "Looking.", "citations": null},
					{"type": "tool_use", "id": "toolu_01", "name": "lookup", "input": {"q": "square", "n": [1, 2.50]}, "cache_control": {"type": "ephemeral"}}
				]},
				{"role": "user", "content": [
					{"type": "text", "text": "Also:"},
					{"type": "tool_result", "tool_use_id": "toolu_01", "content": "a red square", "is_error": false},
					{"type": "tool_result", "tool_use_id": "toolu_02", "content": [{"type": "text", "text": "opened"}, {"type": "image", "source": {"type": "base64", "media_type": "image/gif", "data": "R0lGODlhAQABAAAAACw="}}], "is_error": true},
					{"type": "tool_result", "tool_use_id": "toolu_03"},
					{"type": "text", "text": "Well?"}
				]},
				{"role": "assistant", "content": ""}
			],
			"tools": [
				{"name": "lookup", "description": "Look up", "input_schema": {"type": "object", "properties": {"q": {"type": "string"}}}, "strict": true, "cache_control": {"type": "ephemeral"}, "input_examples": [{"q": "x"}]},
				{"type": "custom", "name": "open", "input_schema": {"type": "object"}, "defer_loading": false}
			],
			"tool_choice": {"type": "tool", "name": "lookup", "disable_parallel_tool_use": true},
			"temperature": 0.7, "top_p": 0.9, "top_k": 40,
			"stop_sequences": ["END"],
			"output_config": {"effort": "high", "format": {"type": "json_schema", "schema": {"type": "object", "additionalProperties": false}}},
			"metadata": {"user_id": "CANARY-user"}, "service_tier": "auto", "container": "container_CANARY",
			"mcp_servers": [{"type": "url", "url": "https://mcp.example", "name": "CANARY"}],
			"thinking": {"type": "enabled", "budget_tokens": 2048}, "context_management": {"edits": []},
			"inference_geo": "us", "speed": "fast", "cache_control": {"type": "ephemeral"}, "an_unknown_field": {"x": [1]}
		}`, &gateway.ChatRequest{
			Model: "claude-sonnet-4-5", MaxTokens: 1024, Stream: true, IncludeUsage: true,
			System: "Be brief.",
			Messages: []gateway.Message{
				gateway.TextMessage(gateway.RoleSystem, "Use British spelling."),
				{Role: gateway.RoleUser, Parts: []gateway.Part{
					{Type: gateway.PartText, Text: "What is this?"},
					{Type: gateway.PartImage, Image: gateway.Image{Data: "iVBORw0KGgo=", MediaType: "image/png"}},
					{Type: gateway.PartImage, Image: gateway.Image{URL: "https://example.com/a.jpg"}},
				}},
				{Role: gateway.RoleAssistant, Parts: []gateway.Part{{Type: gateway.PartText, Text: "Looking."}},
					ToolCalls: []gateway.ToolCall{{ID: "toolu_01", Name: "lookup", Arguments: `{"q":"square","n":[1,2.50]}`}}},
				gateway.TextMessage(gateway.RoleUser, "Also:"),
				{Role: gateway.RoleTool, ToolCallID: "toolu_01", Parts: []gateway.Part{{Type: gateway.PartText, Text: "a red square"}}},
				{Role: gateway.RoleTool, ToolCallID: "toolu_02", Parts: []gateway.Part{
					{Type: gateway.PartText, Text: "opened"}, {Type: gateway.PartImage, Image: gateway.Image{Data: "R0lGODlhAQABAAAAACw=", MediaType: "image/gif"}},
				}},
				{Role: gateway.RoleTool, ToolCallID: "toolu_03"},
				gateway.TextMessage(gateway.RoleUser, "Well?"),
			},
			Tools: []gateway.Tool{
				{Name: "lookup", Description: "Look up", Parameters: json.RawMessage(`{"type": "object", "properties": {"q": {"type": "string"}}}`), Strict: true},
				{Name: "open", Parameters: json.RawMessage(`{"type": "object"}`)},
			},
			ToolChoice:        gateway.ToolChoice{Mode: gateway.ToolChoiceTool, Name: "lookup"},
			ParallelToolCalls: &no,
			Temperature:       &temp, TopP: &topP,
			Stop:            []string{"END"},
			ReasoningEffort: "high",
			ResponseFormat:  gateway.ResponseFormat{Type: gateway.FormatJSONSchema, Schema: json.RawMessage(`{"type": "object", "additionalProperties": false}`), Strict: true},
		}},
		{"beta output_format, tool choice any", `{"model":"m","max_tokens":1,"messages":[{"role":"user","content":[]},{"role":"user","content":"x"}],"output_format":{"type":"json_schema","schema":{}},
			"tools":[{"name":"f","input_schema":{}}],"tool_choice":{"type":"any","disable_parallel_tool_use":false}}`,
			&gateway.ChatRequest{Model: "m", MaxTokens: 1, IncludeUsage: true, Messages: []gateway.Message{gateway.TextMessage(gateway.RoleUser, "x")},
				Tools:          []gateway.Tool{{Name: "f", Parameters: json.RawMessage(`{}`)}},
				ToolChoice:     gateway.ToolChoice{Mode: gateway.ToolChoiceRequired},
				ResponseFormat: gateway.ResponseFormat{Type: gateway.FormatJSONSchema, Schema: json.RawMessage(`{}`), Strict: true}}},
		{"nulls", `{"model":"m","max_tokens":1,"messages":[{"role":"user","content":"x"}],"system":null,"stop_sequences":null,"tools":null,"tool_choice":null,"output_config":null,"stream":false}`,
			&gateway.ChatRequest{Model: "m", MaxTokens: 1, IncludeUsage: true, Messages: []gateway.Message{gateway.TextMessage(gateway.RoleUser, "x")}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := decode(tt.body)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("\n got %+v\nwant %+v", got, tt.want)
			}
			if strings.Contains(fmt.Sprintf("%+v", got), "CANARY") {
				t.Fatalf("dropped content kept: %+v", got)
			}
		})
	}
}

func TestDecodeMessagesRequestErrors(t *testing.T) {
	const ok = `"model":"m","max_tokens":5,`
	tests := []struct {
		body  string
		param string // "" for errors about the body as a whole
	}{
		{`[]`, ""},
		{`{"model":"m"`, ""},
		{`{"model":"m"} {}`, ""},
		{`not json`, ""},
		{`{"max_tokens":5,"messages":[{"role":"user","content":"x"}]}`, "model"},
		{`{"model":"","max_tokens":5,"messages":[{"role":"user","content":"x"}]}`, "model"},
		{`{"model":"m\n","max_tokens":5,"messages":[{"role":"user","content":"x"}]}`, "model"},
		{`{"model":"m","messages":[{"role":"user","content":"x"}]}`, "max_tokens"},
		{`{"model":"m","max_tokens":0,"messages":[{"role":"user","content":"x"}]}`, "max_tokens"},
		{`{"model":"m","max_tokens":1.5,"messages":[{"role":"user","content":"x"}]}`, "max_tokens"},
		{`{"model":"m","model":"n","max_tokens":5,"messages":[]}`, "model"},
		{`{` + ok + `"messages":[]}`, "messages"},
		{`{` + ok + `"messages":{}}`, "messages"},
		{`{` + ok + `"messages":[{"role":"user","content":""},{"role":"assistant","content":[{"type":"thinking","thinking":"t"}]}],"system":"s"}`, "messages"},
		{`{` + ok + `"messages":null}`, "messages"},
		{`{` + ok + `"messages":[{"content":"x"}]}`, "messages.0.role"},
		{`{` + ok + `"messages":[{"role":"system","content":"x"}]}`, "messages.0.role"},
		{`{` + ok + `"messages":[{"role":"user"}]}`, "messages.0.content"},
		{`{` + ok + `"messages":[{"role":"user","content":5}]}`, "messages.0.content"},
		{`{` + ok + `"messages":[{"role":"user","content":"x","content":"y"}]}`, "messages.0.content"},
		{`{` + ok + `"messages":["x"]}`, "messages.0"},
		{`{` + ok + `"messages":[{"role":"user","content":[{"text":"x"}]}]}`, "messages.0.content.0.type"},
		{`{` + ok + `"messages":[{"role":"user","content":[{"type":"text"}]}]}`, "messages.0.content.0.text"},
		{`{` + ok + `"messages":[{"role":"user","content":[{"type":"text","text":5}]}]}`, "messages.0.content.0.text"},
		{`{` + ok + `"messages":[{"role":"user","content":[{"type":"document","source":{}}]}]}`, "messages.0.content.0.type"},
		{`{` + ok + `"messages":[{"role":"user","content":[{"type":"tool_use","id":"a","name":"f","input":{}}]}]}`, "messages.0.content.0.type"},
		{`{` + ok + `"messages":[{"role":"user","content":[{"type":"image"}]}]}`, "messages.0.content.0.source"},
		{`{` + ok + `"messages":[{"role":"user","content":[{"type":"image","source":{"type":"file","file_id":"f"}}]}]}`, "messages.0.content.0.source.type"},
		{`{` + ok + `"messages":[{"role":"user","content":[{"type":"image","source":{"type":"base64","media_type":"image/svg+xml","data":"AAAA"}}]}]}`, "messages.0.content.0.source.media_type"},
		{`{` + ok + `"messages":[{"role":"user","content":[{"type":"image","source":{"type":"base64","media_type":"image/png","data":"not base64!"}}]}]}`, "messages.0.content.0.source.data"},
		{`{` + ok + `"messages":[{"role":"user","content":[{"type":"image","source":{"type":"url","url":"http://example.com/a.png"}}]}]}`, "messages.0.content.0.source.url"},
		{`{` + ok + `"messages":[{"role":"user","content":[{"type":"tool_result","content":"x"}]}]}`, "messages.0.content.0.tool_use_id"},
		{`{` + ok + `"messages":[{"role":"user","content":[{"type":"tool_result","tool_use_id":"a","content":{}}]}]}`, "messages.0.content.0.content"},
		{`{` + ok + `"messages":[{"role":"user","content":[{"type":"tool_result","tool_use_id":"a","content":"x","content":[]}]}]}`, "messages.0.content.0.content"},
		{`{` + ok + `"messages":[{"role":"user","content":[{"type":"tool_result","tool_use_id":"a","content":[{"type":"document"}]}]}]}`, "messages.0.content.0.content.0.type"},
		{`{` + ok + `"messages":[{"role":"assistant","content":[{"type":"tool_use","name":"f","input":{}}]}]}`, "messages.0.content.0.id"},
		{`{` + ok + `"messages":[{"role":"assistant","content":[{"type":"tool_use","id":"a","name":"bad name","input":{}}]}]}`, "messages.0.content.0.name"},
		{`{` + ok + `"messages":[{"role":"assistant","content":[{"type":"tool_use","id":"a","name":"f","input":[1]}]}]}`, "messages.0.content.0.input"},
		{`{` + ok + `"messages":[{"role":"assistant","content":[{"type":"tool_use","id":"a","name":"f"}]}]}`, "messages.0.content.0.input"},
		{`{` + ok + `"messages":[{"role":"assistant","content":[{"type":"tool_use","id":"a","name":"f","input":` + strings.Repeat(`{"a":`, 70) + `1` + strings.Repeat(`}`, 70) + `}]}]}`, "messages.0.content.0.input"},
		{`{` + ok + `"messages":[{"role":"assistant","content":[{"type":"image","source":{"type":"url","url":"https://x"}}]}]}`, "messages.0.content.0.type"},
		{`{` + ok + `"messages":[{"role":"assistant","content":[{"type":"server_tool_use","id":"a","name":"web_search","input":{}}]}]}`, "messages.0.content.0.type"},
		{`{` + ok + `"messages":[{"role":"user","content":"x"}],"system":5}`, "system"},
		{`{` + ok + `"messages":[{"role":"user","content":"x"}],"system":[{"type":"image"}]}`, "system.0.type"},
		{`{` + ok + `"messages":[{"role":"user","content":"x"}],"system":[{"type":"text"}]}`, "system.0.text"},
		{`{` + ok + `"messages":[{"role":"user","content":"x"}],"temperature":1.5}`, "temperature"},
		{`{` + ok + `"messages":[{"role":"user","content":"x"}],"top_p":-0.1}`, "top_p"},
		{`{` + ok + `"messages":[{"role":"user","content":"x"}],"temperature":"hot"}`, "temperature"},
		{`{` + ok + `"messages":[{"role":"user","content":"x"}],"stop_sequences":"END"}`, "stop_sequences"},
		{`{` + ok + `"messages":[{"role":"user","content":"x"}],"stop_sequences":[" "]}`, "stop_sequences.0"},
		{`{` + ok + `"messages":[{"role":"user","content":"x"}],"stop_sequences":[` + strings.Repeat(`"a",`, 16) + `"b"]}`, "stop_sequences"},
		{`{` + ok + `"messages":[{"role":"user","content":"x"}],"stream":"yes"}`, "stream"},
		{`{` + ok + `"messages":[{"role":"user","content":"x"}],"tools":[{"name":"f"}]}`, "tools.0.input_schema"},
		{`{` + ok + `"messages":[{"role":"user","content":"x"}],"tools":[{"name":"f","input_schema":"object"}]}`, "tools.0.input_schema"},
		{`{` + ok + `"messages":[{"role":"user","content":"x"}],"tools":[{"name":"a.b","input_schema":{}}]}`, "tools.0.name"},
		{`{` + ok + `"messages":[{"role":"user","content":"x"}],"tools":[{"type":"bash_20250124","name":"bash"}]}`, "tools.0.type"},
		{`{` + ok + `"messages":[{"role":"user","content":"x"}],"tools":[{"name":"f","input_schema":` + strings.Repeat(`{"a":`, 70) + `1` + strings.Repeat(`}`, 70) + `}]}`, "tools.0.input_schema"},
		{`{` + ok + `"messages":[{"role":"user","content":"x"}],"tool_choice":"auto"}`, "tool_choice"},
		{`{` + ok + `"messages":[{"role":"user","content":"x"}],"tool_choice":{}}`, "tool_choice.type"},
		{`{` + ok + `"messages":[{"role":"user","content":"x"}],"tool_choice":{"type":"function"}}`, "tool_choice.type"},
		{`{` + ok + `"messages":[{"role":"user","content":"x"}],"tool_choice":{"type":"tool"}}`, "tool_choice.name"},
		{`{` + ok + `"messages":[{"role":"user","content":"x"}],"output_config":{"effort":"extreme"}}`, "output_config.effort"},
		{`{` + ok + `"messages":[{"role":"user","content":"x"}],"output_config":{"format":{"type":"json_object"}}}`, "output_config.format.type"},
		{`{` + ok + `"messages":[{"role":"user","content":"x"}],"output_config":{"format":{"type":"json_schema"}}}`, "output_config.format.schema"},
		{`{` + ok + `"messages":[{"role":"user","content":"x"}],"output_config":{"format":{"type":"json_schema","schema":{}}},"output_format":{"type":"json_schema","schema":{}}}`, "output_format"},
	}
	for _, tt := range tests {
		_, err := decode(tt.body)
		var ae *APIError
		if !errors.As(err, &ae) || ae.Status != 400 || ae.Type != TypeInvalidRequest || ae.Param != tt.param {
			t.Errorf("%s:\n got %v (%+v), want a 400 about %q", tt.body, err, ae, tt.param)
			continue
		}
		if tt.param != "" && !strings.HasPrefix(ae.Message, tt.param+": ") {
			t.Errorf("%s: message %q does not name %q", tt.body, ae.Message, tt.param)
		}
	}
}

// TestDecodeLimits: the body limit, array caps while decoding, the budget
// across messages, and the content type.
func TestDecodeLimits(t *testing.T) {
	body := `{"model":"m","max_tokens":5,"messages":[{"role":"user","content":"` + strings.Repeat("x", 200) + `"}]}`
	r := httptest.NewRequest("POST", "/", strings.NewReader(body))
	_, err := DecodeMessagesRequest(r, Limits{MaxBodyBytes: 100})
	var ae *APIError
	if !errors.As(err, &ae) || ae.Status != 413 || ae.Type != TypeRequestTooLarge {
		t.Fatalf("over the limit: %v", err)
	}
	// A body cut by http.MaxBytesReader is as large.
	rec := httptest.NewRecorder()
	r = httptest.NewRequest("POST", "/", strings.NewReader(body))
	r.Body = http.MaxBytesReader(rec, r.Body, 100)
	if _, err := DecodeMessagesRequest(r, Limits{}); !errors.As(err, &ae) || ae.Status != 413 {
		t.Fatalf("MaxBytesReader: %v", err)
	}
	r = httptest.NewRequest("POST", "/", strings.NewReader(body))
	if _, err := DecodeMessagesRequest(r, Limits{MaxBodyBytes: int64(len(body))}); err != nil {
		t.Fatalf("exactly at the limit: %v", err)
	}
	r = httptest.NewRequest("POST", "/", strings.NewReader(body))
	r.Header.Set("Content-Type", "text/plain")
	if _, err := DecodeMessagesRequest(r, Limits{}); !errors.As(err, &ae) || ae.Status != 400 {
		t.Fatalf("content type: %v", err)
	}

	for _, tt := range []struct {
		name, body, param string
	}{
		{"messages", `{"messages":[` + strings.Repeat(`{},`, maxMessages) + `{}]}`, "messages"},
		{"blocks in a message", `{"messages":[{"role":"user","content":[` + strings.Repeat(`{},`, maxBlocksIn) + `{}]}]}`, "messages.0.content"},
		{"blocks in a tool result", `{"messages":[{"role":"user","content":[{"type":"tool_result","content":[` + strings.Repeat(`{},`, maxBlocksIn) + `{}]}]}]}`, "messages.0.content.0.content"},
		{"system blocks", `{"system":[` + strings.Repeat(`{},`, maxBlocksIn) + `{}]}`, "system"},
		{"tools", `{"tools":[` + strings.Repeat(`{},`, maxTools) + `{}]}`, "tools"},
		{"blocks in all messages", `{"messages":[` + strings.Repeat(`{"content":[`+strings.Repeat(`{},`, maxBlocksIn-1)+`{}]},`, maxItems/maxBlocksIn) + `{"content":[{}]}]}`, "messages"},
	} {
		_, err := decode(tt.body)
		if !errors.As(err, &ae) || ae.Status != 400 || ae.Param != tt.param || !strings.Contains(ae.Message, "too many") {
			t.Errorf("%s: %v", tt.name, err)
		}
	}
}

// TestDecodeMemoryFollowsCaps: a body of empty objects far past a cap is
// refused at the cap, without decoding the rest.
func TestDecodeMemoryFollowsCaps(t *testing.T) {
	body := []byte(`{"messages":[` + strings.Repeat(`{},`, 2_000_000) + `{}]}`)
	allocs := testing.AllocsPerRun(1, func() {
		r := httptest.NewRequest("POST", "/", bytes.NewReader(body))
		if _, err := DecodeMessagesRequest(r, Limits{}); err == nil {
			t.Fatal("accepted")
		}
	})
	if allocs > 100_000 {
		t.Fatalf("%v allocations for a refused body", allocs)
	}
}
