package redact

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/quirehq/quire/gateway"
)

func chatRequest() *gateway.ChatRequest {
	return &gateway.ChatRequest{
		Model:  "gpt-4o",
		System: "You help ivan@example.com, who is on +44 20 7946 0958.",
		Tools: []gateway.Tool{{
			Name:        "send_mail",
			Description: "Send mail from ivan@example.com.",
			Parameters:  json.RawMessage(`{"type":"object","properties":{"to":{"type":"string","description":"e.g. judy@example.com","enum":["ivan@example.com","team@example.com"]},"cc":{"type":"string"}},"required":["to"]}`),
		}, {
			Name:       "noop",
			Parameters: json.RawMessage(`{ "type": "object" }`),
		}},
		ResponseFormat: gateway.ResponseFormat{
			Type:        gateway.FormatJSONSchema,
			Name:        "reply",
			Description: "A reply for ivan@example.com",
			Schema:      json.RawMessage(`{"type":"object","properties":{"body":{"type":"string","default":"call 212-555-0199"}}}`),
		},
		Messages: []gateway.Message{
			{Role: gateway.RoleUser, Parts: []gateway.Part{
				{Type: gateway.PartText, Text: "Mail judy@example.com my card 4111 1111 1111 1111"},
				{Type: gateway.PartImage, Image: gateway.Image{Data: "aXZhbkBleGFtcGxlLmNvbQ==", MediaType: "image/png"}},
				{Type: gateway.PartImage, Image: gateway.Image{URL: "https://example.com/img?u=ivan@example.com"}},
			}},
			{Role: gateway.RoleAssistant, ToolCalls: []gateway.ToolCall{{
				ID: "call_1", Name: "send_mail",
				Arguments: `{"to": "judy@example.com", "card": 4111111111111111, "n": 3, "ok": true, "x": null, "judy@example.com": ["10.0.0.1"]}`,
			}, {
				ID: "call_2", Name: "send_mail", Arguments: `{"to": "judy@example.com"`, // cut short
			}}},
			{Role: gateway.RoleTool, ToolCallID: "call_1", Parts: []gateway.Part{{Type: gateway.PartText, Text: `{"status":"sent to judy@example.com"}`}}},
		},
		Stop: []string{"judy@example.com", "\n\n"},
	}
}

func TestRedactChat(t *testing.T) {
	s := mustRedactor(t).Session()
	req := chatRequest()
	if err := s.RedactChat(req); err != nil {
		t.Fatal(err)
	}
	// Numbering: system, tools, response format, messages, stop.
	check := func(name, got, want string) {
		t.Helper()
		if got != want {
			t.Errorf("%s:\n got %s\nwant %s", name, got, want)
		}
	}
	check("system", req.System, "You help [EMAIL_1], who is on [PHONE_1].")
	check("tool description", req.Tools[0].Description, "Send mail from [EMAIL_1].")
	check("tool parameters", string(req.Tools[0].Parameters), `{"type":"object","properties":{"to":{"type":"string","description":"e.g. [EMAIL_2]","enum":["[EMAIL_1]","[EMAIL_3]"]},"cc":{"type":"string"}},"required":["to"]}`)
	check("untouched parameters", string(req.Tools[1].Parameters), `{ "type": "object" }`)
	check("format description", req.ResponseFormat.Description, "A reply for [EMAIL_1]")
	check("format schema", string(req.ResponseFormat.Schema), `{"type":"object","properties":{"body":{"type":"string","default":"call [PHONE_2]"}}}`)
	m := req.Messages
	check("user text", m[0].Parts[0].Text, "Mail [EMAIL_2] my card [CARD_1]")
	check("image data", m[0].Parts[1].Image.Data, "aXZhbkBleGFtcGxlLmNvbQ==")
	check("image URL", m[0].Parts[2].Image.URL, "https://example.com/img?u=ivan@example.com")
	// The same card written another way is another value: Restore must
	// give back each spelling as it was.
	check("tool call arguments", m[1].ToolCalls[0].Arguments, `{"to":"[EMAIL_2]","card":"[CARD_2]","n":3,"ok":true,"x":null,"[EMAIL_2]":["[IP_1]"]}`)
	check("invalid arguments", m[1].ToolCalls[1].Arguments, `{"to": "[EMAIL_2]"`)
	check("tool call name", m[1].ToolCalls[0].Name, "send_mail")
	check("tool result", m[2].Parts[0].Text, `{"status":"sent to [EMAIL_2]"}`)
	check("stop", strings.Join(req.Stop, "|"), "[EMAIL_2]|\n\n")
	if c := s.Counts(); c[Email] != 12 || c[Phone] != 2 || c[CardNumber] != 2 || c[IPAddress] != 1 {
		t.Errorf("Counts = %v", c)
	}
}

