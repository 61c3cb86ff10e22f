package openai

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
)

// VariantFor returns the variant of a configuration kind.
func VariantFor(kind string) (Variant, bool) {
	switch kind {
	case "", OpenAI.Kind:
		return OpenAI, true
	case Azure.Kind:
		return Azure, true
	case Compatible.Kind:
		return Compatible, true
	}
	return Variant{}, false
}
