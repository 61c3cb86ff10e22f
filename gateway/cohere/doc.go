// Package cohere is the gateway's client of Cohere's API (v2): a
// gateway.Reranker (POST /v2/rerank), gateway.Embedder (POST /v2/embed)
// and gateway.ModelLister (GET /v1/models), authenticated with
// "Authorization: Bearer" against https://api.cohere.com unless
// configured otherwise.
//
// Requests are built from the canonical gateway types only (claim AI-4):
// a rerank sends model, query, documents and top_n; an embed sends model,
// texts, input_type, embedding_types ["float"], output_dimension and
// truncate. Nothing else a client sent can reach Cohere. Cohere's rerank
// and embed requests have no storage flag to force off: its retention of
// inputs is a matter of the account's agreement, attested in
// configuration (claim AI-2).
//
// Rerank results are returned sorted by decreasing relevance, each index
// checked to name one document of the request, once; Usage.InputTokens is
// meta.tokens.input_tokens (else meta.billed_units.input_tokens). Cohere
// bills reranking in search units, which gateway.Usage cannot express;
// they are not reported.
//
// Embed maps gateway.EmbedRequest.Purpose to input_type (search_document
// or search_query) and sends "truncate": "NONE", so that an input longer
// than the model's context is refused by Cohere (a 400) rather than
// embedded from a silently cut text. Requests of more than MaxBatch (96)
// texts, Cohere's limit per call, are split into consecutive calls whose
// vectors are concatenated in input order and whose billed input tokens
// are summed; cancelling the context stops between calls. Every answer
// must hold one vector per text, all of one length.
//
// Models lists the models usable with the rerank and embed endpoints,
// following next_page_token, each once; chat models, which this package
// cannot call, are left out.
//
// Failures are *gateway.ProviderError. Cohere's error body is {"id",
// "message"} with no type or code; the message can quote the documents or
// the query, so it is never kept (claims AI-2, AI-5), and the request ID
// is the x-debug-trace-id header (else the body's id). Beyond
// gateway.ClassOf: 402 (payment method missing) is an auth failure, 498
// (a deny-listed token) and 501 (not implemented) are invalid requests,
// 499 is a transient failure unless our own context was cancelled.
// Retry-After (or retry-after-ms) is honoured when present; without it a
// 429 names no wait, and the router's backoff applies. The trial-key
// headers (x-trial-endpoint-call-remaining and its kin) come with
// successes only, say nothing about a 429, and are not read. No request or
// response body is ever logged or put in an error.
//
// What it does not do: chat (Cohere's chat API is not wired here), image
// or mixed-input embeddings, int8/binary/base64 embedding types, the
// rerank's max_tokens_per_doc (Cohere's default applies), retries,
// fallback or routing (the router's), or splitting a rerank of very many
// documents.
package cohere
