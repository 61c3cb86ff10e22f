package cohere

import (
	"context"
	"encoding/json"
	"io"
	"net/http"

	"github.com/quirehq/quire/gateway"
)

// maxErrorBody bounds how much of an error response is read.
const maxErrorBody = 64 << 10

// Cohere statuses that gateway.ClassOf does not know.
const (
	// statusInvalidToken (498): the request or the answer contains a
	// deny-listed token; the same request fails again.
	statusInvalidToken = 498
	// statusClientClosed (499): Cohere saw the request as cancelled.
	statusClientClosed = 499
)

// statusError turns a non-success response into a *gateway.ProviderError
// and closes its body. Cohere's error body is {"id": "…", "message": "…"}
// with no type or code; the message can quote the request (a document, a
// query), so only the id is read, as a request ID for Cohere's support
// when the x-debug-trace-id header is missing.
func (p *Provider) statusError(ctx context.Context, resp *http.Response) error {
	defer resp.Body.Close()
	var body struct {
		ID string `json:"id"`
	}
	buf := gateway.GetBuffer()
	defer gateway.PutBuffer(buf)
	if _, err := buf.ReadFrom(io.LimitReader(resp.Body, maxErrorBody)); err == nil {
		_ = json.Unmarshal(buf.Bytes(), &body)
	}
	if resp.StatusCode == statusClientClosed && ctx.Err() != nil {
		// Our own cancellation, reported by the upstream before the
		// transport noticed: the caller's, not Cohere's.
		return gateway.NewTransportError(ctx, p.name, ctx.Err())
	}
	e := gateway.NewStatusError(p.name, resp.StatusCode, resp.Header, "", "", "")
	if c, ok := cohereClass(resp.StatusCode); ok {
		e.Class, e.Message = c, gateway.NewError("", c, nil).Message
	}
	if id := gateway.SafeToken(resp.Header.Get("X-Debug-Trace-Id"), 128); id != "" {
		e.RequestID = id
	} else if id := gateway.SafeToken(body.ID, 128); id != "" && e.RequestID == "" {
		e.RequestID = id
	}
	return e
}

// cohereClass classes the statuses where Cohere means something other
// than gateway.ClassOf assumes.
func cohereClass(status int) (gateway.ErrorClass, bool) {
	switch status {
	case http.StatusPaymentRequired:
		// "Please add or update your payment method": the account, like
		// a refused key, is unusable until its configuration changes.
		return gateway.ClassAuth, true
	case statusInvalidToken, http.StatusNotImplemented:
		// A deny-listed token in the input, or a feature this model or
		// endpoint does not implement: the request is at fault, and
		// sending it again fails again.
		return gateway.ClassInvalidRequest, true
	case statusClientClosed:
		// Cancelled upstream while we still wait: a passing failure.
		return gateway.ClassTransient, true
	}
	return 0, false
}