func TestRedactChatInvalidSchema(t *testing.T) {
	for _, mutate := range []func(*gateway.ChatRequest){
		func(r *gateway.ChatRequest) { r.Tools[1].Parameters = json.RawMessage(`{"type":`) },
		func(r *gateway.ChatRequest) { r.ResponseFormat.Schema = json.RawMessage(`{} {}`) },
	} {
		s := mustRedactor(t).Session()
		req := chatRequest()
		mutate(req)
		before := chatRequest()
		mutate(before)
		err := s.RedactChat(req)
		if !errors.Is(err, ErrInvalidSchema) {
			t.Fatalf("err = %v", err)
		}
		if strings.Contains(err.Error(), "type") || strings.Contains(err.Error(), "example") {
			t.Errorf("error quotes the request: %v", err)
		}
		if !reflect.DeepEqual(req, before) {
			t.Error("a failed RedactChat changed the request")
		}
		if len(s.Counts()) != 0 {
			t.Error("a failed RedactChat counted entities")
		}
	}
}

func TestRestoreChat(t *testing.T) {
	s := mustRedactor(t).Session()
	req := &gateway.ChatRequest{Messages: []gateway.Message{gateway.TextMessage(gateway.RoleUser,
		"Send key "+sampleSecrets()["private-key"]+" to kim@example.com")}}
	if err := s.RedactChat(req); err != nil {
		t.Fatal(err)
	}
	if got := req.Messages[0].Text(); got != "Send key [SECRET_1] to [EMAIL_1]" {
		t.Fatalf("redacted: %q", got)
	}
	resp := &gateway.ChatResponse{Message: gateway.Message{
		Role:      gateway.RoleAssistant,
		Parts:     []gateway.Part{{Type: gateway.PartText, Text: "Sending [SECRET_1] to [EMAIL_1]."}},
		ToolCalls: []gateway.ToolCall{{ID: "c", Name: "send", Arguments: `{"to":"[EMAIL_1]","key":"[SECRET_1]","note":"[EMAIL_9]"}`}},
	}}
	s.RestoreChat(resp)
	key := sampleSecrets()["private-key"]
	if got := resp.Message.Text(); got != "Sending "+key+" to kim@example.com." {
		t.Errorf("text: %q", got)
	}
	var args struct{ To, Key, Note string }
	if err := json.Unmarshal([]byte(resp.Message.ToolCalls[0].Arguments), &args); err != nil {
		t.Fatalf("restored arguments are not JSON: %v", err)
	}
	if args.To != "kim@example.com" || args.Key != key || args.Note != "[EMAIL_9]" {
		t.Errorf("arguments: %+v", args)
	}
}

// TestJSONAnswer: a request for a JSON answer makes the session restore
// text with JSON escaping, so that a secret with newlines keeps the
// answer valid JSON.
func TestJSONAnswer(t *testing.T) {
	s := mustRedactor(t).Session()
	key := sampleSecrets()["private-key"]
	req := &gateway.ChatRequest{
		ResponseFormat: gateway.ResponseFormat{Type: gateway.FormatJSONObject},
		Messages:       []gateway.Message{gateway.TextMessage(gateway.RoleUser, "Wrap "+key+" in JSON")},
	}
	if err := s.RedactChat(req); err != nil {
		t.Fatal(err)
	}
	resp := &gateway.ChatResponse{Message: gateway.TextMessage(gateway.RoleAssistant, `{"key":"[SECRET_1]"}`)}
	s.RestoreChat(resp)
	var v struct{ Key string }
	if err := json.Unmarshal([]byte(resp.Message.Text()), &v); err != nil || v.Key != key {
		t.Errorf("answer %q: %v", resp.Message.Text(), err)
	}
	// Restore itself stays plain.
	if s.Restore("[SECRET_1]") != key {
		t.Error("Restore escaped")
	}
}

func TestWriteJSONEscaped(t *testing.T) {
	for _, in := range []string{"plain", `a"b\c`, "line\nbreak\r\ttab", "\x00\x1f\x7f", "ünï €", "bad \xff utf8", "<&>"} {
		var b strings.Builder
		b.WriteByte('"')
		writeJSONEscaped(&b, in)
		b.WriteByte('"')
		var out string
		if err := json.Unmarshal([]byte(b.String()), &out); err != nil {
			t.Errorf("%q: %v", in, err)
			continue
		}
		if want := strings.ToValidUTF8(in, "\uFFFD"); out != want {
			t.Errorf("%q decoded to %q", in, out)
		}
	}
}
