package openai

import (
	"context"
	"net/http"

	"github.com/quirehq/quire/gateway"
)

// Chat sends a non-streamed chat completion.
func (p *Provider) Chat(ctx context.Context, req *gateway.ChatRequest) (*gateway.ChatResponse, error) {
	ctx, cancel := context.WithTimeout(ctx, p.timeout)
	defer cancel()
	buf, err := p.chatBody(req, false)
	if err != nil {
		return nil, gateway.NewError(p.name, gateway.ClassInvalidRequest, err)
	}
	resp, err := p.postJSON(ctx, p.endpoint(pathChat, req.Model), buf, "application/json")
	if err != nil {
		return nil, err
	}
	var w wireChatResponse
	if err := p.readJSON(ctx, resp, &w); err != nil {
		return nil, err
	}
	if w.Error != nil {
		// A 200 whose body is an error: some compatible servers do this.
		return nil, p.streamError(w.Error)
	}
	out, ok := w.canonical()
	if !ok {
		return nil, p.badResponse(http.StatusOK, gateway.ErrInvalidJSON)
	}
	return out, nil
}
