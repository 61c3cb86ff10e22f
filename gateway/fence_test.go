package gateway

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
)

func TestIsProviderHost(t *testing.T) {
	for host, want := range map[string]bool{
		"api.openai.com": true, "API.OpenAI.com.": true, "res.openai.azure.com": true, "openai.azure.com": false,
		"europe-west4-aiplatform.googleapis.com": true, "aiplatform.googleapis.com": true, "api.anthropic.com": true,
		"api.cohere.com": true, "api.tokenfactory.nebius.com": true, "example.com": false, "openai.com.evil.example": false,
		"notapi.openai.com": false, "storage.googleapis.com": false, "": false,
	} {
		if got := IsProviderHost(host); got != want {
			t.Errorf("IsProviderHost(%q) = %v, want %v", host, got, want)
		}
	}
}

func TestFence(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer srv.Close()
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer other.Close()
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.Proxy = func(*http.Request) (*url.URL, error) { return url.Parse("http://127.0.0.1:9") } // the fence acts before any proxy
	Fence(tr, []string{srv.Listener.Addr().String()})
	c := &http.Client{Transport: tr.Clone()} // clones stay fenced
	f := Fence(http.DefaultTransport.(*http.Transport).Clone(), []string{"llm.example.com"})
	if !f.Refuses("llm.example.com:443") || !f.Refuses("LLM.example.com.") || f.Refuses("other.example.com:443") {
		t.Error("an endpoint configured without a port is not fenced on every port")
	}
	for _, u := range []string{"https://api.openai.com/v1/models", "https://api.anthropic.com./v1/messages", "https://api.openai.com:443/v1/models", srv.URL + "/v1/chat/completions"} {
		if _, err := c.Get(u); !errors.Is(err, ErrOutsideGateway) {
			t.Errorf("GET %s: err %v, want ErrOutsideGateway", u, err)
		}
	}
	tr.Proxy = nil
	Fence(tr, nil)
	c = &http.Client{Transport: tr}
	resp, err := c.Get(other.URL)
	if err != nil {
		t.Fatalf("a host that is no provider was refused: %v", err)
	}
	resp.Body.Close()
}
