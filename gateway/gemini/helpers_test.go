package gemini

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"io"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/quirehq/quire/gateway"
	"github.com/quirehq/quire/gateway/gemini/geminitest"
)

const testKey = "AIzaSyTEST-CANARYKEY-000000000000000"

// newFake starts the fake upstream over testdata.
func newFake(t testing.TB) *geminitest.Server {
	t.Helper()
	return geminitest.New(t, os.DirFS("testdata"))
}

// newProvider returns a Gemini API Provider pointed at fake; mod may
// adjust cfg.
func newProvider(t testing.TB, fake *geminitest.Server, mod ...func(*Config)) *Provider {
	t.Helper()
	cfg := Config{Name: "main-gemini", BaseURL: fake.URL, APIKey: testKey, AllowLoopbackHTTP: true}
	for _, m := range mod {
		m(&cfg)
	}
	p, err := New(cfg, gateway.NewHTTPClient(gateway.HTTPOptions{AllowLoopbackHTTP: true}))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// vertexKey is the service account's private key, made once: RSA key
// generation is slow.
var vertexKey = sync.OnceValue(func() *rsa.PrivateKey {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err)
	}
	return k
})

// serviceAccountJSON is a key file as the Cloud console issues it, for
// vertexKey, exchanging its assertions at tokenURI.
func serviceAccountJSON(t testing.TB, tokenURI string) string {
	t.Helper()
	der, err := x509.MarshalPKCS8PrivateKey(vertexKey())
	if err != nil {
		t.Fatal(err)
	}
	key := string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))
	b, err := json.MarshalIndent(map[string]string{
		"type":                        "service_account",
		"project_id":                  "quire-test",
		"private_key_id":              "4f1c0e9a2b7d6c5e8f3a1b0c9d8e7f6a5b4c3d2e",
		"private_key":                 key,
		"client_email":                "quire-gateway@quire-test.iam.gserviceaccount.com",
		"client_id":                   "109876543210987654321",
		"auth_uri":                    "https://accounts.google.com/o/oauth2/auth",
		"token_uri":                   tokenURI,
		"auth_provider_x509_cert_url": "https://www.googleapis.com/oauth2/v1/certs",
		"client_x509_cert_url":        "https://www.googleapis.com/robot/v1/metadata/x509/quire-gateway%40quire-test.iam.gserviceaccount.com",
		"universe_domain":             "googleapis.com",
	}, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// newVertex returns a Vertex AI Provider authenticated as the service
// account, whose tokens the fake serves (with Google's lifetime, unless
// the test called ServeTokens itself).
func newVertex(t testing.TB, fake *geminitest.Server, mod ...func(*Config)) *Provider {
	t.Helper()
	if fake.TokenURL == "" {
		fake.ServeTokens(&vertexKey().PublicKey)
	}
	cfg := Config{
		Name: "main-vertex", Kind: KindVertex, BaseURL: fake.URL, Region: "europe-west4",
		APIKey: gateway.Secret(serviceAccountJSON(t, fake.TokenURL)), AllowLoopbackHTTP: true,
	}
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

// providerError asserts err is a *gateway.ProviderError whose text
// carries no upstream message or request content (the goldens' messages
// and the test key hold "CANARY").
func providerError(t *testing.T, err error) *gateway.ProviderError {
	t.Helper()
	pe, ok := gateway.AsProviderError(err)
	if !ok {
		t.Fatalf("error %v (%T) is not a *gateway.ProviderError", err, err)
	}
	for _, bad := range []string{"CANARY", "quota", "overloaded", "BEGIN PRIVATE KEY", "127.0.0.1"} {
		if strings.Contains(pe.Error(), bad) {
			t.Fatalf("error text carries upstream or request content (%q): %v", bad, pe)
		}
	}
	return pe
}
