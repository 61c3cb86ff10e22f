package gemini

import (
	"bytes"
	"context"
	"net/http"

	"github.com/quirehq/quire/gateway"
)

// Chat sends a non-streamed generateContent request.
func (p *Provider) Chat(ctx context.Context, req *gateway.ChatRequest) (*gateway.ChatResponse, error) {
	model, buf, err := p.chatBody(req)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, p.timeout)
	defer cancel()
	resp, err := p.postJSON(ctx, p.endpoint(model, "generateContent"), buf, "application/json")
	if err != nil {
		return nil, err
	}
	var w inResponse
	if err := p.readJSON(ctx, resp, &w); err != nil {
		return nil, err
	}
	if w.Error != nil {
		return nil, p.streamError(w.Error)
	}
	out, ok := w.canonical()
	if !ok {
		return nil, p.badResponse(http.StatusOK, gateway.ErrInvalidJSON)
	}
	if out.Model == "" {
		out.Model = model
	}
	return out, nil
}

// chatBody checks the model and encodes the request; its errors are
// ClassInvalidRequest.
func (p *Provider) chatBody(req *gateway.ChatRequest) (string, *bytes.Buffer, error) {
	model, err := modelID(req.Model)
	if err != nil {
		return "", nil, gateway.NewError(p.name, gateway.ClassInvalidRequest, err)
	}
	buf, err := encodeChat(req, model)
	if err != nil {
		return "", nil, gateway.NewError(p.name, gateway.ClassInvalidRequest, err)
	}
	return model, buf, nil
}
