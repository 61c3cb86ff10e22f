package openai

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/quirehq/quire/gateway"
	"github.com/quirehq/quire/gateway/openai/openaitest"
)

var paramRE = regexp.MustCompile(`^[a-z_]*(\[[0-9]+\]|\.[a-z_]+)*$`)

var upstreamAllowlist = map[string]bool{
	"model": true, "messages": true, "tools": true, "tool_choice": true, "parallel_tool_calls": true,
	"temperature": true, "top_p": true, "frequency_penalty": true, "presence_penalty": true,
	"max_completion_tokens": true, "stop": true, "seed": true, "reasoning_effort": true,
	"response_format": true, "stream": true, "stream_options": true, "store": true,
}

func FuzzDecodeChatRequest(f *testing.F) {
	for _, s := range []string{
		`{"model":"m","messages":[{"role":"user","content":"hi"}]}`,
		`{"model":"m","messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"data:image/png;base64,AAAA"}}]}],"stream":true,"stream_options":{"include_usage":true}}`,
		`{"model":"m","messages":[{"role":"assistant","tool_calls":[{"id":"c","type":"function","function":{"name":"f","arguments":"{"}}]},{"role":"tool","tool_call_id":"c","content":[{"type":"text","text":"r"}]}],"tools":[{"type":"function","function":{"name":"f","parameters":{}}}],"tool_choice":{"type":"function","function":{"name":"f"}}}`,
		`{"model":"m","messages":[{"role":"developer","content":"x"}],"stop":["a"],"response_format":{"type":"json_schema","json_schema":{"name":"n","schema":{"a":[1]}}},"store":true,"user":"u","metadata":{}}`,
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
		// allowlisted fields and store false.
		buf, err := p.chatBody(req, req.Stream)
		if err != nil {
			t.Fatalf("accepted request does not encode: %v", err)
		}
		var top map[string]json.RawMessage
		if err := json.Unmarshal(buf.Bytes(), &top); err != nil {
			t.Fatalf("upstream body is not JSON: %v", err)
		}
		for k := range top {
			if !upstreamAllowlist[k] {
				t.Fatalf("field %q would be sent upstream", k)
			}
		}
		if string(top["store"]) != "false" {
			t.Fatalf("store = %s", top["store"])
		}
		gateway.PutBuffer(buf)
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

func FuzzChatResponse(f *testing.F) {
	for _, name := range []string{"chat_text", "chat_tools", "chat_citations"} {
		raw, _ := os.ReadFile(filepath.Join("testdata", name+".http"))
		g, err := openaitest.ParseGolden(raw)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(g.Body)
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		var w wireChatResponse
		if json.Unmarshal(body, &w) != nil {
			return
		}
		resp, ok := w.canonical()
		if ok && (resp.FinishReason == "" || resp.Message.Role != gateway.RoleAssistant) {
			t.Fatalf("canonical %+v", resp)
		}
		if strings.Contains(string(body), `"error"`) {
			return
		}
	})
}
