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
// be sent (claim AI-4); "store": false is sent unless the variant omits it
// (Azure and self-hosted servers, which keep nothing unless asked), and
// never "user", "metadata" or "previous_response_id" (claim AI-2).
// Streams always ask for usage (stream_options.include_usage) so that
// every call can be metered; usage a server did not report is nil, not
// zero. Upstream failures become *gateway.ProviderError
// with the vendor's error type, code and param but never its message,
// which can quote the prompt; Retry-After, retry-after-ms and the
// x-ratelimit-reset-* headers give the wait; a 429 for an exhausted quota
// is not retryable. A stream that ends without its finish reason or
// "[DONE]" is gateway.ErrStreamTruncated; an error object inside a 200
// stream, or an "event: error" whatever its data, is
// gateway.ErrStreamError. Text, tool calls and finish reasons after the
// finish reason are ignored. Tool calls are numbered by the stream in the
// order they open: a delta without an index continues the last call, and
// one whose ID differs from its call's opens a new call, so servers that
// leave out or reuse indexes do not merge calls; a name sent after the ID
// is passed on. Cancelling the context, closing a stream, a stream idle
// for StreamIdleTimeout (the upstream's silence, not the consumer's
// pace) and a call longer than Timeout (DefaultTimeout, 10 minutes: as
// long as reasoning models may think) all abort the upstream request.
// JSON request bodies can be replayed by the transport (GetBody) on a
// fresh connection.
//
// A Variant describes a dialect, and each is defined here with the reason
// for every flag: OpenAI; Azure (deployment URLs, api-version, api-key
// header, no store field); Compatible (self-hosted servers: no key
// required, max_tokens, no store field, no [DONE] required); Groq (no
// store field, which it rejects; max_completion_tokens; usage read from
// x_groq.usage and from the stream_options usage chunk, the last one
// winning; transcription; no embeddings); Nebius Token Factory (store
// false, max_tokens, base64 embeddings, FastAPI validation errors read
// for their type and location; no transcription); Perplexity (chat at
// /chat/completions without /v1, citations and search_results read into
// gateway.Citation, streamed or not; reasoning_tokens, reported apart
// from completion_tokens, added to the output; no [DONE]; no tools,
// embeddings, transcription or model list). A variant refuses what its
// vendor cannot do before any request, with a ClassInvalidRequest error
// wrapping gateway.ErrUnsupported (Provider.Supports tells a router in
// advance), rather than send a prompt where it cannot be served. A
// Variant's zero flags are the safe behaviour (store false, usage asked
// for, [DONE] required, every operation offered).
//
// # Server codec
//
// DecodeChatRequest, DecodeEmbedRequest and DecodeTranscribeRequest read
// client requests strictly, with size limits, and fail with *APIError
// values that official SDKs parse (400 invalid_request_error with the
// offending param, 413 past the limit). Every array is counted while it
// is decoded and refused at the first element past its cap (messages,
// content parts, tool calls, tools, stop, embedding inputs, and the parts
// and tool calls of all messages together), so a request's memory follows
// the caps, not its size: a few times the body at worst. Tool parameters
// and response schemas, the only client JSON forwarded verbatim, are
// bounded by gateway.CheckSchema. Unknown fields, and fields that make
// providers keep state (store, metadata, user, previous_response_id, …),
// are dropped; the top-level ones are named in the extras, for
// diagnostics. Unknown form fields of a transcription are skipped and
// never named, since their names are the client's.
//
// WriteChatResponse, StreamEncoder, WriteEmbedResponse, WriteTranscription,
// WriteModels and WriteAPIError write answers. An answer that finished with
// gateway.FinishError is never presented as a success: WriteChatResponse
// answers 502, StreamEncoder sends an error event, and "[DONE]" is sent
// only after a finish reason. ErrorFromProvider maps a provider failure to
// what the client is told (an upstream's credential or server trouble is
// the gateway's 502 or 504, never the client's 401).
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
