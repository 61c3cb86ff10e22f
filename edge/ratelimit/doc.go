// Package ratelimit limits request rates with the generic cell rate
// algorithm (GCRA), in process (Memory) and shared across instances through
// Redis (Redis), and renders the 429 answer's headers (Headers).
//
// GCRA keeps one number per key, the theoretical arrival time (TAT): the
// moment at which the key's budget would be full again if no request came.
// A request is allowed when TAT − burst tolerance ≤ now; allowing it moves
// the TAT one emission interval (Period/Rate) later. It is equivalent to a
// token bucket that refills continuously, but needs no timer and no
// background sweep, and its state for a key that has been idle long enough
// is the same as no state at all, so forgetting a key is always safe for
// correctness in the allowing direction (the key gets a fresh budget).
//
// Keys are opaque strings chosen by the caller; Key builds unambiguous keys
// from parts such as a scope ("ip", "user", "apikey"), a route and an
// identifier. Limits per plan come from configuration and are passed on every
// call, so one limiter serves every plan and route.
package ratelimit
