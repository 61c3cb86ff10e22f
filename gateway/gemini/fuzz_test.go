package gemini

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/quirehq/quire/gateway"
	"github.com/quirehq/quire/gateway/gemini/geminitest"
)

// goldenBody returns the body of testdata/name.http.
func goldenBody(f *testing.F, name string) []byte {
	f.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", name+".http"))
	if err != nil {
		f.Fatal(err)
	}
	g, err := geminitest.ParseGolden(raw)
	if err != nil {
		f.Fatal(err)
	}
	return g.Body
}

// nopStream reads body as a provider stream, with no network and no timers
// that fire.
func nopStream(p *Provider, body []byte) *stream {
	return newStream(context.Background(), p, "m", io.NopCloser(bytes.NewReader(body)), time.AfterFunc(time.Hour, func() {}), func() {})
}

func FuzzStream(f *testing.F) {
	for _, name := range []string{"chat_stream", "chat_tools_stream", "stream_blocked", "stream_error", "stream_truncated", "stream_invalid_json"} {
		f.Add(goldenBody(f, name))
	}
	f.Add([]byte("data: {\"candidates\":[{\"content\":{\"parts\":[{\"functionCall\":{\"name\":\"f\",\"args\":[1]}},{\"text\":\"x\",\"thought\":true}]},\"finishReason\":\"STOP\"}]}\n\ndata: {\"usageMetadata\":{\"promptTokenCount\":-1}}\n\n"))
	f.Add([]byte("data: {\"error\":{\"code\":\"x\",\"status\":\"A B\",\"details\":[{\"@type\":\"type.googleapis.com/google.rpc.RetryInfo\",\"retryDelay\":\"1e9s\"}]}}\n\n"))
	p := &Provider{name: "fuzz", idle: time.Hour}
	f.Fuzz(func(t *testing.T, body []byte) {
		evs, err := readStream(nopStream(p, body))
		if len(evs) > 4*len(body)+1 {
			t.Fatalf("%d events from %d bytes", len(evs), len(body))
		}
		finished, usage, calls := false, false, 0
		for i, ev := range evs {
			if usage {
				t.Fatalf("event %v after usage", ev.Type)
			}
			switch ev.Type {
			case gateway.EventStart:
				if i != 0 {
					t.Fatalf("start event at %d", i)
				}
			case gateway.EventToolCallStart:
				if ev.Index != calls || ev.ID == "" || finished {
					t.Fatalf("tool call start %+v after %d calls", ev, calls)
				}
				calls++
			case gateway.EventToolCallDelta:
				if ev.Index != calls-1 || !json.Valid([]byte(ev.Text)) {
					t.Fatalf("tool call delta %+v", ev)
				}
			case gateway.EventText:
				if finished || ev.Text == "" {
					t.Fatalf("text %q, finished %v", ev.Text, finished)
				}
			case gateway.EventFinish:
				if finished {
					t.Fatal("two finish events")
				}
				finished = true
			case gateway.EventUsage:
				usage = true
			default:
				t.Fatalf("event %+v", ev)
			}
			if i == 0 && ev.Type != gateway.EventStart {
				t.Fatalf("first event %+v", ev)
			}
		}
		if err == nil && !finished {
			t.Fatal("a stream without a finish reason ended cleanly")
		}
		if err != nil {
			pe, ok := gateway.AsProviderError(err)
			if !ok {
				t.Fatalf("error %v (%T) is not a ProviderError", err, err)
			}
			checkTokens(t, pe)
		}
	})
}

// checkTokens fails t unless e's vendor fields are tokens and its wait is
// bounded.
func checkTokens(t *testing.T, e *gateway.ProviderError) {
	t.Helper()
	if gateway.SafeToken(e.Type, 64) != e.Type || gateway.SafeToken(e.Code, 64) != e.Code || gateway.SafeToken(e.Param, 128) != e.Param ||
		e.RetryAfter < 0 || e.RetryAfter > gateway.MaxRetryAfter {
		t.Fatalf("error fields %+v", e)
	}
}

