package anthropic

import (
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/quirehq/quire/gateway"
)

// maxErrorBody bounds how much of an error response is read.
const maxErrorBody = 64 << 10

// statusError turns a non-success response into a *gateway.ProviderError
// and closes its body. Only the error's type (and details.error_code) are
// kept: Anthropic error messages can quote the input. 529 (overloaded) is
// a retryable server error like any 5xx; a 402 billing_error is not
// retryable, since no wait refills the account.
func (p *Provider) statusError(resp *http.Response) error {
	defer resp.Body.Close()
	var typ, code string
	buf := gateway.GetBuffer()
	defer gateway.PutBuffer(buf)
	if _, err := buf.ReadFrom(io.LimitReader(resp.Body, maxErrorBody)); err == nil {
		var body wireErrorBody
		if unmarshal(buf.Bytes(), &body) == nil && body.Error != nil {
			typ, code = body.Error.Type, body.Error.code()
		}
	}
	e := gateway.NewStatusError(p.name, resp.StatusCode, resp.Header, typ, code, "")
	if e.RequestID == "" {
		e.RequestID = gateway.SafeToken(resp.Header.Get("Request-Id"), 128)
	}
	if e.RetryAfter == 0 && resp.StatusCode == http.StatusTooManyRequests {
		e.RetryAfter = rateLimitReset(resp.Header, time.Now())
	}
	if typ == "billing_error" {
		e.SetRetryable(false)
	}
	return e
}

// typeClasses classes the error types Anthropic reports inside a 200
// stream as their HTTP statuses would be.
var typeClasses = map[string]gateway.ErrorClass{
	"invalid_request_error": gateway.ClassInvalidRequest,
	"request_too_large":     gateway.ClassInvalidRequest,
	"authentication_error":  gateway.ClassAuth,
	"permission_error":      gateway.ClassAuth,
	"not_found_error":       gateway.ClassNotFound,
	"rate_limit_error":      gateway.ClassRateLimited,
	"api_error":             gateway.ClassServer,
	"overloaded_error":      gateway.ClassServer,
	"timeout_error":         gateway.ClassServer,
	"billing_error":         gateway.ClassServer,
}

// streamError is the error for an error reported inside a 200 stream (an
// "event: error", or an answer whose type is "error"). Its cause is
// gateway.ErrStreamError; its class is what the error type's status would
// be (overloaded_error: a retryable server error), or ClassStreamError for
// a type Anthropic does not document.
func (p *Provider) streamError(w *wireError, h http.Header) *gateway.ProviderError {
	class, ok := typeClasses[w.Type]
	if !ok {
		class = gateway.ClassStreamError
	}
	e := gateway.NewError(p.name, class, gateway.ErrStreamError)
	e.Status = http.StatusOK
	e.Type, e.Code = gateway.SafeToken(w.Type, 64), gateway.SafeToken(w.code(), 64)
	if h != nil {
		e.RequestID = gateway.SafeToken(h.Get("Request-Id"), 128)
	}
	if w.Type == "billing_error" {
		e.SetRetryable(false)
	}
	return e
}

// rateLimitReset reads the anthropic-ratelimit-*-reset headers (RFC 3339
// times) when a 429 has no Retry-After: the wait until the exhausted
// budgets refill, or until the latest reset when none says it is
// exhausted.
func rateLimitReset(h http.Header, now time.Time) time.Duration {
	var wait, any time.Duration
	for _, kind := range [...]string{"requests", "tokens", "input-tokens", "output-tokens"} {
		t, err := time.Parse(time.RFC3339, strings.TrimSpace(h.Get("Anthropic-Ratelimit-"+kind+"-Reset")))
		if err != nil {
			continue
		}
		d := min(t.Sub(now), gateway.MaxRetryAfter)
		if d <= 0 {
			continue
		}
		any = max(any, d)
		if strings.TrimSpace(h.Get("Anthropic-Ratelimit-"+kind+"-Remaining")) == "0" {
			wait = max(wait, d)
		}
	}
	if wait == 0 {
		return any
	}
	return wait
}
