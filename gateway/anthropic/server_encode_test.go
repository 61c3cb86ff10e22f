package anthropic

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/quirehq/quire/gateway"
)

func TestWriteMessage(t *testing.T) {
	rec := httptest.NewRecorder()
	resp := &gateway.ChatResponse{
		ID: "msg_01Upstream", Model: "claude-sonnet-4-5-20250929",
		Message: gateway.Message{Role: gateway.RoleAssistant, Parts: []gateway.Part{{Type: gateway.PartText, Text: "Hi \"there\"\n"}},
			ToolCalls: []gateway.ToolCall{{ID: "call_1", Name: "f", Arguments: ` {"a": [1, 2]} `}, {ID: "toolu_x", Name: "g", Arguments: `{"cut":`}}},
		FinishReason: gateway.FinishToolCalls,
		Usage:        &gateway.Usage{InputTokens: 100, OutputTokens: 7, CachedInputTokens: 60},
	}
	if err := WriteMessage(rec, resp, "claude-sonnet-4-5"); err != nil {
		t.Fatal(err)
	}
	want := `{"id":"msg_01Upstream","type":"message","role":"assistant","model":"claude-sonnet-4-5","content":[` +
		`{"type":"text","text":"Hi \"there\"\n"},{"type":"tool_use","id":"call_1","name":"f","input":{"a":[1,2]}},` +
		`{"type":"tool_use","id":"toolu_x","name":"g","input":{}}],"stop_reason":"tool_use","stop_sequence":null,` +
		`"usage":{"input_tokens":40,"cache_creation_input_tokens":0,"cache_read_input_tokens":60,"output_tokens":7}}` + "\n"
	if rec.Code != 200 || rec.Body.String() != want || rec.Header().Get("Content-Type") != "application/json" {
		t.Fatalf("%d %s\nwant %s", rec.Code, rec.Body, want)
	}
}

var generatedMsgID = regexp.MustCompile(`^msg_01[0-9A-Za-z]{22}$`)

func TestWriteMessageShapes(t *testing.T) {
	for _, tt := range []struct {
		name   string
		resp   gateway.ChatResponse
		model  string
		checks func(t *testing.T, m map[string]any)
	}{
		{"openai ID, no usage, length", gateway.ChatResponse{ID: "chatcmpl-1", Model: "gpt-4o", FinishReason: gateway.FinishLength,
			Message: gateway.Message{Parts: []gateway.Part{{Type: gateway.PartText, Text: "x"}}}}, "", func(t *testing.T, m map[string]any) {
			if !generatedMsgID.MatchString(m["id"].(string)) || m["model"] != "gpt-4o" || m["stop_reason"] != "max_tokens" {
				t.Fatalf("%v", m)
			}
			if u := m["usage"].(map[string]any); u["input_tokens"] != 0.0 || u["output_tokens"] != 0.0 {
				t.Fatalf("usage %v", u)
			}
		}},
		{"empty answer", gateway.ChatResponse{ID: "msg_1", FinishReason: gateway.FinishStop}, "m", func(t *testing.T, m map[string]any) {
			if c := m["content"].([]any); len(c) != 0 || m["stop_reason"] != "end_turn" || m["id"] != "msg_1" {
				t.Fatalf("%v", m)
			}
		}},
		{"refusal, odd tool ID", gateway.ChatResponse{ID: "msg_bad id", FinishReason: gateway.FinishContentFilter,
			Message: gateway.Message{ToolCalls: []gateway.ToolCall{{ID: "call/1", Name: "f", Arguments: "[1]"}}}}, "m", func(t *testing.T, m map[string]any) {
			block := m["content"].([]any)[0].(map[string]any)
			if m["stop_reason"] != "refusal" || !generatedMsgID.MatchString(m["id"].(string)) ||
				!regexp.MustCompile(`^toolu_01[0-9A-Za-z]{22}$`).MatchString(block["id"].(string)) || len(block["input"].(map[string]any)) != 0 {
				t.Fatalf("%v", m)
			}
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			if err := WriteMessage(rec, &tt.resp, tt.model); err != nil || rec.Code != 200 {
				t.Fatalf("%d %v", rec.Code, err)
			}
			var m map[string]any
			if err := json.Unmarshal(rec.Body.Bytes(), &m); err != nil {
				t.Fatal(err)
			}
			tt.checks(t, m)
		})
	}
}

