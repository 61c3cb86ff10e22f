package cohere

import "math"

// Wire types: the JSON Cohere's API accepts and sends. Requests are built
// only from these, so a field that is not here cannot be sent; responses
// are read into them, and what they do not name (the texts and documents
// Cohere echoes back, warnings) is never held.

// wireRerankRequest is POST /v2/rerank. max_tokens_per_doc is not sent:
// Cohere's default (4,096 tokens) applies, and a longer document is cut
// by Cohere, not by us.
type wireRerankRequest struct {
	Model     string   `json:"model"`
	Query     string   `json:"query"`
	Documents []string `json:"documents"`
	TopN      int      `json:"top_n,omitempty"`
}

type wireRerankResponse struct {
	Results []wireRerankResult `json:"results"`
	Meta    *wireMeta          `json:"meta"`
}

type wireRerankResult struct {
	// Index is a pointer so that a result without one is refused rather
	// than read as document 0.
	Index          *int     `json:"index"`
	RelevanceScore *float64 `json:"relevance_score"`
}

// wireEmbedRequest is POST /v2/embed.
type wireEmbedRequest struct {
	Model           string   `json:"model"`
	Texts           []string `json:"texts"`
	InputType       string   `json:"input_type"`
	EmbeddingTypes  []string `json:"embedding_types"`
	OutputDimension int      `json:"output_dimension,omitempty"`
	Truncate        string   `json:"truncate"`
}

type wireEmbedResponse struct {
	Embeddings wireEmbeddingsByType `json:"embeddings"`
	Meta       *wireMeta            `json:"meta"`
}

// wireEmbeddingsByType holds the one embedding type asked for.
type wireEmbeddingsByType struct {
	Float [][]float32 `json:"float"`
}

// wireMeta is Cohere's ApiMeta. Counts are JSON numbers that Cohere's
// schema types as doubles.
type wireMeta struct {
	BilledUnits *wireUnits `json:"billed_units"`
	Tokens      *wireUnits `json:"tokens"`
}

// wireUnits is read for input tokens only: search units (rerank's billing
// unit) and output tokens (none for rerank and embed) have no place in
// gateway.Usage.
type wireUnits struct {
	InputTokens *float64 `json:"input_tokens"`
}

// wireModelList is GET /v1/models.
type wireModelList struct {
	Models        []wireModel `json:"models"`
	NextPageToken string      `json:"next_page_token"`
}

type wireModel struct {
	Name string `json:"name"`
}

// maxCount bounds a token count read from the wire: far above any real
// request, far below what would overflow an int.
const maxCount = 1 << 40

// count converts a reported count; ok is false for a negative, fractional
// or absurd one. An absent count is 0.
func count(f *float64) (n int, ok bool) {
	if f == nil {
		return 0, true
	}
	if *f < 0 || *f > maxCount || *f != math.Trunc(*f) {
		return 0, false
	}
	return int(*f), true
}

// inputTokens reads the input tokens of u, or of the first of us that
// reports them.
func inputTokens(us ...*wireUnits) (int, bool) {
	for _, u := range us {
		if u != nil && u.InputTokens != nil {
			return count(u.InputTokens)
		}
	}
	return 0, true
}

// units returns the meta's billed units and tokens, either of which may be
// nil.
func (m *wireMeta) units() (billed, tokens *wireUnits) {
	if m == nil {
		return nil, nil
	}
	return m.BilledUnits, m.Tokens
}
