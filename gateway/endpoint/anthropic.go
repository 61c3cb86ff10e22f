package endpoint

import (
	"errors"
	"net/http"

	"github.com/quirehq/quire/gateway"
	"github.com/quirehq/quire/gateway/anthropic"
)

// anthropicDialect is Anthropic's Messages format.
type anthropicDialect struct{}

func (anthropicDialect) decode(r *http.Request, limit int64) (*gateway.ChatRequest, error) {
	return anthropic.DecodeMessagesRequest(r, anthropic.Limits{MaxBodyBytes: limit})
}

func (anthropicDialect) write(w http.ResponseWriter, req *gateway.ChatRequest, resp *gateway.ChatResponse) error {
	return anthropic.WriteMessage(w, resp, req.Model)
}

func (anthropicDialect) encoder(w http.ResponseWriter, req *gateway.ChatRequest) encoder {
	return anthropic.NewStreamEncoder(w, req.Model)
}

func (anthropicDialect) writeError(w http.ResponseWriter, f failure, err error) {
	anthropic.WriteAPIError(w, anthropicError(f, err))
}

// anthropicError renders err for an Anthropic client.
func anthropicError(f failure, err error) *anthropic.APIError {
	var ae *anthropic.APIError
	if errors.As(err, &ae) {
		return ae
	}
	if pe, ok := gateway.AsProviderError(err); ok && pe.Class != gateway.ClassCanceled && f.code != "overloaded" {
		return anthropic.ErrorFromProvider(pe)
	}
	typ := anthropic.TypeInvalidRequest
	switch f.kind {
	case kindAuth:
		typ = anthropic.TypeAuthentication
	case kindPermission:
		typ = anthropic.TypePermission
	case kindNotFound:
		typ = anthropic.TypeNotFound
	case kindRateLimit:
		typ = anthropic.TypeRateLimit
	case kindServer:
		typ = anthropic.TypeAPI
		if f.code == "overloaded" {
			typ = anthropic.TypeOverloaded
		}
	}
	return &anthropic.APIError{Status: f.status, Type: typ, Message: f.message, RetryAfter: f.retryAfter}
}
