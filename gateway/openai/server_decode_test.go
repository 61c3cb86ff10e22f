package openai

import (
	"errors"
	"io"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/quirehq/quire/gateway"
)

func decode(t *testing.T, body string) (*gateway.ChatRequest, *ChatExtras, error) {
	t.Helper()
	return DecodeChatRequest(strings.NewReader(body), 1<<20)
}

func TestDecodeChatRequestFull(t *testing.T) {
	body := `{
	  "model": "gpt-4o-mini",
	  "messages": [
	    {"role": "developer", "content": "Be brief."},
	    {"role": "system", "content": [{"type": "text", "text": "Use British spelling."}], "name": "sys"},
	    {"role": "user", "name": "Ana", "content": [
	      {"type": "text", "text": "What is in this image?"},
	      {"type": "image_url", "image_url": {"url": "data:image/png;base64,iVBORw0KGgo=", "detail": "high"}},
	      {"type": "image_url", "image_url": {"url": "https://example.com/cat.jpg"}}
	    ]},
	    {"role": "assistant", "content": null, "refusal": null, "tool_calls": [
	      {"id": "call_1", "type": "function", "function": {"name": "lookup", "arguments": "{\"q\":\"cat\"}"}}
	    ]},
	    {"role": "tool", "tool_call_id": "call_1", "content": "A tabby."},
	    {"role": "assistant", "content": [{"type": "text", "text": "A cat."}, {"type": "refusal", "refusal": " No more."}]}
	  ],
	  "tools": [{"type": "function", "function": {"name": "lookup", "description": "Look up", "parameters": {"type": "object"}, "strict": true}}],
	  "tool_choice": {"type": "function", "function": {"name": "lookup"}},
	  "parallel_tool_calls": false,
	  "temperature": 0.5, "top_p": 0.9, "frequency_penalty": 0.1, "presence_penalty": -0.1,
	  "max_tokens": 50, "max_completion_tokens": 60,
	  "stop": ["END", "STOP"], "seed": 42, "n": 1, "reasoning_effort": "low",
	  "response_format": {"type": "json_schema", "json_schema": {"name": "answer", "schema": {"type": "object"}, "strict": true}},
	  "stream": true, "stream_options": {"include_usage": true},
	  "store": true, "metadata": {"k": "v"}, "user": "user-123", "previous_response_id": "resp_1",
	  "logprobs": true, "some_future_field": {"nested": [1, 2, 3]}, "bad key!": 1
	}`
	req, x, err := decode(t, body)
	if err != nil {
		t.Fatal(err)
	}
	f := func(v float64) *float64 { return &v }
	seed, no := int64(42), false
	want := &gateway.ChatRequest{
		Model: "gpt-4o-mini",
		Messages: []gateway.Message{
			gateway.TextMessage(gateway.RoleSystem, "Be brief."),
			gateway.TextMessage(gateway.RoleSystem, "Use British spelling."),
			{Role: gateway.RoleUser, Parts: []gateway.Part{
				{Type: gateway.PartText, Text: "What is in this image?"},
				{Type: gateway.PartImage, Image: gateway.Image{Data: "iVBORw0KGgo=", MediaType: "image/png", Detail: "high"}},
				{Type: gateway.PartImage, Image: gateway.Image{URL: "https://example.com/cat.jpg"}},
			}},
			{Role: gateway.RoleAssistant, ToolCalls: []gateway.ToolCall{{ID: "call_1", Name: "lookup", Arguments: `{"q":"cat"}`}}},
			{Role: gateway.RoleTool, ToolCallID: "call_1", Parts: []gateway.Part{{Type: gateway.PartText, Text: "A tabby."}}},
			{Role: gateway.RoleAssistant, Parts: []gateway.Part{{Type: gateway.PartText, Text: "A cat."}, {Type: gateway.PartText, Text: " No more."}}},
		},
		Tools:             []gateway.Tool{{Name: "lookup", Description: "Look up", Parameters: []byte(`{"type": "object"}`), Strict: true}},
		ToolChoice:        gateway.ToolChoice{Mode: gateway.ToolChoiceTool, Name: "lookup"},
		ParallelToolCalls: &no,
		Temperature:       f(0.5), TopP: f(0.9), FrequencyPenalty: f(0.1), PresencePenalty: f(-0.1),
		MaxTokens: 60, Stop: []string{"END", "STOP"}, Seed: &seed, ReasoningEffort: "low",
		ResponseFormat: gateway.ResponseFormat{Type: gateway.FormatJSONSchema, Name: "answer", Schema: []byte(`{"type": "object"}`), Strict: true},
		Stream:         true, IncludeUsage: true,
	}
	if !reflect.DeepEqual(req, want) {
		t.Fatalf("got  %+v\nwant %+v", req, want)
	}
	wantDropped := []string{"store", "metadata", "user", "previous_response_id", "logprobs", "some_future_field"}
	if !reflect.DeepEqual(x.Dropped, wantDropped) || x.Unnamed != 1 {
		t.Fatalf("dropped %v (+%d)", x.Dropped, x.Unnamed)
	}
}

