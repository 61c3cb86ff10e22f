package openai

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/quirehq/quire/gateway"
	"github.com/quirehq/quire/gateway/openai/openaitest"
)

func TestAzureVariant(t *testing.T) {
	fake := newFake(t)
	base := strings.TrimSuffix(fake.URL, "/v1")
	p := newProvider(t, fake, func(c *Config) {
		c.Kind, c.BaseURL, c.Organization, c.Project = "azure_openai", base, "", ""
	})
	if p.Kind() != "azure_openai" {
		t.Fatalf("Kind = %s", p.Kind())
	}
	if _, err := p.Chat(context.Background(), chatRequest("chat_text")); err != nil {
		t.Fatal(err)
	}
	r := fake.Last()
	if r.Path != "/openai/deployments/chat_text/chat/completions" || r.RawQuery != "api-version=2024-10-21" {
		t.Fatalf("Azure URL %s?%s", r.Path, r.RawQuery)
	}
	if r.Header.Get("Api-Key") != testKey || r.Header.Get("Authorization") != "" {
		t.Fatalf("Azure auth headers %v", r.Header)
	}
	p = newProvider(t, fake, func(c *Config) {
		c.Kind, c.BaseURL, c.Deployment, c.APIVersion = "azure_openai", base, "prod-4o", "2025-01-01-preview"
	})
	if _, err := p.Embed(context.Background(), &gateway.EmbedRequest{Model: "embed_float", Inputs: []string{"a", "b"}}); err != nil {
		t.Fatal(err)
	}
	if r := fake.Last(); r.Path != "/openai/deployments/prod-4o/embeddings" || r.RawQuery != "api-version=2025-01-01-preview" {
		t.Fatalf("Azure URL %s?%s", r.Path, r.RawQuery)
	}
}

func TestCompatibleVariant(t *testing.T) {
	fake := newFake(t)
	p := newProvider(t, fake, func(c *Config) { c.Kind, c.APIKey = "openai_compatible", "" })
	if _, err := p.Chat(context.Background(), chatRequest("chat_text")); err != nil {
		t.Fatal(err)
	}
	got := sentJSON(t, fake)
	if _, ok := got["store"]; ok {
		t.Error("store sent to a compatible server")
	}
	if got["max_tokens"] != float64(100) || got["max_completion_tokens"] != nil {
		t.Errorf("max tokens fields: %v %v", got["max_tokens"], got["max_completion_tokens"])
	}
	if h := fake.Last().Header.Get("Authorization"); h != "" {
		t.Errorf("Authorization %q sent without a key", h)
	}
}

func TestNewValidates(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
		want string
	}{
		{"no key", Config{Name: "a"}, "API key is required"},
		{"bad name", Config{Name: "a b", APIKey: "k"}, "provider name"},
		{"key with newline", Config{Name: "a", APIKey: "k\n"}, "white space"},
		{"http base", Config{Name: "a", APIKey: "k", BaseURL: "http://api.example.com/v1"}, "must be https"},
		{"loopback without dev", Config{Name: "a", APIKey: "k", BaseURL: "http://127.0.0.1:1/v1"}, "must be https"},
		{"query in base", Config{Name: "a", APIKey: "k", BaseURL: "https://api.example.com/v1?x=1"}, "query"},
		{"azure without base", Config{Name: "a", APIKey: "k", Kind: "azure_openai"}, "base_url is required"},
		{"unknown kind", Config{Name: "a", APIKey: "k", Kind: "nope"}, "unknown kind"},
		{"auth header override", Config{Name: "a", APIKey: "k", Header: http.Header{"authorization": {"x"}}}, "may not be set"},
		{"organization injection", Config{Name: "a", APIKey: "k", Organization: "o\r\nX: y"}, "single-line"},
		{"header injection", Config{Name: "a", APIKey: "k", Header: http.Header{"X-A": {"b\r\nAuthorization: x"}}}, "line break"},
	}
	for _, tt := range tests {
		_, err := New(tt.cfg, nil)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: got %v, want %q", tt.name, err, tt.want)
		}
		if err != nil && strings.Contains(err.Error(), "k\n") {
			t.Errorf("%s: error shows the key", tt.name)
		}
	}
	p, err := New(Config{Name: "a", APIKey: "k"}, nil)
	if err != nil || p.Name() != "a" || p.Kind() != "openai" || p.endpoint(pathChat, "m") != "https://api.openai.com/v1/chat/completions" {
		t.Fatalf("defaults: %v %+v", err, p)
	}
}

func TestExtraHeaders(t *testing.T) {
	fake := newFake(t)
	p := newProvider(t, fake, func(c *Config) { c.Header = http.Header{"openai-beta": {"assistants=v2"}} })
	if _, err := p.Chat(context.Background(), chatRequest("chat_text")); err != nil {
		t.Fatal(err)
	}
	if fake.Last().Header.Get("OpenAI-Beta") != "assistants=v2" {
		t.Fatal("extra header not sent")
	}
}

