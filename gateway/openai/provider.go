package openai

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"time"

	"github.com/quirehq/quire/gateway"
)

// Provider is a gateway.Provider that speaks the OpenAI wire format. It is
// a gateway.ChatProvider, Embedder, Transcriber and ModelLister, and safe
// for concurrent use.
type Provider struct {
	name      string
	v         Variant
	client    *http.Client
	base      string // API root, no trailing slash
	query     string // "api-version=…" for deployments, else ""
	deploy    string // fixed Azure deployment, or "" for the model name
	header    http.Header
	timeout   time.Duration
	idle      time.Duration
	streamMax time.Duration
	maxBody   int64
}

var (
	_ gateway.ChatProvider = (*Provider)(nil)
	_ gateway.Embedder     = (*Provider)(nil)
	_ gateway.Transcriber  = (*Provider)(nil)
	_ gateway.ModelLister  = (*Provider)(nil)
)

// New returns a Provider for cfg that sends its requests with client,
// which should come from gateway.NewHTTPClient (nil means a new one with
// cfg.AllowLoopbackHTTP).
func New(cfg Config, client *http.Client) (*Provider, error) {
	v, ok := VariantFor(cfg.Kind)
	if cfg.Variant != nil {
		v, ok = *cfg.Variant, true
	}
	if !ok {
		return nil, fmt.Errorf("openai: provider %s: unknown kind %q", cfg.Name, cfg.Kind)
	}
	if err := cfg.validate(&v); err != nil {
		return nil, err
	}
	u, err := cfg.baseURL(&v)
	if err != nil {
		return nil, err
	}
	if client == nil {
		client = gateway.NewHTTPClient(gateway.HTTPOptions{AllowLoopbackHTTP: cfg.AllowLoopbackHTTP})
	}
	p := &Provider{
		name: cfg.Name, v: v, client: client, base: u.String(), deploy: cfg.Deployment,
		header:    staticHeader(&cfg, &v),
		timeout:   orDuration(cfg.Timeout, DefaultTimeout),
		idle:      orDuration(cfg.StreamIdleTimeout, 60*time.Second),
		streamMax: orDuration(cfg.StreamMaxDuration, 15*time.Minute),
		maxBody:   cfg.MaxResponseBytes,
	}
	if p.maxBody <= 0 {
		p.maxBody = 64 << 20
	}
	if v.Deployments {
		p.query = "api-version=" + url.QueryEscape(or(cfg.APIVersion, v.APIVersion))
	}
	return p, nil
}

func orDuration(d, def time.Duration) time.Duration {
	if d <= 0 {
		return def
	}
	return d
}

func or(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// staticHeader builds the headers every request carries.
func staticHeader(cfg *Config, v *Variant) http.Header {
	h := http.Header{}
	for k, vs := range cfg.Header {
		h[http.CanonicalHeaderKey(k)] = append([]string(nil), vs...)
	}
	if key := cfg.APIKey.Reveal(); key != "" {
		switch v.Auth {
		case AuthBearer:
			h.Set("Authorization", "Bearer "+key)
		case AuthAPIKeyHeader:
			h.Set("Api-Key", key)
		}
	}
	if cfg.Organization != "" {
		h.Set("OpenAI-Organization", cfg.Organization)
	}
	if cfg.Project != "" {
		h.Set("OpenAI-Project", cfg.Project)
	}
	h.Set("User-Agent", "quire")
	return h
}

// String names the provider; it never shows its headers, which hold the
// API key.
func (p *Provider) String() string { return "openai.Provider(" + p.name + ")" }

// Format implements fmt.Formatter so that every verb prints String.
func (p *Provider) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, p.String()) }

// LogValue implements slog.LogValuer.
func (p *Provider) LogValue() slog.Value { return slog.StringValue(p.String()) }

// Name returns the configured label.
func (p *Provider) Name() string { return p.name }

// Kind returns the variant's configuration kind.
func (p *Provider) Kind() string { return p.v.Kind }

// Operation paths, relative to the API root (or to a deployment).
const (
	pathChat       = "/chat/completions"
	pathEmbed      = "/embeddings"
	pathTranscribe = "/audio/transcriptions"
	pathModels     = "/models"
)

// endpoint returns the URL of an operation for model.
func (p *Provider) endpoint(path, model string) string {
	if !p.v.Deployments {
		return p.base + path
	}
	dep := or(p.deploy, model)
	if path == pathModels {
		return p.base + "/openai/models?" + p.query
	}
	return p.base + "/openai/deployments/" + url.PathEscape(dep) + path + "?" + p.query
}

// outRequest is one request to the upstream.
type outRequest struct {
	method, target string
	// body is closed in every case. getBody, when set, replays it (see
	// http.Request.GetBody).
	body    io.ReadCloser
	getBody func() (io.ReadCloser, error)
	size    int64
	// contentType and accept are the Content-Type and Accept headers.
	contentType, accept string
}

// send sends r and returns a success response; any other outcome is a
// *gateway.ProviderError, and the response body is then closed.
func (p *Provider) send(ctx context.Context, r outRequest) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, r.method, r.target, r.body)
	if err != nil {
		if r.body != nil {
			r.body.Close()
		}
		return nil, gateway.NewError(p.name, gateway.ClassConnection, err)
	}
	req.Header = p.header.Clone()
	if r.contentType != "" {
		req.Header.Set("Content-Type", r.contentType)
	}
	req.Header.Set("Accept", r.accept)
	req.ContentLength = r.size
	req.GetBody = r.getBody
	resp, err := p.client.Do(req)
	if err != nil {
		return nil, gateway.NewTransportError(ctx, p.name, err)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return nil, p.statusError(resp)
	}
	return resp, nil
}

// postJSON sends buf (taking ownership) as a JSON POST. The buffer is
// kept until the transport is done with it, so that it can replay the
// body on a fresh connection (a stale keep-alive connection, an HTTP/2
// GOAWAY).
func (p *Provider) postJSON(ctx context.Context, target string, buf *bytes.Buffer, accept string) (*http.Response, error) {
	body := gateway.NewRequestBody(buf)
	defer body.Release()
	first, err := body.Open()
	if err != nil { // cannot happen before Release
		return nil, gateway.NewError(p.name, gateway.ClassConnection, err)
	}
	return p.send(ctx, outRequest{
		method: http.MethodPost, target: target, body: first, getBody: body.Open,
		size: int64(body.Len()), contentType: "application/json", accept: accept,
	})
}

// readJSON reads a whole success body (at most p.maxBody bytes) into v and
// closes it.
func (p *Provider) readJSON(ctx context.Context, resp *http.Response, v any) error {
	defer resp.Body.Close()
	buf := gateway.GetBuffer()
	defer gateway.PutBuffer(buf)
	n, err := buf.ReadFrom(io.LimitReader(resp.Body, p.maxBody+1))
	switch {
	case err != nil:
		return gateway.NewTransportError(ctx, p.name, err)
	case n > p.maxBody:
		return p.badResponse(resp.StatusCode, gateway.ErrTooLarge)
	}
	if err := unmarshal(buf.Bytes(), v); err != nil {
		return p.badResponse(resp.StatusCode, gateway.ErrInvalidJSON)
	}
	return nil
}

// badResponse is the error for a success status with an unusable body.
func (p *Provider) badResponse(status int, cause error) *gateway.ProviderError {
	e := gateway.NewError(p.name, gateway.ClassBadResponse, cause)
	e.Status = status
	return e
}
