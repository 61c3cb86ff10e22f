package anthropic

import (
	"bytes"
	"encoding/json"

	"github.com/quirehq/quire/gateway"
)

// finishReason normalises a stop_reason. pause_turn (a server tool's long
// turn paused; the gateway sends no server tools) is a stop, and
// model_context_window_exceeded a length limit. Unknown reasons are a
// stop, or tool_calls when the answer holds tool calls.
func finishReason(s string, hadToolCalls bool) gateway.FinishReason {
	switch s {
	case "max_tokens", "model_context_window_exceeded":
		return gateway.FinishLength
	case "tool_use":
		return gateway.FinishToolCalls
	case "refusal":
		return gateway.FinishContentFilter
	}
	if hadToolCalls {
		return gateway.FinishToolCalls
	}
	return gateway.FinishStop
}

// usageTotals accumulates usage as it is reported: message_start gives
// the input counts, message_delta cumulative totals of whatever applies.
type usageTotals struct {
	seen                        bool
	input, output, read, create int
	thinking                    int
}

// add overwrites the totals with the counts u reports.
func (t *usageTotals) add(u *wireUsage) {
	if u == nil {
		return
	}
	t.seen = true
	for _, f := range [...]struct {
		src *int
		dst *int
	}{{u.InputTokens, &t.input}, {u.OutputTokens, &t.output}, {u.CacheReadInputTokens, &t.read}, {u.CacheCreationInputTokens, &t.create}} {
		if f.src != nil && *f.src >= 0 {
			*f.dst = *f.src
		}
	}
	if u.OutputTokensDetails != nil && u.OutputTokensDetails.ThinkingTokens >= 0 {
		t.thinking = u.OutputTokensDetails.ThinkingTokens
	}
}

// canonical returns the gateway's usage: Anthropic counts cache reads and
// writes apart from input_tokens, the gateway counts cached tokens as a
// subset of the input, so both are added in.
func (t *usageTotals) canonical() gateway.Usage {
	return gateway.Usage{
		InputTokens:       t.input + t.read + t.create,
		OutputTokens:      t.output,
		CachedInputTokens: t.read,
		ReasoningTokens:   min(t.thinking, t.output),
	}
}

// toolArguments returns a tool_use input as arguments text: compact JSON,
// "{}" when absent.
func toolArguments(input []byte) string {
	input = bytes.TrimSpace(input)
	if len(input) == 0 || string(input) == "null" {
		return "{}"
	}
	var b bytes.Buffer
	if err := json.Compact(&b, input); err != nil {
		return string(input)
	}
	return b.String()
}

// canonical converts a whole answer; ok is false when it is not a message.
// Text blocks are joined; thinking, redacted thinking and any server
// tool blocks are left out.
func (w *wireMessageResp) canonical() (*gateway.ChatResponse, bool) {
	if w.Type != "message" && (w.Type != "" || w.Content == nil) {
		return nil, false
	}
	resp := &gateway.ChatResponse{ID: w.ID, Model: w.Model, Message: gateway.Message{Role: gateway.RoleAssistant}}
	var text []byte
	for i := range w.Content {
		b := &w.Content[i]
		switch b.Type {
		case "text":
			text = append(text, b.Text...)
		case "tool_use":
			resp.Message.ToolCalls = append(resp.Message.ToolCalls, gateway.ToolCall{ID: b.ID, Name: b.Name, Arguments: toolArguments(b.Input)})
		}
	}
	if len(text) > 0 {
		resp.Message.Parts = []gateway.Part{{Type: gateway.PartText, Text: string(text)}}
	}
	stop := ""
	if w.StopReason != nil {
		stop = *w.StopReason
	}
	resp.FinishReason = finishReason(stop, len(resp.Message.ToolCalls) > 0)
	if w.Usage != nil {
		var t usageTotals
		t.add(w.Usage)
		u := t.canonical()
		resp.Usage = &u
	}
	return resp, true
}
