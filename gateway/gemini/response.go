package gemini

import (
	"bytes"
	"crypto/rand"
	"encoding/json"
	"strings"
	"time"

	"github.com/quirehq/quire/gateway"
)

// finishReason normalises a Gemini finish reason. The empty string stays
// empty (not finished); a normal stop with function calls is tool_calls,
// since the calls are what the client must act on. Reasons not listed
// (OTHER, LANGUAGE, and ones added later) are a normal stop.
func finishReason(s string, hadCalls bool) gateway.FinishReason {
	switch s {
	case "":
		return ""
	case "MAX_TOKENS":
		return gateway.FinishLength
	case "SAFETY", "RECITATION", "BLOCKLIST", "PROHIBITED_CONTENT", "SPII",
		"IMAGE_SAFETY", "IMAGE_PROHIBITED_CONTENT", "IMAGE_RECITATION":
		return gateway.FinishContentFilter
	case "MALFORMED_FUNCTION_CALL", "UNEXPECTED_TOOL_CALL", "TOO_MANY_TOOL_CALLS":
		return gateway.FinishError
	}
	if hadCalls {
		return gateway.FinishToolCalls
	}
	return gateway.FinishStop
}

// canonical converts reported usage; nil stays nil (not reported).
// Gemini counts thinking apart from the answer, and the gateway counts it
// as a subset of the output, so thoughts are added to OutputTokens;
// cached tokens are already part of promptTokenCount. Tokens of built-in
// tool prompts (never enabled by this package) are input.
func (u *inUsage) canonical() *gateway.Usage {
	if u == nil {
		return nil
	}
	return &gateway.Usage{
		InputTokens:       u.PromptTokenCount + u.ToolUsePromptTokenCount,
		OutputTokens:      u.CandidatesTokenCount + u.ThoughtsTokenCount,
		CachedInputTokens: u.CachedContentTokenCount,
		ReasoningTokens:   u.ThoughtsTokenCount,
	}
}

// callID returns the upstream's function call ID, or a new one: Gemini
// models mostly send none, and clients need one to answer the call. An
// ID longer than clients accept (256 bytes) is replaced too.
func callID(id string) string {
	if id != "" && len(id) <= 256 {
		return id
	}
	return "call_" + rand.Text()
}

// callArgs returns a call's arguments as compact JSON text ("{}" when
// absent).
func callArgs(raw json.RawMessage) string {
	if len(raw) == 0 || bytes.Equal(raw, []byte("null")) {
		return "{}"
	}
	var b bytes.Buffer
	if json.Compact(&b, raw) != nil {
		return "{}" // cannot happen: raw was decoded as JSON
	}
	return b.String()
}

// candidate returns the first candidate (index 0), or nil.
func (w *inResponse) candidate() *inCandidate {
	for i := range w.Candidates {
		if w.Candidates[i].Index == 0 {
			return &w.Candidates[i]
		}
	}
	return nil
}

// blocked reports whether the prompt was refused before any candidate.
func (w *inResponse) blocked() bool {
	return w.PromptFeedback != nil && w.PromptFeedback.BlockReason != "" && w.candidate() == nil
}

// created parses Vertex AI's createTime; zero when absent or invalid.
func (w *inResponse) created() time.Time {
	t, err := time.Parse(time.RFC3339Nano, w.CreateTime)
	if err != nil {
		return time.Time{}
	}
	return t
}

// canonical converts a whole response; ok is false when it has neither a
// candidate nor a prompt block to report.
func (w *inResponse) canonical() (*gateway.ChatResponse, bool) {
	resp := &gateway.ChatResponse{
		ID: w.ResponseID, Model: w.ModelVersion, Created: w.created(), Usage: w.UsageMetadata.canonical(),
		Message: gateway.Message{Role: gateway.RoleAssistant},
	}
	if w.blocked() {
		resp.FinishReason = gateway.FinishContentFilter
		return resp, true
	}
	c := w.candidate()
	if c == nil {
		return nil, false
	}
	var text strings.Builder
	for _, part := range c.Content.Parts {
		switch {
		case part.Thought:
			// Thought summaries are not part of the answer.
		case part.FunctionCall != nil:
			resp.Message.ToolCalls = append(resp.Message.ToolCalls, gateway.ToolCall{
				ID: callID(part.FunctionCall.ID), Name: part.FunctionCall.Name, Arguments: callArgs(part.FunctionCall.Args),
			})
		default:
			text.WriteString(part.Text)
		}
	}
	if text.Len() > 0 {
		resp.Message.Parts = []gateway.Part{{Type: gateway.PartText, Text: text.String()}}
	}
	fr := c.FinishReason
	if fr == "" {
		fr = "STOP" // a whole answer with no reason given
	}
	resp.FinishReason = finishReason(fr, len(resp.Message.ToolCalls) > 0)
	return resp, true
}
