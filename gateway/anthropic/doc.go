// Package anthropic speaks Anthropic's Messages API (anthropic-version
// 2023-06-01) in both directions: as a client of Anthropic (Provider), and
// as the server codec of the gateway's Anthropic-compatible endpoint, POST
// /anthropic/v1/messages (DecodeMessagesRequest, WriteMessage,
// StreamEncoder).
//
// # Client
//
// New returns a Provider (gateway.ChatProvider, ModelLister) for
// messages, streamed or not, and the model list (GET /v1/models, followed
// page by page up to 20 pages). Upstream requests are built from the
// canonical gateway types only, so a field the gateway does not model
// cannot be sent (claim AI-4); metadata, and with it a user ID, is never
// sent (claim AI-2), nor service tiers, containers, MCP servers or
// thinking settings. The translation:
//
//   - System and the RoleSystem messages, in order, become the top-level
//     system prompt: a string, or one text block per piece, so that no
//     separator is invented.
//   - Consecutive messages of one role are merged into one turn, as the
//     API requires alternation; RoleTool messages become tool_result
//     blocks of a user turn, placed before the turn's other content;
//     empty text parts and empty turns are left out.
//   - Assistant tool calls become tool_use blocks whose input is the
//     parsed arguments (no arguments: {}); arguments that are not a JSON
//     object are refused with a gateway.ErrUnsupported invalid-request
//     error, quoting nothing. Tool call IDs Anthropic would refuse are
//     replaced by a stable hash, the same for the call and its result.
//   - Images are base64 or url sources; the detail hint is dropped.
//   - max_tokens is required by Anthropic: a request without one gets
//     Config.DefaultMaxTokens (4,096).
//   - Stop sequences, temperature (clamped to Anthropic's maximum of 1)
//     and top_p are sent when set, except top_p beside a temperature,
//     which current models refuse. Seed and the frequency and presence
//     penalties have no Anthropic equivalent and are dropped silently.
//   - Tool choice auto, required (any), a named tool, or none;
//     ParallelToolCalls false becomes disable_parallel_tool_use. A tool
//     choice without tools is not sent. Tool.Strict is sent as strict.
//   - A JSON schema response format becomes structured output
//     (output_config.format, generally available; the schema is sent as
//     given, and must meet Anthropic's rules for it). "Any JSON object"
//     has no Anthropic equivalent and is refused with gateway.ErrUnsupported
//     as a ClassInvalidRequest error rather than answered in prose.
//     ReasoningEffort is sent as output_config.effort when it is a level
//     Anthropic knows (low, medium, high, xhigh, max), else dropped.
//
// Answers: text blocks are joined, tool_use blocks become tool calls with
// compact JSON arguments; thinking and redacted thinking are never read
// into memory beyond the JSON decoder, never kept. stop_reason end_turn,
// stop_sequence and pause_turn are a stop, max_tokens and
// model_context_window_exceeded a length limit, tool_use tool calls,
// refusal a content filter. Usage adds the cache reads and writes, which
// Anthropic counts apart, into the input tokens (the gateway counts cached
// tokens as a subset of the input); cache reads are the cached tokens,
// thinking tokens the reasoning tokens.
//
// Streams are read event by event with gateway/sse: message_start gives
// the start event and the input usage, content blocks give text and tool
// calls (numbered in the order their blocks start, whatever the block
// indexes; a tool_use block that closes with no arguments gets "{}"),
// message_delta the finish reason and cumulative usage, message_stop the
// end, after which one usage event carries the final totals. Thinking,
// signature and citation deltas, pings and event types added later are
// read past. A stream that ends without message_stop is
// gateway.ErrStreamTruncated; an "event: error" is gateway.ErrStreamError,
// classed as its type's status would be (overloaded_error: a retryable
// server error). Cancelling the context, closing a stream, a stream idle
// for StreamIdleTimeout (the upstream's silence, not the consumer's pace)
// and a stream longer than StreamMaxDuration all abort the upstream
// request.
//
// Upstream failures become *gateway.ProviderError with the error's type
// (and details.error_code) but never its message, which can quote the
// prompt; the request-id header is kept. 529 overloaded_error is a
// retryable server error; a billing_error is not retryable. A 429 waits
// for retry-after, retry-after-ms, or the reset time of the exhausted
// anthropic-ratelimit-* budget. JSON request bodies can be replayed by the
// transport (GetBody) on a fresh connection.
//
// # Server codec
//
// DecodeMessagesRequest reads a client request strictly, with a size
// limit, and fails with *APIError values that official SDKs parse (400
// invalid_request_error naming the offending field by its path, 413
// request_too_large past the limit). Every array is counted while it is
// decoded and refused at the first element past its cap (messages, blocks
// of a message or of a tool result, system blocks, tools, stop sequences,
// and the blocks of all messages together), so a request's memory follows
// the caps, not its size. Tool input schemas and the structured output
// schema, the only client JSON forwarded verbatim, are bounded by
// gateway.CheckSchema; replayed tool inputs by their nesting. Unknown
// fields, and fields that make providers keep state or that the gateway
// does not model (metadata, container, mcp_servers, service_tier,
// thinking, top_k, cache_control, citations, is_error, …), are dropped;
// thinking blocks replayed from earlier turns are dropped. A system given
// as blocks becomes System and leading RoleSystem messages. Anthropic
// streams always carry usage, so IncludeUsage is always set.
//
// WriteMessage writes a whole message, StreamEncoder an event stream
// (message_start, content blocks, message_delta with the stop reason and
// usage, message_stop), and WriteAPIError errors in Anthropic's JSON, with
// Retry-After and, for a 5xx no retry will cure, x-should-retry: false.
// Message IDs that are not Anthropic's (msg_…) are replaced by generated
// ones, as are tool call IDs a client could not send back. An answer that
// finished with gateway.FinishError is never presented as a success:
// WriteMessage answers 502, StreamEncoder sends an error event, and
// message_stop is sent only after a finish reason. ErrorFromProvider maps
// a provider failure to what the client is told (an upstream's credential
// or configuration trouble is the gateway's 502, never the client's 401;
// an overloaded upstream stays 529).
//
// # What it does not do
//
// It does not retry, fall back, route, redact or meter (the router does),
// nor choose models. It sends no thinking configuration, server tools
// (web search, code execution, bash, text editor, …), documents, files,
// search results, citations, prompt-caching breakpoints or MCP servers.
// The codec refuses (400) the content a request cannot be understood
// without: server tools, documents, search results, file and other
// non-base64, non-https image sources; it drops the options listed above.
// It does not serve count_tokens, batches or the model list.
// Output it does not carry: thinking text, citations, stop_sequence (the
// matched sequence; a stop is reported as end_turn) and the cache write
// count (folded into input_tokens). An upstream's tool_result is_error
// flag is not kept. message_start reports zero usage: usage is known only
// at the end, where message_delta carries the totals.
package anthropic
