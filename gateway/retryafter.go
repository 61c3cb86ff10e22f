package gateway

import (
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// MaxRetryAfter caps the wait a provider can ask for, so that a bogus
// header cannot park a route for days.
const MaxRetryAfter = 24 * time.Hour

// ParseRetryAfter returns the wait h asks for: retry-after-ms
// (milliseconds, as OpenAI and Anthropic send it) first, then Retry-After
// in seconds or as an HTTP-date (RFC 9110), measured from now. It returns 0
// when neither is present or valid, and never more than MaxRetryAfter.
func ParseRetryAfter(h http.Header, now time.Time) time.Duration {
	if d, ok := parseNumber(h.Get("Retry-After-Ms"), time.Millisecond); ok {
		return d
	}
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return 0
	}
	if d, ok := parseNumber(v, time.Second); ok {
		return d
	}
	t, err := http.ParseTime(v)
	if err != nil {
		return 0
	}
	return clampWait(t.Sub(now))
}

// parseNumber parses a non-negative decimal count of unit.
func parseNumber(v string, unit time.Duration) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" || len(v) > 32 {
		return 0, false
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || math.IsNaN(f) || f < 0 {
		return 0, false
	}
	if f >= float64(MaxRetryAfter/unit) {
		return MaxRetryAfter, true
	}
	return time.Duration(f * float64(unit)), true
}

func clampWait(d time.Duration) time.Duration {
	return min(max(d, 0), MaxRetryAfter)
}

// NewStatusError builds the error for a non-success upstream answer: the
// class from the status, the wait from the headers, x-should-retry as an
// explicit hint, x-request-id, and the vendor's type, code and param kept
// only when they are tokens (SafeToken).
func NewStatusError(provider string, status int, h http.Header, typ, code, param string) *ProviderError {
	e := NewError(provider, ClassOf(status), nil)
	e.Status = status
	e.Type, e.Code, e.Param = SafeToken(typ, 64), SafeToken(code, 64), SafeToken(param, 128)
	e.RetryAfter = ParseRetryAfter(h, time.Now())
	e.RequestID = SafeToken(h.Get("X-Request-Id"), 128)
	switch h.Get("X-Should-Retry") {
	case "true":
		e.SetRetryable(true)
	case "false":
		e.SetRetryable(false)
	}
	return e
}
