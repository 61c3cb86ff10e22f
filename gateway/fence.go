package gateway

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
)

// ProviderHosts are the API hosts of the vendors the gateway speaks to. A
// leading dot matches every subdomain (Azure resources, Vertex regions).
var ProviderHosts = []string{
	"api.openai.com",
	".openai.azure.com",
	".cognitiveservices.azure.com",
	"api.anthropic.com",
	"generativelanguage.googleapis.com",
	"aiplatform.googleapis.com",
	"-aiplatform.googleapis.com", // REGION-aiplatform.googleapis.com
	"aiplatform.us.rep.googleapis.com",
	"aiplatform.eu.rep.googleapis.com",
	"api.groq.com",
	"api.perplexity.ai",
	"api.cohere.com",
	"api.cohere.ai",
	".nebius.com",
	".nebius.ai",
}

// ErrOutsideGateway refuses a request to an AI provider that does not go
// through the gateway's own client (claim AI-1).
var ErrOutsideGateway = errors.New("gateway: AI provider requests must go through the gateway")

// Fence makes t refuse every connection to a provider host
// (ProviderHosts) or to one of the extra host:port endpoints (the
// configured base URLs, such as a local model server), by wrapping its
// dialer: a request to such a host fails with ErrOutsideGateway before any
// byte leaves, and so does one through any clone of t. Applied to
// http.DefaultTransport, it keeps every code path other than the gateway,
// whose client has a transport of its own, from reaching a provider.
func Fence(t *http.Transport, extra []string) *Fencer {
	f := &Fencer{extra: map[string]bool{}}
	f.Add(extra...)
	dial := t.DialContext
	if dial == nil {
		dial = (&net.Dialer{}).DialContext
	}
	t.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
		if f.Refuses(addr) {
			return nil, ErrOutsideGateway
		}
		return dial(ctx, network, addr)
	}
	// Through a proxy the dialer sees only the proxy: refuse before it.
	proxy := t.Proxy
	t.Proxy = func(r *http.Request) (*url.URL, error) {
		if f.Refuses(r.URL.Host) {
			return nil, ErrOutsideGateway
		}
		if proxy == nil {
			return nil, nil
		}
		return proxy(r)
	}
	if tlsDial := t.DialTLSContext; tlsDial != nil {
		t.DialTLSContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
			if f.Refuses(addr) {
				return nil, ErrOutsideGateway
			}
			return tlsDial(ctx, network, addr)
		}
	}
	return f
}

// Fencer holds the endpoints a fenced transport refuses.
type Fencer struct {
	mu    sync.RWMutex
	extra map[string]bool
}

// Add fences off more host:port endpoints.
func (f *Fencer) Add(hostports ...string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, e := range hostports {
		f.extra[strings.ToLower(e)] = true
	}
}

// Refuses reports whether hostport is fenced off.
func (f *Fencer) Refuses(hostport string) bool {
	hp := strings.ToLower(strings.TrimSuffix(hostport, "."))
	host := hp
	if h, _, err := net.SplitHostPort(hp); err == nil {
		host = h
	}
	host = strings.TrimSuffix(host, ".")
	// An endpoint configured without a port is fenced on every port: the
	// URL https://h/v1 and https://h:443/v1 reach the same server.
	f.mu.RLock()
	listed := f.extra[hp] || f.extra[host]
	f.mu.RUnlock()
	if listed {
		return true
	}
	return IsProviderHost(host)
}

// IsProviderHost reports whether host is a vendor API host.
func IsProviderHost(host string) bool {
	host = strings.ToLower(strings.TrimSuffix(host, "."))
	for _, p := range ProviderHosts {
		switch {
		case p[0] == '.' || p[0] == '-':
			if strings.HasSuffix(host, p) && len(host) > len(p) {
				return true
			}
		case host == p:
			return true
		}
	}
	return false
}
