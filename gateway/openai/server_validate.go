package openai

import (
	"bytes"
	"encoding/json"
	"math"
	"strconv"

	"github.com/quirehq/quire/gateway"
)

// Request bounds. OpenAI's own: 128 tools, 4 stop sequences; the others
// bound work and memory per request well above real use. Arrays are
// refused while they are decoded (server_list.go), and maxItems bounds
// the parts and tool calls of all messages together, since the
// per-message caps multiply.
const (
	maxModelLen    = 256
	maxMessages    = 4096
	maxParts       = 1024
	maxItems       = 32768
	maxTools       = 128
	maxStop        = 4
	maxIDLen       = 256
	maxOutputLimit = 1 << 24
)

func missing(param string) *APIError {
	return invalid("missing_required_parameter", param, "Missing required parameter: '"+param+"'.")
}

func badValue(param, why string) *APIError {
	return invalid("invalid_value", param, "Invalid value for '"+param+"': "+why)
}

func (in *chatIn) checkModel(req *gateway.ChatRequest) error {
	switch {
	case in.model == nil:
		return missing("model")
	case *in.model == "" || len(*in.model) > maxModelLen || !printable(*in.model):
		return badValue("model", "expected a model ID.")
	}
	req.Model = *in.model
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

// schemaError is the refusal of a schema that gateway.CheckSchema bounds.
func schemaError(param string) *APIError {
	return badValue(param, "the schema is too large or too deeply nested.")
}

func (in *chatIn) checkTools(req *gateway.ChatRequest) error {
	for i, t := range in.tools {
		p := "tools[" + strconv.Itoa(i) + "]"
		switch {
		case t.Type != "function":
			return invalid("unsupported_tool_type", p+".type", "Only function tools are supported.")
		case t.Function == nil:
			return missing(p + ".function")
		case !validName(t.Function.Name):
			return badValue(p+".function.name", "expected 1 to 64 letters, digits, '_' or '-'.")
		case !isNull(t.Function.Parameters) && !isObject(t.Function.Parameters):
			return badValue(p+".function.parameters", "expected a JSON Schema object.")
		case gateway.CheckSchema(t.Function.Parameters) != nil:
			return schemaError(p + ".function.parameters")
		}
		tool := gateway.Tool{Name: t.Function.Name, Description: t.Function.Description, Strict: t.Function.Strict != nil && *t.Function.Strict}
		if !isNull(t.Function.Parameters) {
			tool.Parameters = t.Function.Parameters
		}
		req.Tools = append(req.Tools, tool)
	}
	req.ParallelToolCalls = in.parallel
	return nil
}

func (in *chatIn) checkToolChoice(req *gateway.ChatRequest) error {
	if isNull(in.toolChoice) {
		return nil
	}
	var mode string
	if json.Unmarshal(in.toolChoice, &mode) == nil {
		switch gateway.ToolChoiceMode(mode) {
		case gateway.ToolChoiceAuto, gateway.ToolChoiceNone, gateway.ToolChoiceRequired:
			req.ToolChoice.Mode = gateway.ToolChoiceMode(mode)
			return nil
		}
		return badValue("tool_choice", "expected none, auto, required or a named function.")
	}
	var named struct {
		Type     string `json:"type"`
		Function struct {
			Name string `json:"name"`
		} `json:"function"`
	}
	if json.Unmarshal(in.toolChoice, &named) != nil || named.Type != "function" || !validName(named.Function.Name) {
		return badValue("tool_choice", "expected none, auto, required or a named function.")
	}
	req.ToolChoice = gateway.ToolChoice{Mode: gateway.ToolChoiceTool, Name: named.Function.Name}
	return nil
}

// inRange checks an optional number against [lo, hi].
func inRange(param string, v *float64, lo, hi float64) error {
	if v != nil && (math.IsNaN(*v) || *v < lo || *v > hi) {
		return badValue(param, "out of range.")
	}
	return nil
}

func (in *chatIn) checkSampling(req *gateway.ChatRequest) error {
	for _, c := range []struct {
		p      string
		v      *float64
		lo, hi float64
	}{{"temperature", in.temperature, 0, 2}, {"top_p", in.topP, 0, 1}, {"frequency_penalty", in.freqPenalty, -2, 2}, {"presence_penalty", in.presPenalty, -2, 2}} {
		if err := inRange(c.p, c.v, c.lo, c.hi); err != nil {
			return err
		}
	}
	req.Temperature, req.TopP, req.FrequencyPenalty, req.PresencePenalty = in.temperature, in.topP, in.freqPenalty, in.presPenalty
	for _, c := range []struct {
		p string
		v *int64
	}{{"max_tokens", in.maxTokens}, {"max_completion_tokens", in.maxCompletion}} {
		if c.v != nil && (*c.v < 1 || *c.v > maxOutputLimit) {
			return badValue(c.p, "expected a positive number of tokens.")
		}
		if c.v != nil {
			req.MaxTokens = int(*c.v) // max_completion_tokens, read second, wins
		}
	}
	if in.n != nil && *in.n != 1 {
		return invalid("unsupported_value", "n", "Only n=1 is supported.")
	}
	if in.effort != nil {
		if gateway.SafeToken(*in.effort, 16) == "" || *in.effort == "" {
			return badValue("reasoning_effort", "expected a reasoning effort level.")
		}
		req.ReasoningEffort = *in.effort
	}
	req.Seed = in.seed
	return nil
}

func (in *chatIn) checkStop(req *gateway.ChatRequest) error {
	for _, s := range in.stop.list {
		if s == "" {
			return badValue("stop", "stop sequences must not be empty.")
		}
	}
	if len(in.stop.list) > 0 {
		req.Stop = in.stop.list
	}
	return nil
}

func (in *chatIn) checkFormat(req *gateway.ChatRequest) error {
	f := in.responseFormat
	if f == nil {
		return nil
	}
	switch f.Type {
	case "text", "json_object":
		req.ResponseFormat.Type = gateway.ResponseFormatType(f.Type)
		return nil
	case "json_schema":
	case "":
		return missing("response_format.type")
	default:
		return badValue("response_format.type", "expected text, json_object or json_schema.")
	}
	s := f.JSONSchema
	switch {
	case s == nil:
		return missing("response_format.json_schema")
	case !validName(s.Name):
		return badValue("response_format.json_schema.name", "expected 1 to 64 letters, digits, '_' or '-'.")
	case !isNull(s.Schema) && !isObject(s.Schema):
		return badValue("response_format.json_schema.schema", "expected a JSON Schema object.")
	case gateway.CheckSchema(s.Schema) != nil:
		return schemaError("response_format.json_schema.schema")
	}
	req.ResponseFormat = gateway.ResponseFormat{
		Type: gateway.FormatJSONSchema, Name: s.Name, Description: s.Description,
		Strict: s.Strict != nil && *s.Strict,
	}
	if !isNull(s.Schema) {
		req.ResponseFormat.Schema = s.Schema
	}
	return nil
}

func (in *chatIn) checkStream(req *gateway.ChatRequest) error {
	req.Stream = in.stream != nil && *in.stream
	if in.streamOptions == nil {
		return nil
	}
	if !req.Stream {
		return invalid("invalid_value", "stream_options", "The 'stream_options' parameter is only allowed when 'stream' is true.")
	}
	req.IncludeUsage = in.streamOptions.IncludeUsage != nil && *in.streamOptions.IncludeUsage
	return nil
}
