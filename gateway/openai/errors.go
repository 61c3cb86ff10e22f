package openai

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/quirehq/quire/gateway"
)

// maxErrorBody bounds how much of an error response is read.
const maxErrorBody = 64 << 10

// unmarshal is json.Unmarshal; the error it returns is never shown,
// since its text can quote the input.
func unmarshal(b []byte, v any) error { return json.Unmarshal(b, v) }

// statusError turns a non-success response into a *gateway.ProviderError
// and closes its body. Only the error's type, code and param are kept:
// OpenAI error messages can quote the input.
func (p *Provider) statusError(resp *http.Response) error {
	defer resp.Body.Close()
	var typ, code, param string
	buf := gateway.GetBuffer()
	defer gateway.PutBuffer(buf)
	if _, err := buf.ReadFrom(io.LimitReader(resp.Body, maxErrorBody)); err == nil {
		var body wireErrorBody
		if unmarshal(buf.Bytes(), &body) == nil {
			if body.Error != nil {
				typ, code, param = body.Error.Type, body.Error.code(), body.Error.param()
			} else {
				typ, param = body.validation()
			}
		}
	}
	e := gateway.NewStatusError(p.name, resp.StatusCode, resp.Header, typ, code, param)
	if e.RetryAfter == 0 && resp.StatusCode == http.StatusTooManyRequests {
		e.RetryAfter = rateLimitReset(resp.Header)
	}
	if code == "insufficient_quota" {
		// A 429 that no wait will cure: the account is out of credit.
		e.SetRetryable(false)
	}
	return e
}

// streamError is the error for an error object inside a 200 stream.
func (p *Provider) streamError(w *wireError) *gateway.ProviderError {
	e := gateway.NewError(p.name, gateway.ClassStreamError, gateway.ErrStreamError)
	e.Status = http.StatusOK
	e.Type, e.Code = gateway.SafeToken(w.Type, 64), gateway.SafeToken(w.code(), 64)
	e.Param = gateway.SafeToken(w.param(), 128)
	if strings.Contains(w.Type, "invalid_request") {
		e.SetRetryable(false)
	}
	return e
}

// rateLimitReset reads OpenAI's x-ratelimit-* headers (also sent by Groq
// and others) when a 429 has no Retry-After: the reset time of each
// exhausted budget, or of both when neither says it is exhausted.
func rateLimitReset(h http.Header) time.Duration {
	var wait, any time.Duration
	for _, kind := range [...]string{"requests", "tokens"} {
		d, err := time.ParseDuration(strings.TrimSpace(h.Get("X-Ratelimit-Reset-" + kind)))
		if err != nil || d <= 0 {
			continue
		}
		d = min(d, gateway.MaxRetryAfter)
		any = max(any, d)
		if strings.TrimSpace(h.Get("X-Ratelimit-Remaining-"+kind)) == "0" {
			wait = max(wait, d)
		}
	}
	if wait == 0 {
		return any
	}
	return wait
}
