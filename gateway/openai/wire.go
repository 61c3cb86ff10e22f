package openai

import (
	"encoding/json"
	"strconv"
	"strings"
)

// Wire types: the JSON the OpenAI API sends and accepts. Requests to the
// upstream are built only from these (see request.go), so a field that is
// not here cannot be sent; responses are read into them and converted.

// wireChatRequest is the outbound chat completion request: the allowlist.
type wireChatRequest struct {
	Model               string              `json:"model"`
	Messages            []wireMessage       `json:"messages"`
	Tools               []wireTool          `json:"tools,omitempty"`
	ToolChoice          any                 `json:"tool_choice,omitempty"`
	ParallelToolCalls   *bool               `json:"parallel_tool_calls,omitempty"`
	Temperature         *float64            `json:"temperature,omitempty"`
	TopP                *float64            `json:"top_p,omitempty"`
	FrequencyPenalty    *float64            `json:"frequency_penalty,omitempty"`
	PresencePenalty     *float64            `json:"presence_penalty,omitempty"`
	MaxTokens           int                 `json:"max_tokens,omitempty"`
	MaxCompletionTokens int                 `json:"max_completion_tokens,omitempty"`
	Stop                []string            `json:"stop,omitempty"`
	Seed                *int64              `json:"seed,omitempty"`
	ReasoningEffort     string              `json:"reasoning_effort,omitempty"`
	ResponseFormat      *wireResponseFormat `json:"response_format,omitempty"`
	Stream              bool                `json:"stream,omitempty"`
	StreamOptions       *wireStreamOptions  `json:"stream_options,omitempty"`
	Store               *bool               `json:"store,omitempty"`
}

type wireStreamOptions struct {
	IncludeUsage bool `json:"include_usage"`
}

// wireMessage is an outbound message; Content marshals as a string, an
// array of parts, or null.
type wireMessage struct {
	Role       string         `json:"role"`
	Content    wireContent    `json:"content"`
	ToolCalls  []wireToolCall `json:"tool_calls,omitempty"`
	ToolCallID string         `json:"tool_call_id,omitempty"`
}

type wireToolCall struct {
	ID       string       `json:"id"`
	Type     string       `json:"type"`
	Function wireFunction `json:"function"`
}

type wireFunction struct {
	Name      string `json:"name"`
	Arguments string `json:"arguments"`
}

type wireTool struct {
	Type     string      `json:"type"`
	Function wireToolDef `json:"function"`
}

type wireToolDef struct {
	Name        string          `json:"name"`
	Description string          `json:"description,omitempty"`
	Parameters  json.RawMessage `json:"parameters,omitempty"`
	Strict      bool            `json:"strict,omitempty"`
}

type wireNamedTool struct {
	Type     string `json:"type"`
	Function struct {
		Name string `json:"name"`
	} `json:"function"`
}

type wireResponseFormat struct {
	Type       string          `json:"type"`
	JSONSchema *wireJSONSchema `json:"json_schema,omitempty"`
}

type wireJSONSchema struct {
	Name        string          `json:"name"`
	Description string          `json:"description,omitempty"`
	Schema      json.RawMessage `json:"schema,omitempty"`
	Strict      bool            `json:"strict,omitempty"`
}

// wireChatResponse is a chat completion, read from upstreams and written
// to clients. Citations, SearchResults and Error are only ever read.
type wireChatResponse struct {
	ID            string             `json:"id"`
	Object        string             `json:"object"`
	Created       int64              `json:"created"`
	Model         string             `json:"model"`
	Choices       []wireChoice       `json:"choices"`
	Usage         *wireUsage         `json:"usage,omitempty"`
	Citations     []string           `json:"citations,omitempty"`
	SearchResults []wireSearchResult `json:"search_results,omitempty"`
	Error         *wireError         `json:"error,omitempty"`
}

type wireChoice struct {
	Index        int             `json:"index"`
	Message      wireRespMessage `json:"message"`
	Logprobs     json.RawMessage `json:"logprobs"`
	FinishReason *string         `json:"finish_reason"`
}

type wireRespMessage struct {
	Role        string           `json:"role"`
	Content     *string          `json:"content"`
	Refusal     *string          `json:"refusal"`
	ToolCalls   []wireToolCall   `json:"tool_calls,omitempty"`
	Annotations []wireAnnotation `json:"annotations"`
}

type wireAnnotation struct {
	Type        string          `json:"type"`
	URLCitation wireURLCitation `json:"url_citation"`
}

type wireURLCitation struct {
	StartIndex int    `json:"start_index"`
	EndIndex   int    `json:"end_index"`
	Title      string `json:"title"`
	URL        string `json:"url"`
}

type wireSearchResult struct {
	Title string `json:"title"`
	URL   string `json:"url"`
}

type wireUsage struct {
	PromptTokens            int                `json:"prompt_tokens"`
	CompletionTokens        int                `json:"completion_tokens"`
	TotalTokens             int                `json:"total_tokens"`
	PromptTokensDetails     *wirePromptDetails `json:"prompt_tokens_details,omitempty"`
	CompletionTokensDetails *wireOutputDetails `json:"completion_tokens_details,omitempty"`
	// ReasoningTokens is Perplexity's top-level count, reported beside
	// completion_tokens rather than inside it; only ever read.
	ReasoningTokens int `json:"reasoning_tokens,omitempty"`
}

