package gateway

import (
	"context"
	"errors"
	"net"
	"net/url"
)

// ErrIdleTimeout is the cancellation cause vendor streams use when the
// upstream stays silent for too long; NewTransportError classes it as a
// timeout.
var ErrIdleTimeout = errors.New("upstream idle timeout")

// NewTransportError wraps an error from sending a request or reading a
// response body. ctx is the request's context: when it was cancelled by the
// caller the error is ClassCanceled, when by a deadline or a timeout cause
// (context.WithTimeoutCause, ErrIdleTimeout) it is ClassTimeout; a refused
// URL or redirect is ClassConfig. The URL
// that *url.Error adds is dropped: error text names no endpoint.
func NewTransportError(ctx context.Context, provider string, err error) *ProviderError {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	if ctx != nil && ctx.Err() != nil {
		cause := context.Cause(ctx)
		if errors.Is(cause, context.Canceled) {
			return NewError(provider, ClassCanceled, context.Canceled)
		}
		return NewError(provider, ClassTimeout, cause)
	}
	var ne net.Error
	switch {
	case errors.Is(err, ErrInsecureURL), errors.Is(err, ErrRedirect):
		return NewError(provider, ClassConfig, err)
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, ErrIdleTimeout),
		errors.As(err, &ne) && ne.Timeout():
		return NewError(provider, ClassTimeout, err)
	case errors.Is(err, context.Canceled):
		return NewError(provider, ClassCanceled, err)
	}
	return NewError(provider, ClassConnection, err)
}
