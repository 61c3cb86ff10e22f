package openai

import (
	"context"
	"net/http"

	"github.com/quirehq/quire/gateway"
)

// Embed returns one vector per input. Vectors are asked for in base64
// where the variant supports it, and read in either encoding. A variant
// without embeddings refuses before any request (Variant.Unsupported).
func (p *Provider) Embed(ctx context.Context, req *gateway.EmbedRequest) (*gateway.EmbedResponse, error) {
	if err := p.refuse(OpEmbed); err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, p.timeout)
	defer cancel()
	w := wireEmbedRequest{Model: req.Model, Input: req.Inputs, Dimensions: req.Dimensions}
	if p.v.EmbedBase64 {
		w.EncodingFormat = "base64"
	}
	buf, err := encodeJSON(&w)
	if err != nil {
		return nil, gateway.NewError(p.name, gateway.ClassInvalidRequest, err)
	}
	resp, err := p.postJSON(ctx, p.endpoint(pathEmbed, req.Model), buf, "application/json")
	if err != nil {
		return nil, err
	}
	var r wireEmbedResponse
	if err := p.readJSON(ctx, resp, &r); err != nil {
		return nil, err
	}
	if r.Error != nil {
		return nil, p.streamError(r.Error)
	}
	vecs, ok := orderVectors(r.Data, len(req.Inputs))
	if !ok {
		return nil, p.badResponse(http.StatusOK, gateway.ErrInvalidJSON)
	}
	out := &gateway.EmbedResponse{Model: r.Model, Vectors: vecs}
	if u := r.Usage.canonical(); u != nil {
		out.Usage = *u
	}
	return out, nil
}

// orderVectors puts the embeddings in input order; each index must appear
// exactly once and the vectors must all have the same length.
func orderVectors(data []wireEmbedding, n int) ([][]float32, bool) {
	if len(data) != n {
		return nil, false
	}
	out := make([][]float32, n)
	for _, d := range data {
		if d.Index < 0 || d.Index >= n || out[d.Index] != nil || len(d.Embedding) == 0 ||
			len(d.Embedding) != len(data[0].Embedding) {
			return nil, false
		}
		out[d.Index] = d.Embedding
	}
	return out, true
}
