package endpoint

import (
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/quirehq/quire/gateway"
	"github.com/quirehq/quire/gateway/route"
)

// ErrInvalidKey is what Authenticate returns for an API key it refuses
// (unknown, revoked, or its account locked).
var ErrInvalidKey = errors.New("endpoint: invalid API key")

// failure is an error as the client is told it, before a dialect renders
// it. Messages are written here, never taken from a request or an
// upstream.
type failure struct {
	status     int
	kind       kind
	code       string
	message    string
	retryAfter time.Duration
}

// kind is the family of an error, which each dialect names its own way.
type kind uint8

const (
	kindInvalid kind = iota
	kindAuth
	kindPermission
	kindNotFound
	kindRateLimit
	kindServer
)

// classify maps an error that is not a codec's or a provider's own to
// what the client is told.
func classify(err error) failure {
	f := classifyKind(err)
	if f.kind == kindNotFound {
		// The router's reason names the model the client asked for and
		// nothing of the configuration.
		var re *route.Error
		if errors.As(err, &re) && errors.Is(re.Kind, route.ErrUnknownModel) && re.Reason != "" {
			f.message = strings.TrimSuffix(re.Reason, ".") + "; GET /v1/models lists the models."
		}
	}
	return f
}

func classifyKind(err error) failure {
	var be *BudgetError
	switch {
	case errors.Is(err, ErrNoCredentials):
		return failure{http.StatusUnauthorized, kindAuth, "missing_api_key",
			"Send an API key: Authorization: Bearer KEY, or x-api-key: KEY.", 0}
	case errors.Is(err, ErrInvalidKey):
		return failure{http.StatusUnauthorized, kindAuth, "invalid_api_key",
			"The API key is not valid: it is unknown or revoked, or its account is locked.", 0}
	case errors.As(err, &be) && be.Daily:
		return failure{http.StatusTooManyRequests, kindRateLimit, "insufficient_quota",
			"The account's daily token budget is spent.", be.RetryAfter}
	case errors.As(err, &be):
		return failure{http.StatusTooManyRequests, kindRateLimit, "rate_limit_exceeded",
			"The account's token rate limit was reached; retry later.", be.RetryAfter}
	case errors.Is(err, route.ErrUnknownModel):
		return failure{http.StatusNotFound, kindNotFound, "model_not_found",
			"The model does not exist or is not available; GET /v1/models lists the models.", 0}
	case errors.Is(err, route.ErrNoCompliantProvider):
		return failure{http.StatusForbidden, kindPermission, "zero_data_retention_required",
			"No provider with a zero-data-retention agreement serves this model (claim AI-2).", 0}
	case errors.Is(err, route.ErrUnsupportedOperation):
		return failure{http.StatusBadRequest, kindInvalid, "unsupported_operation",
			"No provider of this model can do this operation.", 0}
	}
	if errors.Is(err, route.ErrOverloaded) || errors.Is(err, route.ErrCircuitOpen) {
		f := failure{http.StatusServiceUnavailable, kindServer, "overloaded",
			"The AI providers for this model are busy or failing; retry shortly.", time.Second}
		if pe, ok := gateway.AsProviderError(err); ok && pe.RetryAfter > 0 {
			f.retryAfter = pe.RetryAfter
		}
		return f
	}
	if pe, ok := gateway.AsProviderError(err); ok && pe.Class == gateway.ClassCanceled {
		// Nobody is waiting; 499 is what proxies log for it.
		return failure{499, kindInvalid, "request_cancelled", "The request was cancelled.", 0}
	}
	return failure{http.StatusInternalServerError, kindServer, "internal_error", "The gateway failed to process the request.", 0}
}
