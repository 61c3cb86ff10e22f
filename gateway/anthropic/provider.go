package anthropic

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"time"

	"github.com/quirehq/quire/gateway"
)

// Kind is the configuration kind of this wire format (Provider.Kind).
const Kind = "anthropic"

// Provider is a gateway.ChatProvider and gateway.ModelLister that speaks
// Anthropic's Messages API. It is safe for concurrent use.
type Provider struct {
	name      string
	client    *http.Client
	base      string // API root, no trailing slash, no /v1
	header    http.Header
	timeout   time.Duration
	idle      time.Duration
	streamMax time.Duration
	maxBody   int64
	maxTokens int
}

var (
	_ gateway.ChatProvider = (*Provider)(nil)
	_ gateway.ModelLister  = (*Provider)(nil)
)

// New returns a Provider for cfg.
func New(cfg Config) (*Provider, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	u, err := cfg.baseURL()
	if err != nil {
		return nil, err
	}
	client := cfg.Client
	if client == nil {
		client = gateway.NewHTTPClient(gateway.HTTPOptions{AllowLoopbackHTTP: cfg.AllowLoopbackHTTP})
	}
	p := &Provider{
		name: cfg.Name, client: client, base: u.String(), header: staticHeader(&cfg),
		timeout:   orDuration(cfg.Timeout, DefaultTimeout),
		idle:      orDuration(cfg.StreamIdleTimeout, 60*time.Second),
		streamMax: orDuration(cfg.StreamMaxDuration, 15*time.Minute),
		maxBody:   cfg.MaxResponseBytes,
		maxTokens: cfg.DefaultMaxTokens,
	}
	if p.maxBody <= 0 {
		p.maxBody = 16 << 20
	}
	if p.maxTokens == 0 {
		p.maxTokens = DefaultMaxTokens
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
func staticHeader(cfg *Config) http.Header {
	h := http.Header{}
	for k, vs := range cfg.Header {
		h[http.CanonicalHeaderKey(k)] = append([]string(nil), vs...)
	}
	h.Set("X-Api-Key", cfg.APIKey.Reveal())
	h.Set("Anthropic-Version", or(cfg.Version, DefaultVersion))
	h.Set("User-Agent", "quire")
	return h
}

// String names the provider; it never shows its headers, which hold the
// API key.
func (p *Provider) String() string { return "anthropic.Provider(" + p.name + ")" }

// Format implements fmt.Formatter so that every verb prints String.
func (p *Provider) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, p.String()) }

// LogValue implements slog.LogValuer.
func (p *Provider) LogValue() slog.Value { return slog.StringValue(p.String()) }

// Name returns the configured label.
func (p *Provider) Name() string { return p.name }

// Kind returns "anthropic".
func (p *Provider) Kind() string { return Kind }

// Operation paths, relative to the API root.
const (
	pathMessages = "/v1/messages"
	pathModels   = "/v1/models"
)

// send sends a request and returns a success response; any other outcome
// is a *gateway.ProviderError, and the response body is then closed.
// body, when not nil, is replayable (the transport may send it again on a
// fresh connection).
func (p *Provider) send(ctx context.Context, method, target string, body *gateway.RequestBody, accept string) (*http.Response, error) {
	var rd io.ReadCloser
	if body != nil {
		first, err := body.Open()
		if err != nil { // cannot happen before Release
			return nil, gateway.NewError(p.name, gateway.ClassConnection, err)
		}
		rd = first
	}
	req, err := http.NewRequestWithContext(ctx, method, target, rd)
	if err != nil {
		if rd != nil {
			rd.Close()
		}
		return nil, gateway.NewError(p.name, gateway.ClassConnection, err)
	}
	req.Header = p.header.Clone()
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
		req.ContentLength = int64(body.Len())
		req.GetBody = body.Open
	}
	req.Header.Set("Accept", accept)
	resp, err := p.client.Do(req)
	if err != nil {
		return nil, gateway.NewTransportError(ctx, p.name, err)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return nil, p.statusError(resp)
	}
	return resp, nil
}

// postJSON sends buf (taking ownership) as a JSON POST. The buffer is kept
// until the transport is done with it.
func (p *Provider) postJSON(ctx context.Context, target string, buf *bytes.Buffer, accept string) (*http.Response, error) {
	body := gateway.NewRequestBody(buf)
	defer body.Release()
	return p.send(ctx, http.MethodPost, target, body, accept)
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