func TestDecodeChatRequestForms(t *testing.T) {
	req, _, err := decode(t, `{"model":"m","messages":[{"role":"user","content":"hi"}],"stop":"X","tool_choice":"required","response_format":{"type":"json_object"},"temperature":null}`)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(req.Stop, []string{"X"}) || req.ToolChoice.Mode != gateway.ToolChoiceRequired ||
		req.ResponseFormat.Type != gateway.FormatJSONObject || req.Temperature != nil || req.Stream {
		t.Fatalf("got %+v", req)
	}
}

func TestDecodeChatRequestInvalid(t *testing.T) {
	const ok = `"model":"m","messages":[{"role":"user","content":"hi"}]`
	tests := []struct {
		name, body  string
		status      int
		code, param string
	}{
		{"not json", `{"model":`, 400, "invalid_json", ""},
		{"not an object", `[1,2]`, 400, "invalid_json", ""},
		{"trailing data", `{` + ok + `} {}`, 400, "invalid_json", ""},
		{"empty", ``, 400, "invalid_json", ""},
		{"no model", `{"messages":[{"role":"user","content":"hi"}]}`, 400, "missing_required_parameter", "model"},
		{"model not string", `{"model":5,"messages":[]}`, 400, "invalid_type", "model"},
		{"model control char", `{"model":"a\u0000b","messages":[{"role":"user","content":"hi"}]}`, 400, "invalid_value", "model"},
		{"no messages", `{"model":"m"}`, 400, "missing_required_parameter", "messages"},
		{"empty messages", `{"model":"m","messages":[]}`, 400, "invalid_value", "messages"},
		{"duplicate key", `{` + ok + `,"model":"other"}`, 400, "duplicate_parameter", "model"},
		{"bad role", `{"model":"m","messages":[{"role":"wizard","content":"x"}]}`, 400, "invalid_value", "messages[0].role"},
		{"function role", `{"model":"m","messages":[{"role":"function","name":"f","content":"x"}]}`, 400, "invalid_value", "messages[0].role"},
		{"no role", `{"model":"m","messages":[{"content":"x"}]}`, 400, "missing_required_parameter", "messages[0].role"},
		{"user no content", `{"model":"m","messages":[{"role":"user"}]}`, 400, "missing_required_parameter", "messages[0].content"},
		{"role object", `{"model":"m","messages":[{"role":"user","content":"x"},{"role":{}}]}`, 400, "invalid_type", "messages[1].role"},
		{"nested part type", `{"model":"m","messages":[{"role":"user","content":[{"type":"text","text":5}]}]}`, 400, "invalid_type", "messages[0].content"},
		{"content number", `{"model":"m","messages":[{"role":"user","content":5}]}`, 400, "invalid_type", "messages[0].content"},
		{"audio part", `{"model":"m","messages":[{"role":"user","content":[{"type":"input_audio","input_audio":{"data":"x","format":"wav"}}]}]}`, 400, "unsupported_content_type", "messages[0].content[0].type"},
		{"image in system", `{"model":"m","messages":[{"role":"system","content":[{"type":"image_url","image_url":{"url":"https://x.example/a.png"}}]}]}`, 400, "unsupported_content_type", "messages[0].content[0].type"},
		{"http image", `{"model":"m","messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"http://x.example/a.png"}}]}]}`, 400, "invalid_value", "messages[0].content[0].image_url.url"},
		{"svg data image", `{"model":"m","messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"data:image/svg+xml;base64,PHN2Zz4="}}]}]}`, 400, "invalid_value", "messages[0].content[0].image_url.url"},
		{"bad base64", `{"model":"m","messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"data:image/png;base64,@@@@"}}]}]}`, 400, "invalid_value", "messages[0].content[0].image_url.url"},
		{"bad detail", `{"model":"m","messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"https://x.example/a.png","detail":"ultra"}}]}]}`, 400, "invalid_value", "messages[0].content[0].image_url.detail"},
		{"text part no text", `{"model":"m","messages":[{"role":"user","content":[{"type":"text"}]}]}`, 400, "missing_required_parameter", "messages[0].content[0].text"},
		{"empty assistant", `{"model":"m","messages":[{"role":"assistant","content":null}]}`, 400, "missing_required_parameter", "messages[0].content"},
		{"tool no id", `{"model":"m","messages":[{"role":"tool","content":"x"}]}`, 400, "missing_required_parameter", "messages[0].tool_call_id"},
		{"user tool calls", `{"model":"m","messages":[{"role":"user","content":"x","tool_calls":[{"id":"c","type":"function","function":{"name":"f","arguments":"{}"}}]}]}`, 400, "unsupported_parameter", "messages[0].tool_calls"},
		{"tool call bad name", `{"model":"m","messages":[{"role":"assistant","tool_calls":[{"id":"c","type":"function","function":{"name":"f g","arguments":"{}"}}]}]}`, 400, "invalid_value", "messages[0].tool_calls[0].function.name"},
		{"custom tool call", `{"model":"m","messages":[{"role":"assistant","tool_calls":[{"id":"c","type":"custom","custom":{"name":"f","input":"x"}}]}]}`, 400, "unsupported_tool_type", "messages[0].tool_calls[0].type"},
		{"custom tool", `{` + ok + `,"tools":[{"type":"custom","custom":{"name":"x"}}]}`, 400, "unsupported_tool_type", "tools[0].type"},
		{"tool bad name", `{` + ok + `,"tools":[{"type":"function","function":{"name":""}}]}`, 400, "invalid_value", "tools[0].function.name"},
		{"tool params array", `{` + ok + `,"tools":[{"type":"function","function":{"name":"f","parameters":[]}}]}`, 400, "invalid_value", "tools[0].function.parameters"},
		{"tool choice bad", `{` + ok + `,"tool_choice":"sometimes"}`, 400, "invalid_value", "tool_choice"},
		{"temperature high", `{` + ok + `,"temperature":2.5}`, 400, "invalid_value", "temperature"},
		{"temperature string", `{` + ok + `,"temperature":"hot"}`, 400, "invalid_type", "temperature"},
		{"top_p negative", `{` + ok + `,"top_p":-0.1}`, 400, "invalid_value", "top_p"},
		{"max tokens zero", `{` + ok + `,"max_tokens":0}`, 400, "invalid_value", "max_tokens"},
		{"max tokens fraction", `{` + ok + `,"max_completion_tokens":1.5}`, 400, "invalid_type", "max_completion_tokens"},
		{"n two", `{` + ok + `,"n":2}`, 400, "unsupported_value", "n"},
		{"five stops", `{` + ok + `,"stop":["a","b","c","d","e"]}`, 400, "invalid_value", "stop"},
		{"stop number", `{` + ok + `,"stop":5}`, 400, "invalid_value", "stop"},
		{"format unknown", `{` + ok + `,"response_format":{"type":"yaml"}}`, 400, "invalid_value", "response_format.type"},
		{"schema missing", `{` + ok + `,"response_format":{"type":"json_schema"}}`, 400, "missing_required_parameter", "response_format.json_schema"},
		{"schema bad name", `{` + ok + `,"response_format":{"type":"json_schema","json_schema":{"name":"a b","schema":{}}}}`, 400, "invalid_value", "response_format.json_schema.name"},
		{"stream options without stream", `{` + ok + `,"stream_options":{"include_usage":true}}`, 400, "invalid_value", "stream_options"},
		{"effort injection", `{` + ok + `,"reasoning_effort":"high\"}"}`, 400, "invalid_value", "reasoning_effort"},
		{"messages number", `{"model":"m","messages":5}`, 400, "invalid_type", "messages"},
		{"messages huge number", `{"model":"m","messages":1e400}`, 400, "invalid_type", "messages"},
		{"messages object", `{"model":"m","messages":{"role":"user"}}`, 400, "invalid_type", "messages"},
		{"too many messages", `{"model":"m","messages":[` + list(`{"role":"user","content":"x"}`, maxMessages+1) + `]}`, 400, "invalid_value", "messages"},
		{"too many parts", `{"model":"m","messages":[{"role":"user","content":[` + list(`{"type":"text","text":"x"}`, maxParts+1) + `]}]}`, 400, "invalid_value", "messages[0].content"},
		{"too many tool calls", `{"model":"m","messages":[{"role":"user","content":"x"},{"role":"assistant","tool_calls":[` + list(`{}`, 129) + `]}]}`, 400, "invalid_value", "messages[1].tool_calls"},
		{"duplicate content", `{"model":"m","messages":[{"role":"user","content":"x","content":"y"}]}`, 400, "duplicate_parameter", "messages[0].content"},
		{"duplicate tool calls", `{"model":"m","messages":[{"role":"assistant","tool_calls":[],"tool_calls":[]}]}`, 400, "duplicate_parameter", "messages[0].tool_calls"},
		{"tool calls not array", `{"model":"m","messages":[{"role":"assistant","tool_calls":{}}]}`, 400, "invalid_type", "messages[0].tool_calls"},
		{"tool call id number", `{"model":"m","messages":[{"role":"assistant","tool_calls":[{"id":"a","type":"function","function":{"name":"f"}},{"id":5}]}]}`, 400, "invalid_type", "messages[0].tool_calls[1].id"},
		{"tool call function name number", `{"model":"m","messages":[{"role":"assistant","tool_calls":[{"id":"a","type":"function","function":{"name":5}}]}]}`, 400, "invalid_type", "messages[0].tool_calls[0].function.name"},
		{"too many tools", `{` + ok + `,"tools":[` + list(`{"type":"function","function":{"name":"f"}}`, maxTools+1) + `]}`, 400, "invalid_value", "tools"},
		{"tool not object", `{` + ok + `,"tools":[5]}`, 400, "invalid_type", "tools[0]"},
		{"tool params too deep", `{` + ok + `,"tools":[{"type":"function","function":{"name":"f","parameters":{"a":` + strings.Repeat("[", 70) + strings.Repeat("]", 70) + `}}}]}`, 400, "invalid_value", "tools[0].function.parameters"},
		{"tool params too large", `{` + ok + `,"tools":[{"type":"function","function":{"name":"f","parameters":{"description":"` + strings.Repeat("x", gateway.MaxSchemaBytes) + `"}}}]}`, 400, "invalid_value", "tools[0].function.parameters"},
		{"schema too deep", `{` + ok + `,"response_format":{"type":"json_schema","json_schema":{"name":"n","schema":{"a":` + strings.Repeat("[", 70) + strings.Repeat("]", 70) + `}}}}`, 400, "invalid_value", "response_format.json_schema.schema"},
		{"empty stop in list", `{` + ok + `,"stop":["a",""]}`, 400, "invalid_value", "stop"},
		{"stop list of numbers", `{` + ok + `,"stop":[1]}`, 400, "invalid_value", "stop"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := decode(t, tt.body)
			var ae *APIError
			if !errors.As(err, &ae) {
				t.Fatalf("got %v (%T), want *APIError", err, err)
			}
			if ae.Status != tt.status || ae.Code != tt.code || ae.Param != tt.param || ae.Type != TypeInvalidRequest {
				t.Fatalf("got %+v, want %d %s %s", ae, tt.status, tt.code, tt.param)
			}
		})
	}
}

