// Package openai speaks the OpenAI wire format in both directions: as a
// client of OpenAI and of the vendors that copy its API (Provider), and as
// the server codec of the gateway's OpenAI-compatible endpoints (Decode…,
// Write…, StreamEncoder).
//
// # Client
//
// New returns a Provider (gateway.ChatProvider, Embedder, Transcriber,
// ModelLister) for chat completions, streamed or not, embeddings, audio
// transcriptions and the model list. Upstream requests are built from the
// canonical gateway types only, so a field the gateway does not model cannot
// be sent (claim AI-4); "store": false is always sent where the API has it,
// and never "user", "metadata" or "previous_response_id" (claim AI-2).
// Streams always ask for usage (stream_options.include_usage) so that
// every call can be metered. Upstream failures become *gateway.ProviderError
// with the vendor's error type, code and param but never its message,
// which can quote the prompt; Retry-After, retry-after-ms and the
// x-ratelimit-reset-* headers give the wait; a 429 for an exhausted quota
// is not retryable. A stream that ends without its finish reason or
// "[DONE]" is gateway.ErrStreamTruncated; an error object inside a 200
// stream is gateway.ErrStreamError. Cancelling the context, closing a
// stream, a stream idle for StreamIdleTimeout and a call longer than
// Timeout all abort the upstream request.
//
// A Variant describes a dialect: OpenAI, Azure (deployment URLs,
// api-version, api-key header) and Compatible (self-hosted servers: no key
// required, max_tokens, no store field, no [DONE] required) are defined
// here; Groq, Nebius and Perplexity need only their own Variant values, and
// Perplexity's citations and search_results are already read into
// gateway.Citation.
//
// # Server codec
//
// DecodeChatRequest, DecodeEmbedRequest and DecodeTranscribeRequest read
// client requests strictly, with size limits, and fail with *APIError
// values that official SDKs parse (400 invalid_request_error with the
// offending param, 413 past the limit). Unknown fields, and fields that
// make providers keep state (store, metadata, user, previous_response_id,
// …), are dropped; the top-level ones are named in the extras, for
// diagnostics. WriteChatResponse, StreamEncoder, WriteEmbedResponse,
// WriteTranscription, WriteModels and WriteAPIError write answers;
// ErrorFromProvider maps a provider failure to what the client is told
// (an upstream's credential or server trouble is the gateway's 502 or 504,
// never the client's 401).
//
// # What it does not do
//
// It does not retry, fall back, route, redact or meter (the router does),
// nor choose models. It does not support n > 1, logprobs, audio output,
// audio or file input parts, custom (non-function) tools, predicted
// outputs, or streamed transcription; requests for them are refused
// (400) or, for output-only options such as logprobs, the option is
// dropped. Refusals are passed on as text. Stream obfuscation padding is
// not added to the chunks the gateway sends.
package openai
