package cohere

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/quirehq/quire/gateway"
)

var embedTexts = []string{
	"Remember to buy ink and send the chapter draft to Ana on Friday.",
	"Autumn notes: the equinox falls on 22 or 23 September.",
}

// TestEmbed pins the request Cohere gets for each purpose and the reading
// of its answer.
func TestEmbed(t *testing.T) {
	fake := newFake(t)
	p := newProvider(t, fake)
	for _, tt := range []struct {
		purpose   gateway.EmbedPurpose
		inputType string
	}{{gateway.PurposeDocument, "search_document"}, {gateway.PurposeQuery, "search_query"}} {
		resp, err := p.Embed(context.Background(), &gateway.EmbedRequest{Model: "embed", Inputs: embedTexts, Dimensions: 256, Purpose: tt.purpose})
		if err != nil {
			t.Fatal(err)
		}
		if resp.Model != "embed" || len(resp.Vectors) != 2 || len(resp.Vectors[0]) != 256 || len(resp.Vectors[1]) != 256 ||
			resp.Vectors[0][0] != 0.052709066 || resp.Vectors[0][1] != 0.012390971 || resp.Usage != (gateway.Usage{InputTokens: 29}) {
			t.Fatalf("got model %s, %d vectors, usage %+v", resp.Model, len(resp.Vectors), resp.Usage)
		}
		r := fake.Last()
		if r.Method != http.MethodPost || r.Path != "/v2/embed" || r.Header.Get("Authorization") != "Bearer "+testKey {
			t.Fatalf("sent %s %s %v", r.Method, r.Path, r.Header)
		}
		want := map[string]any{
			"model": "embed", "texts": []any{embedTexts[0], embedTexts[1]}, "input_type": tt.inputType,
			"embedding_types": []any{"float"}, "output_dimension": float64(256), "truncate": "NONE",
		}
		if got := sentJSON(t, fake); !reflect.DeepEqual(got, want) {
			t.Fatalf("sent %s", r.Body)
		}
	}
	// No dimensions: the model's default, and no output_dimension sent.
	if _, err := p.Embed(context.Background(), &gateway.EmbedRequest{Model: "embed", Inputs: embedTexts}); err != nil {
		t.Fatal(err)
	}
	if _, ok := sentJSON(t, fake)["output_dimension"]; ok {
		t.Fatal("output_dimension sent without dimensions")
	}
}

// batchHandler answers embed calls with one vector per text: the vector
// of text "t<i>" is {i, i, i, i}. Each text costs 3 tokens.
func batchHandler(t *testing.T, calls *atomic.Int32, before func(n int32)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		n := calls.Add(1)
		if before != nil {
			before(n)
		}
		var req wireEmbedRequest
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
			t.Error(err)
			return
		}
		vecs := make([][]float32, len(req.Texts))
		for i, s := range req.Texts {
			k, _ := strconv.Atoi(strings.TrimPrefix(s, "t"))
			vecs[i] = []float32{float32(k), float32(k), float32(k), float32(k)}
		}
		b, _ := json.Marshal(map[string]any{
			"id": "batch", "texts": req.Texts, "embeddings": map[string]any{"float": vecs},
			"meta":          map[string]any{"api_version": map[string]any{"version": "2"}, "billed_units": map[string]any{"input_tokens": 3 * len(req.Texts)}},
			"response_type": "embeddings_by_type",
		})
		writeJSON(w, 200, string(b))
	}
}

func inputs(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("t%d", i)
	}
	return out
}

// TestEmbedBatching: 200 texts go as 96, 96 and 8, in order, one call at
// a time, and come back as 200 vectors in input order with summed usage.
func TestEmbedBatching(t *testing.T) {
	fake := newFake(t)
	var calls atomic.Int32
	fake.Handle("batch", batchHandler(t, &calls, nil))
	p := newProvider(t, fake)
	in := inputs(200)
	resp, err := p.Embed(context.Background(), &gateway.EmbedRequest{Model: "batch", Inputs: in, Purpose: gateway.PurposeQuery})
	if err != nil {
		t.Fatal(err)
	}
	reqs := fake.Requests()
	if len(reqs) != 3 {
		t.Fatalf("%d calls", len(reqs))
	}
	start := 0
	for i, size := range []int{96, 96, 8} {
		var w wireEmbedRequest
		if err := json.Unmarshal(reqs[i].Body, &w); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(w.Texts, in[start:start+size]) || w.InputType != "search_query" || w.Truncate != "NONE" {
			t.Fatalf("call %d sent %d texts from %q", i, len(w.Texts), w.Texts[0])
		}
		start += size
	}
	if len(resp.Vectors) != 200 || resp.Usage.InputTokens != 600 {
		t.Fatalf("%d vectors, usage %+v", len(resp.Vectors), resp.Usage)
	}
	for i, v := range resp.Vectors {
		if v[0] != float32(i) {
			t.Fatalf("vector %d is input %v's", i, v[0])
		}
	}
	// Exactly one batch: one call.
	calls.Store(0)
	if _, err := p.Embed(context.Background(), &gateway.EmbedRequest{Model: "batch", Inputs: inputs(MaxBatch)}); err != nil || calls.Load() != 1 {
		t.Fatalf("96 inputs: %d calls, %v", calls.Load(), err)
	}
}