// list is n copies of item, comma-separated.
func list(item string, n int) string {
	return strings.TrimSuffix(strings.Repeat(item+",", n), ",")
}

// TestDecodeAtTheCaps: arrays exactly at their caps are accepted.
func TestDecodeAtTheCaps(t *testing.T) {
	const user = `{"role":"user","content":"x"}`
	for name, body := range map[string]string{
		"messages": `{"model":"m","messages":[` + list(user, maxMessages) + `]}`,
		"parts":    `{"model":"m","messages":[{"role":"user","content":[` + list(`{"type":"text","text":"x"}`, maxParts) + `]}]}`,
		"tools":    `{"model":"m","messages":[` + user + `],"tools":[` + list(`{"type":"function","function":{"name":"f"}}`, maxTools) + `]}`,
		"stop":     `{"model":"m","messages":[` + user + `],"stop":["a","b","c","d"]}`,
	} {
		if _, _, err := decode(t, body); err != nil {
			t.Errorf("%s at the cap: %v", name, err)
		}
	}
}

func TestDecodeErrorsDoNotQuoteContent(t *testing.T) {
	for _, body := range []string{
		`{"model":"m","messages":[{"role":"CANARY","content":"x"}]}`,
		`{"model":"m","messages":[{"role":"user","content":[{"type":"CANARY"}]}]}`,
		`{"model":"m","messages":[{"role":"user","content":"CANARY"}],"temperature":"CANARY"}`,
		`{"model":"m","messages":[{"role":"user","content":"CANARY"}],"tool_choice":"CANARY"}`,
		`{"model":"m","messages":[{"role":"user","content":"CANARY`,
		`{"model":"m","CANARY":[}`,
	} {
		_, _, err := decode(t, body)
		if err == nil || strings.Contains(err.Error(), "CANARY") {
			t.Errorf("%s: error %v", body, err)
		}
	}
}

