package anthropic

import (
	"encoding/json"
)

// Wire types: the JSON of the Messages API. Requests to the upstream are
// built only from the outbound types (see request.go), so a field that is
// not here cannot be sent; responses are read into the inbound ones, which
// name only what the gateway uses (thinking text, signatures and citations
// are never decoded, so they are never held).

// wireRequest is the outbound Messages request: the allowlist.
type wireRequest struct {
	Model         string            `json:"model"`
	MaxTokens     int               `json:"max_tokens"`
	System        wireSystem        `json:"system,omitempty"`
	Messages      []wireMessage     `json:"messages"`
	Tools         []wireTool        `json:"tools,omitempty"`
	ToolChoice    *wireToolChoice   `json:"tool_choice,omitempty"`
	Temperature   *float64          `json:"temperature,omitempty"`
	TopP          *float64          `json:"top_p,omitempty"`
	StopSequences []string          `json:"stop_sequences,omitempty"`
	OutputConfig  *wireOutputConfig `json:"output_config,omitempty"`
	Stream        bool              `json:"stream,omitempty"`
}

// wireSystem is the system prompt: a string when it is one piece, else an
// array of text blocks (one per piece, in order), so that no separator is
// invented between them.
type wireSystem []string

// MarshalJSON implements json.Marshaler.
func (s wireSystem) MarshalJSON() ([]byte, error) {
	if len(s) == 1 {
		return appendString(nil, s[0]), nil
	}
	b := []byte{'['}
	for i, t := range s {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"type":"text","text":`...)
		b = append(appendString(b, t), '}')
	}
	return append(b, ']'), nil
}

// wireMessage is one outbound turn.
type wireMessage struct {
	Role    string      `json:"role"`
	Content []wireBlock `json:"content"`
}

// wireBlock is an outbound content block: text, image, tool_use or
// tool_result; only the fields of its type are set.
type wireBlock struct {
	Type      string           `json:"type"`
	Text      string           `json:"text,omitempty"`
	Source    *wireImageSource `json:"source,omitempty"`
	ID        string           `json:"id,omitempty"`
	Name      string           `json:"name,omitempty"`
	Input     json.RawMessage  `json:"input,omitempty"`
	ToolUseID string           `json:"tool_use_id,omitempty"`
	Content   wireResult       `json:"content,omitempty"`
}

// wireResult is the content of a tool_result: a string for a single text
// part, else an array of text and image blocks.
type wireResult []wireBlock

// MarshalJSON implements json.Marshaler.
func (r wireResult) MarshalJSON() ([]byte, error) {
	if len(r) == 1 && r[0].Type == "text" {
		return appendString(nil, r[0].Text), nil
	}
	return json.Marshal([]wireBlock(r))
}

// wireImageSource is an image: inline base64 data, or a URL.
type wireImageSource struct {
	Type      string `json:"type"`
	MediaType string `json:"media_type,omitempty"`
	Data      string `json:"data,omitempty"`
	URL       string `json:"url,omitempty"`
}

type wireTool struct {
	Name        string          `json:"name"`
	Description string          `json:"description,omitempty"`
	InputSchema json.RawMessage `json:"input_schema"`
	Strict      bool            `json:"strict,omitempty"`
}

type wireToolChoice struct {
	Type                   string `json:"type"`
	Name                   string `json:"name,omitempty"`
	DisableParallelToolUse bool   `json:"disable_parallel_tool_use,omitempty"`
}

type wireOutputConfig struct {
	Effort string            `json:"effort,omitempty"`
	Format *wireOutputFormat `json:"format,omitempty"`
}

type wireOutputFormat struct {
	Type   string          `json:"type"`
	Schema json.RawMessage `json:"schema"`
}

// wireMessageResp is a message, read from upstreams (a whole answer, or
// the message of message_start).
type wireMessageResp struct {
	ID         string          `json:"id"`
	Type       string          `json:"type"`
	Role       string          `json:"role"`
	Model      string          `json:"model"`
	Content    []wireRespBlock `json:"content"`
	StopReason *string         `json:"stop_reason"`
	Usage      *wireUsage      `json:"usage"`
	Error      *wireError      `json:"error"`
}

// wireRespBlock is a content block of an answer. Thinking, signatures and
// citations are not decoded.
type wireRespBlock struct {
	Type  string          `json:"type"`
	Text  string          `json:"text"`
	ID    string          `json:"id"`
	Name  string          `json:"name"`
	Input json.RawMessage `json:"input"`
}

// wireUsage is usage as Anthropic reports it: input_tokens excludes the
// tokens read from or written to the prompt cache. In message_delta every
// count is a cumulative total, and those that do not apply are left out:
// hence the pointers.
type wireUsage struct {
	InputTokens              *int               `json:"input_tokens"`
	OutputTokens             *int               `json:"output_tokens"`
	CacheCreationInputTokens *int               `json:"cache_creation_input_tokens"`
	CacheReadInputTokens     *int               `json:"cache_read_input_tokens"`
	OutputTokensDetails      *wireOutputDetails `json:"output_tokens_details"`
}

type wireOutputDetails struct {
	ThinkingTokens int `json:"thinking_tokens"`
}

// wireEvent is one event of a stream: its type names which fields are set.
type wireEvent struct {
	Type         string           `json:"type"`
	Message      *wireMessageResp `json:"message"`
	Index        int              `json:"index"` // -1 when absent
	ContentBlock *wireRespBlock   `json:"content_block"`
	Delta        wireDelta        `json:"delta"`
	Usage        *wireUsage       `json:"usage"`
	Error        *wireError       `json:"error"`
}

// wireDelta is the delta of content_block_delta (Type set) or of
// message_delta (StopReason).
type wireDelta struct {
	Type        string  `json:"type"`
	Text        string  `json:"text"`
	PartialJSON string  `json:"partial_json"`
	StopReason  *string `json:"stop_reason"`
}

// wireError is the error object: {"type": "error", "error": {…}}. Its
// message is decoded only to be dropped.
type wireError struct {
	Type    string `json:"type"`
	Message string `json:"message"`
	Details *struct {
		ErrorCode string `json:"error_code"`
	} `json:"details"`
}

func (e *wireError) code() string {
	if e.Details == nil {
		return ""
	}
	return e.Details.ErrorCode
}

type wireErrorBody struct {
	Type  string     `json:"type"`
	Error *wireError `json:"error"`
}

// wireModelPage is one page of GET /v1/models.
type wireModelPage struct {
	Data    []wireModel `json:"data"`
	HasMore bool        `json:"has_more"`
	FirstID string      `json:"first_id"`
	LastID  string      `json:"last_id"`
}

type wireModel struct {
	Type        string `json:"type"`
	ID          string `json:"id"`
	DisplayName string `json:"display_name"`
	CreatedAt   string `json:"created_at"`
}
