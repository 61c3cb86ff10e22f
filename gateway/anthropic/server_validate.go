package anthropic

import (
	"bytes"
	"encoding/json"
	"math"
	"strconv"
	"strings"

	"github.com/quirehq/quire/gateway"
)

// Request bounds. They bound work and memory per request well above real
// use: arrays are refused while they are decoded (server_list.go), and
// maxItems bounds the blocks of all messages together, since the
// per-message caps multiply.
const (
	maxModelLen    = 256
	maxMessages    = 4096
	maxBlocksIn    = 1024
	maxItems       = 32768
	maxTools       = 128
	maxStop        = 16
	maxIDLen       = 256
	maxOutputLimit = 1 << 24
	maxInputDepth  = 64
)

func (in *messagesIn) checkModel(req *gateway.ChatRequest) error {
	switch {
	case in.model == nil:
		return missing("model")
	case *in.model == "" || len(*in.model) > maxModelLen || !printable(*in.model):
		return invalid("model", "expected a model ID.")
	}
	req.Model = *in.model
	return nil
}

func (in *messagesIn) checkMaxTokens(req *gateway.ChatRequest) error {
	switch {
	case in.maxTokens == nil:
		return missing("max_tokens")
	case *in.maxTokens < 1 || *in.maxTokens > maxOutputLimit:
		return invalid("max_tokens", "expected a positive number of tokens.")
	}
	req.MaxTokens = int(*in.maxTokens)
	return nil
}

// checkSystem converts the system prompt: a string, or text blocks of
// which the first is System and the others RoleSystem messages, so that
// the pieces reach a provider apart and in order.
func (in *messagesIn) checkSystem(req *gateway.ChatRequest) error {
	s := &in.system
	if s.text != nil {
		req.System = *s.text
		return nil
	}
	for i, b := range s.list {
		p := "system." + strconv.Itoa(i)
		switch {
		case b.Type == "":
			return missing(p + ".type")
		case b.Type != "text":
			return invalid(p+".type", "system blocks must be text.")
		case b.Text == nil:
			return missing(p + ".text")
		case *b.Text == "":
			continue
		case req.System == "":
			req.System = *b.Text
		default:
			req.Messages = append(req.Messages, gateway.TextMessage(gateway.RoleSystem, *b.Text))
		}
	}
	return nil
}

// printable reports whether s has no control characters.
func printable(s string) bool {
	for _, r := range s {
		if r < 0x20 || r == 0x7f {
			return false
		}
	}
	return true
}

// isObject reports whether raw is a JSON object.
func isObject(raw json.RawMessage) bool {
	raw = bytes.TrimSpace(raw)
	return len(raw) > 0 && raw[0] == '{'
}

// isNull reports whether raw is absent or null.
func isNull(raw json.RawMessage) bool {
	raw = bytes.TrimSpace(raw)
	return len(raw) == 0 || string(raw) == "null"
}

// depth returns the deepest nesting of arrays and objects in raw, which
// must be valid JSON, skipping strings.
func depth(raw []byte) int {
	d, deepest := 0, 0
	inString, escaped := false, false
	for _, c := range raw {
		switch {
		case inString:
			switch {
			case escaped:
				escaped = false
			case c == '\\':
				escaped = true
			case c == '"':
				inString = false
			}
		case c == '"':
			inString = true
		case c == '{' || c == '[':
			d++
			deepest = max(deepest, d)
		case c == '}' || c == ']':
			d--
		}
	}
	return deepest
}

