package cohere

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/quirehq/quire/gateway"
	"github.com/quirehq/quire/gateway/cohere/coheretest"
)

// fixedTransport answers every request with one status and body, with no
// network.
type fixedTransport struct {
	status int
	body   []byte
}

func (f fixedTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Body != nil {
		r.Body.Close()
	}
	h := http.Header{"Content-Type": {"application/json"}}
	return &http.Response{StatusCode: f.status, Header: h, Body: io.NopCloser(bytes.NewReader(f.body)), Request: r}, nil
}

// fuzzProvider returns a Provider whose every call is answered with body.
func fuzzProvider(t *testing.T, status int, body []byte) *Provider {
	p, err := New(Config{Name: "fuzz", APIKey: "k", MaxResponseBytes: 1 << 20}, &http.Client{Transport: fixedTransport{status, body}})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// goldenBodies adds the bodies of the named golden files as seeds.
func goldenBodies(f *testing.F, names ...string) {
	for _, name := range names {
		raw, err := os.ReadFile(filepath.Join("testdata", name+".http"))
		if err != nil {
			f.Fatal(err)
		}
		g, err := coheretest.ParseGolden(raw)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(g.Body)
	}
}

// checkError fails t unless err is a *gateway.ProviderError that carries
// nothing of body.
func checkError(t *testing.T, err error, body []byte) *gateway.ProviderError {
	pe, ok := gateway.AsProviderError(err)
	if !ok {
		t.Fatalf("error %v (%T) is not a ProviderError", err, err)
	}
	if msg := pe.Error(); len(body) >= 8 && strings.Contains(msg, string(body)) {
		t.Fatalf("error %q quotes the body", msg)
	}
	return pe
}

// FuzzRerank reads arbitrary rerank answers to 5 documents, top 3: what
// is accepted names each document at most once, in range, sorted by
// score, no more than asked for.
func FuzzRerank(f *testing.F) {
	goldenBodies(f, "rerank", "rerank_top_n", "rerank_bad_index", "invalid_json")
	f.Add([]byte(`{"results":[{"index":0,"relevance_score":0.1},{"index":1,"relevance_score":0.9}],"meta":{"tokens":{"input_tokens":3}}}`))
	f.Add([]byte(`{"results":[{"index":1,"relevance_score":0.5},{"index":1,"relevance_score":0.5}]}`))
	f.Add([]byte(`{"results":null,"meta":{"billed_units":{"input_tokens":1e300}}}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		p := fuzzProvider(t, 200, body)
		resp, err := p.Rerank(context.Background(), &gateway.RerankRequest{Model: "m", Query: "q", Documents: []string{"a", "b", "c", "d", "e"}, TopN: 3})
		if err != nil {
			if pe := checkError(t, err, body); pe.Class != gateway.ClassBadResponse {
				t.Fatalf("class %v", pe.Class)
			}
			return
		}
		if len(resp.Results) > 3 || resp.Usage.InputTokens < 0 {
			t.Fatalf("got %+v", resp)
		}
		seen := map[int]bool{}
		for _, r := range resp.Results {
			if r.Index < 0 || r.Index >= 5 || seen[r.Index] {
				t.Fatalf("index %d", r.Index)
			}
			seen[r.Index] = true
		}
		if !sort.SliceIsSorted(resp.Results, func(i, j int) bool { return resp.Results[i].Score > resp.Results[j].Score }) {
			t.Fatalf("not sorted: %+v", resp.Results)
		}
	})
}

// FuzzEmbed reads arbitrary embed answers to two texts: what is accepted
// is two vectors of one non-zero length.
func FuzzEmbed(f *testing.F) {
	goldenBodies(f, "embed", "embed_short", "invalid_json")
	f.Add([]byte(`{"embeddings":{"float":[[1,2],[3,4]]},"meta":{"billed_units":{"input_tokens":2}}}`))
	f.Add([]byte(`{"embeddings":{"float":[[1,2],[3]]}}`))
	f.Add([]byte(`{"embeddings":{"float":[[],[]]}}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		p := fuzzProvider(t, 200, body)
		resp, err := p.Embed(context.Background(), &gateway.EmbedRequest{Model: "m", Inputs: []string{"a", "b"}})
		if err != nil {
			if pe := checkError(t, err, body); pe.Class != gateway.ClassBadResponse {
				t.Fatalf("class %v", pe.Class)
			}
			return
		}
		if len(resp.Vectors) != 2 || len(resp.Vectors[0]) == 0 || len(resp.Vectors[0]) != len(resp.Vectors[1]) || resp.Usage.InputTokens < 0 {
			t.Fatalf("got %+v", resp)
		}
	})
}

// FuzzModels reads arbitrary model lists; a list that always names a next
// page ends, refused, after the page limit.
func FuzzModels(f *testing.F) {
	goldenBodies(f, "models_rerank", "models_embed")
	f.Add([]byte(`{"models":[{"name":"a"},{"name":"a"},{"name":""}]}`))
	f.Add([]byte(`{"models":[],"next_page_token":"x"}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		p := fuzzProvider(t, 200, body)
		models, err := p.Models(context.Background())
		if err != nil {
			checkError(t, err, body)
			return
		}
		seen := map[string]bool{}
		for _, m := range models {
			if m.ID == "" || seen[m.ID] {
				t.Fatalf("model %q", m.ID)
			}
			seen[m.ID] = true
		}
	})
}

// FuzzError reads arbitrary error answers: the error never quotes them,
// and its class follows the status.
func FuzzError(f *testing.F) {
	goldenBodies(f, "error_400", "error_401", "error_402", "error_429", "error_500", "html_502")
	f.Add([]byte(`{"id":"a b c","message":"x"}`))
	f.Add([]byte(`{"id":123}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		for _, status := range []int{400, 402, 429, 498, 499, 500} {
			p := fuzzProvider(t, status, body)
			_, err := p.Rerank(context.Background(), &gateway.RerankRequest{Model: "m", Query: "q", Documents: []string{"a"}})
			pe := checkError(t, err, body)
			if pe.Status != status || pe.Class == gateway.ClassUnknown || gateway.SafeToken(pe.RequestID, 128) != pe.RequestID {
				t.Fatalf("%d: %+v", status, pe)
			}
		}
	})
}
