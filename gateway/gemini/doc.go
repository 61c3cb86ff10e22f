// Package gemini is the client of Google's Gemini models, through the
// Gemini API (configuration kind "gemini") or Vertex AI (kind "vertex"),
// which share one wire format. Quire exposes no Gemini-compatible
// endpoint, so there is no server codec here.
//
// New returns a Provider (gateway.ChatProvider, Embedder, ModelLister)
// for generateContent, streamGenerateContent with alt=sse, embeddings and
// the model list.
//
// # Endpoints and credentials
//
// The Gemini API is https://generativelanguage.googleapis.com/v1beta,
// with the API key in the x-goog-api-key header, never in the URL (URLs
// get logged). Vertex AI is
// https://{region}-aiplatform.googleapis.com/v1/projects/{project}/locations/{region}/publishers/google/models/…
// (aiplatform.googleapis.com for region "global",
// aiplatform.{us,eu}.rep.googleapis.com for the multi-regions), and its
// credentials are either an express-mode API key (x-goog-api-key; without
// a project, the global express path /v1/publishers/google/models/…), or
// a service-account key file, recognised by its leading '{'. A key file
// must be of type service_account (other credential types can make
// Google's library run commands or fetch arbitrary URLs, so they are
// refused); its assertions are signed with its private key and exchanged
// at its token_uri for OAuth2 access tokens (scope cloud-platform) through
// the same gateway.NewHTTPClient client as every other request, so the
// exchange obeys claim TLS-2 too. Tokens are cached, shared by concurrent
// calls and refreshed shortly before they expire; a caller whose context
// ends stops waiting for an exchange at once. A failed exchange keeps only
// the token endpoint's status and OAuth2 error code. With a project,
// Vertex AI needs an explicit region: where prompts are processed is a
// residency decision (claim RES-1). The Gemini API has no region.
//
// # Translation (claim AI-4)
//
// Requests are built from the canonical gateway types alone, through
// the out… wire types, so a field the gateway does not model cannot be
// sent: systemInstruction (the system prompt and every system message, in
// order), contents with roles user and model, parts text, inlineData
// (inline images) and fileData (image URLs: https:// or gs:// only;
// others are refused), functionCall and functionResponse, tools as
// functionDeclarations whose parameters go out as parametersJsonSchema
// (full JSON Schema; the older parameters field takes only Gemini's
// OpenAPI subset), toolConfig.functionCallingConfig (auto AUTO, none
// NONE, required ANY, a named tool ANY with allowedFunctionNames), and
// generationConfig: temperature, topP, maxOutputTokens, stopSequences,
// seed, presencePenalty, frequencyPenalty, responseMimeType
// application/json for JSON output, with responseJsonSchema for a
// schema, and thinkingConfig for a reasoning effort: a token budget for
// Gemini 2.5 (none 0, minimal 512, low 1024, medium 8192, high 24576, as
// Google's OpenAI-compatible endpoint maps them), a thinkingLevel for
// Gemini 3 and later, nothing for models that do not think. Turns of the
// same role are merged (the function responses of one model turn travel
// together). A tool result becomes a functionResponse named after the
// call it answers, found by ID in the earlier assistant messages (Gemini
// matches responses to calls by name and order), with response
// {"result": value} where value is the result's JSON, or its text as a
// string. Call arguments must be a JSON object (empty means {}).
//
// Gemini 3 refuses a conversation whose function call turns lack the
// opaque thought signature the model attached to them. The canonical
// ToolCall has no field to carry it through a client, so replayed calls
// carry the value Google documents for history without signatures
// ("skip_thought_signature_validator"), on the first call of each turn.
//
// # Answers
//
// The first candidate's text parts make the answer; thought parts are
// skipped. Function calls become tool calls with the upstream's id, or a
// generated "call_…" ID since Gemini mostly sends none, and compact JSON
// arguments. Finish reasons: STOP is stop (tool_calls when there are
// calls), MAX_TOKENS length, SAFETY, RECITATION, BLOCKLIST,
// PROHIBITED_CONTENT, SPII and the image ones content_filter,
// MALFORMED_FUNCTION_CALL and the other tool-call failures error, any
// other reason stop. A prompt blocked before any candidate
// (promptFeedback.blockReason) is an answer with finish reason
// content_filter and no text. Usage: promptTokenCount (plus tokens of
// built-in tool prompts) is input, cachedContentTokenCount the cached
// part of it, and thoughtsTokenCount is added to candidatesTokenCount for
// the output and reported as its reasoning part, since the gateway counts
// reasoning inside the output. responseId is the ID, modelVersion the
// model, Vertex AI's createTime the creation time.
//
// Streams are Server-Sent Events whose every data line is a whole
// response chunk: text is passed on as it comes; a function call arrives
// whole, as one EventToolCallStart and one EventToolCallDelta; usage is
// cumulative, so the last one is reported, once, at the end; the finish
// reason comes on the last chunk and the stream ends at EOF. A stream
// that ends without a finish reason is gateway.ErrStreamTruncated, an
// error object inside it gateway.ErrStreamError, and content after the
// finish reason is ignored. Cancelling the context, closing a stream, a
// stream idle for StreamIdleTimeout and a call longer than Timeout all
// abort the upstream request.
//
// Errors are google.rpc.Status objects: the status token
// (RESOURCE_EXHAUSTED, …) becomes ProviderError.Type, an ErrorInfo reason
// (API_KEY_INVALID, …) Code, a BadRequest field path Param, and a
// RetryInfo retryDelay the wait unless a Retry-After header gives one.
// The message is never read: it can quote the prompt (claims AI-2,
// AI-5). A bad API key (400 API_KEY_INVALID) and an account that may not
// use the API (400 FAILED_PRECONDITION) are auth errors, not invalid
// requests.
//
// Embeddings use batchEmbedContents on the Gemini API (100 inputs per
// request) and, on Vertex AI, predict (instances of {content, task_type};
// 250 per request, one for gemini-embedding-001) or, for its later Gemini
// embedding models, embedContent (one per request), as Google's SDK
// chooses. The purpose becomes the task type RETRIEVAL_DOCUMENT or
// RETRIEVAL_QUERY. Vertex AI's token counts are the usage; the Gemini API
// reports none. Models lists /v1beta/models, or for Vertex AI the Google
// publisher models (/v1beta1/publishers/google/models, the only version
// that lists them), following page tokens; IDs lose their "models/"
// prefix.
//
// # What it does not do
//
// It does not retry, fall back, route, redact or meter (the router does).
// It sends no safetySettings (Google's defaults apply), no labels, no
// cachedContent, no built-in tools (Google Search, code execution, URL
// context), no candidateCount, and asks for no thought summaries. It
// takes no audio, video or document input, and does not return the
// thought signatures it receives (see above). ParallelToolCalls, Tool.Strict,
// ResponseFormat.Strict and Image.Detail have no Gemini equivalent and are
// ignored. It does not address tuned models or Vertex AI endpoints, only
// Google's base models by name. It does not use Application Default
// Credentials or the metadata server: the key is the credential. No
// request flag stops Google from keeping data: whether a project's terms
// (a paid Gemini API tier, Vertex AI with data caching disabled) meet
// claims AI-2 and AI-3 is for configuration to attest, and the Gemini
// API's free tier does not.
package gemini
