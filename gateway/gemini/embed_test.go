package gemini

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/quirehq/quire/gateway"
	"github.com/quirehq/quire/gateway/gemini/geminitest"
)

// goldenVectors reads the vectors of an embedding golden file.
func goldenVectors(t *testing.T, fake *geminitest.Server, name string) [][]float32 {
	t.Helper()
	g, err := fake.Golden(name)
	if err != nil {
		t.Fatal(err)
	}
	var body struct {
		Embeddings  []inEmbedding  `json:"embeddings"`
		Predictions []inPrediction `json:"predictions"`
		Embedding   *inEmbedding   `json:"embedding"`
	}
	if err := json.Unmarshal(g.Body, &body); err != nil {
		t.Fatal(err)
	}
	var out [][]float32
	for _, e := range body.Embeddings {
		out = append(out, e.Values)
	}
	for _, p := range body.Predictions {
		out = append(out, p.Embeddings.Values)
	}
	if body.Embedding != nil {
		out = append(out, body.Embedding.Values)
	}
	return out
}

func TestEmbedGemini(t *testing.T) {
	fake := newFake(t)
	p := newProvider(t, fake)
	resp, err := p.Embed(context.Background(), &gateway.EmbedRequest{
		Model: "embed_batch", Inputs: []string{"first", "second \"two\"", "third"}, Dimensions: 8, Purpose: gateway.PurposeQuery,
	})
	if err != nil {
		t.Fatal(err)
	}
	if want := goldenVectors(t, fake, "embed_batch"); !reflect.DeepEqual(resp.Vectors, want) || len(want) != 3 || len(want[0]) != 8 {
		t.Fatalf("vectors %v, want %v", resp.Vectors, want)
	}
	if resp.Model != "embed_batch" || !resp.Usage.IsZero() {
		t.Fatalf("response %+v", resp)
	}
	r := fake.Last()
	want := `{"requests":[` +
		`{"model":"models/embed_batch","content":{"parts":[{"text":"first"}]},"taskType":"RETRIEVAL_QUERY","outputDimensionality":8},` +
		`{"model":"models/embed_batch","content":{"parts":[{"text":"second \"two\""}]},"taskType":"RETRIEVAL_QUERY","outputDimensionality":8},` +
		`{"model":"models/embed_batch","content":{"parts":[{"text":"third"}]},"taskType":"RETRIEVAL_QUERY","outputDimensionality":8}]}` + "\n"
	if string(r.Body) != want || r.Path != "/v1beta/models/embed_batch:batchEmbedContents" || r.Header.Get("X-Goog-Api-Key") != testKey {
		t.Fatalf("request %s\n%s\nwant %s", r.Path, r.Body, want)
	}
}

func TestEmbedVertexPredict(t *testing.T) {
	fake := newFake(t)
	p := newVertex(t, fake)
	resp, err := p.Embed(context.Background(), &gateway.EmbedRequest{Model: "embed_vertex", Inputs: []string{"first", "second", "third"}, Dimensions: 8})
	if err != nil {
		t.Fatal(err)
	}
	if want := goldenVectors(t, fake, "embed_vertex"); !reflect.DeepEqual(resp.Vectors, want) || len(want) != 3 {
		t.Fatalf("vectors %v, want %v", resp.Vectors, want)
	}
	if resp.Usage != (gateway.Usage{InputTokens: 19}) {
		t.Fatalf("usage %+v", resp.Usage)
	}
	r := fake.Last()
	want := `{"instances":[{"content":"first","task_type":"RETRIEVAL_DOCUMENT"},{"content":"second","task_type":"RETRIEVAL_DOCUMENT"},` +
		`{"content":"third","task_type":"RETRIEVAL_DOCUMENT"}],"parameters":{"outputDimensionality":8}}` + "\n"
	if string(r.Body) != want || r.Path != "/v1/projects/quire-test/locations/europe-west4/publishers/google/models/embed_vertex:predict" ||
		!strings.HasPrefix(r.Header.Get("Authorization"), "Bearer ya29.") {
		t.Fatalf("request %s %v\n%s", r.Path, r.Header, r.Body)
	}
}