func (in *messagesIn) checkTools(req *gateway.ChatRequest) error {
	for i, t := range in.tools {
		p := "tools." + strconv.Itoa(i)
		switch {
		case t.Type != nil && *t.Type != "custom":
			return invalid(p+".type", "only custom (client) tools are supported.")
		case !validName(t.Name):
			return invalid(p+".name", "expected 1 to 64 letters, digits, '_' or '-'.")
		case isNull(t.InputSchema):
			return missing(p + ".input_schema")
		case !isObject(t.InputSchema):
			return invalid(p+".input_schema", "expected a JSON Schema object.")
		case gateway.CheckSchema(t.InputSchema) != nil:
			return invalid(p+".input_schema", "the schema is too large or too deeply nested.")
		}
		tool := gateway.Tool{Name: t.Name, Parameters: t.InputSchema, Strict: t.Strict != nil && *t.Strict}
		if t.Description != nil {
			tool.Description = *t.Description
		}
		req.Tools = append(req.Tools, tool)
	}
	return nil
}

func (in *messagesIn) checkToolChoice(req *gateway.ChatRequest) error {
	c := in.toolChoice
	if c == nil {
		return nil
	}
	switch c.Type {
	case "auto":
		req.ToolChoice.Mode = gateway.ToolChoiceAuto
	case "any":
		req.ToolChoice.Mode = gateway.ToolChoiceRequired
	case "none":
		req.ToolChoice.Mode = gateway.ToolChoiceNone
	case "tool":
		if !validName(c.Name) {
			return invalid("tool_choice.name", "expected the name of a tool.")
		}
		req.ToolChoice = gateway.ToolChoice{Mode: gateway.ToolChoiceTool, Name: c.Name}
	case "":
		return missing("tool_choice.type")
	default:
		return invalid("tool_choice.type", "expected auto, any, tool or none.")
	}
	if c.DisableParallelToolUse != nil && *c.DisableParallelToolUse {
		no := false
		req.ParallelToolCalls = &no
	}
	return nil
}

// inRange checks an optional number against [lo, hi].
func inRange(param string, v *float64, lo, hi float64) error {
	if v != nil && (math.IsNaN(*v) || *v < lo || *v > hi) {
		return invalid(param, "out of range.")
	}
	return nil
}

func (in *messagesIn) checkSampling(req *gateway.ChatRequest) error {
	if err := inRange("temperature", in.temperature, 0, 1); err != nil {
		return err
	}
	if err := inRange("top_p", in.topP, 0, 1); err != nil {
		return err
	}
	req.Temperature, req.TopP = in.temperature, in.topP
	return nil
}

func (in *messagesIn) checkStop(req *gateway.ChatRequest) error {
	for i, s := range in.stop.list {
		if strings.TrimSpace(s) == "" {
			return invalid("stop_sequences."+strconv.Itoa(i), "stop sequences must contain non-whitespace.")
		}
	}
	if len(in.stop.list) > 0 {
		req.Stop = in.stop.list
	}
	return nil
}

// checkFormat reads structured output (output_config.format, or the beta's
// output_format) and the effort level.
func (in *messagesIn) checkFormat(req *gateway.ChatRequest) error {
	f, p := in.outputFormat, "output_format"
	if c := in.outputConfig; c != nil {
		if c.Effort != nil {
			if !efforts[*c.Effort] {
				return invalid("output_config.effort", "expected low, medium, high, xhigh or max.")
			}
			req.ReasoningEffort = *c.Effort
		}
		if c.Format != nil {
			if f != nil {
				return invalid("output_format", "give output_config.format or output_format, not both.")
			}
			f, p = c.Format, "output_config.format"
		}
	}
	if f == nil {
		return nil
	}
	switch {
	case f.Type == "":
		return missing(p + ".type")
	case f.Type != "json_schema":
		return invalid(p+".type", "expected json_schema.")
	case isNull(f.Schema):
		return missing(p + ".schema")
	case !isObject(f.Schema):
		return invalid(p+".schema", "expected a JSON Schema object.")
	case gateway.CheckSchema(f.Schema) != nil:
		return invalid(p+".schema", "the schema is too large or too deeply nested.")
	}
	// Anthropic's structured outputs always hold to the schema: strict.
	req.ResponseFormat = gateway.ResponseFormat{Type: gateway.FormatJSONSchema, Schema: f.Schema, Strict: true}
	return nil
}

// validName reports whether s is a valid tool name.
func validName(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}
