// Package clientip finds the address of the client behind a request.
//
// The peer address (http.Request.RemoteAddr) is the only thing a client
// cannot forge, so it is the answer unless the peer is one of the operator's
// trusted proxies. Only then are forwarding headers read: X-Forwarded-For is
// walked from the right, skipping trusted hops, and the first untrusted
// address is the client; or, when configured, a single-address header that
// the proxy sets (X-Real-IP, CF-Connecting-IP). Headers from untrusted peers
// change nothing, so spoofing them is pointless.
//
// The work is bounded (MaxEntries entries, MaxBytes bytes of
// X-Forwarded-For) whatever the size of the headers, and malformed input
// never makes an address up: the walk stops at the first entry it cannot
// parse and keeps the last trusted hop it saw.
//
// Key turns an address into a rate-limit key, grouping IPv6 clients by /64
// since one subscriber usually holds a whole /64 (claims RL-1, DOS-1).
package clientip
