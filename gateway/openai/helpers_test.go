package openai

import (
	"errors"
	"io"
	"os"
	"strings"
	"testing"

	"github.com/quirehq/quire/gateway"
	"github.com/quirehq/quire/gateway/openai/openaitest"
)

const testKey = "sk-test-CANARYKEY-0001"

// newFake starts the fake upstream over testdata.
func newFake(t testing.TB) *openaitest.Server {
	t.Helper()
	return openaitest.New(t, os.DirFS("testdata"))
}

// newProvider returns a Provider pointed at fake; mod may adjust cfg.
func newProvider(t testing.TB, fake *openaitest.Server, mod ...func(*Config)) *Provider {
	t.Helper()
	cfg := Config{Name: "main-openai", BaseURL: fake.URL, APIKey: testKey, AllowLoopbackHTTP: true, Organization: "org-1", Project: "proj-1"}
	for _, m := range mod {
		m(&cfg)
	}
	p, err := New(cfg, gateway.NewHTTPClient(gateway.HTTPOptions{AllowLoopbackHTTP: true}))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// chatRequest is a canonical request naming a fake scenario.
func chatRequest(scenario string) *gateway.ChatRequest {
	temp := 0.2
	return &gateway.ChatRequest{
		Model:       scenario,
		System:      "You are a careful editor.",
		Messages:    []gateway.Message{gateway.TextMessage(gateway.RoleUser, "Say hello.")},
		Temperature: &temp,
		MaxTokens:   100,
	}
}

// sentJSON returns the last request the fake received, decoded.
func sentJSON(t *testing.T, fake *openaitest.Server) map[string]any {
	t.Helper()
	m, err := fake.Last().JSON()
	if err != nil {
		t.Fatalf("upstream body is not JSON: %v", err)
	}
	return m
}

// readStream drains s, returning every event and the final error.
func readStream(s gateway.Stream) ([]gateway.Event, error) {
	defer s.Close()
	var evs []gateway.Event
	for {
		ev, err := s.Next()
		if err != nil {
			if errors.Is(err, io.EOF) {
				err = nil
			}
			return evs, err
		}
		evs = append(evs, ev)
	}
}

// providerError asserts err is a *gateway.ProviderError.
func providerError(t *testing.T, err error) *gateway.ProviderError {
	t.Helper()
	pe, ok := gateway.AsProviderError(err)
	if !ok {
		t.Fatalf("error %v (%T) is not a *gateway.ProviderError", err, err)
	}
	if strings.Contains(pe.Error(), "CANARY") {
		t.Fatalf("error text carries upstream or request content: %v", pe)
	}
	return pe
}
