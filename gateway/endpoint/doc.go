// Package endpoint serves Quire's AI gateway over HTTP: the
// OpenAI-compatible routes (/v1/chat/completions, /v1/embeddings,
// /v1/models, /v1/audio/transcriptions, /v1/rerank) and the
// Anthropic-compatible /anthropic/v1/messages.
//
// A request goes through the same steps whatever its dialect: the caller
// is authenticated by API key (Config.Authenticate), the body is decoded
// strictly by the dialect's codec (gateway/openai, gateway/anthropic), the
// caller's token budget is checked before anything leaves (Config.Meter),
// personal data and secrets are replaced by placeholders (Config.Redactor,
// claim AI-4), the router picks a compliant provider and falls back on
// failure (Config.Backend, claims AI-2 and AI-3), and the answer is
// restored and written in the dialect the client spoke, streamed or not.
// The dialect of the answer is the client's, not the provider's: an
// Anthropic client can be served by an OpenAI model and the other way
// round, because both sides meet in the canonical gateway types.
//
// Nothing of a prompt or an answer is logged, stored or put in an error:
// errors are generated here or by the codecs from status classes and
// tokens, and the log lines this package writes carry the route, the
// model and the outcome only (claim AI-5).
package endpoint