// TestWriteMessageFinishError: an answer that ended in error is a 5xx,
// and none of its content is sent.
func TestWriteMessageFinishError(t *testing.T) {
	rec := httptest.NewRecorder()
	resp := &gateway.ChatResponse{ID: "msg_1", FinishReason: gateway.FinishError, Message: gateway.Message{Parts: []gateway.Part{{Type: gateway.PartText, Text: "CANARY partial"}}}}
	if err := WriteMessage(rec, resp, "m"); err != nil {
		t.Fatal(err)
	}
	if rec.Code < 500 || strings.Contains(rec.Body.String(), "CANARY") || !strings.Contains(rec.Body.String(), `{"type":"error","error":{"type":"api_error"`) {
		t.Fatalf("%d %s", rec.Code, rec.Body)
	}
}

// sseLines returns the "event:" and "data:" lines written, one event per
// string ("event|data").
func sseEvents(body string) []string {
	var out []string
	for _, ev := range strings.Split(strings.TrimSuffix(body, "\n\n"), "\n\n") {
		name, data, _ := strings.Cut(ev, "\n")
		out = append(out, strings.TrimPrefix(name, "event: ")+"|"+strings.TrimPrefix(data, "data: "))
	}
	return out
}

func encodeAll(t *testing.T, events []gateway.Event, model string) (*httptest.ResponseRecorder, error) {
	t.Helper()
	rec := httptest.NewRecorder()
	enc := NewStreamEncoder(rec, model)
	for _, ev := range events {
		if err := enc.Encode(ev); err != nil {
			return rec, err
		}
	}
	return rec, enc.Close()
}

func TestStreamEncoderExact(t *testing.T) {
	rec, err := encodeAll(t, cannedEvents, "claude-sonnet-4-5")
	if err != nil {
		t.Fatal(err)
	}
	got := sseEvents(rec.Body.String())
	id := ""
	if len(got) > 0 {
		id = regexp.MustCompile(`"id":"(msg_01[0-9A-Za-z]{22})"`).FindStringSubmatch(got[0])[1]
	}
	want := []string{
		`message_start|{"type":"message_start","message":{"id":"` + id + `","type":"message","role":"assistant","model":"claude-sonnet-4-5","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":0,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"output_tokens":0}}}`,
		`content_block_start|{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}`,
		`content_block_delta|{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hel"}}`,
		`content_block_delta|{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"lo \"wörld\"\n"}}`,
		`content_block_stop|{"type":"content_block_stop","index":0}`,
		`content_block_start|{"type":"content_block_start","index":1,"content_block":{"type":"tool_use","id":"call_a","name":"lookup","input":{}}}`,
		`content_block_delta|{"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"{\"q\":"}}`,
		`content_block_delta|{"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"\"cat\"}"}}`,
		`content_block_stop|{"type":"content_block_stop","index":1}`,
		`content_block_start|{"type":"content_block_start","index":2,"content_block":{"type":"tool_use","id":"call_b","name":"open","input":{}}}`,
		`content_block_delta|{"type":"content_block_delta","index":2,"delta":{"type":"input_json_delta","partial_json":"{}"}}`,
		`content_block_stop|{"type":"content_block_stop","index":2}`,
		`message_delta|{"type":"message_delta","delta":{"stop_reason":"tool_use","stop_sequence":null},"usage":{"input_tokens":4,"cache_creation_input_tokens":0,"cache_read_input_tokens":3,"output_tokens":9}}`,
		`message_stop|{"type":"message_stop"}`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "text/event-stream") || !rec.Flushed {
		t.Fatalf("Content-Type %q, flushed %v", ct, rec.Flushed)
	}
}

