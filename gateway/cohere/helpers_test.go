package cohere

import (
	"net/http"
	"os"
	"strings"
	"testing"

	"github.com/quirehq/quire/gateway"
	"github.com/quirehq/quire/gateway/cohere/coheretest"
)

const testKey = "co-test-CANARYKEY-0001"

// newFake starts the fake upstream over testdata.
func newFake(t testing.TB) *coheretest.Server {
	t.Helper()
	return coheretest.New(t, os.DirFS("testdata"))
}

// newProvider returns a Provider pointed at fake; mod may adjust cfg.
func newProvider(t testing.TB, fake *coheretest.Server, mod ...func(*Config)) *Provider {
	t.Helper()
	cfg := Config{Name: "main-cohere", BaseURL: fake.URL, APIKey: testKey, AllowLoopbackHTTP: true}
	for _, m := range mod {
		m(&cfg)
	}
	p, err := New(cfg, gateway.NewHTTPClient(gateway.HTTPOptions{AllowLoopbackHTTP: true}))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// sentJSON returns the last request the fake received, decoded.
func sentJSON(t *testing.T, fake *coheretest.Server) map[string]any {
	t.Helper()
	m, err := fake.Last().JSON()
	if err != nil {
		t.Fatalf("upstream body is not JSON: %v", err)
	}
	return m
}

// leaks are strings of the golden error messages and of the requests the
// tests send: none may appear in an error.
var leaks = []string{"CANARY", "Trial key", "Autumn notes", "payment method", "invalid api token", "reported to our developers", "overloaded", "That’s an error"}

// providerError asserts err is a *gateway.ProviderError whose text holds
// no request or upstream content.
func providerError(t *testing.T, err error) *gateway.ProviderError {
	t.Helper()
	pe, ok := gateway.AsProviderError(err)
	if !ok {
		t.Fatalf("error %v (%T) is not a *gateway.ProviderError", err, err)
	}
	for _, s := range leaks {
		if strings.Contains(pe.Error(), s) {
			t.Fatalf("error text carries upstream or request content %q: %v", s, pe)
		}
	}
	return pe
}

// writeJSON answers a fake request with status and body.
func writeJSON(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(body))
}
