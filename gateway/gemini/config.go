package gemini

import (
	"bytes"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/quirehq/quire/gateway"
)

// Configuration kinds.
const (
	// KindGemini is the Gemini API (Google AI Studio keys).
	KindGemini = "gemini"
	// KindVertex is Vertex AI, with an express-mode API key or a service
	// account.
	KindVertex = "vertex"
)

// Default API roots.
const (
	geminiBaseURL = "https://generativelanguage.googleapis.com"
	vertexGlobal  = "https://aiplatform.googleapis.com"
	// googleTokenURL is where service-account assertions are exchanged
	// when the key file names no token_uri.
	googleTokenURL = "https://oauth2.googleapis.com/token"
)

// Config configures one Gemini API or Vertex AI account.
type Config struct {
	// Name is the configured label (Provider.Name).
	Name string
	// Kind is KindGemini (the default) or KindVertex.
	Kind string
	// BaseURL replaces the API root, to which the API version and
	// resource path are appended. The defaults are
	// https://generativelanguage.googleapis.com for Gemini, and for
	// Vertex https://{region}-aiplatform.googleapis.com,
	// https://aiplatform.googleapis.com for region "global" or express
	// mode, https://aiplatform.{us,eu}.rep.googleapis.com for the
	// multi-regions. Tests point it at a fake; a proxy may need it.
	BaseURL string
	// APIKey is a Gemini API key, or for Vertex either an express-mode
	// API key or a service-account key file (its JSON text, recognised by
	// its leading '{'). API keys are sent in the x-goog-api-key header,
	// never in the URL, which gets logged.
	APIKey gateway.Secret
	// Project and Region select the Vertex AI project and location
	// ("us-central1", "europe-west4", "global", "us", "eu"). With a
	// service account, Project defaults to the key file's project_id and
	// Region is required: where prompts are processed is a residency
	// decision (claim RES-1), so there is no silent default. With an
	// API key and no Project, requests use express mode's global
	// endpoint. Both must be empty for the Gemini API.
	Project string
	Region  string
	// Header holds extra request headers (X-Goog-User-Project, say). It
	// may not set credentials, hop-by-hop or body headers.
	Header http.Header
	// Timeout bounds a non-streamed call, and a stream's wait for its
	// response headers (default DefaultTimeout).
	Timeout time.Duration
	// StreamIdleTimeout bounds the silence between two stream chunks
	// (default 60s). StreamMaxDuration bounds a whole stream (default 15m).
	StreamIdleTimeout time.Duration
	StreamMaxDuration time.Duration
	// MaxResponseBytes bounds a non-streamed response body (default 64 MiB).
	MaxResponseBytes int64
	// AllowLoopbackHTTP permits an http://127.0.0.1 BaseURL, and token_uri
	// in a service-account key (development and tests).
	AllowLoopbackHTTP bool
}

// DefaultTimeout is the default Config.Timeout: 10 minutes, as long as
// gateway.HTTPOptions.ResponseHeaderTimeout waits, since a non-streamed
// answer from a thinking model sends its headers only when it is done.
const DefaultTimeout = 10 * time.Minute

// forbiddenHeaders may not be set through Config.Header: credentials are
// the provider's to send, and the rest belong to the transport.
var forbiddenHeaders = []string{
	"Authorization", "X-Goog-Api-Key", "Proxy-Authorization", "Cookie", "Host", "Content-Length",
	"Content-Type", "Content-Encoding", "Transfer-Encoding", "Connection", "Upgrade", "Te", "Trailer",
	"Keep-Alive", "Proxy-Connection",
}

// serviceAccount is the part of a service-account key file that is
// checked before use. Its fields are never printed.
type serviceAccount struct {
	Type        string `json:"type"`
	ProjectID   string `json:"project_id"`
	PrivateKey  string `json:"private_key"`
	ClientEmail string `json:"client_email"`
	TokenURI    string `json:"token_uri"`
}

// isServiceAccount reports whether key is a key file rather than an API
// key: JSON text starts with '{'.
func isServiceAccount(key gateway.Secret) bool {
	return strings.HasPrefix(strings.TrimSpace(key.Reveal()), "{")
}

