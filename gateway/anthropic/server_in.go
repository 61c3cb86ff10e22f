package anthropic

import (
	"encoding/json"

	"github.com/quirehq/quire/gateway"
)

// messagesIn holds the fields of a Messages request as read, before
// validation.
type messagesIn struct {
	seen         map[string]bool
	model        *string
	maxTokens    *int64
	messages     []inMessage
	items        int // content blocks in messages so far
	system       inSystem
	stop         stopList
	stream       *bool
	temperature  *float64
	topP         *float64
	tools        []inTool
	toolChoice   *inToolChoice
	outputConfig *inOutputConfig
	outputFormat *inFormat
}

type inMessage struct {
	Role    string    `json:"role"`
	Content inContent `json:"content"`
}

// inContent is message content: a string, or an array of blocks (bounded
// while it is decoded).
type inContent struct {
	seen    bool
	present bool
	text    *string
	list    []inBlock
	badType bool
}

// UnmarshalJSON implements json.Unmarshaler. A value of the wrong shape
// is recorded, not returned, and reported as the content's type; too many
// blocks, or a second "content", are errors.
func (c *inContent) UnmarshalJSON(b []byte) error {
	if c.seen {
		return &nestedError{path: "content", code: "duplicate_parameter"}
	}
	c.seen = true
	switch b[0] {
	case 'n':
		return nil
	case '"':
		c.present = true
		return json.Unmarshal(b, &c.text)
	case '[':
		c.present = true
		return unmarshalArray(b, "content", maxBlocksIn, "too many content blocks.", &c.list)
	}
	c.present, c.badType = true, true
	return nil
}

// inBlock is a content block of a message; only the fields of its type
// matter. Fields the gateway does not forward (cache_control, citations)
// are not decoded.
type inBlock struct {
	Type      string          `json:"type"`
	Text      *string         `json:"text"`
	Source    *inSource       `json:"source"`
	ID        *string         `json:"id"`
	Name      *string         `json:"name"`
	Input     json.RawMessage `json:"input"`
	ToolUseID *string         `json:"tool_use_id"`
	Content   inResult        `json:"content"`
}

// inSource is an image source: base64 data, a URL, or (refused) a file.
type inSource struct {
	Type      string  `json:"type"`
	MediaType string  `json:"media_type"`
	Data      *string `json:"data"`
	URL       *string `json:"url"`
}

// inResult is a tool_result's content: a string, or an array of text and
// image blocks (bounded while it is decoded).
type inResult struct {
	seen    bool
	present bool
	text    *string
	list    []inResultBlock
	badType bool
}

type inResultBlock struct {
	Type   string    `json:"type"`
	Text   *string   `json:"text"`
	Source *inSource `json:"source"`
}

// UnmarshalJSON implements json.Unmarshaler. A second "content" is an
// error.
func (c *inResult) UnmarshalJSON(b []byte) error {
	if c.seen {
		return &nestedError{path: "content", code: "duplicate_parameter"}
	}
	c.seen = true
	switch b[0] {
	case 'n':
		return nil
	case '"':
		c.present = true
		return json.Unmarshal(b, &c.text)
	case '[':
		c.present = true
		return unmarshalArray(b, "content", maxBlocksIn, "too many content blocks.", &c.list)
	}
	c.present, c.badType = true, true
	return nil
}

// inSystem is "system": a string, or an array of text blocks.
type inSystem struct {
	present bool
	text    *string
	list    []inResultBlock
}

// UnmarshalJSON implements json.Unmarshaler.
func (s *inSystem) UnmarshalJSON(b []byte) error {
	switch b[0] {
	case 'n':
		return nil
	case '"':
		s.present = true
		return json.Unmarshal(b, &s.text)
	case '[':
		s.present = true
		return unmarshalArray(b, "", maxBlocksIn, "too many system blocks.", &s.list)
	}
	return &nestedError{code: "invalid_type"}
}