func TestDecodeLimit(t *testing.T) {
	body := `{"model":"m","messages":[{"role":"user","content":"` + strings.Repeat("x", 1000) + `"}]}`
	if _, _, err := DecodeChatRequest(strings.NewReader(body), int64(len(body))); err != nil {
		t.Fatalf("body at the limit: %v", err)
	}
	for _, limit := range []int64{int64(len(body)) - 1, 50} {
		_, _, err := DecodeChatRequest(strings.NewReader(body), limit)
		var ae *APIError
		if !errors.As(err, &ae) || ae.Status != http.StatusRequestEntityTooLarge {
			t.Fatalf("limit %d: got %v", limit, err)
		}
	}
	// A limit applied by the HTTP layer (http.MaxBytesReader) is reported
	// the same way.
	rec := struct{ http.ResponseWriter }{}
	mb := http.MaxBytesReader(rec, io.NopCloser(strings.NewReader(body)), 50)
	_, _, err := DecodeChatRequest(mb, 0)
	var ae *APIError
	if !errors.As(err, &ae) || ae.Status != http.StatusRequestEntityTooLarge {
		t.Fatalf("MaxBytesReader: got %v", err)
	}
	// A read error from the client is not a 400.
	_, _, err = DecodeChatRequest(iotest.ErrReader(io.ErrClosedPipe), 0)
	if !errors.Is(err, io.ErrClosedPipe) {
		t.Fatalf("read error: got %v", err)
	}
}

func TestDecodeManyUnknownFieldsBounded(t *testing.T) {
	var b strings.Builder
	b.WriteString(`{"model":"m","messages":[{"role":"user","content":"x"}]`)
	for i := range 100 {
		b.WriteString(`,"f` + strings.Repeat("x", i%5) + string(rune('a'+i%26)) + `_` + string(rune('a'+i/26)) + `":1`)
	}
	b.WriteString("}")
	_, x, err := decode(t, b.String())
	if err != nil {
		t.Fatal(err)
	}
	if len(x.Dropped) != maxDropped || x.Unnamed != 100-maxDropped {
		t.Fatalf("dropped %d named, %d unnamed", len(x.Dropped), x.Unnamed)
	}
}
