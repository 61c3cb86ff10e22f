package gemini

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/quirehq/quire/gateway"
)

func TestEndpoints(t *testing.T) {
	tests := []struct {
		cfg        Config
		chat, list string
	}{
		{Config{APIKey: "k"},
			"https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash:generateContent",
			"https://generativelanguage.googleapis.com/v1beta/models?pageSize=1000"},
		{Config{Kind: KindVertex, APIKey: "k", Project: "quire-test", Region: "europe-west4"},
			"https://europe-west4-aiplatform.googleapis.com/v1/projects/quire-test/locations/europe-west4/publishers/google/models/gemini-2.5-flash:generateContent",
			"https://europe-west4-aiplatform.googleapis.com/v1beta1/publishers/google/models?pageSize=1000"},
		{Config{Kind: KindVertex, APIKey: "k", Project: "example.com:quire", Region: "global"},
			"https://aiplatform.googleapis.com/v1/projects/example.com:quire/locations/global/publishers/google/models/gemini-2.5-flash:generateContent",
			"https://aiplatform.googleapis.com/v1beta1/publishers/google/models?pageSize=1000"},
		{Config{Kind: KindVertex, APIKey: "k", Project: "quire-test", Region: "eu"},
			"https://aiplatform.eu.rep.googleapis.com/v1/projects/quire-test/locations/eu/publishers/google/models/gemini-2.5-flash:generateContent",
			"https://aiplatform.eu.rep.googleapis.com/v1beta1/publishers/google/models?pageSize=1000"},
		{Config{Kind: KindVertex, APIKey: "k"}, // express mode
			"https://aiplatform.googleapis.com/v1/publishers/google/models/gemini-2.5-flash:generateContent",
			"https://aiplatform.googleapis.com/v1beta1/publishers/google/models?pageSize=1000"},
		{Config{APIKey: "k", BaseURL: "https://proxy.example/google/"},
			"https://proxy.example/google/v1beta/models/gemini-2.5-flash:generateContent",
			"https://proxy.example/google/v1beta/models?pageSize=1000"},
	}
	for _, tt := range tests {
		tt.cfg.Name = "p"
		p, err := New(tt.cfg, nil)
		if err != nil {
			t.Fatal(err)
		}
		if got := p.endpoint("gemini-2.5-flash", "generateContent"); got != tt.chat {
			t.Errorf("%+v: chat %s, want %s", tt.cfg, got, tt.chat)
		}
		if p.listURL != tt.list {
			t.Errorf("%+v: list %s, want %s", tt.cfg, p.listURL, tt.list)
		}
	}
}

