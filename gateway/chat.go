package gateway

import (
	"encoding/json"
	"strings"
	"time"
)

// Role is the author of a message.
type Role string

// Roles. Vendor-specific roles ("developer", "model", …) are mapped onto
// these by the vendor packages.
const (
	RoleSystem    Role = "system"
	RoleUser      Role = "user"
	RoleAssistant Role = "assistant"
	RoleTool      Role = "tool"
)

// ChatRequest is a chat completion request in the gateway's own terms.
// Optional numeric settings are pointers so that "not set" (use the
// provider's default) differs from zero.
type ChatRequest struct {
	// Model is the model ID the provider serves (after alias resolution).
	Model string
	// System holds instructions placed before Messages. Messages may also
	// contain RoleSystem messages where the client put them; vendors with a
	// single system field join them in order.
	System string
	// Messages is the conversation, oldest first.
	Messages []Message
	// Tools the model may call, and how it must choose among them.
	Tools      []Tool
	ToolChoice ToolChoice
	// ParallelToolCalls, when set, allows or forbids several calls per turn.
	ParallelToolCalls *bool

	Temperature      *float64
	TopP             *float64
	FrequencyPenalty *float64
	PresencePenalty  *float64
	// MaxTokens caps the output tokens; 0 means the provider's default.
	MaxTokens int
	// Stop lists up to four sequences that end generation.
	Stop []string
	Seed *int64
	// ReasoningEffort ("low", "medium", "high", …) for reasoning models;
	// empty means the provider's default.
	ReasoningEffort string
	// ResponseFormat asks for plain text (the zero value), any JSON object,
	// or JSON matching a schema.
	ResponseFormat ResponseFormat

	// Stream records whether the client asked for a stream; providers are
	// told by the method called (Chat or ChatStream), not by this flag.
	Stream bool
	// IncludeUsage records whether the client wants usage at the end of its
	// stream. Providers always ask upstream for usage, for metering.
	IncludeUsage bool
}

// Message is one turn of the conversation.
type Message struct {
	Role Role
	// Parts is the content in order: text and images.
	Parts []Part
	// ToolCalls are the calls an assistant message made.
	ToolCalls []ToolCall
	// ToolCallID links a RoleTool message (the result) to its call.
	ToolCallID string
}

// Text returns the concatenated text parts of m.
func (m *Message) Text() string {
	if len(m.Parts) == 1 && m.Parts[0].Type == PartText {
		return m.Parts[0].Text
	}
	var b strings.Builder
	for _, p := range m.Parts {
		if p.Type == PartText {
			b.WriteString(p.Text)
		}
	}
	return b.String()
}

// TextMessage returns a message with a single text part.
func TextMessage(role Role, text string) Message {
	return Message{Role: role, Parts: []Part{{Type: PartText, Text: text}}}
}

// PartType says what a Part holds.
type PartType uint8

// Part types.
const (
	PartText PartType = iota + 1
	PartImage
)

// Part is one piece of message content.
type Part struct {
	Type  PartType
	Text  string // PartText
	Image Image  // PartImage
}

// Image is image input: either a URL the provider fetches, or inline data.
type Image struct {
	// URL is an https URL; empty when Data is set.
	URL string
	// Data is the image bytes in standard base64, with MediaType
	// ("image/png", "image/jpeg", "image/gif", "image/webp").
	Data      string
	MediaType string
	// Detail is a fidelity hint ("auto", "low", "high") that vendors
	// without such a setting ignore.
	Detail string
}

// Tool is a function the model may call.
type Tool struct {
	Name        string
	Description string
	// Parameters is the JSON Schema of the arguments object, forwarded
	// verbatim: with ResponseFormat.Schema, the only client JSON that no
	// field allowlist filters (a schema is legitimately arbitrary). Its
	// size and nesting are bounded (CheckSchema), and MapStrings reaches
	// its strings, for redaction.
	Parameters json.RawMessage
	// Strict asks for arguments that always match Parameters.
	Strict bool
}

// ToolCall is one call the model made.
type ToolCall struct {
	ID   string
	Name string
	// Arguments is the JSON text of the arguments as the model wrote it;
	// it is not guaranteed to be valid JSON.
	Arguments string
}

// ToolChoiceMode says how the model picks tools.
type ToolChoiceMode string

// Tool choice modes. The empty mode means the provider's default.
const (
	ToolChoiceAuto     ToolChoiceMode = "auto"
	ToolChoiceNone     ToolChoiceMode = "none"
	ToolChoiceRequired ToolChoiceMode = "required"
	// ToolChoiceTool forces the tool named in ToolChoice.Name.
	ToolChoiceTool ToolChoiceMode = "tool"
)

// ToolChoice constrains tool use; the zero value leaves it to the provider.
type ToolChoice struct {
	Mode ToolChoiceMode
	Name string
}

// ResponseFormatType selects the shape of the answer.
type ResponseFormatType string

// Response formats. The empty type is plain text.
const (
	FormatText       ResponseFormatType = "text"
	FormatJSONObject ResponseFormatType = "json_object"
	FormatJSONSchema ResponseFormatType = "json_schema"
)

// ResponseFormat asks for structured output.
type ResponseFormat struct {
	Type ResponseFormatType
	// Name, Description, Schema and Strict apply to FormatJSONSchema.
	// Schema is forwarded verbatim, like Tool.Parameters.
	Name        string
	Description string
	Schema      json.RawMessage
	Strict      bool
}

// FinishReason says why generation stopped, normalised across vendors.
type FinishReason string

// Finish reasons.
const (
	FinishStop          FinishReason = "stop"
	FinishLength        FinishReason = "length"
	FinishToolCalls     FinishReason = "tool_calls"
	FinishContentFilter FinishReason = "content_filter"
	FinishError         FinishReason = "error"
)

// ChatResponse is a complete (non-streamed) answer.
type ChatResponse struct {
	ID      string
	Model   string
	Created time.Time
	// Message is the assistant's message: text parts and tool calls.
	Message      Message
	FinishReason FinishReason
	// Usage is nil when the provider reported none (a compatible server
	// may end a stream without it), which metering must tell apart from a
	// count of zero.
	Usage *Usage
	// Citations are sources a search-backed model cited, in order.
	Citations []Citation
}

// Usage counts tokens. Cached and reasoning tokens are subsets of the
// input and output counts, as OpenAI reports them; vendors that report
// them apart add them in.
type Usage struct {
	InputTokens       int
	OutputTokens      int
	CachedInputTokens int
	ReasoningTokens   int
}

// Total returns input plus output tokens.
func (u Usage) Total() int { return u.InputTokens + u.OutputTokens }

// IsZero reports whether u counts nothing.
func (u Usage) IsZero() bool { return u == Usage{} }

// Citation is a source a model cited.
type Citation struct {
	URL   string
	Title string
}
