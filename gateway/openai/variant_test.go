package openai

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"github.com/quirehq/quire/gateway"
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