// TestVertexServiceAccount: a service account's JWT assertion is
// exchanged at the key file's token_uri (the fake checks its signature),
// the token goes out as a Bearer token, is shared by concurrent calls and
// reused, and is refreshed when it is about to expire.
func TestVertexServiceAccount(t *testing.T) {
	t.Parallel()
	fake := newFake(t)
	// The oauth2 package refreshes a token 10s before it expires: the
	// first lives 13s, so it is reused for 3s and then replaced.
	fake.ServeTokens(&vertexKey().PublicKey, 13*time.Second, time.Hour)
	p := newVertex(t, fake)
	issued := time.Now()
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for range 8 {
		wg.Go(func() {
			_, err := p.Chat(context.Background(), chatRequest("vertex_chat"))
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if _, err := p.Chat(context.Background(), chatRequest("vertex_chat")); err != nil {
		t.Fatal(err)
	}
	tokens := fake.Tokens()
	if len(tokens) != 1 || len(fake.TokenRequests()) != 1 {
		t.Fatalf("%d tokens issued for %d token requests: the token is not shared and reused", len(tokens), len(fake.TokenRequests()))
	}
	for _, r := range fake.Requests() {
		if r.Header.Get("Authorization") != "Bearer "+tokens[0] || r.Header.Get("X-Goog-Api-Key") != "" {
			t.Fatalf("credentials sent: %v", r.Header)
		}
		if r.Path != "/v1/projects/quire-test/locations/europe-west4/publishers/google/models/vertex_chat:generateContent" || r.RawQuery != "" {
			t.Fatalf("path %s?%s", r.Path, r.RawQuery)
		}
	}
	tr := fake.TokenRequests()[0]
	form, _ := url.ParseQuery(string(tr.Body))
	if tr.Method != http.MethodPost || tr.Header.Get("Content-Type") != "application/x-www-form-urlencoded" ||
		form.Get("grant_type") != "urn:ietf:params:oauth:grant-type:jwt-bearer" || strings.Count(form.Get("assertion"), ".") != 2 {
		t.Fatalf("token request %s %v %s", tr.Method, tr.Header, tr.Body)
	}

	time.Sleep(time.Until(issued.Add(3*time.Second + 100*time.Millisecond)))
	s, err := p.ChatStream(context.Background(), chatRequest("chat_stream"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := readStream(s); err != nil {
		t.Fatal(err)
	}
	tokens = fake.Tokens()
	last := fake.Last()
	if len(tokens) != 2 || last.Header.Get("Authorization") != "Bearer "+tokens[1] {
		t.Fatalf("after expiry: %d tokens, sent %q", len(tokens), last.Header.Get("Authorization"))
	}
	if last.Path != "/v1/projects/quire-test/locations/europe-west4/publishers/google/models/chat_stream:streamGenerateContent" || last.RawQuery != "alt=sse" {
		t.Fatalf("stream path %s?%s", last.Path, last.RawQuery)
	}
}

// TestVertexTokenRefused: a refusal by the token endpoint is an auth
// error with the OAuth2 error code, no body text, and no API request.
func TestVertexTokenRefused(t *testing.T) {
	fake := newFake(t)
	other, err := rsa.GenerateKey(rand.Reader, 1024) // not the key file's
	if err != nil {
		t.Fatal(err)
	}
	fake.ServeTokens(&other.PublicKey)
	p := newVertex(t, fake)
	_, err = p.Chat(context.Background(), chatRequest("vertex_chat"))
	pe := providerError(t, err)
	if pe.Class != gateway.ClassAuth || pe.Status != 400 || pe.Code != "invalid_grant" || !errors.Is(err, errToken) || pe.Retryable() {
		t.Fatalf("got %+v", pe)
	}
	if strings.Contains(pe.Error(), "Signature") || len(fake.Requests()) != 0 || len(fake.TokenRequests()) != 1 {
		t.Fatalf("error %v, %d API requests", pe, len(fake.Requests()))
	}
}

// TestVertexTokenUnreachable: a token endpoint that cannot be reached is
// a connection error that names no URL; one that does not answer ends
// with the caller's context.
func TestVertexTokenUnreachable(t *testing.T) {
	fake := newFake(t)
	fake.ServeTokens(&vertexKey().PublicKey)
	dead := httptest.NewServer(http.NotFoundHandler())
	dead.Close()
	p := newVertex(t, fake, func(c *Config) { c.APIKey = gateway.Secret(serviceAccountJSON(t, dead.URL+"/token")) })
	_, err := p.Chat(context.Background(), chatRequest("vertex_chat"))
	if pe := providerError(t, err); pe.Class != gateway.ClassConnection || !errors.Is(err, errToken) || !pe.Retryable() {
		t.Fatalf("unreachable: %+v", pe)
	}

	release := make(chan struct{})
	hang := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-release:
		}
	}))
	t.Cleanup(hang.Close)
	t.Cleanup(func() { close(release) })
	p = newVertex(t, fake, func(c *Config) { c.APIKey = gateway.Secret(serviceAccountJSON(t, hang.URL+"/token")) })
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err = p.Chat(ctx, chatRequest("vertex_chat"))
	if pe := providerError(t, err); pe.Class != gateway.ClassTimeout || time.Since(start) > 3*time.Second {
		t.Fatalf("hanging token endpoint: %+v after %v", pe, time.Since(start))
	}
	if len(fake.Requests()) != 0 {
		t.Fatal("an API request went out without a token")
	}
}

// TestVertexExpress: an API key without a project uses express mode's
// global path, with the key in a header.
func TestVertexExpress(t *testing.T) {
	fake := newFake(t)
	p, err := New(Config{Name: "express", Kind: KindVertex, APIKey: testKey, BaseURL: fake.URL, AllowLoopbackHTTP: true},
		gateway.NewHTTPClient(gateway.HTTPOptions{AllowLoopbackHTTP: true}))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := p.Chat(context.Background(), chatRequest("vertex_chat"))
	if err != nil {
		t.Fatal(err)
	}
	r := fake.Last()
	if r.Path != "/v1/publishers/google/models/vertex_chat:generateContent" || r.RawQuery != "" || r.Header.Get("X-Goog-Api-Key") != testKey ||
		r.Header.Get("Authorization") != "" || resp.Created.IsZero() || p.Kind() != KindVertex {
		t.Fatalf("request %s?%s %v; response %+v", r.Path, r.RawQuery, r.Header, resp)
	}
}

func TestConfigErrors(t *testing.T) {
	fake := newFake(t)
	fake.ServeTokens(&vertexKey().PublicKey)
	sa := serviceAccountJSON(t, fake.TokenURL)
	edit := func(from, to string) gateway.Secret { return gateway.Secret(strings.Replace(sa, from, to, 1)) }
	tests := []struct {
		name string
		cfg  Config
		want string
	}{
		{"name", Config{Name: "a b", APIKey: "k"}, "provider name"},
		{"no key", Config{Name: "p"}, "API key is required"},
		{"kind", Config{Name: "p", Kind: "palm", APIKey: "k"}, "unknown kind"},
		{"gemini project", Config{Name: "p", APIKey: "k", Project: "x"}, "vertex only"},
		{"gemini service account", Config{Name: "p", APIKey: gateway.Secret(sa)}, "need kind vertex"},
		{"white space", Config{Name: "p", APIKey: "CANARY key"}, "white space"},
		{"region required", Config{Name: "p", Kind: KindVertex, APIKey: "k", Project: "quire-test"}, "region is required"},
		{"express region", Config{Name: "p", Kind: KindVertex, APIKey: "k", Region: "us-central1"}, "region needs a project"},
		{"sa region required", Config{Name: "p", Kind: KindVertex, APIKey: gateway.Secret(sa), AllowLoopbackHTTP: true}, "region is required"},
		{"bad region", Config{Name: "p", Kind: KindVertex, APIKey: "k", Project: "quire-test", Region: "Europe/West"}, "not a Google Cloud location"},
		{"bad project", Config{Name: "p", Kind: KindVertex, APIKey: "k", Project: "../x", Region: "global"}, "not a Google Cloud project"},
		{"not JSON", Config{Name: "p", Kind: KindVertex, APIKey: "{CANARY", Region: "global"}, "not valid JSON"},
		{"user credentials", Config{Name: "p", Kind: KindVertex, APIKey: edit(`"service_account"`, `"external_account"`), Region: "global", AllowLoopbackHTTP: true}, "type must be service_account"},
		{"private key", Config{Name: "p", Kind: KindVertex, APIKey: edit(`PRIVATE KEY-----\n`, `PRIVATE KEY-----\nCANARY`), Region: "global", AllowLoopbackHTTP: true}, "not a PEM-encoded RSA key"},
		{"no email", Config{Name: "p", Kind: KindVertex, APIKey: edit(`"quire-gateway@quire-test.iam.gserviceaccount.com"`, `""`), Region: "global", AllowLoopbackHTTP: true}, "client_email"},
		{"plain token_uri", Config{Name: "p", Kind: KindVertex, APIKey: gateway.Secret(sa), Region: "global"}, "token_uri"},
		{"token_uri query", Config{Name: "p", Kind: KindVertex, APIKey: edit("/token", "/token?CANARY=1"), Region: "global", AllowLoopbackHTTP: true}, "token_uri"},
		{"no project", Config{Name: "p", Kind: KindVertex, APIKey: edit(`"quire-test"`, `""`), Region: "global", AllowLoopbackHTTP: true}, "project is required"},
		{"header", Config{Name: "p", APIKey: "k", Header: http.Header{"x-goog-api-key": {"other"}}}, "may not be set"},
		{"header break", Config{Name: "p", APIKey: "k", Header: http.Header{"X-Goog-User-Project": {"a\r\nb"}}}, "line break"},
		{"base http", Config{Name: "p", APIKey: "k", BaseURL: "http://generativelanguage.googleapis.com"}, "base_url"},
		{"base query", Config{Name: "p", APIKey: "k", BaseURL: "https://x.example/?key=1"}, "query"},
	}
	for _, tt := range tests {
		_, err := New(tt.cfg, nil)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: error %v, want %q", tt.name, err, tt.want)
			continue
		}
		if strings.Contains(err.Error(), "CANARY") || strings.Contains(err.Error(), "PRIVATE") {
			t.Errorf("%s: error quotes the credentials: %v", tt.name, err)
		}
	}
	// The project defaults to the key file's.
	p, err := New(Config{Name: "p", Kind: KindVertex, APIKey: gateway.Secret(sa), Region: "us-central1", AllowLoopbackHTTP: true}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(p.models, "/projects/quire-test/locations/us-central1/") {
		t.Fatalf("models %s", p.models)
	}
}

// TestProviderRedacts: no way of printing a provider shows its key.
func TestProviderRedacts(t *testing.T) {
	fake := newFake(t)
	for _, p := range []*Provider{newProvider(t, fake), newVertex(t, fake)} {
		var logged strings.Builder
		slog.New(slog.NewTextHandler(&logged, nil)).Info("x", "p", p)
		out := fmt.Sprintf("%v %+v %#v %s %q", p, p, p, p, p) + logged.String()
		if strings.Contains(out, "CANARY") || strings.Contains(out, "PRIVATE KEY") || !strings.Contains(out, "gemini.Provider(main-") {
			t.Fatalf("printed %s", out)
		}
	}
}