type wirePromptDetails struct {
	CachedTokens int `json:"cached_tokens"`
}

type wireOutputDetails struct {
	ReasoningTokens int `json:"reasoning_tokens"`
}

// wireChunk is one chat.completion.chunk, as read from upstreams.
type wireChunk struct {
	ID            string             `json:"id"`
	Model         string             `json:"model"`
	Choices       []wireChunkChoice  `json:"choices"`
	Usage         *wireUsage         `json:"usage"`
	Citations     []string           `json:"citations"`
	SearchResults []wireSearchResult `json:"search_results"`
	Error         *wireError         `json:"error"`
	// XGroq is Groq's extension: on the chunk that carries the finish
	// reason, the usage of the whole stream.
	XGroq *wireXGroq `json:"x_groq"`
}

// wireXGroq is the x_groq member of a Groq chunk.
type wireXGroq struct {
	Usage *wireUsage `json:"usage"`
}

type wireChunkChoice struct {
	Index        int       `json:"index"`
	Delta        wireDelta `json:"delta"`
	FinishReason string    `json:"finish_reason"`
}

type wireDelta struct {
	Content   string          `json:"content"`
	Refusal   string          `json:"refusal"`
	ToolCalls []wireToolDelta `json:"tool_calls"`
}

// wireToolDelta is a fragment of a tool call. Index is a pointer because
// some servers leave it out.
type wireToolDelta struct {
	Index    *int         `json:"index"`
	ID       string       `json:"id"`
	Function wireFunction `json:"function"`
}

// wireError is the body of an error: {"error": {…}}. Code may be a string,
// a number or null depending on the server.
type wireError struct {
	Message string          `json:"message"`
	Type    string          `json:"type"`
	Param   *string         `json:"param"`
	Code    json.RawMessage `json:"code"`
}

// code returns Code as a string token ("" for null or an object).
func (e *wireError) code() string {
	var s string
	if json.Unmarshal(e.Code, &s) == nil {
		return s
	}
	var n json.Number
	if json.Unmarshal(e.Code, &n) == nil {
		return n.String()
	}
	return ""
}

func (e *wireError) param() string {
	if e.Param == nil {
		return ""
	}
	return *e.Param
}

type wireErrorBody struct {
	Error *wireError `json:"error"`
	// Detail is the error body of FastAPI servers (Nebius): a string, or
	// a list of validation errors of which only the first one's type and
	// location are read (never its message or its "input", an echo of
	// the request).
	Detail json.RawMessage `json:"detail"`
}

// wireValidationError is one entry of a FastAPI "detail" list.
type wireValidationError struct {
	Type string `json:"type"`
	Loc  []any  `json:"loc"`
}

// validation returns the type and location ("messages.0.content") of the
// first validation error in a FastAPI body, or empty strings.
func (b *wireErrorBody) validation() (typ, param string) {
	var list []wireValidationError
	if len(b.Detail) == 0 || b.Detail[0] != '[' || json.Unmarshal(b.Detail, &list) != nil || len(list) == 0 {
		return "", ""
	}
	var parts []string
	for i, l := range list[0].Loc {
		switch l := l.(type) {
		case string:
			if i == 0 && l == "body" {
				continue // FastAPI names the part of the request first
			}
			parts = append(parts, l)
		case float64:
			parts = append(parts, strconv.FormatFloat(l, 'f', -1, 64))
		}
	}
	return list[0].Type, strings.Join(parts, ".")
}

// Embeddings.

type wireEmbedRequest struct {
	Model          string   `json:"model"`
	Input          []string `json:"input"`
	Dimensions     int      `json:"dimensions,omitempty"`
	EncodingFormat string   `json:"encoding_format,omitempty"`
}

type wireEmbedResponse struct {
	Data  []wireEmbedding `json:"data"`
	Model string          `json:"model"`
	Usage *wireUsage      `json:"usage"`
	Error *wireError      `json:"error"`
}

type wireEmbedding struct {
	Index     int        `json:"index"`
	Embedding wireVector `json:"embedding"`
}

// Transcriptions.

type wireTranscription struct {
	Text     string          `json:"text"`
	Language string          `json:"language"`
	Duration float64         `json:"duration"`
	Segments []wireSegment   `json:"segments"`
	Usage    *wireAudioUsage `json:"usage"`
	Error    *wireError      `json:"error"`
}

// wireAudioUsage is "tokens" usage (gpt-4o-transcribe) or "duration"
// usage (whisper-1, in seconds).
type wireAudioUsage struct {
	Type         string  `json:"type"`
	InputTokens  int     `json:"input_tokens,omitempty"`
	OutputTokens int     `json:"output_tokens,omitempty"`
	TotalTokens  int     `json:"total_tokens,omitempty"`
	Seconds      float64 `json:"seconds,omitempty"`
}

type wireSegment struct {
	ID    int     `json:"id"`
	Start float64 `json:"start"`
	End   float64 `json:"end"`
	Text  string  `json:"text"`
}

// Models.

type wireModelList struct {
	Object string      `json:"object"`
	Data   []wireModel `json:"data"`
}

type wireModel struct {
	ID      string `json:"id"`
	Object  string `json:"object"`
	Created int64  `json:"created"`
	OwnedBy string `json:"owned_by"`
}
