package gemini

import (
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/quirehq/quire/gateway"
)

func TestThinking(t *testing.T) {
	tests := []struct {
		effort, model string
		want          string // JSON of the thinking config, or "" for none
	}{
		{"", "gemini-2.5-pro", ""},
		{"none", "gemini-2.5-flash", `{"thinkingBudget":0}`},
		{"minimal", "gemini-2.5-flash-lite", `{"thinkingBudget":512}`},
		{"medium", "gemini-2.5-pro", `{"thinkingBudget":8192}`},
		{"high", "gemini-2.5-flash-preview-09-2025", `{"thinkingBudget":24576}`},
		{"low", "gemini-3-pro-preview", `{"thinkingLevel":"LOW"}`},
		{"minimal", "gemini-3-flash", `{"thinkingLevel":"MINIMAL"}`},
		{"xhigh", "gemini-3.1-pro", `{"thinkingLevel":"HIGH"}`},
		{"high", "gemini-10-ultra", `{"thinkingLevel":"HIGH"}`},
		{"high", "gemini-2.0-flash", ""},
		{"high", "gemini-1.5-pro", ""},
		{"high", "gemma-3-27b-it", ""},
		{"turbo", "gemini-3-pro", ""},
		{"high", "gemini-", ""},
	}
	for _, tt := range tests {
		got := ""
		if th := thinking(tt.effort, tt.model); th != nil {
			b, _ := json.Marshal(th)
			got = string(b)
		}
		if got != tt.want {
			t.Errorf("thinking(%q, %q) = %s, want %s", tt.effort, tt.model, got, tt.want)
		}
	}
}

func TestToolConfig(t *testing.T) {
	for tc, want := range map[gateway.ToolChoice]string{
		{}:                                 "null",
		{Mode: gateway.ToolChoiceAuto}:     `{"functionCallingConfig":{"mode":"AUTO"}}`,
		{Mode: gateway.ToolChoiceNone}:     `{"functionCallingConfig":{"mode":"NONE"}}`,
		{Mode: gateway.ToolChoiceRequired}: `{"functionCallingConfig":{"mode":"ANY"}}`,
		{Mode: gateway.ToolChoiceTool, Name: "f"}: `{"functionCallingConfig":{"mode":"ANY","allowedFunctionNames":["f"]}}`,
	} {
		got, err := toolConfig(tc)
		b, _ := json.Marshal(got)
		if err != nil || string(b) != want {
			t.Errorf("%+v: %s, %v; want %s", tc, b, err, want)
		}
	}
	for _, tc := range []gateway.ToolChoice{{Mode: gateway.ToolChoiceTool}, {Mode: "sometimes"}} {
		if _, err := toolConfig(tc); !errors.Is(err, errToolChoice) {
			t.Errorf("%+v: %v", tc, err)
		}
	}
}

func TestModelID(t *testing.T) {
	for in, want := range map[string]string{
		"gemini-2.5-flash": "gemini-2.5-flash", "models/gemini-2.5-flash": "gemini-2.5-flash",
		"publishers/google/models/text-embedding-005": "text-embedding-005", "claude-sonnet-4@20250514": "claude-sonnet-4@20250514",
	} {
		if got, err := modelID(in); got != want || err != nil {
			t.Errorf("modelID(%q) = %q, %v", in, got, err)
		}
	}
	for _, in := range []string{"", "models/", "a/b", "x:generateContent", "x?alt=json", "x#y", "x y", "../x", "tunedModels/t", string(make([]byte, 129))} {
		if _, err := modelID(in); err == nil {
			t.Errorf("modelID(%q) accepted", in)
		}
	}
}

// TestTranslateTurns: system text from anywhere joins the system
// instruction, turns of one role merge, results answer calls of earlier
// turns by name, and empty messages vanish.
func TestTranslateTurns(t *testing.T) {
	req := &gateway.ChatRequest{Messages: []gateway.Message{
		gateway.TextMessage(gateway.RoleUser, "a"),
		gateway.TextMessage(gateway.RoleSystem, "be brief"),
		gateway.TextMessage(gateway.RoleUser, "b"),
		{Role: gateway.RoleAssistant},
		{Role: gateway.RoleAssistant, ToolCalls: []gateway.ToolCall{{ID: "x", Name: "f", Arguments: " {} "}}},
		{Role: gateway.RoleTool, ToolCallID: "x", Parts: []gateway.Part{{Type: gateway.PartText, Text: "4"}, {Type: gateway.PartText, Text: "2"}}},
		{Role: gateway.RoleAssistant, Parts: []gateway.Part{{Type: gateway.PartText, Text: "done"}}},
		{Role: gateway.RoleTool, ToolCallID: "x", Parts: []gateway.Part{{Type: gateway.PartText, Text: ""}}},
	}}
	w, err := translate(req, "m")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(w)
	want := `{"contents":[{"role":"user","parts":[{"text":"a"},{"text":"b"}]},` +
		`{"role":"model","parts":[{"functionCall":{"name":"f","args":{}},"thoughtSignature":"skip_thought_signature_validator"}]},` +
		`{"role":"user","parts":[{"functionResponse":{"name":"f","response":{"result":42}}}]},` +
		`{"role":"model","parts":[{"text":"done"}]},` +
		`{"role":"user","parts":[{"functionResponse":{"name":"f","response":{"result":""}}}]}],` +
		`"systemInstruction":{"parts":[{"text":"be brief"}]}}`
	if string(b) != want {
		t.Fatalf("got  %s\nwant %s", b, want)
	}
	// A tool result may not carry an image.
	req.Messages[5].Parts = append(req.Messages[5].Parts, gateway.Part{Type: gateway.PartImage, Image: gateway.Image{Data: "AA==", MediaType: "image/png"}})
	if _, err := translate(req, "m"); !errors.Is(err, errToolPart) {
		t.Fatalf("image in a tool result: %v", err)
	}
}

