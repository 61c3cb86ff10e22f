package cohere

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/quirehq/quire/gateway"
)

func TestNewValidates(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
		want string
	}{
		{"no key", Config{Name: "a"}, "API key is required"},
		{"bad name", Config{Name: "a b", APIKey: "k"}, "provider name"},
		{"key with newline", Config{Name: "a", APIKey: "k\n"}, "white space"},
		{"http base", Config{Name: "a", APIKey: "k", BaseURL: "http://api.cohere.com"}, "must be https"},
		{"loopback without dev", Config{Name: "a", APIKey: "k", BaseURL: "http://127.0.0.1:1"}, "must be https"},
		{"credentials in base", Config{Name: "a", APIKey: "k", BaseURL: "https://u:p@api.cohere.com"}, "credentials"},
		{"query in base", Config{Name: "a", APIKey: "k", BaseURL: "https://api.cohere.com?x=1"}, "query"},
		{"auth header override", Config{Name: "a", APIKey: "k", Header: http.Header{"authorization": {"x"}}}, "may not be set"},
		{"header injection", Config{Name: "a", APIKey: "k", Header: http.Header{"X-Client-Name": {"b\r\nAuthorization: x"}}}, "line break"},
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
	if err != nil || p.Name() != "a" || p.Kind() != "cohere" || p.base != "https://api.cohere.com" || p.timeout != DefaultTimeout {
		t.Fatalf("defaults: %v %+v", err, p)
	}
}

// TestPlainHTTPRefused: the client refuses plain http to anything but
// loopback, whatever built the URL (claim TLS-2).
func TestPlainHTTPRefused(t *testing.T) {
	p, err := New(Config{Name: "a", APIKey: "k", BaseURL: "http://127.0.0.1:1", AllowLoopbackHTTP: true},
		gateway.NewHTTPClient(gateway.HTTPOptions{}))
	if err != nil {
		t.Fatal(err)
	}
	_, err = p.Embed(context.Background(), &gateway.EmbedRequest{Model: "m", Inputs: []string{"x"}})
	if pe := providerError(t, err); pe.Class != gateway.ClassConfig || !errors.Is(err, gateway.ErrInsecureURL) {
		t.Fatalf("got %+v", pe)
	}
}

func TestExtraHeaders(t *testing.T) {
	fake := newFake(t)
	p := newProvider(t, fake, func(c *Config) { c.Header = http.Header{"x-client-name": {"quire-docs"}} })
	if _, err := p.Rerank(context.Background(), rerankRequest("rerank", 0)); err != nil {
		t.Fatal(err)
	}
	if fake.Last().Header.Get("X-Client-Name") != "quire-docs" {
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
}

// TestModels follows the pages of each endpoint's list and asks only for
// rerank and embed models.
func TestModels(t *testing.T) {
	fake := newFake(t)
	p := newProvider(t, fake)
	models, err := p.Models(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, m := range models {
		if m.OwnedBy != "cohere" {
			t.Fatalf("owner %+v", m)
		}
		ids = append(ids, m.ID)
	}
	want := []string{
		"rerank-v3.5", "rerank-english-v3.0", "rerank-multilingual-v3.0", "rerank-v4.0-pro", "rerank-v4.0-fast",
		"embed-v4.0", "embed-english-v3.0", "embed-multilingual-v3.0", "embed-english-light-v3.0", "embed-multilingual-light-v3.0",
	}
	if !reflect.DeepEqual(ids, want) {
		t.Fatalf("models %v", ids)
	}
	var queries []url.Values
	for _, r := range fake.Requests() {
		if r.Method != http.MethodGet || r.Path != "/v1/models" || len(r.Body) != 0 || r.Header.Get("Authorization") != "Bearer "+testKey {
			t.Fatalf("sent %s %s %v", r.Method, r.Path, r.Header)
		}
		q, _ := url.ParseQuery(r.RawQuery)
		queries = append(queries, q)
	}
	wantQ := []url.Values{
		{"endpoint": {"rerank"}, "page_size": {"1000"}},
		{"endpoint": {"rerank"}, "page_size": {"1000"}, "page_token": {"eyJvZmZzZXQiOjN9"}},
		{"endpoint": {"embed"}, "page_size": {"1000"}},
	}
	if !reflect.DeepEqual(queries, wantQ) {
		t.Fatalf("queries %v", queries)
	}
}

// TestModelsPagination: a token sent back again ends the list, each model
// is listed once, and a list that never ends is refused.
func TestModelsPagination(t *testing.T) {
	fake := newFake(t)
	p := newProvider(t, fake)
	page := func(body string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) { writeJSON(w, 200, body) }
	}
	fake.Handle("models_rerank", page(`{"models":[{"name":"rerank-v3.5"}],"next_page_token":"same"}`))
	fake.Handle("models_rerank_same", page(`{"models":[{"name":"rerank-v3.5"},{"name":""}],"next_page_token":"same"}`))
	fake.Handle("models_embed", page(`{"models":[{"name":"embed-v4.0"},{"name":"rerank-v3.5"}]}`))
	models, err := p.Models(context.Background())
	if err != nil || len(models) != 2 || models[0].ID != "rerank-v3.5" || models[1].ID != "embed-v4.0" {
		t.Fatalf("got %+v, %v", models, err)
	}
	var n atomic.Int32
	endless := func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, fmt.Sprintf(`{"models":[],"next_page_token":"p%d"}`, n.Add(1)))
	}
	fake.Handle("models_rerank", endless)
	for i := 1; i <= maxModelPages+1; i++ {
		fake.Handle(fmt.Sprintf("models_rerank_p%d", i), endless)
	}
	_, err = p.Models(context.Background())
	if pe := providerError(t, err); pe.Class != gateway.ClassBadResponse || !errors.Is(err, gateway.ErrTooLarge) {
		t.Fatalf("endless pages: %+v", pe)
	}
}