func TestProviderNeverPrintsKey(t *testing.T) {
	p, err := New(Config{Name: "a", APIKey: testKey}, nil)
	if err != nil {
		t.Fatal(err)
	}
	var logs strings.Builder
	slog.New(slog.NewTextHandler(&logs, nil)).Info("x", "p", p)
	for _, s := range []string{fmt.Sprintf("%v %+v %#v %s", p, p, p, p), logs.String(), fmt.Sprint(struct{ P *Provider }{p})} {
		if strings.Contains(s, "CANARYKEY") {
			t.Fatalf("key printed: %s", s)
		}
	}
	req := chatRequest("m")
	req.Tools = []gateway.Tool{{Name: "f", Parameters: []byte(`{"a": CANARY}`)}}
	_, err = p.Chat(context.Background(), req)
	if pe := providerError(t, err); pe.Class != gateway.ClassInvalidRequest {
		t.Fatalf("invalid schema: %+v", pe)
	}
}

// TestVariantZeroValueIsSafe: a variant that sets none of the flags (a new
// vendor written in a hurry) still sends store:false, asks for usage and
// requires [DONE].
func TestVariantZeroValueIsSafe(t *testing.T) {
	fake := newFake(t)
	v := Variant{Kind: "new_vendor"}
	p := newProvider(t, fake, func(c *Config) { c.Variant = &v })
	s, err := p.ChatStream(context.Background(), chatRequest("chat_stream"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := readStream(s); err != nil {
		t.Fatal(err)
	}
	got := sentJSON(t, fake)
	if so, _ := got["stream_options"].(map[string]any); got["store"] != false || so["include_usage"] != true {
		t.Fatalf("sent store %v, stream_options %v", got["store"], got["stream_options"])
	}
	fake.Handle("no_done", serveEvents(`data: {"id":"x","model":"m","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}`+"\n\n"))
	s, err = p.ChatStream(context.Background(), chatRequest("no_done"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := readStream(s); !errors.Is(err, gateway.ErrStreamTruncated) {
		t.Fatalf("a stream without [DONE]: %v", err)
	}
}

// TestAzureRequest pins what goes to Azure: the deployment URL with
// api-version, the api-key header and no bearer token, and a body without
// "store" (not in the GA API's request schema; Azure keeps no completion
// unless stored completions are asked for) but with the output cap and
// usage for streams.
func TestAzureRequest(t *testing.T) {
	fake := newFake(t)
	base := strings.TrimSuffix(fake.URL, "/v1")
	p := newProvider(t, fake, func(c *Config) {
		c.Kind, c.BaseURL, c.Organization, c.Project, c.Deployment = "azure_openai", base, "", "", "prod-4o"
	})
	for _, stream := range []bool{false, true} {
		req := chatRequest("chat_stream")
		var err error
		if stream {
			var s gateway.Stream
			if s, err = p.ChatStream(context.Background(), req); err == nil {
				_, err = readStream(s)
			}
		} else {
			req.Model = "chat_text"
			_, err = p.Chat(context.Background(), req)
		}
		if err != nil {
			t.Fatal(err)
		}
		r := fake.Last()
		if r.Method != http.MethodPost || r.Path != "/openai/deployments/prod-4o/chat/completions" || r.RawQuery != "api-version=2024-10-21" {
			t.Fatalf("URL %s %s?%s", r.Method, r.Path, r.RawQuery)
		}
		if r.Header.Get("Api-Key") != testKey || r.Header.Get("Authorization") != "" || r.Header.Get("OpenAI-Organization") != "" {
			t.Fatalf("headers %v", r.Header)
		}
		got := sentJSON(t, fake)
		if _, ok := got["store"]; ok {
			t.Fatalf("store sent to Azure: %s", r.Body)
		}
		if got["max_completion_tokens"] != float64(100) || got["model"] != req.Model || (got["stream_options"] != nil) != stream {
			t.Fatalf("stream %v: body %s", stream, r.Body)
		}
	}
}

// TestVendorVariants pins each vendor's defaults: kind, endpoint, auth,
// and what it may be asked for.
func TestVendorVariants(t *testing.T) {
	tests := []struct {
		kind, chat, embed, models string
		unsupported               []Operation
	}{
		{"openai", "https://api.openai.com/v1/chat/completions", "https://api.openai.com/v1/embeddings", "https://api.openai.com/v1/models", nil},
		{"groq", "https://api.groq.com/openai/v1/chat/completions", "", "https://api.groq.com/openai/v1/models", []Operation{OpEmbed}},
		{"nebius", "https://api.tokenfactory.nebius.com/v1/chat/completions", "https://api.tokenfactory.nebius.com/v1/embeddings",
			"https://api.tokenfactory.nebius.com/v1/models", []Operation{OpTranscribe}},
		{"perplexity", "https://api.perplexity.ai/chat/completions", "", "", []Operation{OpEmbed, OpTranscribe, OpModels}},
	}
	for _, tt := range tests {
		p, err := New(Config{Name: "a", Kind: tt.kind, APIKey: "k"}, nil)
		if err != nil {
			t.Fatalf("%s: %v", tt.kind, err)
		}
		if p.Kind() != tt.kind || p.endpoint(pathChat, "m") != tt.chat || p.header.Get("Authorization") != "Bearer k" {
			t.Fatalf("%s: kind %s, chat %s, headers %v", tt.kind, p.Kind(), p.endpoint(pathChat, "m"), p.header)
		}
		if tt.embed != "" && p.endpoint(pathEmbed, "m") != tt.embed || tt.models != "" && p.endpoint(pathModels, "") != tt.models {
			t.Fatalf("%s: endpoints %s %s", tt.kind, p.endpoint(pathEmbed, "m"), p.endpoint(pathModels, ""))
		}
		for _, op := range []Operation{OpEmbed, OpTranscribe, OpModels} {
			refused := false
			for _, u := range tt.unsupported {
				refused = refused || u == op
			}
			if p.Supports(op) == refused {
				t.Errorf("%s: Supports(%s) = %v", tt.kind, op, p.Supports(op))
			}
		}
		if _, err := New(Config{Name: "a", Kind: tt.kind}, nil); err == nil || !strings.Contains(err.Error(), "API key is required") {
			t.Errorf("%s without a key: %v", tt.kind, err)
		}
	}
	// VariantFor returns a copy: a caller cannot change the package's.
	v, ok := VariantFor("groq")
	v.OmitStore = false
	if w, _ := VariantFor("groq"); !ok || !w.OmitStore || Groq.OmitStore != true {
		t.Fatal("VariantFor shares the package's variant")
	}
	if _, ok := VariantFor("cohere"); ok {
		t.Fatal("cohere is not an OpenAI dialect")
	}
	if fmt.Sprint(OpEmbed|OpModels) == "" || OpTranscribe.String() != "transcription" {
		t.Fatal("operation names")
	}
}

// FuzzVendorStreams reads arbitrary streams as each vendor's: the
// invariants of FuzzStreamChunks hold whatever the variant's flags.
func FuzzVendorStreams(f *testing.F) {
	for _, name := range []string{"groq_stream", "groq_stream_xgroq", "nebius_stream", "perplexity_stream"} {
		raw, err := os.ReadFile(filepath.Join("testdata", name+".http"))
		if err != nil {
			f.Fatal(err)
		}
		g, err := openaitest.ParseGolden(raw)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(g.Body)
	}
	f.Add([]byte("data: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}],\"x_groq\":{\"usage\":{\"prompt_tokens\":-1}}}\n\n"))
	f.Add([]byte("data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"a\"},\"finish_reason\":\"stop\"}],\"usage\":{\"reasoning_tokens\":5},\"citations\":[\"\"]}\n\n"))
	variants := []Variant{Groq, Nebius, Perplexity}
	f.Fuzz(func(t *testing.T, body []byte) {
		for _, v := range variants {
			p := &Provider{name: "fuzz", v: v, idle: time.Hour}
			evs, err := readStream(nopStream(p, body))
			finished := false
			for i, ev := range evs {
				switch ev.Type {
				case gateway.EventStart:
					if i != 0 {
						t.Fatalf("%s: start event at %d", v.Kind, i)
					}
				case gateway.EventFinish:
					if finished {
						t.Fatalf("%s: two finish events", v.Kind)
					}
					finished = true
				case gateway.EventCitations:
					for _, c := range ev.Citations {
						if c.URL == "" {
							t.Fatalf("%s: citation without URL", v.Kind)
						}
					}
				}
			}
			if err == nil && !finished {
				t.Fatalf("%s: a stream without a finish reason ended cleanly", v.Kind)
			}
			if err != nil {
				if _, ok := gateway.AsProviderError(err); !ok {
					t.Fatalf("%s: error %v (%T) is not a ProviderError", v.Kind, err, err)
				}
			}
		}
	})
}

// FuzzValidationDetail reads arbitrary FastAPI error bodies: what is kept
// is a token or nothing.
func FuzzValidationDetail(f *testing.F) {
	for _, name := range []string{"nebius_error_404", "nebius_error_422"} {
		raw, err := os.ReadFile(filepath.Join("testdata", name+".http"))
		if err != nil {
			f.Fatal(err)
		}
		g, err := openaitest.ParseGolden(raw)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(g.Body)
	}
	f.Add([]byte(`{"detail":[{"type":"a b","loc":["body","x y",1e400]}]}`))
	f.Add([]byte(`{"detail":[{"type":"t","loc":[null,true,{"a":1},[1]]}]}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		p := &Provider{name: "fuzz", v: Nebius}
		resp := &http.Response{StatusCode: 422, Header: http.Header{}, Body: io.NopCloser(bytes.NewReader(body))}
		pe := providerError(t, p.statusError(resp))
		if pe.Status != 422 || gateway.SafeToken(pe.Type, 64) != pe.Type || gateway.SafeToken(pe.Param, 128) != pe.Param {
			t.Fatalf("got %+v", pe)
		}
		if len(body) >= 8 && strings.Contains(pe.Error(), string(body)) {
			t.Fatal("error quotes the body")
		}
	})
}