// validate checks cfg and returns the service account, if the key is one.
// No message quotes the key or any part of the key file.
func (c *Config) validate() (*serviceAccount, error) {
	if gateway.SafeToken(c.Name, 64) == "" {
		return nil, fmt.Errorf("gemini: provider name %q must be 1 to 64 letters, digits, '-', '_' or '.'", c.Name)
	}
	if c.APIKey == "" {
		return nil, fmt.Errorf("gemini: provider %s: an API key is required", c.Name)
	}
	var sa *serviceAccount
	switch c.Kind {
	case KindGemini:
		if c.Project != "" || c.Region != "" {
			return nil, fmt.Errorf("gemini: provider %s: project and region apply to kind vertex only", c.Name)
		}
		if isServiceAccount(c.APIKey) {
			return nil, fmt.Errorf("gemini: provider %s: the Gemini API takes an API key; service accounts need kind vertex", c.Name)
		}
	case KindVertex:
		if isServiceAccount(c.APIKey) {
			var err error
			if sa, err = c.serviceAccount(); err != nil {
				return nil, err
			}
			if c.Project == "" {
				c.Project = sa.ProjectID
			}
			if c.Project == "" {
				return nil, fmt.Errorf("gemini: provider %s: project is required (the key file names none)", c.Name)
			}
		}
		if c.Project == "" && c.Region != "" {
			return nil, fmt.Errorf("gemini: provider %s: region needs a project (an API key without a project is express mode, on the global endpoint)", c.Name)
		}
		if c.Project != "" && c.Region == "" {
			return nil, fmt.Errorf("gemini: provider %s: region is required with a project (us-central1, europe-west4, global, …)", c.Name)
		}
		if c.Project != "" && !validProject(c.Project) {
			return nil, fmt.Errorf("gemini: provider %s: project %q is not a Google Cloud project ID", c.Name, c.Project)
		}
		if c.Region != "" && !validRegion(c.Region) {
			return nil, fmt.Errorf("gemini: provider %s: region %q is not a Google Cloud location", c.Name, c.Region)
		}
	default:
		return nil, fmt.Errorf("gemini: provider %s: unknown kind %q (want %s or %s)", c.Name, c.Kind, KindGemini, KindVertex)
	}
	if sa == nil && strings.ContainsAny(c.APIKey.Reveal(), " \t\r\n") {
		return nil, fmt.Errorf("gemini: provider %s: the API key contains white space", c.Name)
	}
	for k, vs := range c.Header {
		for _, v := range vs {
			if strings.ContainsAny(v, "\r\n\x00") {
				return nil, fmt.Errorf("gemini: provider %s: header %s has a line break", c.Name, k)
			}
		}
		for _, f := range forbiddenHeaders {
			if strings.EqualFold(k, f) {
				return nil, fmt.Errorf("gemini: provider %s: header %s may not be set in configuration", c.Name, f)
			}
		}
	}
	return sa, nil
}

// serviceAccount parses and checks the key file. Errors name the field at
// fault, never its value: the file holds a private key.
func (c *Config) serviceAccount() (*serviceAccount, error) {
	var sa serviceAccount
	dec := json.NewDecoder(bytes.NewReader([]byte(c.APIKey.Reveal())))
	if err := dec.Decode(&sa); err != nil {
		return nil, fmt.Errorf("gemini: provider %s: the service-account key is not valid JSON", c.Name)
	}
	switch {
	case sa.Type != "service_account":
		return nil, fmt.Errorf("gemini: provider %s: the key file's type must be service_account (other credential types are refused)", c.Name)
	case sa.ClientEmail == "" || strings.ContainsAny(sa.ClientEmail, " \t\r\n"):
		return nil, fmt.Errorf("gemini: provider %s: the service-account key has no valid client_email", c.Name)
	case !validRSAKey(sa.PrivateKey):
		return nil, fmt.Errorf("gemini: provider %s: the service-account private_key is not a PEM-encoded RSA key", c.Name)
	}
	if sa.TokenURI == "" {
		sa.TokenURI = googleTokenURL
	}
	u, err := url.Parse(sa.TokenURI)
	if err != nil || u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("gemini: provider %s: the service-account token_uri is not a plain URL", c.Name)
	}
	if err := gateway.CheckURL(u, c.AllowLoopbackHTTP); err != nil {
		return nil, fmt.Errorf("gemini: provider %s: the service-account token_uri: %w", c.Name, err)
	}
	return &sa, nil
}

// validRSAKey reports whether s is a PEM block holding an RSA private key
// (PKCS #8, as Google issues them, or PKCS #1).
func validRSAKey(s string) bool {
	block, _ := pem.Decode([]byte(s))
	if block == nil {
		return false
	}
	if k, err := x509.ParsePKCS8PrivateKey(block.Bytes); err == nil {
		_, ok := k.(*rsa.PrivateKey)
		return ok
	}
	_, err := x509.ParsePKCS1PrivateKey(block.Bytes)
	return err == nil
}

// validProject accepts Google Cloud project IDs, including the legacy
// domain-scoped form ("example.com:my-project").
func validProject(s string) bool {
	if len(s) == 0 || len(s) > 100 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '.' || c == ':') {
			return false
		}
	}
	return true
}

// validRegion accepts location names: lowercase letters, digits and '-'.
func validRegion(s string) bool {
	if len(s) == 0 || len(s) > 63 || s[0] < 'a' || s[0] > 'z' {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

// defaultBaseURL is the API root Google documents for the kind and region.
func (c *Config) defaultBaseURL() string {
	if c.Kind == KindGemini {
		return geminiBaseURL
	}
	switch c.Region {
	case "", "global":
		return vertexGlobal
	case "us", "eu":
		return "https://aiplatform." + c.Region + ".rep.googleapis.com"
	}
	return "https://" + c.Region + "-aiplatform.googleapis.com"
}

// baseURL parses and checks the configured or default API root.
func (c *Config) baseURL() (string, error) {
	s := c.BaseURL
	if s == "" {
		s = c.defaultBaseURL()
	}
	u, err := url.Parse(strings.TrimRight(s, "/"))
	if err != nil {
		return "", fmt.Errorf("gemini: provider %s: base_url is not a URL", c.Name)
	}
	if err := gateway.CheckURL(u, c.AllowLoopbackHTTP); err != nil {
		return "", fmt.Errorf("gemini: provider %s: base_url: %w", c.Name, err)
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return "", fmt.Errorf("gemini: provider %s: base_url must not have a query or fragment", c.Name)
	}
	return u.String(), nil
}