// TestStreamEncoderBlocks covers the block rules on streams from other
// vendors: names in pieces, interleaved calls, calls with no arguments,
// text after calls, no start event, the upstream's message ID.
func TestStreamEncoderBlocks(t *testing.T) {
	tests := []struct {
		name   string
		events []gateway.Event
		want   []string // event|compact data, message_start and message_stop left out
	}{
		{"name in pieces, no start event", []gateway.Event{
			{Type: gateway.EventToolCallStart, Index: 0, ID: "c0", Name: "look"},
			{Type: gateway.EventToolCallStart, Index: 0, ID: "ignored", Name: "up"},
			{Type: gateway.EventToolCallDelta, Index: 0, Text: `{"a":1}`},
			{Type: gateway.EventToolCallStart, Index: 0, Name: "late"}, // the block is open: dropped
			{Type: gateway.EventFinish, Finish: gateway.FinishToolCalls},
		}, []string{
			`content_block_start|{"type":"content_block_start","index":0,"content_block":{"type":"tool_use","id":"c0","name":"lookup","input":{}}}`,
			`content_block_delta|{"type":"content_block_delta","index":0,"delta":{"type":"input_json_delta","partial_json":"{\"a\":1}"}}`,
			`content_block_stop|{"type":"content_block_stop","index":0}`,
			`message_delta|{"type":"message_delta","delta":{"stop_reason":"tool_use","stop_sequence":null},"usage":{"output_tokens":0}}`,
		}},
		{"interleaved", []gateway.Event{
			{Type: gateway.EventToolCallStart, Index: 0, ID: "c0", Name: "f"},
			{Type: gateway.EventToolCallDelta, Index: 0, Text: `{"a":`},
			{Type: gateway.EventToolCallStart, Index: 1, ID: "c1", Name: "g"},
			{Type: gateway.EventToolCallDelta, Index: 1, Text: `{}`},
			{Type: gateway.EventToolCallDelta, Index: 0, Text: `1}`},
			{Type: gateway.EventText, Text: "t"},
			{Type: gateway.EventToolCallDelta, Index: 0, Text: ` `}, // after its block closed: dropped
			{Type: gateway.EventFinish, Finish: gateway.FinishStop},
			{Type: gateway.EventUsage, Usage: gateway.Usage{InputTokens: 5, OutputTokens: 6}},
		}, []string{
			`content_block_start|{"type":"content_block_start","index":0,"content_block":{"type":"tool_use","id":"c0","name":"f","input":{}}}`,
			`content_block_delta|{"type":"content_block_delta","index":0,"delta":{"type":"input_json_delta","partial_json":"{\"a\":"}}`,
			`content_block_start|{"type":"content_block_start","index":1,"content_block":{"type":"tool_use","id":"c1","name":"g","input":{}}}`,
			`content_block_delta|{"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"{}"}}`,
			`content_block_delta|{"type":"content_block_delta","index":0,"delta":{"type":"input_json_delta","partial_json":"1}"}}`,
			`content_block_stop|{"type":"content_block_stop","index":0}`,
			`content_block_stop|{"type":"content_block_stop","index":1}`,
			`content_block_start|{"type":"content_block_start","index":2,"content_block":{"type":"text","text":""}}`,
			`content_block_delta|{"type":"content_block_delta","index":2,"delta":{"type":"text_delta","text":"t"}}`,
			`content_block_stop|{"type":"content_block_stop","index":2}`,
			`message_delta|{"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"input_tokens":5,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"output_tokens":6}}`,
		}},
		{"calls without arguments, then text", []gateway.Event{
			{Type: gateway.EventStart, ID: "msg_01Up", Model: "m"},
			{Type: gateway.EventToolCallStart, Index: 0, Name: "f"},
			{Type: gateway.EventToolCallStart, Index: 1, ID: "c1", Name: "g"},
			{Type: gateway.EventText, Index: 1, Text: "choice 1: dropped"},
			{Type: gateway.EventText, Text: "after"},
			{Type: gateway.EventCitations, Citations: []gateway.Citation{{URL: "https://example.com"}}},
			{Type: gateway.EventFinish, Finish: gateway.FinishToolCalls},
		}, []string{
			`content_block_start|{"type":"content_block_start","index":0,"content_block":{"type":"tool_use","id":"GENERATED","name":"f","input":{}}}`,
			`content_block_start|{"type":"content_block_start","index":1,"content_block":{"type":"tool_use","id":"c1","name":"g","input":{}}}`,
			`content_block_start|{"type":"content_block_start","index":2,"content_block":{"type":"text","text":""}}`,
			`content_block_delta|{"type":"content_block_delta","index":2,"delta":{"type":"text_delta","text":"after"}}`,
			`content_block_stop|{"type":"content_block_stop","index":0}`,
			`content_block_stop|{"type":"content_block_stop","index":1}`,
			`content_block_stop|{"type":"content_block_stop","index":2}`,
			`message_delta|{"type":"message_delta","delta":{"stop_reason":"tool_use","stop_sequence":null},"usage":{"output_tokens":0}}`,
		}},
	}
	toolu := regexp.MustCompile(`"id":"toolu_01[0-9A-Za-z]{22}"`)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec, err := encodeAll(t, tt.events, "")
			if err != nil {
				t.Fatal(err)
			}
			got := sseEvents(rec.Body.String())
			if len(got) < 2 || !strings.HasPrefix(got[0], "message_start|") || got[len(got)-1] != `message_stop|{"type":"message_stop"}` {
				t.Fatalf("frame: %q", got)
			}
			if tt.events[0].Type == gateway.EventStart && !strings.Contains(got[0], `"id":"msg_01Up","type":"message","role":"assistant","model":"m"`) {
				t.Fatalf("start: %s", got[0])
			}
			body := toolu.ReplaceAllString(strings.Join(got[1:len(got)-1], "\n"), `"id":"GENERATED"`)
			if body != strings.Join(tt.want, "\n") {
				t.Fatalf("got\n%s\nwant\n%s", body, strings.Join(tt.want, "\n"))
			}
		})
	}
}

