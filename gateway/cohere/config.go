package cohere

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/quirehq/quire/gateway"
)

// Kind is the configuration kind of this package's providers.
const Kind = "cohere"

// DefaultBaseURL is Cohere's API root. Operation paths carry their API
// version (/v2/rerank, /v2/embed, /v1/models), so the root has none.
const DefaultBaseURL = "https://api.cohere.com"

// DefaultTimeout is the default Config.Timeout. Reranking and embedding
// answer in seconds, not minutes as a reasoning model may: two minutes
// covers a full batch of long texts on a busy day and still lets a router
// fall back well before a client gives up.
const DefaultTimeout = 2 * time.Minute

// Config configures one Cohere account.
type Config struct {
	// Name is the configured label (Provider.Name).
	Name string
	// BaseURL is the API root; empty means DefaultBaseURL. A dedicated or
	// private deployment of the same API (Cohere on a cloud marketplace,
	// behind its own hostname) is configured here.
	BaseURL string
	// APIKey is sent as "Authorization: Bearer KEY". Required.
	APIKey gateway.Secret
	// Header holds extra request headers (Cohere's optional X-Client-Name,
	// say). It may not set credentials, hop-by-hop or body headers.
	Header http.Header
	// Timeout bounds each upstream call (default DefaultTimeout). An embed
	// request larger than one batch makes several calls, each bounded on
	// its own; the caller's context bounds them all.
	Timeout time.Duration
	// MaxResponseBytes bounds one response body (default 64 MiB: a batch
	// of 96 vectors of 1,536 dimensions is about 2 MiB of JSON, and Cohere
	// echoes the texts back).
	MaxResponseBytes int64
	// AllowLoopbackHTTP permits an http://127.0.0.1 BaseURL (development).
	AllowLoopbackHTTP bool
}

// forbiddenHeaders may not be set through Config.Header.
var forbiddenHeaders = []string{
	"Authorization", "Proxy-Authorization", "Cookie", "Host", "Content-Length",
	"Content-Type", "Content-Encoding", "Transfer-Encoding", "Connection", "Upgrade", "Te", "Trailer",
	"Keep-Alive", "Proxy-Connection",
}

func (c *Config) validate() error {
	if gateway.SafeToken(c.Name, 64) == "" {
		return fmt.Errorf("cohere: provider name %q must be 1 to 64 letters, digits, '-', '_' or '.'", c.Name)
	}
	if c.APIKey == "" {
		return fmt.Errorf("cohere: provider %s: an API key is required", c.Name)
	}
	if strings.ContainsAny(c.APIKey.Reveal(), " \t\r\n") {
		return fmt.Errorf("cohere: provider %s: the API key contains white space", c.Name)
	}
	for k, vs := range c.Header {
		for _, v := range vs {
			if strings.ContainsAny(v, "\r\n\x00") {
				return fmt.Errorf("cohere: provider %s: header %s has a line break", c.Name, k)
			}
		}
		for _, f := range forbiddenHeaders {
			if strings.EqualFold(k, f) {
				return fmt.Errorf("cohere: provider %s: header %s may not be set in configuration", c.Name, f)
			}
		}
	}
	return nil
}

// baseURL parses and checks the configured or default base URL.
func (c *Config) baseURL() (*url.URL, error) {
	s := c.BaseURL
	if s == "" {
		s = DefaultBaseURL
	}
	u, err := url.Parse(strings.TrimRight(s, "/"))
	if err != nil {
		return nil, fmt.Errorf("cohere: provider %s: base_url is not a URL", c.Name)
	}
	if err := gateway.CheckURL(u, c.AllowLoopbackHTTP); err != nil {
		return nil, fmt.Errorf("cohere: provider %s: base_url: %w", c.Name, err)
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("cohere: provider %s: base_url must not have a query or fragment", c.Name)
	}
	return u, nil
}
