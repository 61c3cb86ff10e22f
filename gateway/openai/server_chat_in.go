package openai

import (
	"encoding/json"
	"errors"

	"github.com/quirehq/quire/gateway"
)

// chatIn holds the fields of a chat request as read, before validation.
type chatIn struct {
	seen           map[string]bool
	model          *string
	messages       []inMessage
	items          int // content parts and tool calls in messages so far
	tools          []inTool
	toolChoice     json.RawMessage
	parallel       *bool
	temperature    *float64
	topP           *float64
	freqPenalty    *float64
	presPenalty    *float64
	maxTokens      *int64
	maxCompletion  *int64
	stop           stopList
	seed           *int64
	n              *int64
	effort         *string
	responseFormat *inResponseFormat
	stream         *bool
	streamOptions  *inStreamOptions
}

type inStreamOptions struct {
	IncludeUsage *bool `json:"include_usage"`
}

type inResponseFormat struct {
	Type       string `json:"type"`
	JSONSchema *struct {
		Name        string          `json:"name"`
		Description string          `json:"description"`
		Schema      json.RawMessage `json:"schema"`
		Strict      *bool           `json:"strict"`
	} `json:"json_schema"`
}

type inMessage struct {
	Role       string       `json:"role"`
	Content    inContent    `json:"content"`
	ToolCalls  toolCallList `json:"tool_calls"`
	ToolCallID *string      `json:"tool_call_id"`
}

// toolCallList is an assistant message's tool_calls, bounded while it is
// decoded.
type toolCallList struct {
	seen bool
	list []inToolCall
}

// UnmarshalJSON implements json.Unmarshaler.
func (l *toolCallList) UnmarshalJSON(b []byte) error {
	if l.seen {
		return &nestedError{path: "tool_calls", code: "duplicate_parameter"}
	}
	l.seen = true
	return unmarshalArray(b, "tool_calls", gateway.MaxToolCalls, "too many tool calls.", &l.list)
}

// stopList is "stop": a string, or an array of at most maxStop strings
// bounded while it is decoded.
type stopList struct {
	list []string
}

// UnmarshalJSON implements json.Unmarshaler. Every failure is the same
// *APIError, which encoding/json passes through.
func (s *stopList) UnmarshalJSON(b []byte) error {
	bad := badValue("stop", "expected a string or up to 4 strings.")
	switch b[0] {
	case 'n':
		return nil
	case '"':
		var one string
		if err := json.Unmarshal(b, &one); err != nil {
			return bad
		}
		s.list = nil
		if one != "" {
			s.list = []string{one}
		}
	case '[':
		if unmarshalArray(b, "stop", maxStop, "", &s.list) != nil {
			return bad
		}
	default:
		return bad
	}
	return nil
}

type inToolCall struct {
	ID       string `json:"id"`
	Type     string `json:"type"`
	Function *struct {
		Name      string `json:"name"`
		Arguments string `json:"arguments"`
	} `json:"function"`
}

type inTool struct {
	Type     string `json:"type"`
	Function *struct {
		Name        string          `json:"name"`
		Description string          `json:"description"`
		Parameters  json.RawMessage `json:"parameters"`
		Strict      *bool           `json:"strict"`
	} `json:"function"`
}

// inContent is message content: null, a string, or an array of parts
// (bounded while it is decoded).
type inContent struct {
	seen    bool
	present bool
	text    *string
	list    []inPart
	badType bool
}

type inPart struct {
	Type     string  `json:"type"`
	Text     *string `json:"text"`
	Refusal  *string `json:"refusal"`
	ImageURL *struct {
		URL    string `json:"url"`
		Detail string `json:"detail"`
	} `json:"image_url"`
}

// UnmarshalJSON implements json.Unmarshaler. A value of the wrong shape
// is recorded, not returned, and reported as the content's type (what
// OpenAI does); too many parts, or a second "content", are errors.
func (c *inContent) UnmarshalJSON(b []byte) error {
	if c.seen {
		return &nestedError{path: "content", code: "duplicate_parameter"}
	}
	c.seen = true
	var err error
	switch b[0] {
	case 'n':
		return nil
	case '"':
		err = json.Unmarshal(b, &c.text)
	case '[':
		err = unmarshalArray(b, "content", maxParts, "too many content parts.", &c.list)
	default:
		c.badType = true
		return nil
	}
	c.present = true
	var ne *nestedError
	if errors.As(err, &ne) && ne.code == "invalid_type" {
		c.badType, err = true, nil
	}
	return err
}

// field reads one top-level member.
func (in *chatIn) field(dec *json.Decoder, key string, x *ChatExtras) error {
	target := in.target(key)
	if target == nil { // unknown, or stateful (store, user, metadata, …)
		x.drop(key)
		return skipValue(dec)
	}
	if in.seen == nil {
		in.seen = map[string]bool{}
	}
	if in.seen[key] {
		return invalid("duplicate_parameter", key, "The parameter '"+key+"' appears more than once.")
	}
	in.seen[key] = true
	switch key {
	case "messages":
		return readArray(dec, key, maxMessages, "too many messages.", &in.messages, in.spend)
	case "tools":
		return readArray(dec, key, maxTools, "at most 128 tools.", &in.tools, nil)
	}
	return decodeField(dec, key, target)
}

// spend counts a message's parts and tool calls against the budget for
// the whole request: the per-message caps alone multiply.
func (in *chatIn) spend(m *inMessage) error {
	in.items += len(m.Content.list) + len(m.ToolCalls.list)
	if in.items > maxItems {
		return badValue("messages", "too many content parts and tool calls in all messages.")
	}
	return nil
}

// target returns where a known field is decoded, or nil.
func (in *chatIn) target(key string) any {
	switch key {
	case "model":
		return &in.model
	case "messages":
		return &in.messages
	case "tools":
		return &in.tools
	case "tool_choice":
		return &in.toolChoice
	case "parallel_tool_calls":
		return &in.parallel
	case "temperature":
		return &in.temperature
	case "top_p":
		return &in.topP
	case "frequency_penalty":
		return &in.freqPenalty
	case "presence_penalty":
		return &in.presPenalty
	case "max_tokens":
		return &in.maxTokens
	case "max_completion_tokens":
		return &in.maxCompletion
	case "stop":
		return &in.stop
	case "seed":
		return &in.seed
	case "n":
		return &in.n
	case "reasoning_effort":
		return &in.effort
	case "response_format":
		return &in.responseFormat
	case "stream":
		return &in.stream
	case "stream_options":
		return &in.streamOptions
	}
	return nil
}

// canonical validates the fields read and builds the canonical request.
func (in *chatIn) canonical() (*gateway.ChatRequest, error) {
	req := &gateway.ChatRequest{}
	steps := []func(*gateway.ChatRequest) error{
		in.checkModel, in.checkMessages, in.checkTools, in.checkToolChoice,
		in.checkSampling, in.checkStop, in.checkFormat, in.checkStream,
	}
	for _, step := range steps {
		if err := step(req); err != nil {
			return nil, err
		}
	}
	return req, nil
}
