package cohere

import (
	"context"
	"errors"
	"net/http"
	"reflect"
	"testing"

	"github.com/quirehq/quire/gateway"
)

var rerankDocs = []string{
	"Carson City is the capital city of the American state of Nevada.",
	"The Commonwealth of the Northern Mariana Islands is a group of islands in the Pacific Ocean. Its capital is Saipan.",
	"Capitalization or capitalisation in English grammar is the use of a capital letter at the start of a word.",
	"Washington, D.C. is the capital of the United States. It is a federal district. CANARY-DOC",
	"Capital punishment has existed in the United States since before the United States was a country.",
}

func rerankRequest(model string, topN int) *gateway.RerankRequest {
	return &gateway.RerankRequest{Model: model, Query: "What is the capital of the United States? CANARY-QUERY", Documents: rerankDocs, TopN: topN}
}

// TestRerank pins the request Cohere gets (exactly model, query,
// documents and top_n when asked) and the reading of its answer.
func TestRerank(t *testing.T) {
	fake := newFake(t)
	p := newProvider(t, fake)
	resp, err := p.Rerank(context.Background(), rerankRequest("rerank", 0))
	if err != nil {
		t.Fatal(err)
	}
	want := []gateway.RerankResult{{Index: 3, Score: 0.999071}, {Index: 4, Score: 0.7867867}, {Index: 0, Score: 0.32713068}, {Index: 1, Score: 0.20010406}, {Index: 2, Score: 0.1522482}}
	if !reflect.DeepEqual(resp.Results, want) || resp.Usage != (gateway.Usage{InputTokens: 174}) || resp.Model != "rerank" {
		t.Fatalf("got %+v", resp)
	}
	r := fake.Last()
	if r.Method != http.MethodPost || r.Path != "/v2/rerank" || r.RawQuery != "" {
		t.Fatalf("sent %s %s?%s", r.Method, r.Path, r.RawQuery)
	}
	h := r.Header
	if h.Get("Authorization") != "Bearer "+testKey || h.Get("Content-Type") != "application/json" ||
		h.Get("Accept") != "application/json" || h.Get("User-Agent") != "quire" {
		t.Fatalf("headers %v", h)
	}
	got := sentJSON(t, fake)
	wantBody := map[string]any{
		"model": "rerank", "query": "What is the capital of the United States? CANARY-QUERY",
		"documents": []any{rerankDocs[0], rerankDocs[1], rerankDocs[2], rerankDocs[3], rerankDocs[4]},
	}
	if !reflect.DeepEqual(got, wantBody) {
		t.Fatalf("sent %s", r.Body)
	}
}

func TestRerankTopN(t *testing.T) {
	fake := newFake(t)
	p := newProvider(t, fake)
	for _, tt := range []struct{ topN, sent int }{{3, 3}, {5, 5}, {50, 5}} {
		resp, err := p.Rerank(context.Background(), rerankRequest("rerank_top_n", tt.topN))
		if err != nil {
			t.Fatal(err)
		}
		if got := sentJSON(t, fake)["top_n"]; got != float64(tt.sent) {
			t.Fatalf("TopN %d: sent top_n %v", tt.topN, got)
		}
		if len(resp.Results) != 3 || resp.Results[0].Index != 3 {
			t.Fatalf("got %+v", resp)
		}
	}
	// Asked for the top 2, answered 3: the answer is not what was asked.
	_, err := p.Rerank(context.Background(), rerankRequest("rerank_top_n", 2))
	if pe := providerError(t, err); pe.Class != gateway.ClassBadResponse || !errors.Is(err, gateway.ErrInvalidJSON) {
		t.Fatalf("too many results: %+v", pe)
	}
}

func TestRerankBadAnswers(t *testing.T) {
	fake := newFake(t)
	p := newProvider(t, fake)
	for _, scenario := range []string{"rerank_bad_index", "invalid_json"} {
		_, err := p.Rerank(context.Background(), rerankRequest(scenario, 0))
		pe := providerError(t, err)
		if pe.Class != gateway.ClassBadResponse || !errors.Is(err, gateway.ErrInvalidJSON) || pe.Retryable() {
			t.Fatalf("%s: %+v", scenario, pe)
		}
	}
	fake.Handle("fractional_tokens", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, `{"results":[{"index":0,"relevance_score":0.5}],"meta":{"tokens":{"input_tokens":-3}}}`)
	})
	_, err := p.Rerank(context.Background(), rerankRequest("fractional_tokens", 0))
	if !errors.Is(err, gateway.ErrInvalidJSON) {
		t.Fatalf("negative token count accepted: %v", err)
	}
	// Billed input tokens count when meta.tokens is missing.
	fake.Handle("billed_only", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, `{"results":[{"index":1,"relevance_score":0.5}],"meta":{"billed_units":{"search_units":1,"input_tokens":12}}}`)
	})
	resp, err := p.Rerank(context.Background(), rerankRequest("billed_only", 0))
	if err != nil || resp.Usage.InputTokens != 12 {
		t.Fatalf("billed units: %+v, %v", resp, err)
	}
}

func TestRankResults(t *testing.T) {
	i := func(n int) *int { return &n }
	f := func(x float64) *float64 { return &x }
	got, ok := rankResults([]wireRerankResult{
		{i(2), f(0.1)}, {i(0), f(0.9)}, {i(3), f(0.5)}, {i(1), f(0.5)},
	}, 4, 4)
	want := []gateway.RerankResult{{Index: 0, Score: 0.9}, {Index: 1, Score: 0.5}, {Index: 3, Score: 0.5}, {Index: 2, Score: 0.1}}
	if !ok || !reflect.DeepEqual(got, want) {
		t.Fatalf("sorted %+v, %v", got, ok)
	}
	for name, w := range map[string][]wireRerankResult{
		"duplicate":    {{i(1), f(0.9)}, {i(1), f(0.8)}},
		"negative":     {{i(-1), f(0.9)}},
		"out of range": {{i(4), f(0.9)}},
		"no index":     {{nil, f(0.9)}},
		"no score":     {{i(0), nil}},
		"too many":     {{i(0), f(0.9)}, {i(1), f(0.8)}, {i(2), f(0.7)}},
	} {
		if _, ok := rankResults(w, 4, 2); ok {
			t.Errorf("%s: accepted", name)
		}
	}
	if got, ok := rankResults(nil, 4, 4); !ok || len(got) != 0 {
		t.Errorf("no results: %v %v", got, ok)
	}
}

// TestRerankRefusesBeforeCall: what cannot be sent is refused without a
// request; no documents is an empty answer without one.
func TestRerankRefusesBeforeCall(t *testing.T) {
	fake := newFake(t)
	p := newProvider(t, fake)
	for name, req := range map[string]*gateway.RerankRequest{
		"no query":     {Model: "rerank", Documents: rerankDocs},
		"negative top": {Model: "rerank", Query: "q", Documents: rerankDocs, TopN: -1},
	} {
		_, err := p.Rerank(context.Background(), req)
		if pe := providerError(t, err); pe.Class != gateway.ClassInvalidRequest || pe.Status != 0 {
			t.Errorf("%s: %+v", name, pe)
		}
	}
	resp, err := p.Rerank(context.Background(), &gateway.RerankRequest{Model: "rerank", Query: "q"})
	if err != nil || len(resp.Results) != 0 || resp.Model != "rerank" {
		t.Fatalf("no documents: %+v, %v", resp, err)
	}
	if n := len(fake.Requests()); n != 0 {
		t.Fatalf("%d requests sent", n)
	}
}
