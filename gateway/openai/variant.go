package openai

import (
	"fmt"

	"github.com/quirehq/quire/gateway"
)

// AuthStyle says how a variant sends the API key.
type AuthStyle uint8

// Auth styles.
const (
	// AuthBearer sends "Authorization: Bearer KEY".
	AuthBearer AuthStyle = iota
	// AuthAPIKeyHeader sends "api-key: KEY" (Azure).
	AuthAPIKeyHeader
	// AuthNone sends no credentials.
	AuthNone
)

// Operation is a call other than chat that a vendor may not offer, for
// Variant.Unsupported. Operations combine with |.
type Operation uint8

// Operations.
const (
	// OpEmbed is Embed (/embeddings).
	OpEmbed Operation = 1 << iota
	// OpTranscribe is Transcribe (/audio/transcriptions).
	OpTranscribe
	// OpModels is Models (/models).
	OpModels
)

// String names op for errors.
func (op Operation) String() string {
	switch op {
	case OpEmbed:
		return "embeddings"
	case OpTranscribe:
		return "transcription"
	case OpModels:
		return "model list"
	}
	return fmt.Sprintf("operations %#x", uint8(op))
}

// Variant describes one dialect of the OpenAI wire format: where requests
// go, how they authenticate, and which optional parts the server supports.
// The OpenAI-compatible vendors (Azure, Groq, Nebius, Perplexity, and
// self-hosted servers such as vLLM, Ollama and llama.cpp) differ from
// OpenAI in these ways only; a vendor package for one of them defines its
// Variant and reuses this package.
//
// The zero value of every flag is the safe behaviour: "store": false is
// sent, usage is asked for, and a stream must end with [DONE]. A variant
// that forgets a flag is stricter, never leakier; each relaxation is
// stated.
type Variant struct {
	// Kind is the configuration kind (Provider.Kind).
	Kind string
	// BaseURL is the default API root; empty means it must be configured.
	BaseURL string
	Auth    AuthStyle
	// KeyOptional allows an empty API key (local servers); no header is
	// sent then.
	KeyOptional bool
	// MaxTokensField is the request field for the output cap:
	// "max_completion_tokens" (OpenAI; reasoning models refuse
	// "max_tokens") or "max_tokens" (most compatible servers).
	MaxTokensField string
	// OmitStore does not send "store": false, for servers that reject the
	// field and keep no completions anyway. Otherwise it is always sent,
	// so the provider keeps no copy of the completion.
	OmitStore bool
	// OmitStreamUsage does not send stream_options.include_usage, for
	// servers that reject it; their streams cannot be metered unless they
	// report usage unasked.
	OmitStreamUsage bool
	// DoneOptional accepts a stream that ends after its finish reason
	// without "data: [DONE]"; otherwise such a stream is truncated.
	DoneOptional bool
	// EmbedBase64 asks for base64 embeddings (a quarter of the bytes of
	// JSON floats, and exact).
	EmbedBase64 bool
	// Deployments routes requests to /openai/deployments/{deployment}/…
	// with an api-version query (Azure).
	Deployments bool
	// APIVersion is the default api-version for Deployments.
	APIVersion string
	// Unsupported lists the operations the vendor does not offer. The
	// Provider refuses them before any request, with a ClassInvalidRequest
	// error wrapping gateway.ErrUnsupported, so that a router tries
	// another provider rather than send the input where it cannot be
	// served; Supports tells a router in advance.
	Unsupported Operation
	// NoTools refuses, before any request, a chat that offers tools or
	// forces a tool call, and never sends tool_choice or
	// parallel_tool_calls, for vendors whose chat API has no function
	// calling: a model that ignored the tools would answer in text to a
	// client waiting for calls.
	NoTools bool
}

