package ratelimit

import (
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Headers sets the rate-limit fields of draft-ietf-httpapi-ratelimit-headers
// in the syntax of draft -08/-09 (Structured Fields: a quoted policy name
// with parameters):
//
//	RateLimit-Policy: "name";q=100;w=60   quota q per window of w seconds
//	RateLimit: "name";r=42;t=10           r left now; t seconds until reset
//
// q and w are the limit's Rate and Period (rounded up to whole seconds, at
// least 1). t is the time until the full burst is back (ResetAfter) when
// allowed, and until the next request is allowed (RetryAfter) when refused,
// so that t agrees with Retry-After. A refusal also sets Retry-After in
// whole seconds, rounded up (never 0, which would invite an immediate retry).
//
// policyName should be a short ASCII name from configuration; characters a
// Structured Field string cannot hold are replaced by '_'.
func Headers(h http.Header, d Decision, policyName string) {
	name := sfString(policyName)
	l := d.Limit.withBurst()
	h.Set("RateLimit-Policy", name+";q="+strconv.Itoa(l.Rate)+";w="+itoaSeconds(l.Period))
	reset := d.ResetAfter
	if !d.Allowed {
		reset = d.RetryAfter
	}
	h.Set("RateLimit", name+";r="+strconv.Itoa(max(d.Remaining, 0))+";t="+itoaSeconds(reset))
	if !d.Allowed {
		h.Set("Retry-After", itoaSeconds(max(d.RetryAfter, time.Second)))
	}
}

// seconds rounds d up to whole seconds, never below 0.
func seconds(d time.Duration) int64 {
	if d <= 0 {
		return 0
	}
	return int64((d + time.Second - 1) / time.Second)
}

func itoaSeconds(d time.Duration) string { return strconv.FormatInt(seconds(d), 10) }

// sfString renders s as a Structured Field string (RFC 9651 §3.3.3):
// printable ASCII only, with '"' and '\' escaped.
func sfString(s string) string {
	var b strings.Builder
	b.Grow(len(s) + 2)
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"' || c == '\\':
			b.WriteByte('\\')
			b.WriteByte(c)
		case c < 0x20 || c > 0x7e:
			b.WriteByte('_')
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte('"')
	return b.String()
}
