package openai

import (
	"bytes"
	"encoding/json"
	"errors"

	"github.com/quirehq/quire/gateway"
)

// chatBody encodes req as the upstream request body, in a pooled buffer
// the caller owns. Only fields of the canonical request are sent, plus
// "store": false unless the variant omits it, and stream_options for
// usage when streaming; "user", "metadata" and every other field a client
// may have sent do not exist at this point.
func (p *Provider) chatBody(req *gateway.ChatRequest, stream bool) (*bytes.Buffer, error) {
	if err := p.v.checkChat(req); err != nil {
		return nil, err
	}
	w := wireChatRequest{
		Model:             req.Model,
		Messages:          wireMessages(req),
		Tools:             wireTools(req.Tools),
		ToolChoice:        wireToolChoice(req.ToolChoice),
		ParallelToolCalls: req.ParallelToolCalls,
		Temperature:       req.Temperature,
		TopP:              req.TopP,
		FrequencyPenalty:  req.FrequencyPenalty,
		PresencePenalty:   req.PresencePenalty,
		Stop:              req.Stop,
		Seed:              req.Seed,
		ReasoningEffort:   req.ReasoningEffort,
		ResponseFormat:    wireFormat(req.ResponseFormat),
		Stream:            stream,
	}
	if req.MaxTokens > 0 {
		if p.v.MaxTokensField == "max_tokens" {
			w.MaxTokens = req.MaxTokens
		} else {
			w.MaxCompletionTokens = req.MaxTokens
		}
	}
	if stream && !p.v.OmitStreamUsage {
		w.StreamOptions = &wireStreamOptions{IncludeUsage: true}
	}
	if !p.v.OmitStore {
		w.Store = new(bool)
	}
	if p.v.NoTools {
		w.ToolChoice, w.ParallelToolCalls = nil, nil
	}
	return encodeJSON(&w)
}

// errEncode replaces encoding/json's errors, whose text can quote the
// value (an invalid tool schema, say).
var errEncode = errors.New("request cannot be encoded as JSON (is a tool's parameters or a response schema invalid JSON?)")

// encodeJSON encodes v into a pooled buffer.
func encodeJSON(v any) (*bytes.Buffer, error) {
	buf := gateway.GetBuffer()
	enc := json.NewEncoder(buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		gateway.PutBuffer(buf)
		return nil, errEncode
	}
	return buf, nil
}

func wireMessages(req *gateway.ChatRequest) []wireMessage {
	out := make([]wireMessage, 0, len(req.Messages)+1)
	if req.System != "" {
		out = append(out, wireMessage{Role: "system", Content: wireContent{{Type: gateway.PartText, Text: req.System}}})
	}
	for i := range req.Messages {
		m := &req.Messages[i]
		wm := wireMessage{Role: string(m.Role), Content: wireContent(m.Parts), ToolCallID: m.ToolCallID}
		if len(m.Parts) == 0 && m.Role != gateway.RoleAssistant {
			// Only assistant content may be null.
			wm.Content = wireContent{{Type: gateway.PartText}}
		}
		for _, tc := range m.ToolCalls {
			wm.ToolCalls = append(wm.ToolCalls, wireToolCall{
				ID: tc.ID, Type: "function", Function: wireFunction{Name: tc.Name, Arguments: tc.Arguments},
			})
		}
		out = append(out, wm)
	}
	return out
}

func wireTools(tools []gateway.Tool) []wireTool {
	if len(tools) == 0 {
		return nil
	}
	out := make([]wireTool, len(tools))
	for i, t := range tools {
		out[i] = wireTool{Type: "function", Function: wireToolDef{
			Name: t.Name, Description: t.Description, Parameters: t.Parameters, Strict: t.Strict,
		}}
	}
	return out
}

func wireToolChoice(tc gateway.ToolChoice) any {
	switch tc.Mode {
	case gateway.ToolChoiceAuto, gateway.ToolChoiceNone, gateway.ToolChoiceRequired:
		return string(tc.Mode)
	case gateway.ToolChoiceTool:
		var n wireNamedTool
		n.Type, n.Function.Name = "function", tc.Name
		return n
	}
	return nil
}

func wireFormat(f gateway.ResponseFormat) *wireResponseFormat {
	switch f.Type {
	case gateway.FormatText, gateway.FormatJSONObject:
		return &wireResponseFormat{Type: string(f.Type)}
	case gateway.FormatJSONSchema:
		return &wireResponseFormat{Type: string(f.Type), JSONSchema: &wireJSONSchema{
			Name: or(f.Name, "response"), Description: f.Description, Schema: f.Schema, Strict: f.Strict,
		}}
	}
	return nil
}
