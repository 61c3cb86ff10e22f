package gemini

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"github.com/quirehq/quire/gateway"
)

// Inputs per upstream request: batchEmbedContents takes at most 100
// requests, Vertex AI's predict 250 instances, except for
// gemini-embedding-001, which takes one, as does embedContent.
const (
	maxBatchEmbed    = 100
	maxPredict       = 250
	taskTypeDocument = "RETRIEVAL_DOCUMENT"
	taskTypeQuery    = "RETRIEVAL_QUERY"
)

// embedAPI is the method a model embeds with.
type embedAPI uint8

const (
	apiBatchEmbed   embedAPI = iota // the Gemini API
	apiPredict                      // Vertex AI text-embedding models, gemini-embedding-001
	apiEmbedContent                 // Vertex AI's later Gemini embedding models
)

// embedMethod returns the method and the inputs per request for model,
// as Google's SDK decides: on Vertex AI, Gemini models other than
// gemini-embedding-001 answer embedContent, the rest predict.
func (p *Provider) embedMethod(model string) (embedAPI, int) {
	switch {
	case p.kind != KindVertex:
		return apiBatchEmbed, maxBatchEmbed
	case model == "gemini-embedding-001":
		return apiPredict, 1
	case strings.Contains(model, "gemini"):
		return apiEmbedContent, 1
	}
	return apiPredict, maxPredict
}

var errNoInputs = errors.New("no input to embed")

// Embed returns one vector per input, in input order. The Gemini API is
// asked with batchEmbedContents; Vertex AI with predict (text-embedding
// models and gemini-embedding-001), or embedContent (its later Gemini
// embedding models). Inputs beyond one request's limit are sent in
// further requests, one after the other, within one Timeout. The purpose
// becomes the task type (RETRIEVAL_DOCUMENT or RETRIEVAL_QUERY). Vertex
// AI reports the tokens of each input, which become Usage.InputTokens;
// the Gemini API reports none, so its usage is zero.
func (p *Provider) Embed(ctx context.Context, req *gateway.EmbedRequest) (*gateway.EmbedResponse, error) {
	model, err := modelID(req.Model)
	if err != nil {
		return nil, gateway.NewError(p.name, gateway.ClassInvalidRequest, err)
	}
	if len(req.Inputs) == 0 {
		return nil, gateway.NewError(p.name, gateway.ClassInvalidRequest, errNoInputs)
	}
	ctx, cancel := context.WithTimeout(ctx, p.timeout)
	defer cancel()
	api, batch := p.embedMethod(model)
	task := taskTypeDocument
	if req.Purpose == gateway.PurposeQuery {
		task = taskTypeQuery
	}
	out := &gateway.EmbedResponse{Model: model, Vectors: make([][]float32, 0, len(req.Inputs))}
	for start := 0; start < len(req.Inputs); start += batch {
		inputs := req.Inputs[start:min(start+batch, len(req.Inputs))]
		var (
			vecs   [][]float32
			tokens int
		)
		switch api {
		case apiPredict:
			vecs, tokens, err = p.predict(ctx, model, inputs, task, req.Dimensions)
		case apiEmbedContent:
			vecs, tokens, err = p.embedContent(ctx, model, inputs[0], task, req.Dimensions)
		default:
			vecs, err = p.batchEmbed(ctx, model, inputs, task, req.Dimensions)
		}
		if err != nil {
			return nil, err
		}
		for _, v := range vecs {
			if len(v) == 0 || len(v) != len(vecs[0]) || (len(out.Vectors) > 0 && len(v) != len(out.Vectors[0])) {
				return nil, p.badResponse(http.StatusOK, gateway.ErrInvalidJSON)
			}
		}
		out.Vectors = append(out.Vectors, vecs...)
		out.Usage.InputTokens += tokens
	}
	return out, nil
}

// batchEmbed sends one batchEmbedContents request.
func (p *Provider) batchEmbed(ctx context.Context, model string, inputs []string, task string, dims int) ([][]float32, error) {
	w := outBatchEmbed{Requests: make([]outEmbed, len(inputs))}
	for i, in := range inputs {
		w.Requests[i] = outEmbed{
			Model: "models/" + model, Content: outContent{Parts: []outPart{{Text: in}}},
			TaskType: task, OutputDimensionality: dims,
		}
	}
	buf, err := encodeJSON(&w)
	if err != nil {
		return nil, gateway.NewError(p.name, gateway.ClassInvalidRequest, err)
	}
	resp, err := p.postJSON(ctx, p.endpoint(model, "batchEmbedContents"), buf, "application/json")
	if err != nil {
		return nil, err
	}
	var r inBatchEmbed
	if err := p.readJSON(ctx, resp, &r); err != nil {
		return nil, err
	}
	if len(r.Embeddings) != len(inputs) {
		return nil, p.badResponse(http.StatusOK, gateway.ErrInvalidJSON)
	}
	vecs := make([][]float32, len(inputs))
	for i := range r.Embeddings {
		vecs[i] = r.Embeddings[i].Values
	}
	return vecs, nil
}

// predict sends one Vertex AI predict request and returns the vectors and
// the tokens they cost.
func (p *Provider) predict(ctx context.Context, model string, inputs []string, task string, dims int) ([][]float32, int, error) {
	w := outPredict{Instances: make([]outInstance, len(inputs))}
	for i, in := range inputs {
		w.Instances[i] = outInstance{Content: in, TaskType: task}
	}
	if dims > 0 {
		w.Parameters = &outPredictParams{OutputDimensionality: dims}
	}
	buf, err := encodeJSON(&w)
	if err != nil {
		return nil, 0, gateway.NewError(p.name, gateway.ClassInvalidRequest, err)
	}
	resp, err := p.postJSON(ctx, p.endpoint(model, "predict"), buf, "application/json")
	if err != nil {
		return nil, 0, err
	}
	var r inPredict
	if err := p.readJSON(ctx, resp, &r); err != nil {
		return nil, 0, err
	}
	if len(r.Predictions) != len(inputs) {
		return nil, 0, p.badResponse(http.StatusOK, gateway.ErrInvalidJSON)
	}
	vecs := make([][]float32, len(inputs))
	tokens := 0
	for i := range r.Predictions {
		e := &r.Predictions[i].Embeddings
		vecs[i] = e.Values
		if c := e.Statistics.TokenCount; c > 0 && c < 1<<31 {
			tokens += int(c)
		}
	}
	return vecs, tokens, nil
}

// embedContent sends one Vertex AI embedContent request.
func (p *Provider) embedContent(ctx context.Context, model, input, task string, dims int) ([][]float32, int, error) {
	w := outEmbedContent{
		Content: outContent{Parts: []outPart{{Text: input}}},
		Config:  outEmbedConfig{TaskType: task, OutputDimensionality: dims},
	}
	buf, err := encodeJSON(&w)
	if err != nil {
		return nil, 0, gateway.NewError(p.name, gateway.ClassInvalidRequest, err)
	}
	resp, err := p.postJSON(ctx, p.endpoint(model, "embedContent"), buf, "application/json")
	if err != nil {
		return nil, 0, err
	}
	var r inEmbedContent
	if err := p.readJSON(ctx, resp, &r); err != nil {
		return nil, 0, err
	}
	tokens := 0
	if r.UsageMetadata != nil {
		tokens = r.UsageMetadata.PromptTokenCount
	}
	return [][]float32{r.Embedding.Values}, tokens, nil
}