// stopList is "stop_sequences": an array of at most maxStop strings,
// bounded while it is decoded.
type stopList struct {
	list []string
}

// UnmarshalJSON implements json.Unmarshaler.
func (s *stopList) UnmarshalJSON(b []byte) error {
	if b[0] == 'n' {
		return nil
	}
	if unmarshalArray(b, "stop_sequences", maxStop, "", &s.list) != nil {
		return invalid("stop_sequences", "expected at most 16 strings.")
	}
	return nil
}

type inTool struct {
	Type        *string         `json:"type"`
	Name        string          `json:"name"`
	Description *string         `json:"description"`
	InputSchema json.RawMessage `json:"input_schema"`
	Strict      *bool           `json:"strict"`
}

type inToolChoice struct {
	Type                   string `json:"type"`
	Name                   string `json:"name"`
	DisableParallelToolUse *bool  `json:"disable_parallel_tool_use"`
}

type inOutputConfig struct {
	Effort *string   `json:"effort"`
	Format *inFormat `json:"format"`
}

type inFormat struct {
	Type   string          `json:"type"`
	Schema json.RawMessage `json:"schema"`
}

// field reads one top-level member.
func (in *messagesIn) field(dec *json.Decoder, key string) error {
	target := in.target(key)
	if target == nil { // unknown, stateful, or not modelled
		return skipValue(dec)
	}
	if in.seen == nil {
		in.seen = map[string]bool{}
	}
	if in.seen[key] {
		return duplicate(key)
	}
	in.seen[key] = true
	switch key {
	case "messages":
		return readArray(dec, key, maxMessages, "too many messages.", &in.messages, in.spend)
	case "tools":
		return readArray(dec, key, maxTools, "too many tools.", &in.tools, nil)
	}
	return decodeField(dec, key, target)
}

// spend counts a message's blocks, and those of its tool results,
// against the budget for the whole request: the per-message caps alone
// multiply.
func (in *messagesIn) spend(m *inMessage) error {
	in.items += len(m.Content.list)
	for i := range m.Content.list {
		in.items += len(m.Content.list[i].Content.list)
	}
	if in.items > maxItems {
		return invalid("messages", "too many content blocks in all messages.")
	}
	return nil
}

// target returns where a known field is decoded, or nil.
func (in *messagesIn) target(key string) any {
	switch key {
	case "model":
		return &in.model
	case "max_tokens":
		return &in.maxTokens
	case "messages":
		return &in.messages
	case "system":
		return &in.system
	case "stop_sequences":
		return &in.stop
	case "stream":
		return &in.stream
	case "temperature":
		return &in.temperature
	case "top_p":
		return &in.topP
	case "tools":
		return &in.tools
	case "tool_choice":
		return &in.toolChoice
	case "output_config":
		return &in.outputConfig
	case "output_format":
		return &in.outputFormat
	}
	return nil
}

// canonical validates the fields read and builds the canonical request.
func (in *messagesIn) canonical() (*gateway.ChatRequest, error) {
	req := &gateway.ChatRequest{IncludeUsage: true}
	steps := []func(*gateway.ChatRequest) error{
		in.checkModel, in.checkMaxTokens, in.checkSystem, in.checkMessages, in.checkTools,
		in.checkToolChoice, in.checkSampling, in.checkStop, in.checkFormat,
	}
	for _, step := range steps {
		if err := step(req); err != nil {
			return nil, err
		}
	}
	if !hasTurn(req.Messages) {
		return nil, invalid("messages", "at least one message must have content.")
	}
	req.Stream = in.stream != nil && *in.stream
	return req, nil
}

// hasTurn reports whether msgs hold a message that is not a system
// prompt: a conversation whose turns all came out empty has nothing to
// send.
func hasTurn(msgs []gateway.Message) bool {
	for i := range msgs {
		if msgs[i].Role != gateway.RoleSystem {
			return true
		}
	}
	return false
}
