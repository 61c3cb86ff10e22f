// Package route is the gateway's router: it sits between Quire's AI
// endpoints and the vendor providers, and is where the data policy
// (claims AI-2, AI-3) is enforced and where reliability lives.
//
// # Resolution and policy
//
// A request names a model: an alias (Config.Aliases, ordered targets) or
// a model that providers list in Entry.Models (those providers, in
// configuration order). Targets are filtered by capability (the
// gateway.ChatProvider, Embedder, Transcriber or Reranker interface the
// provider implements) and by policy: a provider marked TrainsOnData is
// never used; one without a ZDR attestation only for a workspace that
// opted out (Policy.AllowNonZDR), and never in Strict mode. When the
// filter leaves nothing, the call fails closed with an *Error wrapping
// ErrNoCompliantProvider that names the model and why, distinct from
// ErrUnknownModel and ErrUnsupportedOperation. Each attempt gets a copy
// of the request with Model set to the target's model; the caller's
// request is never modified.
//
// An alias may carry the name of a provider model only to reorder or
// restrict the providers of that same model; New refuses one that would
// send "gpt-4o" to another model, since the client would not get what it
// named.
//
// # Attempts, retries and fallback
//
// Each target gets up to Retry.Attempts tries for retryable failures
// (gateway.ProviderError.Retryable: rate limits, transient statuses,
// 5xx, timeouts, connection failures, truncated streams, errors inside a
// stream). Between tries the router waits the provider's Retry-After
// when it gave one, or a full-jitter exponential backoff; a Retry-After
// beyond Retry.MaxRetryAfter, or past the caller's deadline, moves on to
// the next target at once. A failure that is the target's own (auth,
// not_found, config, a bad response, an operation the provider does not
// support) moves on without a retry. An invalid request stops the call:
// providers validate alike, so the next one would most likely refuse it
// too, and the client learns at once. A cancelled caller stops
// everything immediately: attempts run under the caller's context, so
// the upstream request is aborted too, and no wait outlives it.
//
// Errors are *gateway.ProviderError (the last failure, with its provider
// name set, or the router's own 503) or *Error, never a vendor's message:
// a provider error of another type becomes a bare ClassUnknown one. A
// nil request is the only other error.
//
// # Streams
//
// ChatStream pulls a stream's first event before it returns. A failure
// until then, including Entry.Timeout expiring while waiting for it,
// falls back as for Chat; after it, the stream is returned with that
// event replayed, and later errors reach the consumer: the client may
// have been sent text, so there is no fallback after the first byte.
//
// # Concurrency, queueing and circuit breakers
//
// Each provider has a semaphore of Entry.MaxConcurrent slots, held for a
// whole attempt (a stream's until it ends). A saturated provider is
// skipped for the next target; when the targets are exhausted and some
// were skipped as saturated, the call waits up to QueueTimeout for them
// in order, and fails with a retryable 503 (ErrOverloaded) if none
// frees. Each provider also has a circuit breaker: Breaker.Failures
// consecutive retryable failures open it, and an open provider is
// skipped; after Breaker.Cooldown one probe call goes through
// (half-open), and its success closes the breaker while its failure
// restarts the cooldown. When every target is open the call fails at
// once with a retryable 503 (ErrCircuitOpen) whose RetryAfter is the
// time to the next probe. Invalid requests and cancellations do not
// count as failures.
//
// # Observer
//
// Observer.Attempt is called once per attempt, with metadata only
// (provider, model, try, timings, status, error class, usage): never a
// prompt or a completion. A failed attempt is reported when the next
// begins or the call ends, so that Final marks the call's last attempt.
// A returned stream is reported when it ends, with the last usage event
// it carried; a stream closed before its end is reported as
// ClassCanceled (ErrStreamAbandoned).
//
// Everything here is safe for concurrent use; only a returned Stream is,
// as gateway.Stream says, for one goroutine. The package imports only
// package gateway and the standard library.
package route
