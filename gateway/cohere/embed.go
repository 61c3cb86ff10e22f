package cohere

import (
	"context"
	"errors"
	"net/http"

	"github.com/quirehq/quire/gateway"
)

// MaxBatch is the most texts Cohere embeds in one call; Embed splits a
// larger request into calls of at most this many.
const MaxBatch = 96

var (
	errNoInputs   = errors.New("embed needs at least one input")
	errDimensions = errors.New("embed dimensions must not be negative")
	errPurpose    = errors.New("embed purpose is not a document or a query")
)

// Embed returns one float vector per input with POST /v2/embed, in input
// order. The purpose becomes Cohere's input_type (search_document or
// search_query), which its v3 and later models require; Dimensions, when
// set, is sent as output_dimension (embed-v4 and later).
//
// Truncation is off ("truncate": "NONE"): an input longer than the
// model's context fails the request, with Cohere's 400, instead of being
// embedded from a silently cut text whose vector would not represent it.
// Callers chunk their texts to fit.
//
// More than MaxBatch inputs are sent in consecutive calls of MaxBatch
// (not in parallel: the account's rate limit is shared), each bounded by
// the provider's Timeout; the context is checked between calls, the
// vectors are concatenated in order and their usage summed. Every vector
// of the answer must have the same, non-zero, length (Dimensions when
// set); an answer with more or fewer vectors than inputs is refused.
func (p *Provider) Embed(ctx context.Context, req *gateway.EmbedRequest) (*gateway.EmbedResponse, error) {
	var inputType string
	switch req.Purpose {
	case gateway.PurposeDocument:
		inputType = "search_document"
	case gateway.PurposeQuery:
		inputType = "search_query"
	default:
		return nil, p.invalid(errPurpose)
	}
	switch {
	case len(req.Inputs) == 0:
		return nil, p.invalid(errNoInputs)
	case req.Dimensions < 0:
		return nil, p.invalid(errDimensions)
	}
	out := &gateway.EmbedResponse{Model: req.Model, Vectors: make([][]float32, 0, len(req.Inputs))}
	dim := req.Dimensions
	for start := 0; start < len(req.Inputs); start += MaxBatch {
		if err := ctx.Err(); err != nil {
			return nil, gateway.NewTransportError(ctx, p.name, err)
		}
		batch := req.Inputs[start:min(start+MaxBatch, len(req.Inputs))]
		vecs, in, err := p.embedBatch(ctx, &wireEmbedRequest{
			Model: req.Model, Texts: batch, InputType: inputType, EmbeddingTypes: []string{"float"},
			OutputDimension: req.Dimensions, Truncate: "NONE",
		})
		if err != nil {
			return nil, err
		}
		for _, v := range vecs {
			if dim == 0 {
				dim = len(v)
			}
			if len(v) == 0 || len(v) != dim {
				return nil, p.badResponse(http.StatusOK, gateway.ErrInvalidJSON)
			}
		}
		out.Vectors = append(out.Vectors, vecs...)
		out.Usage.InputTokens += in
	}
	return out, nil
}

// embedBatch makes one call and returns its vectors, as many as w.Texts,
// and the input tokens billed.
func (p *Provider) embedBatch(ctx context.Context, w *wireEmbedRequest) ([][]float32, int, error) {
	ctx, cancel := context.WithTimeout(ctx, p.timeout)
	defer cancel()
	resp, err := p.postJSON(ctx, pathEmbed, w)
	if err != nil {
		return nil, 0, err
	}
	var r wireEmbedResponse
	if err := p.readJSON(ctx, resp, &r); err != nil {
		return nil, 0, err
	}
	billed, tokens := r.Meta.units()
	in, ok := inputTokens(billed, tokens)
	if !ok || len(r.Embeddings.Float) != len(w.Texts) {
		return nil, 0, p.badResponse(http.StatusOK, gateway.ErrInvalidJSON)
	}
	return r.Embeddings.Float, in, nil
}
