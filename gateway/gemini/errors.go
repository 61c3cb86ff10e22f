package gemini

import (
	"encoding/json"
	"io"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/quirehq/quire/gateway"
)

// maxErrorBody bounds how much of an error response is read.
const maxErrorBody = 64 << 10

// Google error detail types read here.
const (
	typeRetryInfo  = "type.googleapis.com/google.rpc.RetryInfo"
	typeErrorInfo  = "type.googleapis.com/google.rpc.ErrorInfo"
	typeBadRequest = "type.googleapis.com/google.rpc.BadRequest"
)

// statusError turns a non-success response into a *gateway.ProviderError
// and closes its body. Google's errors are google.rpc.Status objects:
// the status token ("RESOURCE_EXHAUSTED") becomes Type, an ErrorInfo
// reason ("API_KEY_INVALID") Code, a BadRequest field violation's field
// path Param, and a RetryInfo delay the wait when no Retry-After header
// says otherwise. The message is never read: it can quote the prompt.
func (p *Provider) statusError(resp *http.Response) error {
	defer resp.Body.Close()
	var body inErrorBody
	buf := gateway.GetBuffer()
	defer gateway.PutBuffer(buf)
	if _, err := buf.ReadFrom(io.LimitReader(resp.Body, maxErrorBody)); err == nil {
		_ = json.Unmarshal(buf.Bytes(), &body)
	}
	w := body.Error
	if w == nil {
		w = &inError{}
	}
	reason, field, delay := w.details()
	e := gateway.NewStatusError(p.name, resp.StatusCode, resp.Header, w.Status, reason, field)
	switch {
	case reason == "API_KEY_INVALID", w.Status == "UNAUTHENTICATED", w.Status == "FAILED_PRECONDITION":
		// Google answers 400 for a bad API key, and 400
		// FAILED_PRECONDITION for an account that may not use the API
		// (its location, its billing): the request is not at fault,
		// the provider's configuration is.
		reclass(e, gateway.ClassAuth)
	}
	if e.RetryAfter == 0 && delay > 0 {
		e.RetryAfter = delay
	}
	return e
}

// reclass moves e to class c, with that class's generic message.
func reclass(e *gateway.ProviderError, c gateway.ErrorClass) {
	e.Class, e.Message = c, gateway.NewError("", c, nil).Message
}

// details reads the error's typed details: the first ErrorInfo reason,
// the first BadRequest field, and the RetryInfo delay.
func (w *inError) details() (reason, field string, delay time.Duration) {
	for _, d := range w.Details {
		switch d.Type {
		case typeErrorInfo:
			if reason == "" {
				reason = d.Reason
			}
		case typeBadRequest:
			for _, v := range d.FieldViolations {
				if field == "" && v.Field != "" {
					field = v.Field
				}
			}
		case typeRetryInfo:
			delay = parseDelay(d.RetryDelay)
		}
	}
	return reason, field, delay
}

// parseDelay reads a google.protobuf.Duration in its JSON form ("13s",
// "0.250s"), capped at gateway.MaxRetryAfter; 0 if invalid.
func parseDelay(s string) time.Duration {
	num, ok := strings.CutSuffix(s, "s")
	if !ok || num == "" || len(num) > 32 {
		return 0
	}
	f, err := strconv.ParseFloat(num, 64)
	switch {
	case err != nil || math.IsNaN(f) || f <= 0:
		return 0
	case f >= gateway.MaxRetryAfter.Seconds():
		return gateway.MaxRetryAfter
	}
	return time.Duration(f * float64(time.Second))
}

// streamError is the error for an error object sent where a response or a
// stream chunk belongs.
func (p *Provider) streamError(w *inError) *gateway.ProviderError {
	e := gateway.NewError(p.name, gateway.ClassStreamError, gateway.ErrStreamError)
	e.Status = http.StatusOK
	reason, field, delay := w.details()
	e.Type, e.Code, e.Param = gateway.SafeToken(w.Status, 64), gateway.SafeToken(reason, 64), gateway.SafeToken(field, 128)
	e.RetryAfter = delay
	switch w.Status {
	case "INVALID_ARGUMENT", "FAILED_PRECONDITION", "PERMISSION_DENIED", "UNAUTHENTICATED", "NOT_FOUND":
		e.SetRetryable(false) // the same request fails the same way
	}
	return e
}
