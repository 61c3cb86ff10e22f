package route

import (
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/quirehq/quire/gateway"
)

// Resolution failures, returned wrapped in *Error (test with errors.Is).
var (
	// ErrUnknownModel: the name is neither an alias nor a model any
	// provider lists.
	ErrUnknownModel = errors.New("route: unknown model")
	// ErrNoCompliantProvider: providers serve the model, but the data
	// policy forbids every one of them (no ZDR attestation without an
	// opt-out, strict mode, or trains on data). The router fails closed.
	ErrNoCompliantProvider = errors.New("route: no provider complies with the data policy")
	// ErrUnsupportedOperation: no provider of the model implements the
	// operation (embeddings from a chat-only provider, say).
	ErrUnsupportedOperation = errors.New("route: operation not supported for this model")
)

// Causes of the *gateway.ProviderError the router makes itself (test
// with errors.Is).
var (
	// ErrOverloaded: every target was at its concurrency limit for the
	// whole QueueTimeout.
	ErrOverloaded = errors.New("route: every provider for the model is at its concurrency limit")
	// ErrCircuitOpen: every target's circuit breaker was open.
	ErrCircuitOpen = errors.New("route: every provider for the model is paused after repeated failures")
	// ErrAttemptTimeout: an attempt outlasted its provider's Timeout (for
	// a stream, the wait for its first event).
	ErrAttemptTimeout = errors.New("route: provider attempt timed out")
	// ErrStreamAbandoned: the consumer closed a stream before its end;
	// Observer sees it as ClassCanceled.
	ErrStreamAbandoned = errors.New("route: stream closed before its end")
	// ErrEmptyStream: a stream ended before its first event.
	ErrEmptyStream = errors.New("route: provider stream ended before its first event")
	// ErrNilResponse: a provider returned neither an answer nor an error.
	ErrNilResponse = errors.New("route: provider returned no answer")
)

// Error is a resolution failure: the model is unknown, or no provider
// may or can serve it. Reason names the model and says why; it holds no
// request content beyond the (truncated) model name.
type Error struct {
	// Kind is ErrUnknownModel, ErrNoCompliantProvider or
	// ErrUnsupportedOperation.
	Kind  error
	Model string
	Op    Op
	// Reason is the full explanation, for the client and the log.
	Reason string
}

// Error returns the reason.
func (e *Error) Error() string { return "route: " + e.Reason }

// Unwrap returns Kind.
func (e *Error) Unwrap() error { return e.Kind }

// routerError builds a retryable 503 of the router's own, named after
// the first target it concerns, so that endpoints handle it as they
// handle a provider's.
func routerError(provider string, cause error, msg string, wait time.Duration) *gateway.ProviderError {
	e := gateway.NewError(provider, gateway.ClassServer, cause)
	e.Status = http.StatusServiceUnavailable
	e.Message = msg
	e.RetryAfter = wait
	return e
}

func overloadedError(provider, model string) *gateway.ProviderError {
	return routerError(provider, ErrOverloaded,
		fmt.Sprintf("every provider for model %q is at its concurrency limit", truncate(model)), time.Second)
}

func circuitOpenError(provider, model string, wait time.Duration) *gateway.ProviderError {
	return routerError(provider, ErrCircuitOpen,
		fmt.Sprintf("every provider for model %q is paused after repeated failures (circuit breaker open)", truncate(model)), wait)
}