// TestEmbedVertexGemini: Vertex AI's Gemini embedding models take one
// input per request: gemini-embedding-001 through predict, later ones
// through embedContent.
func TestEmbedVertexGemini(t *testing.T) {
	fake := newFake(t)
	p := newVertex(t, fake)
	resp, err := p.Embed(context.Background(), &gateway.EmbedRequest{Model: "gemini-embedding-001", Inputs: []string{"a", "b", "c"}})
	if err != nil {
		t.Fatal(err)
	}
	one := goldenVectors(t, fake, "gemini-embedding-001")[0]
	if !reflect.DeepEqual(resp.Vectors, [][]float32{one, one, one}) || resp.Usage.InputTokens != 21 {
		t.Fatalf("got %+v", resp)
	}
	reqs := fake.Requests()
	if len(reqs) != 3 || string(reqs[1].Body) != `{"instances":[{"content":"b","task_type":"RETRIEVAL_DOCUMENT"}]}`+"\n" ||
		!strings.HasSuffix(reqs[1].Path, "/gemini-embedding-001:predict") {
		t.Fatalf("requests %d, %s %s", len(reqs), reqs[1].Path, reqs[1].Body)
	}

	resp, err = p.Embed(context.Background(), &gateway.EmbedRequest{Model: "gemini-embedding-2-preview", Inputs: []string{"a", "b"}, Dimensions: 8, Purpose: gateway.PurposeQuery})
	if err != nil {
		t.Fatal(err)
	}
	one = goldenVectors(t, fake, "gemini-embedding-2-preview")[0]
	if !reflect.DeepEqual(resp.Vectors, [][]float32{one, one}) || resp.Usage.InputTokens != 14 {
		t.Fatalf("got %+v", resp)
	}
	r := fake.Last()
	if want := `{"content":{"parts":[{"text":"b"}]},"embedContentConfig":{"taskType":"RETRIEVAL_QUERY","outputDimensionality":8}}` + "\n"; string(r.Body) != want ||
		!strings.HasSuffix(r.Path, "/gemini-embedding-2-preview:embedContent") || len(fake.Requests()) != 5 {
		t.Fatalf("request %s %s", r.Path, r.Body)
	}
}

// TestEmbedBatches: more inputs than one request takes are sent in
// several, and the vectors come back in input order.
func TestEmbedBatches(t *testing.T) {
	fake := newFake(t)
	fake.Handle("many", func(w http.ResponseWriter, r *http.Request) {
		var req outBatchEmbed
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil || len(req.Requests) > maxBatchEmbed {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		var out inBatchEmbed
		for _, e := range req.Requests {
			n, _ := strconv.Atoi(e.Content.Parts[0].Text)
			out.Embeddings = append(out.Embeddings, inEmbedding{Values: []float32{float32(n), 1}})
		}
		w.Header().Set("Content-Type", "application/json; charset=UTF-8")
		json.NewEncoder(w).Encode(out)
	})
	inputs := make([]string, 230)
	for i := range inputs {
		inputs[i] = strconv.Itoa(i)
	}
	resp, err := newProvider(t, fake).Embed(context.Background(), &gateway.EmbedRequest{Model: "many", Inputs: inputs})
	if err != nil {
		t.Fatal(err)
	}
	if len(resp.Vectors) != 230 || len(fake.Requests()) != 3 {
		t.Fatalf("%d vectors from %d requests", len(resp.Vectors), len(fake.Requests()))
	}
	for i, v := range resp.Vectors {
		if v[0] != float32(i) {
			t.Fatalf("vector %d is %v", i, v)
		}
	}
}

func TestEmbedFailures(t *testing.T) {
	fake := newFake(t)
	p := newProvider(t, fake)
	fake.Handle("ragged", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"embeddings":[{"values":[1,2]},{"values":[1]}]}`)
	})
	tests := []struct {
		req   gateway.EmbedRequest
		class gateway.ErrorClass
		cause error
	}{
		{gateway.EmbedRequest{Model: "embed_batch", Inputs: []string{"a", "b"}}, gateway.ClassBadResponse, gateway.ErrInvalidJSON}, // 3 vectors for 2 inputs
		{gateway.EmbedRequest{Model: "ragged", Inputs: []string{"a", "b"}}, gateway.ClassBadResponse, gateway.ErrInvalidJSON},
		{gateway.EmbedRequest{Model: "embed_batch"}, gateway.ClassInvalidRequest, errNoInputs},
		{gateway.EmbedRequest{Model: "a:b", Inputs: []string{"a"}}, gateway.ClassInvalidRequest, errModel},
		{gateway.EmbedRequest{Model: "error_429", Inputs: []string{"a"}}, gateway.ClassRateLimited, nil},
	}
	for _, tt := range tests {
		_, err := p.Embed(context.Background(), &tt.req)
		pe := providerError(t, err)
		if pe.Class != tt.class || tt.cause != nil && !errors.Is(err, tt.cause) {
			t.Fatalf("%s: %+v", tt.req.Model, pe)
		}
	}
}