// TestEmbedCancelBetweenBatches: a context cancelled during the first call
// stops the request there; no later batch is sent.
func TestEmbedCancelBetweenBatches(t *testing.T) {
	fake := newFake(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var calls atomic.Int32
	fake.Handle("batch", batchHandler(t, &calls, func(n int32) {
		if n == 1 {
			cancel()
		}
	}))
	_, err := newProvider(t, fake).Embed(ctx, &gateway.EmbedRequest{Model: "batch", Inputs: inputs(300)})
	if pe := providerError(t, err); pe.Class != gateway.ClassCanceled || !errors.Is(err, context.Canceled) {
		t.Fatalf("got %+v", pe)
	}
	if n := len(fake.Requests()); n != 1 {
		t.Fatalf("%d calls after cancellation", n)
	}
}

// TestEmbedMismatch: an answer whose vectors do not match the inputs, or
// each other, or the dimensions asked for, is refused.
func TestEmbedMismatch(t *testing.T) {
	fake := newFake(t)
	p := newProvider(t, fake)
	_, err := p.Embed(context.Background(), &gateway.EmbedRequest{Model: "embed_short", Inputs: embedTexts})
	if pe := providerError(t, err); pe.Class != gateway.ClassBadResponse || !errors.Is(err, gateway.ErrInvalidJSON) {
		t.Fatalf("one vector for two texts: %+v", pe)
	}
	_, err = p.Embed(context.Background(), &gateway.EmbedRequest{Model: "embed", Inputs: embedTexts, Dimensions: 512})
	if !errors.Is(err, gateway.ErrInvalidJSON) {
		t.Fatalf("256 dimensions for 512 asked: %v", err)
	}
	for name, body := range map[string]string{
		"ragged": `{"embeddings":{"float":[[0.1,0.2],[0.3]]}}`,
		"empty":  `{"embeddings":{"float":[[],[]]}}`,
		"none":   `{"embeddings":{"int8":[[1,2],[3,4]]}}`,
		"tokens": `{"embeddings":{"float":[[0.1],[0.3]]},"meta":{"billed_units":{"input_tokens":1.5}}}`,
		"huge":   `{"embeddings":{"float":[[1e39],[0.3]]}}`,
	} {
		fake.Handle(name, func(w http.ResponseWriter, r *http.Request) { writeJSON(w, 200, body) })
		_, err := p.Embed(context.Background(), &gateway.EmbedRequest{Model: name, Inputs: embedTexts})
		if pe := providerError(t, err); pe.Class != gateway.ClassBadResponse {
			t.Errorf("%s: %+v", name, pe)
		}
	}
	// Vectors of different lengths in different batches.
	var calls atomic.Int32
	fake.Handle("drift", func(w http.ResponseWriter, r *http.Request) {
		vec := "[0.1,0.2]"
		if calls.Add(1) == 2 {
			vec = "[0.1,0.2,0.3]"
		}
		var req wireEmbedRequest
		_ = json.NewDecoder(r.Body).Decode(&req)
		writeJSON(w, 200, `{"embeddings":{"float":[`+strings.TrimSuffix(strings.Repeat(vec+",", len(req.Texts)), ",")+`]}}`)
	})
	_, err = p.Embed(context.Background(), &gateway.EmbedRequest{Model: "drift", Inputs: inputs(100)})
	if !errors.Is(err, gateway.ErrInvalidJSON) {
		t.Fatalf("dimensions changed between batches: %v", err)
	}
}

func TestEmbedRefusesBeforeCall(t *testing.T) {
	fake := newFake(t)
	p := newProvider(t, fake)
	for name, req := range map[string]*gateway.EmbedRequest{
		"no inputs":          {Model: "embed"},
		"negative dimension": {Model: "embed", Inputs: embedTexts, Dimensions: -1},
		"unknown purpose":    {Model: "embed", Inputs: embedTexts, Purpose: 7},
	} {
		_, err := p.Embed(context.Background(), req)
		if pe := providerError(t, err); pe.Class != gateway.ClassInvalidRequest || pe.Status != 0 {
			t.Errorf("%s: %+v", name, pe)
		}
	}
	if n := len(fake.Requests()); n != 0 {
		t.Fatalf("%d requests sent", n)
	}
}
