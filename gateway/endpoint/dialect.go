package endpoint

import (
	"errors"
	"net/http"

	"github.com/quirehq/quire/gateway"
	"github.com/quirehq/quire/gateway/openai"
)

// dialect is one client wire format of the chat routes.
type dialect interface {
	// decode reads a chat request of at most limit bytes.
	decode(r *http.Request, limit int64) (*gateway.ChatRequest, error)
	// write answers a complete response.
	write(w http.ResponseWriter, req *gateway.ChatRequest, resp *gateway.ChatResponse) error
	// encoder returns the stream encoder for req.
	encoder(w http.ResponseWriter, req *gateway.ChatRequest) encoder
	// writeError answers err, which classify turned into f; errors of the
	// dialect's codec and of providers are rendered by the codec's own
	// mapping instead.
	writeError(w http.ResponseWriter, f failure, err error)
}

// encoder is a dialect's stream encoder.
type encoder interface {
	Encode(ev gateway.Event) error
	Close() error
	Fail(err error) error
}

// openAIDialect is the OpenAI chat completions format.
type openAIDialect struct{}

func (openAIDialect) decode(r *http.Request, limit int64) (*gateway.ChatRequest, error) {
	req, _, err := openai.DecodeChatRequest(r.Body, limit)
	return req, err
}

func (openAIDialect) write(w http.ResponseWriter, _ *gateway.ChatRequest, resp *gateway.ChatResponse) error {
	return openai.WriteChatResponse(w, resp)
}

func (openAIDialect) encoder(w http.ResponseWriter, req *gateway.ChatRequest) encoder {
	return openai.NewStreamEncoder(w, req.IncludeUsage)
}

func (openAIDialect) writeError(w http.ResponseWriter, f failure, err error) {
	openai.WriteAPIError(w, openAIError(f, err))
}

// openAIError renders err for an OpenAI client.
func openAIError(f failure, err error) *openai.APIError {
	var ae *openai.APIError
	if errors.As(err, &ae) {
		return ae
	}
	if pe, ok := gateway.AsProviderError(err); ok && pe.Class != gateway.ClassCanceled && f.code != "overloaded" {
		return openai.ErrorFromProvider(pe)
	}
	typ := openai.TypeInvalidRequest
	switch f.kind {
	case kindAuth:
		typ = openai.TypeAuthentication
	case kindRateLimit:
		typ = openai.TypeRateLimit
		if f.code == "insufficient_quota" {
			typ = f.code // as OpenAI reports a spent quota
		}
	case kindServer:
		typ = openai.TypeServer
	}
	return &openai.APIError{Status: f.status, Type: typ, Code: f.code, Message: f.message, RetryAfter: f.retryAfter}
}