// FuzzResponse reads arbitrary answers: whatever canonical accepts is a
// well-formed assistant message.
func FuzzResponse(f *testing.F) {
	for _, name := range []string{"chat_text", "chat_tools", "chat_safety", "chat_filtered", "chat_malformed", "vertex_chat"} {
		f.Add(goldenBody(f, name))
	}
	f.Add([]byte(`{"candidates":[{"index":1},{"content":{"parts":[{"functionCall":{"id":"x","args":{"a":[1,{"b":null}]}}}]}}]}`))
	f.Add([]byte(`{"promptFeedback":{"blockReason":"OTHER"},"candidates":[]}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		var w inResponse
		if json.Unmarshal(body, &w) != nil {
			return
		}
		resp, ok := w.canonical()
		if !ok {
			if w.candidate() != nil || w.blocked() {
				t.Fatal("an answer with a candidate or a block was refused")
			}
			return
		}
		switch resp.FinishReason {
		case gateway.FinishStop, gateway.FinishLength, gateway.FinishToolCalls, gateway.FinishContentFilter, gateway.FinishError:
		default:
			t.Fatalf("finish reason %q", resp.FinishReason)
		}
		if resp.Message.Role != gateway.RoleAssistant || (resp.Usage == nil) != (w.UsageMetadata == nil) {
			t.Fatalf("canonical %+v", resp)
		}
		for _, tc := range resp.Message.ToolCalls {
			if tc.ID == "" || !json.Valid([]byte(tc.Arguments)) {
				t.Fatalf("tool call %+v", tc)
			}
		}
	})
}

// FuzzStatusError reads arbitrary error answers: only tokens are kept,
// never the body.
func FuzzStatusError(f *testing.F) {
	for _, name := range []string{"error_400", "error_400_key", "error_403", "error_429", "error_503", "html_502"} {
		f.Add(429, goldenBody(f, name))
	}
	f.Add(400, []byte(`{"error":{"status":"CANARY_prompt","details":[{"@type":"type.googleapis.com/google.rpc.BadRequest","fieldViolations":[{"field":"CANARY secret"}]}]}}`))
	p := &Provider{name: "fuzz"}
	f.Fuzz(func(t *testing.T, status int, body []byte) {
		if status < 300 || status > 599 {
			return
		}
		resp := &http.Response{StatusCode: status, Header: http.Header{}, Body: io.NopCloser(bytes.NewReader(body))}
		err := p.statusError(resp)
		pe, ok := gateway.AsProviderError(err)
		if !ok || pe.Status != status {
			t.Fatalf("error %v", err)
		}
		checkTokens(t, pe)
		if strings.Contains(pe.Error(), "CANARY secret") {
			t.Fatalf("error text %q", pe.Error())
		}
	})
}

// opaque marks client JSON forwarded as it is: schemas, call arguments
// and tool results. shape is the allowlist of an upstream JSON object.
type shape map[string]any

var leaf, opaque = new(int), new(int)

var partShape = shape{
	"text":             leaf,
	"inlineData":       shape{"mimeType": leaf, "data": leaf},
	"fileData":         shape{"mimeType": leaf, "fileUri": leaf},
	"functionCall":     shape{"name": leaf, "args": opaque},
	"functionResponse": shape{"name": leaf, "response": shape{"result": opaque}},
	"thoughtSignature": leaf,
}

var requestShape = shape{
	"contents":          shape{"role": leaf, "parts": partShape},
	"systemInstruction": shape{"parts": partShape},
	"tools":             shape{"functionDeclarations": shape{"name": leaf, "description": leaf, "parametersJsonSchema": opaque}},
	"toolConfig":        shape{"functionCallingConfig": shape{"mode": leaf, "allowedFunctionNames": leaf}},
	"generationConfig": shape{
		"temperature": leaf, "topP": leaf, "maxOutputTokens": leaf, "stopSequences": leaf, "seed": leaf,
		"presencePenalty": leaf, "frequencyPenalty": leaf, "responseMimeType": leaf, "responseJsonSchema": opaque,
		"thinkingConfig": shape{"thinkingBudget": leaf, "thinkingLevel": leaf},
	},
}

// checkShape fails t if v holds a member that s does not allow.
func checkShape(t *testing.T, path string, v any, s any) {
	t.Helper()
	if s == opaque {
		return
	}
	switch v := v.(type) {
	case map[string]any:
		sh, ok := s.(shape)
		if !ok {
			t.Fatalf("%s: an object where a plain value belongs", path)
		}
		for k, child := range v {
			allowed, ok := sh[k]
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
}

// FuzzTranslate turns arbitrary canonical requests into upstream JSON:
// whatever is accepted encodes as valid JSON holding only allowlisted
// members, turns alternate, and every part holds exactly one datum.
func FuzzTranslate(f *testing.F) {
	for _, s := range []string{
		`{"Model":"m","System":"s","Messages":[{"Role":"user","Parts":[{"Type":1,"Text":"hi"},{"Type":2,"Image":{"URL":"https://x.example/a.png"}}]}]}`,
		`{"Model":"gemini-2.5-flash","ReasoningEffort":"low","Messages":[{"Role":"user","Parts":[{"Type":1,"Text":"a"}]},{"Role":"assistant","ToolCalls":[{"ID":"c","Name":"f","Arguments":"{\"a\":1}"}]},{"Role":"tool","ToolCallID":"c","Parts":[{"Type":1,"Text":"{\"x\":[1]}"}]}],"Tools":[{"Name":"f","Parameters":{"type":"object"}}],"ToolChoice":{"Mode":"tool","Name":"f"}}`,
		`{"Model":"m","Messages":[{"Role":"system","Parts":[{"Type":1,"Text":"x"}]},{"Role":"user","Parts":[{"Type":2,"Image":{"Data":"AA==","MediaType":"image/png"}}]}],"Seed":7,"Stop":["a"],"ResponseFormat":{"Type":"json_schema","Schema":{"a":1}}}`,
		`{"Model":"m","Messages":[{"Role":"tool","ToolCallID":"","Parts":[]}]}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		var req gateway.ChatRequest
		if json.Unmarshal(body, &req) != nil {
			return
		}
		model, err := modelID(req.Model)
		if err != nil {
			return
		}
		w, err := translate(&req, model)
		if err != nil {
			return
		}
		buf, err := encodeJSON(w)
		if err != nil {
			t.Fatalf("accepted request does not encode: %v", err)
		}
		defer gateway.PutBuffer(buf)
		var top map[string]any
		if err := json.Unmarshal(buf.Bytes(), &top); err != nil {
			t.Fatalf("upstream body is not JSON: %v", err)
		}
		checkShape(t, "", top, requestShape)
		contents, _ := top["contents"].([]any)
		if len(contents) == 0 {
			t.Fatal("no contents")
		}
		prev := ""
		for _, c := range contents {
			c := c.(map[string]any)
			role := c["role"].(string)
			parts, _ := c["parts"].([]any)
			if role == prev || (role != "user" && role != "model") || len(parts) == 0 {
				t.Fatalf("turn %v after %q", c, prev)
			}
			prev = role
			for _, p := range parts {
				data := 0
				for k := range p.(map[string]any) {
					if k != "thoughtSignature" {
						data++
					}
				}
				if data != 1 {
					t.Fatalf("part %v", p)
				}
			}
		}
	})
}
