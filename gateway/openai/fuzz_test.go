package openai

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/quirehq/quire/gateway"
	"github.com/quirehq/quire/gateway/openai/openaitest"
)

var paramRE = regexp.MustCompile(`^[a-z_]*(\[[0-9]+\]|\.[a-z_]+)*$`)

// shape is the allowlist of an upstream JSON object, nested: each member
// the object (or every object of an array) may have, and what its value
// may hold.
type shape map[string]any

// leaf is a value with no object inside (a scalar, or an array of them);
// schema is a JSON Schema forwarded verbatim, checked only for its bounds.
var leaf, schema = new(int), new(int)

var upstreamShape = shape{
	"model": leaf,
	"messages": shape{
		"role":         leaf,
		"tool_call_id": leaf,
		"content":      shape{"type": leaf, "text": leaf, "image_url": shape{"url": leaf, "detail": leaf}},
		"tool_calls":   shape{"id": leaf, "type": leaf, "function": shape{"name": leaf, "arguments": leaf}},
	},
	"tools":                 shape{"type": leaf, "function": shape{"name": leaf, "description": leaf, "parameters": schema, "strict": leaf}},
	"tool_choice":           shape{"type": leaf, "function": shape{"name": leaf}},
	"response_format":       shape{"type": leaf, "json_schema": shape{"name": leaf, "description": leaf, "schema": schema, "strict": leaf}},
	"stream_options":        shape{"include_usage": leaf},
	"parallel_tool_calls":   leaf,
	"temperature":           leaf,
	"top_p":                 leaf,
	"frequency_penalty":     leaf,
	"presence_penalty":      leaf,
	"max_completion_tokens": leaf,
	"stop":                  leaf,
	"seed":                  leaf,
	"reasoning_effort":      leaf,
	"stream":                leaf,
	"store":                 leaf,
}

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
		if s == schema {
			raw, _ := json.Marshal(v)
			if err := gateway.CheckSchema(raw); err != nil {
				t.Fatalf("%s: %v", path, err)
			}
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

func FuzzDecodeChatRequest(f *testing.F) {
	for _, s := range []string{
		`{"model":"m","messages":[{"role":"user","content":"hi"}]}`,
		`{"model":"m","messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"data:image/png;base64,AAAA"}}]}],"stream":true,"stream_options":{"include_usage":true}}`,
		`{"model":"m","messages":[{"role":"assistant","tool_calls":[{"id":"c","type":"function","function":{"name":"f","arguments":"{"}}]},{"role":"tool","tool_call_id":"c","content":[{"type":"text","text":"r"}]}],"tools":[{"type":"function","function":{"name":"f","parameters":{}}}],"tool_choice":{"type":"function","function":{"name":"f"}}}`,
		`{"model":"m","messages":[{"role":"developer","content":"x"}],"stop":["a"],"response_format":{"type":"json_schema","json_schema":{"name":"n","schema":{"a":[1]}}},"store":true,"user":"u","metadata":{}}`,
		// Unknown keys at every level: none may reach the upstream.
		`{"model":"m","messages":[{"role":"user","name":"Ana","x":{"y":1},"content":[{"type":"text","text":"t","cache_control":{"type":"ephemeral"}},{"type":"image_url","image_url":{"url":"https://a.example/i.png","x":1},"x":2}]},{"role":"assistant","refusal":null,"audio":{"id":"a"},"tool_calls":[{"id":"c","type":"function","x":1,"function":{"name":"f","arguments":"{}","x":2}}]},{"role":"tool","tool_call_id":"c","content":"r","x":1}],"tools":[{"type":"function","x":1,"function":{"name":"f","parameters":{"type":"object"},"x":2}}],"tool_choice":{"type":"function","x":1,"function":{"name":"f","x":2}},"response_format":{"type":"json_schema","x":1,"json_schema":{"name":"n","schema":{},"x":2}},"stream":true,"stream_options":{"include_usage":true,"include_obfuscation":true}}`,
		`{"model":"m","model":"m"}`, `[]`, `{"messages":`, `{"model":"\u0000"}`, "{\"model\":\"m\"}\n{}",
	} {
		f.Add([]byte(s))
	}
	p := &Provider{name: "fuzz", v: OpenAI}
	f.Fuzz(func(t *testing.T, body []byte) {
		req, x, err := DecodeChatRequest(bytes.NewReader(body), 1<<16)
		if err != nil {
			var ae *APIError
			if !errors.As(err, &ae) || (ae.Status != 400 && ae.Status != 413) || ae.Type != TypeInvalidRequest {
				t.Fatalf("error %v (%T) is not an OpenAI 400/413", err, err)
			}
			if !paramRE.MatchString(ae.Param) {
				t.Fatalf("param %q is not a generated parameter path", ae.Param)
			}
			return
		}
		if req.Model == "" || len(req.Messages) == 0 || len(x.Dropped) > maxDropped {
			t.Fatalf("accepted an invalid request: %+v", req)
		}
		for _, m := range req.Messages {
			for _, part := range m.Parts {
				if part.Type == gateway.PartImage && part.Image.URL == "" && !validBase64(part.Image.Data) {
					t.Fatalf("image part %+v", part)
				}
			}
		}
		// Whatever was accepted re-encodes as valid JSON with only
		// allowlisted members, at every depth, and store false.
		buf, err := p.chatBody(req, req.Stream)
		if err != nil {
			t.Fatalf("accepted request does not encode: %v", err)
		}
		defer gateway.PutBuffer(buf)
		var top map[string]any
		if err := json.Unmarshal(buf.Bytes(), &top); err != nil {
			t.Fatalf("upstream body is not JSON: %v", err)
		}
		checkShape(t, "", top, upstreamShape)
		if top["store"] != false {
			t.Fatalf("store = %v", top["store"])
		}
	})
}

func FuzzDecodeEmbedRequest(f *testing.F) {
	for _, s := range []string{
		`{"model":"m","input":"one"}`, `{"model":"m","input":["a","b"],"encoding_format":"base64","dimensions":8}`,
		`{"model":"m","input":[1,2]}`, `{"model":"m","input":[["a"]]}`, `{"model":"m","input":null}`, `{"model":"m","input":["a",""]}`,
		`{"model":"m","input":"a","input":"b"}`, `{"model":"m","input":[` + list(`"a"`, maxEmbedInputs+1) + `]}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		req, _, err := DecodeEmbedRequest(bytes.NewReader(body), 1<<16)
		if err != nil {
			var ae *APIError
			if !errors.As(err, &ae) || (ae.Status != 400 && ae.Status != 413) || ae.Type != TypeInvalidRequest || !paramRE.MatchString(ae.Param) {
				t.Fatalf("error %v (%T) is not an OpenAI 400/413 with a generated param", err, err)
			}
			return
		}
		if req.Model == "" || len(req.Inputs) == 0 || len(req.Inputs) > maxEmbedInputs {
			t.Fatalf("accepted %+v", req)
		}
		for _, in := range req.Inputs {
			if in == "" {
				t.Fatal("accepted an empty input")
			}
		}
	})
}

// nopStream reads body as a provider stream, with no network and no timers
// that fire.
func nopStream(p *Provider, body []byte) *stream {
	return newStream(context.Background(), p, io.NopCloser(bytes.NewReader(body)), time.AfterFunc(time.Hour, func() {}), func() {})
}

func FuzzStreamChunks(f *testing.F) {
	for _, name := range []string{"chat_stream", "chat_tools_stream", "stream_error", "stream_truncated", "stream_invalid_json"} {
		raw, err := os.ReadFile(filepath.Join("testdata", name+".http"))
		if err != nil {
			f.Fatal(err)
		}
		g, err := openaitest.ParseGolden(raw)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(g.Body)
	}
	f.Add([]byte("data: {\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":127,\"id\":\"x\"}]},\"finish_reason\":\"length\"}]}\n\ndata: [DONE]\n\n"))
	f.Add([]byte("event: error\ndata: {}\n\n"))
	p := &Provider{name: "fuzz", v: OpenAI, idle: time.Hour}
	f.Fuzz(func(t *testing.T, body []byte) {
		evs, err := readStream(nopStream(p, body))
		if len(evs) > 4*len(body)+1 {
			t.Fatalf("%d events from %d bytes", len(evs), len(body))
		}
		finished := false
		for i, ev := range evs {
			switch ev.Type {
			case gateway.EventStart:
				if i != 0 {
					t.Fatalf("start event at %d", i)
				}
			case gateway.EventToolCallStart, gateway.EventToolCallDelta:
				if ev.Index < 0 || ev.Index >= gateway.MaxToolCalls {
					t.Fatalf("tool index %d", ev.Index)
				}
			case gateway.EventFinish:
				if finished {
					t.Fatal("two finish events")
				}
				finished = true
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

// FuzzChatResponse reads arbitrary upstream answers: whatever canonical
// accepts must be what the wire said, and must survive WriteChatResponse
// to an OpenAI client unchanged.
func FuzzChatResponse(f *testing.F) {
	for _, name := range []string{"chat_text", "chat_tools", "chat_citations"} {
		raw, _ := os.ReadFile(filepath.Join("testdata", name+".http"))
		g, err := openaitest.ParseGolden(raw)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(g.Body)
	}
	f.Add([]byte(`{"choices":[{"index":1,"message":{"content":"x"}}]}`))
	f.Add([]byte(`{"choices":[{"index":0,"message":{"content":"x"}}],"search_results":[{"title":"t","url":""}],"citations":[""]}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		var w wireChatResponse
		if json.Unmarshal(body, &w) != nil {
			return
		}
		resp, ok := w.canonical()
		var c *wireChoice
		for i := range w.Choices {
			if w.Choices[i].Index == 0 {
				c = &w.Choices[i]
				break
			}
		}
		if !ok {
			if c != nil {
				t.Fatal("an answer with choice 0 was refused")
			}
			return
		}
		switch resp.FinishReason {
		case gateway.FinishStop, gateway.FinishLength, gateway.FinishToolCalls, gateway.FinishContentFilter:
		default:
			t.Fatalf("finish reason %q", resp.FinishReason)
		}
		if resp.Message.Role != gateway.RoleAssistant || len(resp.Message.ToolCalls) != len(c.Message.ToolCalls) || (resp.Usage == nil) != (w.Usage == nil) {
			t.Fatalf("canonical %+v of %s", resp, body)
		}
		want := ""
		if c.Message.Content != nil {
			want = *c.Message.Content
		}
		if want == "" && c.Message.Refusal != nil {
			want = *c.Message.Refusal
		}
		if resp.Message.Text() != want {
			t.Fatalf("text %q, want %q", resp.Message.Text(), want)
		}
		// What a client is sent says the same.
		rec := httptest.NewRecorder()
		if err := WriteChatResponse(rec, resp); err != nil || rec.Code != 200 {
			t.Fatalf("WriteChatResponse: %d, %v", rec.Code, err)
		}
		var out wireChatResponse
		if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil || len(out.Choices) != 1 {
			t.Fatalf("written %s: %v", rec.Body, err)
		}
		back, ok := out.canonical()
		if !ok || back.Message.Text() != strings.ToValidUTF8(want, "\uFFFD") || back.FinishReason != resp.FinishReason ||
			len(back.Message.ToolCalls) != len(resp.Message.ToolCalls) || len(back.Citations) != len(resp.Citations) {
			t.Fatalf("round trip: %+v\nfrom %+v", back, resp)
		}
	})
}