func TestStreamEncoderFailures(t *testing.T) {
	t.Run("before anything was written", func(t *testing.T) {
		rec := httptest.NewRecorder()
		enc := NewStreamEncoder(rec, "m")
		if err := enc.Fail(gateway.NewStatusError("up", 429, http.Header{"Retry-After": {"3"}}, "", "", "")); err != nil {
			t.Fatal(err)
		}
		if rec.Code != 429 || rec.Header().Get("Retry-After") != "3" || rec.Header().Get("Retry-After-Ms") != "3000" ||
			rec.Body.String() != `{"type":"error","error":{"type":"rate_limit_error","message":"The AI provider's rate limit was reached; retry later."}}`+"\n" {
			t.Fatalf("%d %v %s", rec.Code, rec.Header(), rec.Body)
		}
		if err := enc.Encode(gateway.Event{Type: gateway.EventText, Text: "x"}); !errors.Is(err, ErrStreamEnded) {
			t.Fatalf("Encode after Fail: %v", err)
		}
	})
	t.Run("mid-stream", func(t *testing.T) {
		rec := httptest.NewRecorder()
		enc := NewStreamEncoder(rec, "m")
		enc.Encode(gateway.Event{Type: gateway.EventText, Text: "partial"})
		enc.Fail(gateway.NewError("up", gateway.ClassStreamError, gateway.ErrStreamError))
		got := sseEvents(rec.Body.String())
		if last := got[len(got)-1]; last != `error|{"type":"error","error":{"type":"api_error","message":"The AI provider failed to answer."}}` || rec.Code != 200 {
			t.Fatalf("%q", got)
		}
		if enc.Close() != nil || strings.Contains(rec.Body.String(), "message_stop") {
			t.Fatalf("closed after failing: %s", rec.Body)
		}
	})
	t.Run("no finish reason", func(t *testing.T) {
		rec, err := encodeAll(t, []gateway.Event{{Type: gateway.EventStart}, {Type: gateway.EventText, Text: "x"}}, "m")
		got := sseEvents(rec.Body.String())
		if !errors.Is(err, ErrStreamEnded) || !strings.HasPrefix(got[len(got)-1], "error|") || strings.Contains(rec.Body.String(), "message_stop") {
			t.Fatalf("%v %q", err, got)
		}
		rec, err = encodeAll(t, nil, "m")
		if !errors.Is(err, ErrStreamEnded) || rec.Code != http.StatusBadGateway {
			t.Fatalf("empty stream: %v %d %s", err, rec.Code, rec.Body)
		}
	})
	t.Run("finish error", func(t *testing.T) {
		rec, err := encodeAll(t, []gateway.Event{{Type: gateway.EventText, Text: "x"}, {Type: gateway.EventFinish, Finish: gateway.FinishError}}, "m")
		got := sseEvents(rec.Body.String())
		if !errors.Is(err, ErrStreamEnded) || !strings.HasPrefix(got[len(got)-1], "error|") || strings.Contains(rec.Body.String(), "message_delta") {
			t.Fatalf("%v %q", err, got)
		}
	})
	t.Run("tool index out of bounds", func(t *testing.T) {
		rec, err := encodeAll(t, []gateway.Event{{Type: gateway.EventStart}, {Type: gateway.EventToolCallDelta, Index: gateway.MaxToolCalls, Text: "{}"}}, "m")
		got := sseEvents(rec.Body.String())
		if !errors.Is(err, ErrStreamEnded) || !strings.HasPrefix(got[len(got)-1], "error|") {
			t.Fatalf("%v %q", err, got)
		}
	})
}

