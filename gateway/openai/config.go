package openai

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/quirehq/quire/gateway"
)

// Config configures one provider account that speaks the OpenAI wire
// format.
type Config struct {
	// Name is the configured label (Provider.Name).
	Name string
	// Kind selects the Variant: "openai" (the default), "azure_openai",
	// "groq", "nebius", "perplexity" or "openai_compatible". Variant,
	// when set, overrides it.
	Kind    string
	Variant *Variant
	// BaseURL is the API root ("https://api.openai.com/v1"); empty means
	// the variant's default. For Azure it is the resource endpoint.
	BaseURL string
	// APIKey is sent as the variant says (Authorization: Bearer, or
	// api-key for Azure). Optional only for openai_compatible.
	APIKey gateway.Secret
	// Organization and Project select an OpenAI organization and project.
	Organization string
	Project      string
	// Header holds extra request headers (a vendor's beta flag, say). It
	// may not set credentials, hop-by-hop or body headers.
	Header http.Header
	// Timeout bounds a non-streamed call, and a stream's wait for its
	// response headers (default DefaultTimeout).
	Timeout time.Duration
	// StreamIdleTimeout bounds the silence between two stream events
	// (default 60s). StreamMaxDuration bounds a whole stream (default 15m).
	StreamIdleTimeout time.Duration
	StreamMaxDuration time.Duration
	// MaxResponseBytes bounds a non-streamed response body (default 64 MiB,
	// room for 2,048 embeddings of 3,072 dimensions as JSON floats).
	MaxResponseBytes int64
	// AllowLoopbackHTTP permits an http://127.0.0.1 BaseURL (development).
	AllowLoopbackHTTP bool
	// Deployment and APIVersion apply to Azure. An empty Deployment uses
	// the request's model as the deployment name.
	Deployment string
	APIVersion string
}

// DefaultTimeout is the default Config.Timeout: 10 minutes, the default
// of gateway.HTTPOptions.ResponseHeaderTimeout and of OpenAI's own SDKs. A
// non-streamed completion sends its headers only when the whole answer is
// ready, and a reasoning model at high effort can think for several
// minutes; a shorter default would cut off answers the provider is still
// producing (and billing). Routers that want a faster fallback set a
// shorter Timeout per provider, or stream.
const DefaultTimeout = 10 * time.Minute

// forbiddenHeaders may not be set through Config.Header.
var forbiddenHeaders = []string{
	"Authorization", "Api-Key", "Proxy-Authorization", "Cookie", "Host", "Content-Length",
	"Content-Type", "Content-Encoding", "Transfer-Encoding", "Connection", "Upgrade", "Te", "Trailer",
	"Keep-Alive", "Proxy-Connection", "Openai-Organization", "Openai-Project",
}

func (c *Config) validate(v *Variant) error {
	if gateway.SafeToken(c.Name, 64) == "" {
		return fmt.Errorf("openai: provider name %q must be 1 to 64 letters, digits, '-', '_' or '.'", c.Name)
	}
	if c.APIKey == "" && v.Auth != AuthNone && !v.KeyOptional {
		return fmt.Errorf("openai: provider %s: an API key is required", c.Name)
	}
	if strings.ContainsAny(c.APIKey.Reveal(), " \t\r\n") {
		return fmt.Errorf("openai: provider %s: the API key contains white space", c.Name)
	}
	for _, s := range []string{c.Organization, c.Project, c.Deployment, c.APIVersion} {
		if strings.ContainsAny(s, "\r\n\x00") {
			return fmt.Errorf("openai: provider %s: organization, project, deployment and api_version must be single-line", c.Name)
		}
	}
	for k, vs := range c.Header {
		for _, v := range vs {
			if strings.ContainsAny(v, "\r\n\x00") {
				return fmt.Errorf("openai: provider %s: header %s has a line break", c.Name, k)
			}
		}
		for _, f := range forbiddenHeaders {
			if strings.EqualFold(k, f) {
				return fmt.Errorf("openai: provider %s: header %s may not be set in configuration", c.Name, f)
			}
		}
	}
	return nil
}

// baseURL parses and checks the configured or default base URL.
func (c *Config) baseURL(v *Variant) (*url.URL, error) {
	s := c.BaseURL
	if s == "" {
		s = v.BaseURL
	}
	if s == "" {
		return nil, fmt.Errorf("openai: provider %s: base_url is required with kind %s", c.Name, v.Kind)
	}
	u, err := url.Parse(strings.TrimRight(s, "/"))
	if err != nil {
		return nil, fmt.Errorf("openai: provider %s: base_url is not a URL", c.Name)
	}
	if err := gateway.CheckURL(u, c.AllowLoopbackHTTP); err != nil {
		return nil, fmt.Errorf("openai: provider %s: base_url: %w", c.Name, err)
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("openai: provider %s: base_url must not have a query or fragment", c.Name)
	}
	return u, nil
}
