package endpoint

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"unicode/utf8"

	"github.com/quirehq/quire/gateway"
	"github.com/quirehq/quire/gateway/openai"
)

// Rerank request caps.
const (
	maxRerankDocs  = 1000
	maxRerankQuery = 64 << 10
)

// rerankDoc is a document: a string, or an object with a text field.
type rerankDoc string

// UnmarshalJSON implements json.Unmarshaler.
func (d *rerankDoc) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] == '{' {
		var o struct {
			Text *string `json:"text"`
		}
		if err := json.Unmarshal(b, &o); err != nil || o.Text == nil {
			return rerankInvalid("documents", "Each document must be a string or an object with a text string.")
		}
		*d = rerankDoc(*o.Text)
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return rerankInvalid("documents", "Each document must be a string or an object with a text string.")
	}
	*d = rerankDoc(s)
	return nil
}

// rerankIn is the request body. Fields not listed are ignored.
type rerankIn struct {
	Model           *string          `json:"model"`
	Query           *string          `json:"query"`
	Documents       *json.RawMessage `json:"documents"`
	TopN            *int             `json:"top_n"`
	ReturnDocuments bool             `json:"return_documents"`
}

func rerankInvalid(param, msg string) *openai.APIError {
	return &openai.APIError{Status: http.StatusBadRequest, Type: openai.TypeInvalidRequest, Code: "invalid_value", Param: param, Message: msg}
}

// decodeRerank reads a rerank request of at most limit bytes. Errors are
// *openai.APIError and never quote the request.
func decodeRerank(r io.Reader, limit int64) (*gateway.RerankRequest, bool, error) {
	body, err := io.ReadAll(io.LimitReader(r, limit+1))
	var mbe *http.MaxBytesError
	if int64(len(body)) > limit || errors.As(err, &mbe) {
		return nil, false, &openai.APIError{Status: http.StatusRequestEntityTooLarge, Type: openai.TypeInvalidRequest,
			Code: "request_too_large", Message: "The request body is too large."}
	}
	if err != nil {
		return nil, false, rerankInvalid("", "The request body could not be read.")
	}
	var in rerankIn
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(&in); err != nil {
		var ae *openai.APIError
		if errors.As(err, &ae) {
			return nil, false, ae
		}
		return nil, false, rerankInvalid("", "The request body must be a JSON object with model, query and documents.")
	}
	if dec.More() {
		return nil, false, rerankInvalid("", "The request body must be a single JSON object.")
	}
	switch {
	case in.Model == nil || *in.Model == "" || len(*in.Model) > 256:
		return nil, false, rerankInvalid("model", "model is required: a model ID or alias.")
	case in.Query == nil || *in.Query == "":
		return nil, false, rerankInvalid("query", "query is required: a non-empty string.")
	case len(*in.Query) > maxRerankQuery || !utf8.ValidString(*in.Query):
		return nil, false, rerankInvalid("query", "query must be valid UTF-8 of at most 64 KiB.")
	case in.Documents == nil:
		return nil, false, rerankInvalid("documents", "documents is required: an array of 1 to 1000 documents.")
	}
	docs, err := decodeDocs(*in.Documents)
	if err != nil {
		return nil, false, err
	}
	req := &gateway.RerankRequest{Model: *in.Model, Query: *in.Query, Documents: docs}
	if in.TopN != nil {
		if *in.TopN < 1 {
			return nil, false, rerankInvalid("top_n", "top_n must be at least 1.")
		}
		req.TopN = min(*in.TopN, len(docs))
	}
	return req, in.ReturnDocuments, nil
}

// decodeDocs decodes the documents array, refusing it at the first
// element past the cap.
func decodeDocs(raw json.RawMessage) ([]string, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('[') {
		return nil, rerankInvalid("documents", "documents must be an array of 1 to 1000 documents.")
	}
	var docs []string
	for dec.More() {
		if len(docs) == maxRerankDocs {
			return nil, rerankInvalid("documents", "documents may hold at most 1000 documents.")
		}
		var d rerankDoc
		if err := dec.Decode(&d); err != nil {
			return nil, rerankInvalid("documents", "Each document must be a string or an object with a text string.")
		}
		if !utf8.ValidString(string(d)) {
			return nil, rerankInvalid("documents", "Documents must be valid UTF-8.")
		}
		docs = append(docs, string(d))
	}
	if len(docs) == 0 {
		return nil, rerankInvalid("documents", "documents must hold at least one document.")
	}
	return docs, nil
}

type rerankResultOut struct {
	Index          int          `json:"index"`
	RelevanceScore float64      `json:"relevance_score"`
	Document       *rerankDocIn `json:"document,omitempty"`
}

type rerankDocIn struct {
	Text string `json:"text"`
}

type rerankOut struct {
	ID      string            `json:"id"`
	Model   string            `json:"model"`
	Results []rerankResultOut `json:"results"`
	Meta    struct {
		APIVersion struct {
			Version string `json:"version"`
		} `json:"api_version"`
		BilledUnits struct {
			SearchUnits int `json:"search_units"`
			InputTokens int `json:"input_tokens,omitempty"`
		} `json:"billed_units"`
	} `json:"meta"`
	Usage struct {
		TotalTokens int `json:"total_tokens"`
	} `json:"usage"`
}

// writeRerank writes resp; docs are the client's own documents (before
// redaction), echoed when it asked for them.
func writeRerank(w http.ResponseWriter, resp *gateway.RerankResponse, docs []string, returnDocs bool) error {
	var id [16]byte
	_, _ = rand.Read(id[:])
	out := rerankOut{ID: hex.EncodeToString(id[:]), Model: resp.Model, Results: make([]rerankResultOut, 0, len(resp.Results))}
	out.Meta.APIVersion.Version = "2"
	out.Meta.BilledUnits.SearchUnits = 1
	out.Meta.BilledUnits.InputTokens = resp.Usage.InputTokens
	out.Usage.TotalTokens = resp.Usage.Total()
	for _, res := range resp.Results {
		if res.Index < 0 || res.Index >= len(docs) {
			openai.WriteAPIError(w, openai.ErrorFromProvider(gateway.NewError("", gateway.ClassBadResponse, gateway.ErrInvalidJSON)))
			return gateway.NewError("", gateway.ClassBadResponse, gateway.ErrInvalidJSON)
		}
		o := rerankResultOut{Index: res.Index, RelevanceScore: res.Score}
		if returnDocs {
			o.Document = &rerankDocIn{Text: docs[res.Index]}
		}
		out.Results = append(out.Results, o)
	}
	b, err := json.Marshal(&out)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	_, err = w.Write(append(b, '\n'))
	return err
}