func TestErrorFromProvider(t *testing.T) {
	for _, tt := range []struct {
		err     error
		status  int
		typ     string
		noRetry bool
	}{
		{invalid("model", "x"), 400, TypeInvalidRequest, false},
		{gateway.NewStatusError("up", 400, nil, "invalid_request_error", "", ""), 400, TypeInvalidRequest, false},
		{gateway.NewStatusError("up", 413, nil, "", "", ""), 413, TypeRequestTooLarge, false},
		{gateway.NewStatusError("up", 401, nil, "", "", ""), 502, TypeAPI, true},
		{gateway.NewStatusError("up", 403, nil, "", "", ""), 502, TypeAPI, true},
		{gateway.NewStatusError("up", 404, nil, "", "", ""), 404, TypeNotFound, false},
		{gateway.NewStatusError("up", 429, nil, "", "", ""), 429, TypeRateLimit, false},
		{gateway.NewStatusError("up", 500, nil, "", "", ""), 502, TypeAPI, false},
		{gateway.NewStatusError("up", 529, nil, "", "", ""), 529, TypeOverloaded, false},
		{gateway.NewError("up", gateway.ClassConfig, gateway.ErrRedirect), 502, TypeAPI, true},
		{gateway.NewError("up", gateway.ClassConnection, errors.New("dial")), 502, TypeAPI, false},
		{gateway.NewError("up", gateway.ClassTimeout, context.DeadlineExceeded), 504, TypeTimeout, false},
		{gateway.NewError("up", gateway.ClassCanceled, context.Canceled), 499, TypeAPI, true},
		{gateway.NewError("up", gateway.ClassBadResponse, gateway.ErrStreamTruncated), 502, TypeAPI, false},
		{gateway.NewError("up", gateway.ClassBadResponse, gateway.ErrInvalidJSON), 502, TypeAPI, true},
		{errors.New("CANARY"), 500, TypeAPI, false},
	} {
		ae := ErrorFromProvider(tt.err)
		if ae.Status != tt.status || ae.Type != tt.typ || ae.NoRetry != tt.noRetry || strings.Contains(ae.Message, "CANARY") {
			t.Errorf("%v: got %+v", tt.err, ae)
		}
	}
}
