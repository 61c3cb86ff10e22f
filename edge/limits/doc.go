// Package limits holds the L7 resilience limits that sit in front of the
// HTTP stack (claim DOS-1): a per-peer cap on open connections, applied at
// the listener below TLS, and a global cap on requests in flight that sheds
// load with 503 and Retry-After instead of queueing until the process falls
// over. Timeouts, header and body size limits and panic recovery live in the
// http package; this package adds only what a single server needs to stay
// up when one peer, or everyone at once, asks for too much.
//
// It imports only the standard library and the root package.
package limits
