package anthropic

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/anthropics/anthropic-sdk-go/v2"

	"github.com/quirehq/quire/gateway"
	"github.com/quirehq/quire/gateway/anthropic/anthropictest"
	"github.com/quirehq/quire/gateway/sse"
)

// goldenBody returns the body of a golden file.
func goldenBody(tb testing.TB, name string) []byte {
	tb.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", name+".http"))
	if err != nil {
		tb.Fatal(err)
	}
	g, err := anthropictest.ParseGolden(raw)
	if err != nil {
		tb.Fatal(err)
	}
	return g.Body
}

func FuzzStream(f *testing.F) {
	for _, name := range []string{"stream_text", "stream_tools", "stream_thinking", "stream_overloaded", "stream_truncated", "stream_invalid_json"} {
		f.Add(goldenBody(f, name))
	}
	f.Add([]byte("data: {\"type\":\"content_block_start\",\"index\":1023,\"content_block\":{\"type\":\"tool_use\",\"input\":{\"a\":[1]}}}\n\ndata: {\"type\":\"message_stop\"}\n\n"))
	f.Add([]byte("event: error\ndata: {}\n\n"))
	f.Add([]byte("data: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"refusal\"},\"usage\":{\"output_tokens\":-5,\"input_tokens\":3}}\n\ndata: {\"type\":\"message_stop\"}\n\n"))
	p := &Provider{name: "fuzz", idle: time.Hour}
	f.Fuzz(func(t *testing.T, body []byte) {
		evs, err := readStream(nopStream(p, body))
		if len(evs) > 4*len(body)+1 {
			t.Fatalf("%d events from %d bytes", len(evs), len(body))
		}
		finished, usage, calls := false, 0, 0
		for i, ev := range evs {
			switch ev.Type {
			case gateway.EventStart:
				if i != 0 {
					t.Fatalf("start event at %d", i)
				}
			case gateway.EventToolCallStart:
				if ev.Index != calls {
					t.Fatalf("tool call %d numbered %d", calls, ev.Index)
				}
				calls++
			case gateway.EventToolCallDelta:
				if ev.Index < 0 || ev.Index >= calls || ev.Text == "" {
					t.Fatalf("tool delta %+v with %d calls", ev, calls)
				}
			case gateway.EventText:
				if ev.Text == "" {
					t.Fatal("empty text event")
				}
			case gateway.EventFinish:
				if finished {
					t.Fatal("two finish events")
				}
				finished = true
			case gateway.EventUsage:
				usage++
				u := ev.Usage
				if !finished || usage > 1 || u.InputTokens < 0 || u.OutputTokens < 0 || u.CachedInputTokens > u.InputTokens || u.ReasoningTokens > u.OutputTokens {
					t.Fatalf("usage %+v (finished %v, #%d)", u, finished, usage)
				}
			}
			if i > 0 && ev.Type == gateway.EventStart || (finished && ev.Type != gateway.EventFinish && ev.Type != gateway.EventUsage) {
				t.Fatalf("event %+v out of order at %d", ev, i)
			}
		}
		if err == nil && !finished {
			t.Fatal("a stream without a finish reason ended cleanly")
		}
		if err != nil {
			if _, ok := gateway.AsProviderError(err); !ok {
				t.Fatalf("error %v (%T) is not a ProviderError", err, err)
			}
		}
	})
}

