// Package gateway is the vendor-neutral core of Quire's AI gateway (claims
// AI-1 to AI-5, TLS-2): the canonical request and response types every
// vendor package translates to and from, the Provider interface and its
// capability interfaces, the one typed error every vendor returns, and the
// outbound HTTP client all vendors share.
//
// The canonical model is deliberately smaller than any vendor's API. A field
// exists only when the gateway forwards it on purpose (claim AI-4, minimum
// context): vendor packages build upstream JSON from these structs alone, so
// a field a client sent that is not modelled here cannot reach a provider.
// Two values are the exception, and the only client JSON forwarded without
// an allowlist: Tool.Parameters and ResponseFormat.Schema, JSON Schemas that
// are legitimately arbitrary. Decoders bound their size and nesting with
// CheckSchema, and MapStrings walks their string values for a redaction
// step; no other raw client JSON reaches a provider.
//
// Streaming is a pull iterator (Stream.Next) of small Event values, one or a
// few per upstream chunk, so that translation between wire formats is a loop
// with no goroutines and no channels, and an abandoned stream is released by
// Close. Collect folds a stream into a ChatResponse; StreamOf and
// SliceStream go the other way, for routers and tests. A usage count that
// the provider did not report is nil, not zero, so that metering can tell.
//
// Errors that cross a provider boundary are *ProviderError. Its message is
// generated from the HTTP status and the vendor's error type and code only:
// vendor error messages can quote the prompt, so they are never kept, and
// no request or response body is ever part of an error (claims AI-2, AI-5).
//
// NewHTTPClient returns the one outbound client: TLS 1.2 or later, pooled
// keep-alive connections, bounded dial, handshake and header waits, no
// redirects, and CheckURL applied to every request so that only https (or
// loopback http in development) leaves the process. "localhost" is dialled
// as a loopback address, never resolved. A proxy is used only when
// configured, only if it is https or on loopback (CheckProxyURL), and only
// for https requests: plain http is never proxied. RequestBody holds a
// pooled request body until the transport is done with it, and lets it
// replay the body on a fresh connection.
//
// What this package does not do: routing, fallback, retries, policy,
// redaction and metering belong to the router built on top of it; wire
// formats belong to the vendor packages (gateway/openai, …); the SSE parser
// is gateway/sse. It imports only the standard library.
package gateway
