package gemini

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"math"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"google.golang.org/genai"

	"github.com/quirehq/quire/gateway/gemini/geminitest"
)

// These tests prove the golden files realistic with Google's own Go SDK:
// every field of every response and stream chunk is one genai knows, and
// genai's client, pointed at the fake, reads each scenario as it would
// read Google's answer.

// covers fails t unless every non-zero member of want, at every depth,
// is in got with the same value: got is want decoded by genai and
// encoded again, so a field genai does not know is missing from it.
func covers(t *testing.T, path string, want, got any) {
	t.Helper()
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			t.Fatalf("%s: genai read %v for an object", path, got)
		}
		for k, v := range w {
			if isZero(v) {
				continue // omitted by genai's omitempty
			}
			gv, ok := g[k]
			if !ok {
				t.Fatalf("%s.%s: genai does not know this field", path, k)
			}
			covers(t, path+"."+k, v, gv)
		}
	case []any:
		g, ok := got.([]any)
		if !ok || len(g) != len(w) {
			t.Fatalf("%s: genai read %v for %v", path, got, want)
		}
		for i := range w {
			covers(t, path+"["+strconv.Itoa(i)+"]", w[i], g[i])
		}
	case float64:
		g, ok := got.(float64)
		if !ok || math.Abs(g-w) > 1e-6*math.Max(1, math.Abs(w)) {
			t.Fatalf("%s: genai read %v for %v", path, got, want)
		}
	default:
		if !reflect.DeepEqual(want, got) {
			t.Fatalf("%s: genai read %v for %v", path, got, want)
		}
	}
}

func isZero(v any) bool {
	switch v := v.(type) {
	case nil:
		return true
	case bool:
		return !v
	case float64:
		return v == 0
	case string:
		return v == ""
	case map[string]any:
		return len(v) == 0
	case []any:
		return len(v) == 0
	}
	return false
}

// roundTrip decodes raw into a new T and encodes it again, both as
// generic JSON.
func roundTrip[T any](t *testing.T, raw []byte) (want, got any) {
	t.Helper()
	var v T
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatalf("genai cannot decode %s: %v", raw, err)
	}
	back, err := json.Marshal(&v)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(raw, &want); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(back, &got); err != nil {
		t.Fatal(err)
	}
	return want, got
}

// errorBody is an error answer as genai decodes it.
type errorBody struct {
	Error *genai.APIError `json:"error"`
}

func TestGoldensKnownToGenai(t *testing.T) {
	files, err := filepath.Glob("testdata/*.http")
	if err != nil || len(files) < 30 {
		t.Fatalf("golden files: %d, %v", len(files), err)
	}
	checked := 0
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".http")
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		g, err := geminitest.ParseGolden(raw)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		ct := g.Header.Get("Content-Type")
		switch {
		case strings.HasPrefix(ct, "text/event-stream"):
			for _, event := range bytes.Split(g.Body, []byte("\r\n\r\n")) {
				data, ok := bytes.CutPrefix(event, []byte("data: "))
				if !ok || !json.Valid(data) {
					continue // the end, or the invalid chunk of stream_invalid_json
				}
				if bytes.Contains(data, []byte(`"error"`)) {
					checkKnown[errorBody](t, name, data)
				} else {
					checkKnown[genai.GenerateContentResponse](t, name, data)
				}
				checked++
			}
		case !strings.HasPrefix(ct, "application/json") || name == "invalid_json":
		case g.StatusCode >= 400:
			checkKnown[errorBody](t, name, g.Body)
			checked++
		case strings.HasPrefix(name, "chat_") || name == "vertex_chat":
			checkKnown[genai.GenerateContentResponse](t, name, g.Body)
			checked++
		}
	}
	if checked < 30 {
		t.Fatalf("only %d bodies checked", checked)
	}
}

// checkKnown fails t unless genai's T holds every field of raw.
func checkKnown[T any](t *testing.T, name string, raw []byte) {
	t.Helper()
	want, got := roundTrip[T](t, raw)
	covers(t, name, want, got)
}

