package anthropic

import (
	"context"
	"net/http"

	"github.com/quirehq/quire/gateway"
)

// Chat sends a non-streamed Messages request.
func (p *Provider) Chat(ctx context.Context, req *gateway.ChatRequest) (*gateway.ChatResponse, error) {
	buf, err := p.messagesBody(req, false)
	if err != nil {
		return nil, gateway.NewError(p.name, gateway.ClassInvalidRequest, err)
	}
	ctx, cancel := context.WithTimeout(ctx, p.timeout)
	defer cancel()
	resp, err := p.postJSON(ctx, p.base+pathMessages, buf, "application/json")
	if err != nil {
		return nil, err
	}
	header := resp.Header
	var w wireMessageResp
	if err := p.readJSON(ctx, resp, &w); err != nil {
		return nil, err
	}
	if w.Type == "error" && w.Error != nil {
		// A 200 whose body is an error: compatible servers do this.
		return nil, p.streamError(w.Error, header)
	}
	out, ok := w.canonical()
	if !ok {
		return nil, p.badResponse(http.StatusOK, gateway.ErrInvalidJSON)
	}
	return out, nil
}
