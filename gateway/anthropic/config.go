package anthropic

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/quirehq/quire/gateway"
)

// Defaults.
const (
	// DefaultBaseURL is the API root; request paths start with /v1.
	DefaultBaseURL = "https://api.anthropic.com"
	// DefaultVersion is the anthropic-version header sent with every
	// request: the version whose wire format this package speaks.
	DefaultVersion = "2023-06-01"
	// DefaultMaxTokens is the max_tokens sent when the request leaves it
	// to the provider: Anthropic requires the field, and 4,096 tokens
	// fits every current model's output limit.
	DefaultMaxTokens = 4096
	// DefaultTimeout bounds a non-streamed call, as
	// gateway.HTTPOptions.ResponseHeaderTimeout does: a non-streamed
	// message sends its headers only once the whole answer is ready, and
	// extended thinking can take minutes.
	DefaultTimeout = 10 * time.Minute
)

// Config configures one Anthropic account.
type Config struct {
	// Name is the configured label (Provider.Name).
	Name string
	// BaseURL is the API root without the version path
	// ("https://api.anthropic.com", the default). A trailing "/v1" is
	// tolerated and removed.
	BaseURL string
	// APIKey is sent as x-api-key. Required.
	APIKey gateway.Secret
	// Version is the anthropic-version header (default DefaultVersion).
	Version string
	// Header holds extra request headers (anthropic-beta, say). It may
	// not set credentials, the version, hop-by-hop or body headers.
	Header http.Header
	// Timeout bounds a non-streamed call, and a stream's wait for its
	// response headers (default DefaultTimeout).
	Timeout time.Duration
	// StreamIdleTimeout bounds the silence between two stream events
	// (default 60s; Anthropic sends a ping at least every few seconds
	// while a model thinks). StreamMaxDuration bounds a whole stream
	// (default 15m).
	StreamIdleTimeout time.Duration
	StreamMaxDuration time.Duration
	// MaxResponseBytes bounds a non-streamed response body (default 16 MiB).
	MaxResponseBytes int64
	// AllowLoopbackHTTP permits an http://127.0.0.1 BaseURL (development).
	AllowLoopbackHTTP bool
	// DefaultMaxTokens is sent as max_tokens when a request has none
	// (default DefaultMaxTokens).
	DefaultMaxTokens int
	// Client sends the requests; it should come from
	// gateway.NewHTTPClient and be shared by all providers. Nil means a
	// new one with AllowLoopbackHTTP.
	Client *http.Client
}

// forbiddenHeaders may not be set through Config.Header.
var forbiddenHeaders = []string{
	"Authorization", "X-Api-Key", "Anthropic-Version", "Proxy-Authorization", "Cookie", "Host",
	"Content-Length", "Content-Type", "Content-Encoding", "Transfer-Encoding", "Connection", "Upgrade",
	"Te", "Trailer", "Keep-Alive", "Proxy-Connection",
}

func (c *Config) validate() error {
	if gateway.SafeToken(c.Name, 64) == "" {
		return fmt.Errorf("anthropic: provider name %q must be 1 to 64 letters, digits, '-', '_' or '.'", c.Name)
	}
	if c.APIKey == "" {
		return fmt.Errorf("anthropic: provider %s: an API key is required", c.Name)
	}
	if strings.ContainsAny(c.APIKey.Reveal(), " \t\r\n\x00") {
		return fmt.Errorf("anthropic: provider %s: the API key contains white space", c.Name)
	}
	if c.Version != "" && gateway.SafeToken(c.Version, 32) == "" {
		return fmt.Errorf("anthropic: provider %s: version must be a date such as %s", c.Name, DefaultVersion)
	}
	if c.DefaultMaxTokens < 0 {
		return fmt.Errorf("anthropic: provider %s: default_max_tokens must not be negative", c.Name)
	}
	for k, vs := range c.Header {
		for _, v := range vs {
			if strings.ContainsAny(v, "\r\n\x00") {
				return fmt.Errorf("anthropic: provider %s: header %s has a line break", c.Name, k)
			}
		}
		for _, f := range forbiddenHeaders {
			if strings.EqualFold(k, f) {
				return fmt.Errorf("anthropic: provider %s: header %s may not be set in configuration", c.Name, f)
			}
		}
	}
	return nil
}

// baseURL parses and checks the configured or default base URL.
func (c *Config) baseURL() (*url.URL, error) {
	s := strings.TrimRight(c.BaseURL, "/")
	if s == "" {
		s = DefaultBaseURL
	}
	s = strings.TrimSuffix(s, "/v1")
	u, err := url.Parse(s)
	if err != nil {
		return nil, fmt.Errorf("anthropic: provider %s: base_url is not a URL", c.Name)
	}
	if err := gateway.CheckURL(u, c.AllowLoopbackHTTP); err != nil {
		return nil, fmt.Errorf("anthropic: provider %s: base_url: %w", c.Name, err)
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("anthropic: provider %s: base_url must not have a query or fragment", c.Name)
	}
	return u, nil
}