func TestImageType(t *testing.T) {
	for u, want := range map[string]string{
		"https://x.example/a.PNG": "image/png", "gs://b/c.jpeg?x=1": "image/jpeg", "https://x.example/a.webp#f": "image/webp",
		"https://x.example/a.heic": "image/heic", "https://x.example/a": "", "https://x.example/a.gif/": "",
	} {
		if got := imageType(u); got != want {
			t.Errorf("imageType(%q) = %q, want %q", u, got, want)
		}
	}
}

func TestFinishReason(t *testing.T) {
	for in, want := range map[string]gateway.FinishReason{
		"": "", "STOP": gateway.FinishStop, "MAX_TOKENS": gateway.FinishLength, "SAFETY": gateway.FinishContentFilter,
		"RECITATION": gateway.FinishContentFilter, "BLOCKLIST": gateway.FinishContentFilter, "PROHIBITED_CONTENT": gateway.FinishContentFilter,
		"SPII": gateway.FinishContentFilter, "IMAGE_SAFETY": gateway.FinishContentFilter, "MALFORMED_FUNCTION_CALL": gateway.FinishError,
		"UNEXPECTED_TOOL_CALL": gateway.FinishError, "OTHER": gateway.FinishStop, "LANGUAGE": gateway.FinishStop, "NEW_REASON": gateway.FinishStop,
	} {
		if got := finishReason(in, false); got != want {
			t.Errorf("finishReason(%q) = %q, want %q", in, got, want)
		}
	}
	if finishReason("STOP", true) != gateway.FinishToolCalls || finishReason("MAX_TOKENS", true) != gateway.FinishLength {
		t.Error("finish reasons with tool calls")
	}
}

func TestUsage(t *testing.T) {
	if (*inUsage)(nil).canonical() != nil {
		t.Fatal("absent usage is not nil")
	}
	u := inUsage{PromptTokenCount: 100, CandidatesTokenCount: 20, CachedContentTokenCount: 64, ThoughtsTokenCount: 30, ToolUsePromptTokenCount: 5}
	if got := *u.canonical(); got != (gateway.Usage{InputTokens: 105, OutputTokens: 50, CachedInputTokens: 64, ReasoningTokens: 30}) {
		t.Fatalf("usage %+v", got)
	}
}

func TestParseDelay(t *testing.T) {
	for in, want := range map[string]time.Duration{
		"13s": 13 * time.Second, "0.250s": 250 * time.Millisecond, "13.412705391s": 13412705391, "": 0, "13": 0, "-1s": 0,
		"1h": 0, "NaNs": 0, "Infs": gateway.MaxRetryAfter, "9999999999s": gateway.MaxRetryAfter,
	} {
		if got := parseDelay(in); got != want {
			t.Errorf("parseDelay(%q) = %v, want %v", in, got, want)
		}
	}
}

// TestResponseFunctionCallID: an ID Gemini sends is kept; thoughts are
// not part of the answer.
func TestResponseFunctionCallID(t *testing.T) {
	var w inResponse
	body := `{"candidates":[{"content":{"parts":[{"text":"plan","thought":true},{"text":"Sure."},{"functionCall":{"id":"fc-9","name":"f","args":null}}]},"finishReason":"STOP"}]}`
	if err := json.Unmarshal([]byte(body), &w); err != nil {
		t.Fatal(err)
	}
	resp, ok := w.canonical()
	if !ok || resp.Message.Text() != "Sure." || len(resp.Message.ToolCalls) != 1 || resp.Message.ToolCalls[0] != (gateway.ToolCall{ID: "fc-9", Name: "f", Arguments: "{}"}) ||
		resp.FinishReason != gateway.FinishToolCalls || resp.Usage != nil {
		t.Fatalf("got %+v", resp)
	}
	for _, bad := range []string{`{}`, `{"candidates":[{"index":1}]}`, `{"promptFeedback":{}}`} {
		var w inResponse
		json.Unmarshal([]byte(bad), &w)
		if _, ok := w.canonical(); ok {
			t.Errorf("%s accepted", bad)
		}
	}
}
