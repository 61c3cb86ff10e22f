package cohere

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"time"

	"github.com/quirehq/quire/gateway"
)

// Provider is a gateway.Provider for Cohere's API: a gateway.Reranker,
// Embedder and ModelLister, safe for concurrent use.
type Provider struct {
	name    string
	client  *http.Client
	base    string // API root, no trailing slash
	header  http.Header
	timeout time.Duration
	maxBody int64
}

var (
	_ gateway.Reranker    = (*Provider)(nil)
	_ gateway.Embedder    = (*Provider)(nil)
	_ gateway.ModelLister = (*Provider)(nil)
)

// New returns a Provider for cfg that sends its requests with client,
// which should come from gateway.NewHTTPClient (nil means a new one with
// cfg.AllowLoopbackHTTP).
func New(cfg Config, client *http.Client) (*Provider, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	u, err := cfg.baseURL()
	if err != nil {
		return nil, err
	}
	if client == nil {
		client = gateway.NewHTTPClient(gateway.HTTPOptions{AllowLoopbackHTTP: cfg.AllowLoopbackHTTP})
	}
	p := &Provider{
		name: cfg.Name, client: client, base: u.String(), header: staticHeader(&cfg),
		timeout: cfg.Timeout, maxBody: cfg.MaxResponseBytes,
	}
	if p.timeout <= 0 {
		p.timeout = DefaultTimeout
	}
	if p.maxBody <= 0 {
		p.maxBody = 64 << 20
	}
	return p, nil
}

// staticHeader builds the headers every request carries.
func staticHeader(cfg *Config) http.Header {
	h := http.Header{}
	for k, vs := range cfg.Header {
		h[http.CanonicalHeaderKey(k)] = append([]string(nil), vs...)
	}
	h.Set("Authorization", "Bearer "+cfg.APIKey.Reveal())
	h.Set("User-Agent", "quire")
	return h
}

// String names the provider; it never shows its headers, which hold the
// API key.
func (p *Provider) String() string { return "cohere.Provider(" + p.name + ")" }

// Format implements fmt.Formatter so that every verb prints String.
func (p *Provider) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, p.String()) }

// LogValue implements slog.LogValuer.
func (p *Provider) LogValue() slog.Value { return slog.StringValue(p.String()) }

// Name returns the configured label.
func (p *Provider) Name() string { return p.name }

// Kind returns "cohere".
func (p *Provider) Kind() string { return Kind }

// Operation paths, relative to the API root.
const (
	pathRerank = "/v2/rerank"
	pathEmbed  = "/v2/embed"
	pathModels = "/v1/models"
)

// errEncode replaces encoding/json's errors, whose text can quote the
// value.
var errEncode = errors.New("request cannot be encoded as JSON")

// postJSON encodes v and POSTs it to path; the response is a success, or
// the error is a *gateway.ProviderError. The body is held in a pooled
// buffer until the transport is done with it, so that it can be replayed
// on a fresh connection (a stale keep-alive connection, an HTTP/2 GOAWAY).
func (p *Provider) postJSON(ctx context.Context, path string, v any) (*http.Response, error) {
	buf := gateway.GetBuffer()
	enc := json.NewEncoder(buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		gateway.PutBuffer(buf)
		return nil, gateway.NewError(p.name, gateway.ClassInvalidRequest, errEncode)
	}
	body := gateway.NewRequestBody(buf)
	defer body.Release()
	first, err := body.Open()
	if err != nil { // cannot happen before Release
		return nil, gateway.NewError(p.name, gateway.ClassConnection, err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, p.base+path, first)
	if err != nil {
		first.Close()
		return nil, gateway.NewError(p.name, gateway.ClassConnection, err)
	}
	req.ContentLength = int64(body.Len())
	req.GetBody = body.Open
	req.Header = p.header.Clone()
	req.Header.Set("Content-Type", "application/json")
	return p.do(ctx, req)
}

// get sends a GET to target (path and query).
func (p *Provider) get(ctx context.Context, target string) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, p.base+target, nil)
	if err != nil {
		return nil, gateway.NewError(p.name, gateway.ClassConnection, err)
	}
	req.Header = p.header.Clone()
	return p.do(ctx, req)
}

// do sends req and returns a success response; any other outcome is a
// *gateway.ProviderError, and the response body is then closed.
func (p *Provider) do(ctx context.Context, req *http.Request) (*http.Response, error) {
	req.Header.Set("Accept", "application/json")
	resp, err := p.client.Do(req)
	if err != nil {
		return nil, gateway.NewTransportError(ctx, p.name, err)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return nil, p.statusError(ctx, resp)
	}
	return resp, nil
}

// readJSON reads a whole success body (at most p.maxBody bytes) into v and
// closes it. The decoding error is never shown: its text can quote the
// body.
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
	if json.Unmarshal(bytes.TrimSpace(buf.Bytes()), v) != nil {
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

// invalid is the error for a request this provider refuses before any
// call.
func (p *Provider) invalid(cause error) *gateway.ProviderError {
	return gateway.NewError(p.name, gateway.ClassInvalidRequest, cause)
}