// FuzzMessageResponse reads arbitrary upstream answers: whatever
// canonical accepts must survive WriteMessage to an Anthropic client.
func FuzzMessageResponse(f *testing.F) {
	for _, name := range []string{"messages_text", "messages_tools", "messages_thinking", "messages_refusal"} {
		f.Add(goldenBody(f, name))
	}
	f.Add([]byte(`{"type":"message","content":[{"type":"tool_use","id":"a b","input":"not an object"}],"stop_reason":"pause_turn"}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		var w wireMessageResp
		if json.Unmarshal(body, &w) != nil {
			return
		}
		resp, ok := w.canonical()
		if !ok {
			return
		}
		switch resp.FinishReason {
		case gateway.FinishStop, gateway.FinishLength, gateway.FinishToolCalls, gateway.FinishContentFilter:
		default:
			t.Fatalf("finish reason %q", resp.FinishReason)
		}
		rec := httptest.NewRecorder()
		if err := WriteMessage(rec, resp, ""); err != nil || rec.Code != 200 {
			t.Fatalf("WriteMessage: %d, %v", rec.Code, err)
		}
		var msg anthropic.Message
		if err := json.Unmarshal(rec.Body.Bytes(), &msg); err != nil || !json.Valid(rec.Body.Bytes()) {
			t.Fatalf("written %s: %v", rec.Body, err)
		}
		text, calls := "", 0
		for _, b := range msg.Content {
			switch b.Type {
			case "text":
				text += b.Text
			case "tool_use":
				calls++
				if !json.Valid(b.Input) || b.Input[0] != '{' {
					t.Fatalf("tool input %s", b.Input)
				}
			}
		}
		if text != strings.ToValidUTF8(resp.Message.Text(), "\uFFFD") || calls != len(resp.Message.ToolCalls) {
			t.Fatalf("round trip: %s\nfrom %+v", rec.Body, resp)
		}
	})
}

var paramRE = regexp.MustCompile(`^([a-z_]+(\.[0-9]+|\.[a-z_]+)*)?$`)

// upstreamShape is the allowlist of the upstream request, nested: each
// member an object (or every object of an array) may have.
var upstreamShape = shape{
	"model": leaf, "max_tokens": leaf, "stream": leaf, "temperature": leaf, "top_p": leaf, "stop_sequences": leaf,
	"system": shape{"type": leaf, "text": leaf},
	"messages": shape{
		"role": leaf,
		"content": shape{
			"type": leaf, "text": leaf, "id": leaf, "name": leaf, "input": free, "tool_use_id": leaf,
			"source":  shape{"type": leaf, "media_type": leaf, "data": leaf, "url": leaf},
			"content": shape{"type": leaf, "text": leaf, "source": shape{"type": leaf, "media_type": leaf, "data": leaf, "url": leaf}},
		},
	},
	"tools":         shape{"name": leaf, "description": leaf, "input_schema": schema, "strict": leaf},
	"tool_choice":   shape{"type": leaf, "name": leaf, "disable_parallel_tool_use": leaf},
	"output_config": shape{"effort": leaf, "format": shape{"type": leaf, "schema": schema}},
}

// shape is an allowlist of object members; leaf is a value with no object
// inside; schema is a JSON Schema forwarded verbatim, checked for its
// bounds; free is a tool call's input (the model's own output replayed).
type shape map[string]any

var leaf, schema, free = new(int), new(int), new(int)

// checkShape fails t if v holds a member that s does not allow.
func checkShape(t *testing.T, path string, v any, s any) {
	switch s := s.(type) {
	case shape:
		switch v := v.(type) {
		case map[string]any:
			for k, child := range v {
				allowed, ok := s[k]
				if !ok {
					t.Fatalf("%s.%s would be sent upstream", path, k)
				}
				checkShape(t, path+"."+k, child, allowed)
			}
		case []any:
			for i, child := range v {
				checkShape(t, path+"["+strconv.Itoa(i)+"]", child, s)
			}
		}
	default:
		switch s {
		case schema:
			raw, _ := json.Marshal(v)
			if err := gateway.CheckSchema(raw); err != nil {
				t.Fatalf("%s: %v", path, err)
			}
			return
		case free:
			return
		}
		switch v := v.(type) {
		case map[string]any:
			t.Fatalf("%s: an object where a plain value belongs", path)
		case []any:
			for i, child := range v {
				checkShape(t, path+"["+strconv.Itoa(i)+"]", child, leaf)
			}
		}
	}
}

// countRoles counts tool calls and tool results.
func countRoles(msgs []gateway.Message) (calls, results int) {
	for _, m := range msgs {
		calls += len(m.ToolCalls)
		if m.Role == gateway.RoleTool {
			results++
		}
	}
	return calls, results
}

func FuzzDecodeMessagesRequest(f *testing.F) {
	for _, s := range []string{
		`{"model":"m","max_tokens":5,"messages":[{"role":"user","content":"hi"}]}`,
		`{"model":"m","max_tokens":5,"stream":true,"system":[{"type":"text","text":"a"},{"type":"text","text":"b","cache_control":{"type":"ephemeral"}}],"messages":[{"role":"user","content":[{"type":"image","source":{"type":"base64","media_type":"image/png","data":"AAAA"}}]}]}`,
		`{"model":"m","max_tokens":5,"messages":[{"role":"assistant","content":[{"type":"thinking","thinking":"t","signature":"s"},{"type":"tool_use","id":"c:1","name":"f","input":{"a":[1,{"b":null}]}}]},{"role":"user","content":[{"type":"text","text":"first"},{"type":"tool_result","tool_use_id":"c:1","content":[{"type":"text","text":"r"}],"is_error":true}]}],"tools":[{"name":"f","input_schema":{"type":"object"}}],"tool_choice":{"type":"tool","name":"f","disable_parallel_tool_use":true}}`,
		`{"model":"m","max_tokens":5,"messages":[{"role":"user","content":"x"}],"output_config":{"effort":"low","format":{"type":"json_schema","schema":{"type":"object"}}},"metadata":{"user_id":"u"},"top_k":3,"temperature":1,"top_p":0.5,"stop_sequences":["a"]}`,
		// Unknown keys at every level: none may reach the upstream.
		`{"model":"m","max_tokens":5,"messages":[{"role":"user","name":"Ana","x":{"y":1},"content":[{"type":"text","text":"t","cache_control":{"type":"ephemeral"},"citations":[{"x":1}]},{"type":"image","source":{"type":"url","url":"https://a.example/i.png","x":1},"x":2},{"type":"tool_result","tool_use_id":"c","content":[{"type":"text","text":"r","x":1}],"x":1}]},{"role":"assistant","content":[{"type":"tool_use","id":"c","name":"f","input":{},"caller":{"type":"direct"}}]}],"tools":[{"name":"f","input_schema":{},"x":1,"input_examples":[{}]}],"tool_choice":{"type":"auto","x":1},"output_config":{"format":{"type":"json_schema","schema":{},"x":1},"x":2}}`,
		`{"model":"m","model":"m"}`, `[]`, `{"messages":`, `{"model":"\u0000"}`, "{\"model\":\"m\"}\n{}",
	} {
		f.Add([]byte(s))
	}
	p := &Provider{name: "fuzz", maxTokens: DefaultMaxTokens}
	f.Fuzz(func(t *testing.T, body []byte) {
		r := httptest.NewRequest("POST", "/anthropic/v1/messages", bytes.NewReader(body))
		req, err := DecodeMessagesRequest(r, Limits{MaxBodyBytes: 1 << 16})
		if err != nil {
			var ae *APIError
			if !errors.As(err, &ae) || (ae.Status != 400 && ae.Status != 413) || (ae.Type != TypeInvalidRequest && ae.Type != TypeRequestTooLarge) {
				t.Fatalf("error %v (%T) is not an Anthropic 400/413", err, err)
			}
			if !paramRE.MatchString(ae.Param) || ae.Param != "" && !strings.HasPrefix(ae.Message, ae.Param+": ") {
				t.Fatalf("param %q, message %q: not generated", ae.Param, ae.Message)
			}
			return
		}
		if req.Model == "" || req.MaxTokens < 1 || !req.IncludeUsage || !hasTurn(req.Messages) {
			t.Fatalf("accepted an invalid request: %+v", req)
		}
		// Whatever was accepted encodes to valid JSON with only
		// allowlisted members, at every depth.
		buf, err := p.messagesBody(req, req.Stream)
		if err != nil {
			t.Fatalf("accepted request does not encode: %v", err)
		}
		defer gateway.PutBuffer(buf)
		var top map[string]any
		if err := json.Unmarshal(buf.Bytes(), &top); err != nil {
			t.Fatalf("upstream body is not JSON: %v", err)
		}
		checkShape(t, "", top, upstreamShape)
		// What is sent upstream is itself a request the codec accepts,
		// and says the same (a tool choice without tools is not sent).
		again, err := DecodeMessagesRequest(httptest.NewRequest("POST", "/", bytes.NewReader(buf.Bytes())), Limits{})
		if err != nil {
			t.Fatalf("the upstream body is refused: %v\n%s", err, buf)
		}
		c1, r1 := countRoles(req.Messages)
		c2, r2 := countRoles(again.Messages)
		if again.Model != req.Model || again.MaxTokens != req.MaxTokens || again.Stream != req.Stream || c1 != c2 || r1 != r2 ||
			!reflect.DeepEqual(again.Stop, req.Stop) || !reflect.DeepEqual(again.Temperature, req.Temperature) ||
			len(req.Tools) > 0 && (again.ToolChoice != req.ToolChoice || !reflect.DeepEqual(again.ParallelToolCalls, req.ParallelToolCalls)) ||
			again.ReasoningEffort != req.ReasoningEffort || again.ResponseFormat.Type != req.ResponseFormat.Type || len(again.Tools) != len(req.Tools) {
			t.Fatalf("changed on the way:\n%+v\n%+v", req, again)
		}
	})
}

// fuzzEvents turns bytes into a sequence of gateway events: three bytes
// each (type, index, text).
func fuzzEvents(b []byte) []gateway.Event {
	texts := []string{"", "a", `{"x":`, `1}`, "{}", "\"q\"\n\u2028", "\xff", "}", "[", " "}
	ids := []string{"", "call_1", "toolu_01X", "bad id/\n", "msg_01Up"}
	var evs []gateway.Event
	for len(b) >= 3 {
		ev := gateway.Event{Type: gateway.EventType(b[0]%8 + 1), Index: int(int8(b[1])) % 6, Text: texts[int(b[2])%len(texts)]}
		switch ev.Type {
		case gateway.EventStart:
			ev.ID, ev.Model, ev.Text = ids[int(b[2])%len(ids)], "m\"odel", ""
		case gateway.EventToolCallStart:
			ev.ID, ev.Name, ev.Text = ids[int(b[1])%len(ids)], texts[int(b[2])%len(texts)], ""
		case gateway.EventFinish:
			ev.Finish = []gateway.FinishReason{gateway.FinishStop, gateway.FinishLength, gateway.FinishToolCalls, gateway.FinishContentFilter, gateway.FinishError, ""}[int(b[2])%6]
		case gateway.EventUsage:
			ev.Usage = gateway.Usage{InputTokens: int(b[1]), OutputTokens: int(b[2]), CachedInputTokens: int(b[2]) % 7}
		}
		evs = append(evs, ev)
		b = b[3:]
	}
	return evs
}

// FuzzStreamEncoder feeds random event sequences to the encoder: the
// output is always a valid event stream of JSON events named by their
// type, which the official SDK accumulates without error; a stream that
// closed cleanly ends with message_stop and carries all its text.
func FuzzStreamEncoder(f *testing.F) {
	f.Add([]byte{0, 0, 0, 1, 0, 1, 2, 0, 1, 3, 0, 2, 3, 0, 3, 4, 0, 0})
	f.Add([]byte{2, 1, 1, 3, 1, 2, 2, 0, 0, 3, 1, 3, 1, 0, 5, 4, 0, 2, 5, 3, 9})
	f.Add([]byte{3, 200, 4, 4, 0, 4})
	f.Fuzz(func(t *testing.T, b []byte) {
		evs := fuzzEvents(b)
		rec := httptest.NewRecorder()
		enc := NewStreamEncoder(rec, "")
		var text strings.Builder
		ended := false
		for _, ev := range evs {
			err := enc.Encode(ev)
			if errors.Is(err, ErrStreamEnded) {
				ended = true
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			if ev.Type == gateway.EventText && ev.Index == 0 {
				text.WriteString(ev.Text)
			}
		}
		closeErr := enc.Close()
		if !enc.Started() {
			if rec.Code < 400 || !json.Valid(rec.Body.Bytes()) {
				t.Fatalf("nothing streamed, yet %d %s", rec.Code, rec.Body)
			}
			return
		}
		r := sse.NewReader(bytes.NewReader(rec.Body.Bytes()), 0)
		var msg anthropic.Message
		last := ""
		for {
			ev, err := r.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			var head struct {
				Type string `json:"type"`
			}
			if !json.Valid(ev.Data) || json.Unmarshal(ev.Data, &head) != nil || head.Type != ev.Type || ev.Type == "" {
				t.Fatalf("event %q: %s", ev.Type, ev.Data)
			}
			last = ev.Type
			if ev.Type == "error" {
				continue
			}
			var u anthropic.MessageStreamEventUnion
			if err := json.Unmarshal(ev.Data, &u); err != nil {
				t.Fatalf("the SDK cannot read %s: %v", ev.Data, err)
			}
			if err := msg.Accumulate(u); err != nil {
				t.Fatalf("the SDK refuses %s: %v\n%s", ev.Data, err, rec.Body)
			}
		}
		if ended || closeErr != nil {
			if last != "error" {
				t.Fatalf("a failed stream ends with %q", last)
			}
			return
		}
		if last != "message_stop" {
			t.Fatalf("a complete stream ends with %q", last)
		}
		got := ""
		for _, blk := range msg.Content {
			if blk.Type == "text" {
				got += blk.Text
			}
		}
		if got != strings.ToValidUTF8(text.String(), "\uFFFD") {
			t.Fatalf("text %q, sent %q", got, text.String())
		}
	})
}
