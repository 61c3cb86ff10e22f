package gemini

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"time"

	"golang.org/x/oauth2"

	"github.com/quirehq/quire/gateway"
)

// Provider is a gateway.Provider for the Gemini API or Vertex AI. It is a
// gateway.ChatProvider, Embedder and ModelLister, and safe for concurrent
// use.
type Provider struct {
	name      string
	kind      string
	client    *http.Client
	models    string // the models collection, no trailing slash
	listURL   string // the model list, without page token
	header    http.Header
	tokens    oauth2.TokenSource // service-account tokens; nil with an API key
	timeout   time.Duration
	idle      time.Duration
	streamMax time.Duration
	maxBody   int64
}

var (
	_ gateway.ChatProvider = (*Provider)(nil)
	_ gateway.Embedder     = (*Provider)(nil)
	_ gateway.ModelLister  = (*Provider)(nil)
)

// New returns a Provider for cfg that sends its requests, and exchanges
// service-account assertions for access tokens, with client, which should
// come from gateway.NewHTTPClient (nil means a new one with
// cfg.AllowLoopbackHTTP).
func New(cfg Config, client *http.Client) (*Provider, error) {
	if cfg.Kind == "" {
		cfg.Kind = KindGemini
	}
	sa, err := cfg.validate()
	if err != nil {
		return nil, err
	}
	base, err := cfg.baseURL()
	if err != nil {
		return nil, err
	}
	if client == nil {
		client = gateway.NewHTTPClient(gateway.HTTPOptions{AllowLoopbackHTTP: cfg.AllowLoopbackHTTP})
	}
	p := &Provider{
		name: cfg.Name, kind: cfg.Kind, client: client,
		header:    staticHeader(&cfg, sa == nil),
		timeout:   orDuration(cfg.Timeout, DefaultTimeout),
		idle:      orDuration(cfg.StreamIdleTimeout, 60*time.Second),
		streamMax: orDuration(cfg.StreamMaxDuration, 15*time.Minute),
		maxBody:   cfg.MaxResponseBytes,
	}
	if p.maxBody <= 0 {
		p.maxBody = 64 << 20
	}
	switch {
	case cfg.Kind == KindGemini:
		p.models = base + "/v1beta/models"
		p.listURL = p.models + "?pageSize=1000"
	case cfg.Project != "":
		p.models = base + "/v1/projects/" + url.PathEscape(cfg.Project) + "/locations/" + cfg.Region + "/publishers/google/models"
		p.listURL = base + "/v1beta1/publishers/google/models?pageSize=1000"
	default: // Vertex express mode
		p.models = base + "/v1/publishers/google/models"
		p.listURL = base + "/v1beta1/publishers/google/models?pageSize=1000"
	}
	if sa != nil {
		if p.tokens, err = newTokenSource(&cfg, client); err != nil {
			return nil, err
		}
	}
	return p, nil
}

func orDuration(d, def time.Duration) time.Duration {
	if d <= 0 {
		return def
	}
	return d
}

// staticHeader builds the headers every request carries: the API key,
// unless the credentials are a service account (whose tokens are added
// per request).
func staticHeader(cfg *Config, apiKey bool) http.Header {
	h := http.Header{}
	for k, vs := range cfg.Header {
		h[http.CanonicalHeaderKey(k)] = append([]string(nil), vs...)
	}
	if apiKey {
		h.Set("X-Goog-Api-Key", cfg.APIKey.Reveal())
	}
	h.Set("User-Agent", "quire")
	return h
}

// String names the provider; it never shows its headers or credentials.
func (p *Provider) String() string { return "gemini.Provider(" + p.name + ")" }

// Format implements fmt.Formatter so that every verb prints String.
func (p *Provider) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, p.String()) }

// LogValue implements slog.LogValuer.
func (p *Provider) LogValue() slog.Value { return slog.StringValue(p.String()) }

// Name returns the configured label.
func (p *Provider) Name() string { return p.name }

// Kind returns KindGemini or KindVertex.
func (p *Provider) Kind() string { return p.kind }

// errModel refuses a model name that cannot be a path segment of ours.
var errModel = errors.New("model name must be 1 to 128 letters, digits, '.', '-', '_' or '@' (tuned models and endpoints are not supported)")

// modelID strips the resource prefixes a model name may carry ("models/",
// "publishers/google/models/") and checks what is left, which becomes a
// URL path segment.
func modelID(model string) (string, error) {
	for _, prefix := range [...]string{"publishers/google/models/", "models/"} {
		if len(model) > len(prefix) && model[:len(prefix)] == prefix {
			model = model[len(prefix):]
			break
		}
	}
	if len(model) == 0 || len(model) > 128 {
		return "", errModel
	}
	for i := 0; i < len(model); i++ {
		c := model[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '-' || c == '_' || c == '@') {
			return "", errModel
		}
	}
	return model, nil
}

// endpoint returns the URL of method (generateContent, …) for model, a
// checked modelID.
func (p *Provider) endpoint(model, method string) string {
	return p.models + "/" + model + ":" + method
}

// outHTTP is one request to the upstream.
type outHTTP struct {
	method, target string
	// body is closed in every case. getBody, when set, replays it.
	body    io.ReadCloser
	getBody func() (io.ReadCloser, error)
	size    int64
	accept  string
}

// send sends r and returns a success response; any other outcome is a
// *gateway.ProviderError, and the response body is then closed.
func (p *Provider) send(ctx context.Context, r outHTTP) (*http.Response, error) {
	closeBody := func() {
		if r.body != nil {
			r.body.Close()
		}
	}
	req, err := http.NewRequestWithContext(ctx, r.method, r.target, r.body)
	if err != nil {
		closeBody()
		return nil, gateway.NewError(p.name, gateway.ClassConnection, err)
	}
	req.Header = p.header.Clone()
	if p.tokens != nil {
		tok, err := p.token(ctx)
		if err != nil {
			closeBody()
			return nil, err
		}
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	if r.body != nil {
		req.Header.Set("Content-Type", "application/json")
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

// postJSON sends buf (taking ownership) as a JSON POST, keeping it until
// the transport is done so that it can replay the body on a fresh
// connection.
func (p *Provider) postJSON(ctx context.Context, target string, buf *bytes.Buffer, accept string) (*http.Response, error) {
	body := gateway.NewRequestBody(buf)
	defer body.Release()
	first, err := body.Open()
	if err != nil { // cannot happen before Release
		return nil, gateway.NewError(p.name, gateway.ClassConnection, err)
	}
	return p.send(ctx, outHTTP{
		method: http.MethodPost, target: target, body: first, getBody: body.Open,
		size: int64(body.Len()), accept: accept,
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
	if err := json.Unmarshal(buf.Bytes(), v); err != nil {
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

// errEncode replaces encoding/json's errors, whose text can quote the
// value (an invalid tool schema, say).
var errEncode = errors.New("request cannot be encoded as JSON (is a tool's parameters or a response schema invalid JSON?)")

// encodeJSON encodes v into a pooled buffer the caller owns.
func encodeJSON(v any) (*bytes.Buffer, error) {
	buf := gateway.GetBuffer()
	enc := json.NewEncoder(buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		gateway.PutBuffer(buf)
		return nil, errEncode
	}
	return buf, nil
}