// The variants this package implements.
var (
	// OpenAI is the OpenAI API itself.
	OpenAI = Variant{
		Kind: "openai", BaseURL: "https://api.openai.com/v1", Auth: AuthBearer,
		MaxTokensField: "max_completion_tokens", EmbedBase64: true,
	}
	// Azure is Azure OpenAI in deployment mode. It omits "store": the
	// request schema of the GA api-version 2024-10-21 has no such field
	// (Azure's stored completions came with 2024-10-01-preview and need
	// "store": true to be asked for), Azure rejects arguments it does not
	// recognise, and without stored completions it keeps no completion.
	Azure = Variant{
		Kind: "azure_openai", Auth: AuthAPIKeyHeader, OmitStore: true,
		MaxTokensField: "max_completion_tokens", EmbedBase64: true,
		Deployments: true, APIVersion: "2024-10-21",
	}
	// Compatible is a generic OpenAI-compatible server: bearer key if
	// configured, max_tokens, no store field (self-hosted servers keep
	// nothing, and some reject it), usage asked for, and a finish reason
	// accepted as the end of a stream without [DONE].
	Compatible = Variant{
		Kind: "openai_compatible", Auth: AuthBearer, KeyOptional: true,
		MaxTokensField: "max_tokens", OmitStore: true, DoneOptional: true,
	}

	// Groq is GroqCloud's OpenAI-compatible API: chat, transcription
	// (whisper-large-v3, whisper-large-v3-turbo) and the model list.
	//
	//   - OmitStore: Groq's API reference marks "store" as not supported,
	//     and Groq has answered it with 400 "property 'store' is
	//     unsupported"; Groq has no stored completions, so there is
	//     nothing for the flag to turn off.
	//   - max_completion_tokens: Groq documents it, and marks max_tokens
	//     deprecated in its favour (it rejected it until late 2024).
	//   - stream_options.include_usage is sent: Groq accepts it (it
	//     rejected it until 2025) and then ends the stream with a usage
	//     chunk; its finish chunk also carries the usage in x_groq.usage,
	//     which is read too, so a stream is metered either way.
	//   - parallel_tool_calls is a documented Groq parameter: sent as set.
	//   - Image parts are sent as OpenAI's image_url parts (https or data
	//     URLs): Groq's vision models take them, and its other models
	//     refuse them with a 400, a matter of model, not of API.
	//   - Streams end with [DONE]; errors are OpenAI's error object, and
	//     429s carry retry-after and x-ratelimit-* as OpenAI's do.
	//   - Groq has no embeddings endpoint: Embed is refused.
	Groq = Variant{
		Kind: "groq", BaseURL: "https://api.groq.com/openai/v1", Auth: AuthBearer,
		MaxTokensField: "max_completion_tokens", OmitStore: true, Unsupported: OpEmbed,
	}

	// Nebius is Nebius AI Studio, now Nebius Token Factory: chat,
	// embeddings and the model list, at the base URL its API reference
	// documents (the AI Studio host, api.studio.nebius.com, can be
	// configured as BaseURL where an account still uses it). Its request schema
	// includes "store", so "store": false is sent; it documents
	// max_tokens, stream_options.include_usage and base64 embeddings with
	// dimensions. Its errors are FastAPI's {"detail": …}: a validation
	// error's type and location are kept as Type and Param. It has no
	// transcription endpoint: Transcribe is refused.
	Nebius = Variant{
		Kind: "nebius", BaseURL: "https://api.tokenfactory.nebius.com/v1", Auth: AuthBearer,
		MaxTokensField: "max_tokens", EmbedBase64: true, Unsupported: OpTranscribe,
	}

	// Perplexity is Perplexity's Sonar API, whose chat endpoint is
	// /chat/completions at the root of api.perplexity.ai (no /v1). Its
	// answers cite sources in citations and search_results, read into
	// gateway.Citation (streamed too). Its usage is read like OpenAI's,
	// with reasoning_tokens (reported beside completion_tokens) added to
	// the output; citation_tokens and num_search_queries, billed per
	// search rather than as tokens of the answer, are not reported.
	//
	//   - OmitStore: the Sonar request schema has no "store", and
	//     Perplexity offers no stored completions to turn off.
	//   - max_tokens is its output cap.
	//   - OmitStreamUsage: stream_options is not in its schema, and every
	//     chunk of its streams carries the usage so far unasked (the last
	//     one wins).
	//   - DoneOptional: its streams end after the finish reason without
	//     "data: [DONE]" (perplexityai/api-discussion#209).
	//   - NoTools: Sonar models have no function calling (a request with
	//     tools is answered 400 invalid_parameter, or the tools are
	//     ignored), so a chat with tools is refused before any request,
	//     for a router to send it to a provider that can call them.
	//   - Perplexity has no embeddings, transcription or model-list
	//     endpoint: those calls are refused.
	Perplexity = Variant{
		Kind: "perplexity", BaseURL: "https://api.perplexity.ai", Auth: AuthBearer,
		MaxTokensField: "max_tokens", OmitStore: true, OmitStreamUsage: true, DoneOptional: true,
		NoTools: true, Unsupported: OpEmbed | OpTranscribe | OpModels,
	}
)

// VariantFor returns the variant of a configuration kind.
func VariantFor(kind string) (Variant, bool) {
	for _, v := range [...]*Variant{&OpenAI, &Azure, &Compatible, &Groq, &Nebius, &Perplexity} {
		if kind == v.Kind {
			return *v, true
		}
	}
	if kind == "" {
		return OpenAI, true
	}
	return Variant{}, false
}

// Supports reports whether p's vendor offers op; the Provider refuses the
// calls it does not, before any request.
func (p *Provider) Supports(op Operation) bool { return p.v.Unsupported&op == 0 }

// refuse returns the error for op when the variant does not offer it, and
// nil when it does.
func (p *Provider) refuse(op Operation) error {
	if p.Supports(op) {
		return nil
	}
	return gateway.NewError(p.name, gateway.ClassInvalidRequest, fmt.Errorf("%w: %s (%s)", gateway.ErrUnsupported, op, p.v.Kind))
}

// errNoTools is the refusal of tools by a variant without function
// calling.
var errNoTools = fmt.Errorf("%w: tools (function calling)", gateway.ErrUnsupported)

// checkChat refuses what the variant cannot do with req.
func (v *Variant) checkChat(req *gateway.ChatRequest) error {
	if v.NoTools && (len(req.Tools) > 0 || req.ToolChoice.Mode == gateway.ToolChoiceRequired || req.ToolChoice.Mode == gateway.ToolChoiceTool) {
		return errNoTools
	}
	return nil
}