// genaiClient is Google's SDK client for the Gemini API, pointed at fake.
func genaiClient(t *testing.T, fake *geminitest.Server, vertex bool) *genai.Client {
	t.Helper()
	cfg := &genai.ClientConfig{
		APIKey: testKey, Backend: genai.BackendGeminiAPI, HTTPClient: &http.Client{},
		HTTPOptions: genai.HTTPOptions{BaseURL: fake.URL + "/"},
	}
	if vertex {
		cfg.APIKey, cfg.Backend, cfg.Project, cfg.Location = "", genai.BackendVertexAI, "quire-test", "europe-west4"
	}
	c, err := genai.NewClient(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestGenaiReadsGoldens(t *testing.T) {
	fake := newFake(t)
	ctx := context.Background()
	c := genaiClient(t, fake, false)

	resp, err := c.Models.GenerateContent(ctx, "chat_text", genai.Text("Say hello."), nil)
	if err != nil || resp.Text() != "Hello! How can I help you with your writing today?" || resp.UsageMetadata.ThoughtsTokenCount != 395 ||
		resp.Candidates[0].FinishReason != genai.FinishReasonStop {
		t.Fatalf("chat_text: %+v, %v", resp, err)
	}
	resp, err = c.Models.GenerateContent(ctx, "chat_tools", genai.Text("x"), nil)
	if err != nil || len(resp.FunctionCalls()) != 2 || resp.FunctionCalls()[0].Args["query"] != "autumn" ||
		len(resp.Candidates[0].Content.Parts[0].ThoughtSignature) == 0 {
		t.Fatalf("chat_tools: %+v, %v", resp, err)
	}
	resp, err = c.Models.GenerateContent(ctx, "chat_safety", genai.Text("x"), nil)
	if err != nil || resp.PromptFeedback.BlockReason != genai.BlockedReasonSafety || len(resp.Candidates) != 0 {
		t.Fatalf("chat_safety: %+v, %v", resp, err)
	}
	resp, err = c.Models.GenerateContent(ctx, "chat_malformed", genai.Text("x"), nil)
	if err != nil || resp.Candidates[0].FinishReason != genai.FinishReasonMalformedFunctionCall {
		t.Fatalf("chat_malformed: %+v, %v", resp, err)
	}

	var text strings.Builder
	var last *genai.GenerateContentResponse
	for chunk, err := range c.Models.GenerateContentStream(ctx, "chat_stream", genai.Text("x"), nil) {
		if err != nil {
			t.Fatal(err)
		}
		text.WriteString(chunk.Text())
		last = chunk
	}
	if text.String() != "Hello! How can I help with \"your\" writing\ntoday? \u00e9\u2028" || last.Candidates[0].FinishReason != genai.FinishReasonStop ||
		last.UsageMetadata.CandidatesTokenCount != 12 {
		t.Fatalf("chat_stream: %q, %+v", text.String(), last)
	}
	var streamErr error
	for _, err := range c.Models.GenerateContentStream(ctx, "stream_error", genai.Text("x"), nil) {
		if err != nil {
			streamErr = err
			break
		}
	}
	var apiErr genai.APIError
	if !errors.As(streamErr, &apiErr) || apiErr.Status != "UNAVAILABLE" || apiErr.Code != 503 {
		t.Fatalf("stream_error: %v", streamErr)
	}

	_, err = c.Models.GenerateContent(ctx, "error_429", genai.Text("x"), nil)
	if !errors.As(err, &apiErr) || apiErr.Code != 429 || apiErr.Status != "RESOURCE_EXHAUSTED" || len(apiErr.Details) != 3 ||
		apiErr.Details[2]["retryDelay"] != "13s" {
		t.Fatalf("error_429: %v", err)
	}

	var names []string
	for m, err := range c.Models.All(ctx) {
		if err != nil {
			t.Fatal(err)
		}
		names = append(names, m.Name)
	}
	if len(names) != 5 || names[3] != "models/gemini-3-pro-preview" {
		t.Fatalf("models: %v", names)
	}

	emb, err := c.Models.EmbedContent(ctx, "embed_batch", []*genai.Content{genai.NewContentFromText("a", genai.RoleUser),
		genai.NewContentFromText("b", genai.RoleUser), genai.NewContentFromText("c", genai.RoleUser)}, nil)
	if err != nil || len(emb.Embeddings) != 3 || len(emb.Embeddings[2].Values) != 8 {
		t.Fatalf("embed_batch: %+v, %v", emb, err)
	}
}

func TestGenaiReadsVertexGoldens(t *testing.T) {
	fake := newFake(t)
	ctx := context.Background()
	c := genaiClient(t, fake, true)

	resp, err := c.Models.GenerateContent(ctx, "vertex_chat", genai.Text("Bonjour"), nil)
	if err != nil || !strings.HasPrefix(resp.Text(), "Bonjour") || resp.CreateTime.IsZero() || resp.UsageMetadata.TrafficType != genai.TrafficTypeOnDemand {
		t.Fatalf("vertex_chat: %+v, %v", resp, err)
	}
	if p := fake.Last().Path; p != "/v1beta1/projects/quire-test/locations/europe-west4/publishers/google/models/vertex_chat:generateContent" {
		t.Fatalf("genai path %s", p)
	}

	emb, err := c.Models.EmbedContent(ctx, "embed_vertex", genai.Text("a"), nil)
	if err != nil || len(emb.Embeddings) != 3 || emb.Embeddings[1].Statistics.TokenCount != 9 || emb.Metadata.BillableCharacterCount != 71 {
		t.Fatalf("embed_vertex: %+v, %v", emb, err)
	}
	if !strings.HasSuffix(fake.Last().Path, "/embed_vertex:predict") {
		t.Fatalf("genai path %s", fake.Last().Path)
	}
	emb, err = c.Models.EmbedContent(ctx, "gemini-embedding-2-preview", genai.Text("a"), nil)
	if err != nil || len(emb.Embeddings) != 1 || emb.Embeddings[0].Statistics.TokenCount != 7 || len(emb.Embeddings[0].Values) != 8 {
		t.Fatalf("gemini-embedding-2-preview: %+v, %v", emb, err)
	}
	if !strings.HasSuffix(fake.Last().Path, "/gemini-embedding-2-preview:embedContent") {
		t.Fatalf("genai path %s", fake.Last().Path)
	}

	var names []string
	for m, err := range c.Models.All(ctx) {
		if err != nil {
			t.Fatal(err)
		}
		names = append(names, m.Name)
	}
	if len(names) != 2 || names[1] != "publishers/google/models/text-embedding-005" {
		t.Fatalf("vertex models: %v", names)
	}
}
