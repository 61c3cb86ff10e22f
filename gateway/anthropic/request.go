package anthropic

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/quirehq/quire/gateway"
)

// Errors for canonical requests this wire format cannot express. They wrap
// gateway.ErrUnsupported and quote nothing from the request.
var (
	errToolArguments = fmt.Errorf("%w: a tool call's arguments are not a JSON object", gateway.ErrUnsupported)
	errJSONObject    = fmt.Errorf("%w: Anthropic has no JSON object mode; ask for a JSON schema instead", gateway.ErrUnsupported)
	errNoSchema      = fmt.Errorf("%w: a JSON schema response format needs a schema", gateway.ErrUnsupported)
	errPartType      = fmt.Errorf("%w: a content part type", gateway.ErrUnsupported)
)

// errEncode replaces encoding/json's errors, whose text can quote the
// value (an invalid tool schema, say).
var errEncode = errors.New("request cannot be encoded as JSON (is a tool's parameters or a response schema invalid JSON?)")

// efforts are the output_config.effort levels Anthropic accepts; other
// canonical levels ("minimal", "none": OpenAI's) are not sent.
var efforts = map[string]bool{"low": true, "medium": true, "high": true, "xhigh": true, "max": true}

// emptySchema is the input_schema of a tool without parameters: Anthropic
// requires one.
var emptySchema = json.RawMessage(`{"type":"object","properties":{}}`)

// messagesBody encodes req as the upstream request body, in a pooled
// buffer the caller owns. Only fields of the canonical request are sent;
// metadata (which would carry a user ID), service tiers, containers and
// every other field a client may have sent do not exist at this point.
// Seed and the frequency and presence penalties have no Anthropic
// equivalent and are dropped; so is top_p when temperature is set, since
// current models refuse the two together.
func (p *Provider) messagesBody(req *gateway.ChatRequest, stream bool) (*bytes.Buffer, error) {
	w := wireRequest{
		Model:         req.Model,
		MaxTokens:     req.MaxTokens,
		StopSequences: req.Stop,
		Stream:        stream,
	}
	if w.MaxTokens <= 0 {
		w.MaxTokens = p.maxTokens
	}
	if t := req.Temperature; t != nil && *t > 1 {
		one := 1.0 // OpenAI's range goes to 2, Anthropic's to 1
		w.Temperature = &one
	} else {
		w.Temperature = t
	}
	if w.Temperature == nil {
		// Current models refuse temperature and top_p together.
		w.TopP = req.TopP
	}
	var err error
	if w.System, w.Messages, err = wireMessages(req); err != nil {
		return nil, err
	}
	w.Tools = wireTools(req.Tools)
	if len(w.Tools) > 0 {
		w.ToolChoice = wireChoice(req.ToolChoice, req.ParallelToolCalls)
	}
	if w.OutputConfig, err = outputConfig(req); err != nil {
		return nil, err
	}
	return encodeJSON(&w)
}

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

// turns builds the alternating turns Anthropic requires: consecutive
// messages of one role are merged into one turn.
type turns struct {
	list []wireMessage
}

func (t *turns) add(role string, blocks []wireBlock) {
	if len(blocks) == 0 {
		return // an empty turn is refused upstream, and says nothing
	}
	if n := len(t.list); n > 0 && t.list[n-1].Role == role {
		t.list[n-1].Content = append(t.list[n-1].Content, blocks...)
		return
	}
	t.list = append(t.list, wireMessage{Role: role, Content: blocks})
}

// wireMessages converts the conversation: the system pieces (System, then
// RoleSystem messages in order) and the turns. Tool results become
// tool_result blocks of a user turn, placed before any other content of
// that turn, as the API requires.
func wireMessages(req *gateway.ChatRequest) (wireSystem, []wireMessage, error) {
	var system wireSystem
	if req.System != "" {
		system = append(system, req.System)
	}
	t := turns{list: make([]wireMessage, 0, len(req.Messages))}
	for i := range req.Messages {
		m := &req.Messages[i]
		switch m.Role {
		case gateway.RoleSystem:
			if s := m.Text(); s != "" {
				system = append(system, s)
			}
		case gateway.RoleAssistant:
			blocks, err := contentBlocks(m.Parts, false)
			if err != nil {
				return nil, nil, err
			}
			for _, tc := range m.ToolCalls {
				input, err := toolInput(tc.Arguments)
				if err != nil {
					return nil, nil, err
				}
				blocks = append(blocks, wireBlock{Type: "tool_use", ID: toolID(tc.ID), Name: tc.Name, Input: input})
			}
			t.add("assistant", blocks)
		case gateway.RoleTool:
			content, err := contentBlocks(m.Parts, true)
			if err != nil {
				return nil, nil, err
			}
			t.add("user", []wireBlock{{Type: "tool_result", ToolUseID: toolID(m.ToolCallID), Content: content}})
		default: // RoleUser
			blocks, err := contentBlocks(m.Parts, true)
			if err != nil {
				return nil, nil, err
			}
			t.add("user", blocks)
		}
	}
	for i := range t.list {
		if t.list[i].Role == "user" {
			resultsFirst(t.list[i].Content)
		}
	}
	return system, t.list, nil
}

