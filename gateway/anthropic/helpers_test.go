package anthropic

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/quirehq/quire/gateway"
	"github.com/quirehq/quire/gateway/anthropic/anthropictest"
)

const testKey = "sk-ant-api03-CANARYKEY-0001"

// newFake starts the fake upstream over testdata.
func newFake(t testing.TB) *anthropictest.Server {
	t.Helper()
	return anthropictest.New(t, os.DirFS("testdata"))
}

// newProvider returns a Provider pointed at fake; mod may adjust cfg.
func newProvider(t testing.TB, fake *anthropictest.Server, mod ...func(*Config)) *Provider {
	t.Helper()
	cfg := Config{
		Name: "main-anthropic", BaseURL: fake.URL, APIKey: testKey, AllowLoopbackHTTP: true,
		Client: gateway.NewHTTPClient(gateway.HTTPOptions{AllowLoopbackHTTP: true}),
	}
	for _, m := range mod {
		m(&cfg)
	}
	p, err := New(cfg)
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

// providerError asserts err is a *gateway.ProviderError that carries no
// content: the golden files put CANARY in every upstream message.
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

func ptr[T any](v T) *T { return &v }

// nopStream reads body as a provider stream, with no network and no timers
// that fire.
func nopStream(p *Provider, body []byte) *stream {
	return newStream(context.Background(), p, io.NopCloser(bytes.NewReader(body)), nil, time.AfterFunc(time.Hour, func() {}), func() {})
}