// resultsFirst moves the tool_result blocks of a turn before the others,
// keeping the order within each group.
func resultsFirst(blocks []wireBlock) {
	n := 0
	for i := range blocks {
		if blocks[i].Type == "tool_result" {
			if i != n {
				b := blocks[i]
				copy(blocks[n+1:i+1], blocks[n:i])
				blocks[n] = b
			}
			n++
		}
	}
}

// contentBlocks converts text and image parts. Empty text parts are
// skipped: the API refuses empty text blocks.
func contentBlocks(parts []gateway.Part, images bool) ([]wireBlock, error) {
	out := make([]wireBlock, 0, len(parts))
	for _, part := range parts {
		switch {
		case part.Type == gateway.PartText:
			if part.Text != "" {
				out = append(out, wireBlock{Type: "text", Text: part.Text})
			}
		case part.Type == gateway.PartImage && images:
			src := &wireImageSource{Type: "url", URL: part.Image.URL}
			if part.Image.Data != "" {
				src = &wireImageSource{Type: "base64", MediaType: part.Image.MediaType, Data: part.Image.Data}
			}
			out = append(out, wireBlock{Type: "image", Source: src})
		default:
			return nil, errPartType
		}
	}
	return out, nil
}

// toolInput parses a tool call's arguments into the input object Anthropic
// wants. No arguments are an empty object; anything but a JSON object is
// refused, without quoting it.
func toolInput(args string) (json.RawMessage, error) {
	b := bytes.TrimSpace([]byte(args))
	if len(b) == 0 {
		return json.RawMessage(`{}`), nil
	}
	if b[0] != '{' || !json.Valid(b) {
		return nil, errToolArguments
	}
	var out bytes.Buffer
	if err := json.Compact(&out, b); err != nil {
		return nil, errToolArguments
	}
	return out.Bytes(), nil
}

// maxToolIDLen bounds a tool call ID sent as is.
const maxToolIDLen = 128

// toolID returns id if Anthropic accepts it as a tool_use ID
// (^[a-zA-Z0-9_-]+$), else a stable ID derived from it, so that a call
// and its result, converted apart, still match.
func toolID(id string) string {
	ok := id != "" && len(id) <= maxToolIDLen
	for i := 0; ok && i < len(id); i++ {
		c := id[i]
		ok = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-'
	}
	if ok {
		return id
	}
	sum := sha256.Sum256([]byte(id))
	return "toolu_" + hex.EncodeToString(sum[:12])
}

func wireTools(tools []gateway.Tool) []wireTool {
	if len(tools) == 0 {
		return nil
	}
	out := make([]wireTool, len(tools))
	for i, t := range tools {
		schema := t.Parameters
		if len(bytes.TrimSpace(schema)) == 0 || string(bytes.TrimSpace(schema)) == "null" {
			schema = emptySchema
		}
		out[i] = wireTool{Name: t.Name, Description: t.Description, InputSchema: schema, Strict: t.Strict}
	}
	return out
}

// wireChoice converts tool_choice; ParallelToolCalls false becomes
// disable_parallel_tool_use (which "none" does not take).
func wireChoice(tc gateway.ToolChoice, parallel *bool) *wireToolChoice {
	var c *wireToolChoice
	switch tc.Mode {
	case gateway.ToolChoiceAuto:
		c = &wireToolChoice{Type: "auto"}
	case gateway.ToolChoiceRequired:
		c = &wireToolChoice{Type: "any"}
	case gateway.ToolChoiceTool:
		c = &wireToolChoice{Type: "tool", Name: tc.Name}
	case gateway.ToolChoiceNone:
		return &wireToolChoice{Type: "none"}
	}
	if parallel != nil && !*parallel {
		if c == nil {
			c = &wireToolChoice{Type: "auto"}
		}
		c.DisableParallelToolUse = true
	}
	return c
}

// outputConfig converts the response format and reasoning effort. A JSON
// schema becomes structured output (output_config.format, generally
// available); "any JSON object" has no Anthropic equivalent and is
// refused rather than silently answered in prose.
func outputConfig(req *gateway.ChatRequest) (*wireOutputConfig, error) {
	var c wireOutputConfig
	switch req.ResponseFormat.Type {
	case gateway.FormatJSONObject:
		return nil, errJSONObject
	case gateway.FormatJSONSchema:
		s := bytes.TrimSpace(req.ResponseFormat.Schema)
		if len(s) == 0 || string(s) == "null" {
			return nil, errNoSchema
		}
		c.Format = &wireOutputFormat{Type: "json_schema", Schema: req.ResponseFormat.Schema}
	}
	if efforts[req.ReasoningEffort] {
		c.Effort = req.ReasoningEffort
	}
	if c == (wireOutputConfig{}) {
		return nil, nil
	}
	return &c, nil
}
