package endpoint

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"time"

	"github.com/quirehq/quire/gateway"
	"github.com/quirehq/quire/gateway/redact"
	"github.com/quirehq/quire/gateway/route"
)

// Backend is what the endpoints call: the router (route.Router), or a fake
// in tests.
type Backend interface {
	Chat(ctx context.Context, req *gateway.ChatRequest, p route.Policy) (*gateway.ChatResponse, error)
	ChatStream(ctx context.Context, req *gateway.ChatRequest, p route.Policy) (gateway.Stream, error)
	Embed(ctx context.Context, req *gateway.EmbedRequest, p route.Policy) (*gateway.EmbedResponse, error)
	Transcribe(ctx context.Context, req *gateway.TranscribeRequest, p route.Policy) (*gateway.Transcription, error)
	Rerank(ctx context.Context, req *gateway.RerankRequest, p route.Policy) (*gateway.RerankResponse, error)
	Models(p route.Policy) []route.ModelInfo
}

// Caller is who a gateway request acts for.
type Caller struct {
	// Account is the user the API key belongs to: the unit of metering
	// and budgets.
	Account string
	// Workspace is the workspace the request is for, when known.
	Workspace string
	// Policy is the caller's zero-data-retention policy.
	Policy route.Policy
	// RedactionOff turns prompt redaction off for the caller's workspace.
	RedactionOff bool
	// RedactKinds narrows redaction to these kinds (empty: every kind the
	// deployment redacts).
	RedactKinds []redact.Kind
}

type callerKey struct{}

// WithCaller returns ctx carrying c, for the Meter and the router's
// observer.
func WithCaller(ctx context.Context, c *Caller) context.Context {
	return context.WithValue(ctx, callerKey{}, c)
}

// CallerFrom returns the caller ctx carries, or nil.
func CallerFrom(ctx context.Context) *Caller {
	c, _ := ctx.Value(callerKey{}).(*Caller)
	return c
}

// Meter enforces token budgets before a call. What a call used is
// recorded by the router's observer, which finds the caller with
// CallerFrom.
type Meter interface {
	// Admit refuses (with a *BudgetError) a call of about estimate tokens
	// that would exceed the caller's budget.
	Admit(ctx context.Context, c *Caller, estimate int) error
}

// BudgetError refuses a call over a token budget.
type BudgetError struct {
	// Daily is true when the daily budget is spent (otherwise the
	// per-minute rate is).
	Daily bool
	// RetryAfter is when the budget allows calls again.
	RetryAfter time.Duration
}

// Error implements error.
func (e *BudgetError) Error() string {
	if e.Daily {
		return "endpoint: daily token budget spent"
	}
	return "endpoint: token rate limit reached"
}

// ErrNoCredentials is what Authenticate returns for a request without an
// API key.
var ErrNoCredentials = errors.New("endpoint: no API key")

// Config wires the endpoints.
type Config struct {
	Backend Backend
	// Authenticate finds the caller of a request from its API key. It
	// returns ErrNoCredentials when there is none, and an error of its own
	// for a key it refuses.
	Authenticate func(r *http.Request) (*Caller, error)
	// Redactor, when set, replaces personal data and secrets in prompts
	// with placeholders and restores them in answers (claim AI-4).
	Redactor *redact.Redactor
	// Meter, when set, enforces token budgets.
	Meter Meter
	// MaxBodyBytes caps a JSON request body (default 8 MiB).
	MaxBodyBytes int64
	// MaxAudioBytes caps a transcription upload (default 25 MiB).
	MaxAudioBytes int64
	// StreamWriteTimeout bounds the write of an answer, or of one stream
	// event, to the client (default 60s); it replaces the server's write
	// timeout, which counts from the request while a provider may take
	// minutes to answer.
	StreamWriteTimeout time.Duration
	// Logger records failures: route, class and status only.
	Logger *slog.Logger
}

// Defaults.
const (
	DefaultMaxBodyBytes       = 8 << 20
	DefaultMaxAudioBytes      = 25 << 20
	DefaultStreamWriteTimeout = 60 * time.Second
)

// Handler serves the gateway routes.
type Handler struct {
	cfg Config
	log *slog.Logger
}

// New returns the endpoints of cfg.
func New(cfg Config) *Handler {
	if cfg.MaxBodyBytes <= 0 {
		cfg.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if cfg.MaxAudioBytes <= 0 {
		cfg.MaxAudioBytes = DefaultMaxAudioBytes
	}
	if cfg.StreamWriteTimeout <= 0 {
		cfg.StreamWriteTimeout = DefaultStreamWriteTimeout
	}
	lg := cfg.Logger
	if lg == nil {
		lg = slog.New(slog.DiscardHandler)
	}
	return &Handler{cfg: cfg, log: lg}
}

// Routes are the gateway's routes, as ServeMux patterns.
func (h *Handler) Routes() map[string]http.Handler {
	return map[string]http.Handler{
		"POST /v1/chat/completions":     h.chat(openAIDialect{}),
		"POST /anthropic/v1/messages":   h.chat(anthropicDialect{}),
		"POST /v1/embeddings":           http.HandlerFunc(h.embeddings),
		"POST /v1/audio/transcriptions": http.HandlerFunc(h.transcriptions),
		"POST /v1/rerank":               http.HandlerFunc(h.rerank),
		"GET /v1/models":                http.HandlerFunc(h.models),
	}
}

// begin authenticates r and returns the context the call runs in.
func (h *Handler) begin(r *http.Request) (context.Context, *Caller, error) {
	c, err := h.cfg.Authenticate(r)
	if err != nil {
		return nil, nil, err
	}
	if c == nil {
		return nil, nil, ErrNoCredentials
	}
	return WithCaller(r.Context(), c), c, nil
}

// admit checks the caller's budget for about estimate tokens.
func (h *Handler) admit(ctx context.Context, c *Caller, estimate int) error {
	if h.cfg.Meter == nil {
		return nil
	}
	return h.cfg.Meter.Admit(ctx, c, estimate)
}

// session starts a redaction session for c, or returns nil when
// redaction is off for the deployment or for c's workspace.
func (h *Handler) session(c *Caller) *redact.Session {
	if h.cfg.Redactor == nil || c.RedactionOff {
		return nil
	}
	return h.cfg.Redactor.Only(c.RedactKinds).Session()
}

// chat serves a chat route in dialect d.
func (h *Handler) chat(d dialect) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, caller, err := h.begin(r)
		if err != nil {
			h.fail(w, r, d, err)
			return
		}
		req, err := d.decode(r, h.cfg.MaxBodyBytes)
		if err != nil {
			h.fail(w, r, d, err)
			return
		}
		if !req.Stream {
			resp, err := h.Chat(ctx, caller, req)
			if err != nil {
				h.fail(w, r, d, err)
				return
			}
			h.extendWrite(w)
			if err := d.write(w, req, resp); err != nil {
				h.logFailure(r, err)
			}
			return
		}
		st, err := h.ChatStream(ctx, caller, req)
		if err != nil {
			h.fail(w, r, d, err)
			return
		}
		h.relay(w, r, st, d.encoder(w, req))
	})
}

// relay copies st to enc until the stream ends, the client goes, or the
// encoder refuses more.
func (h *Handler) relay(w http.ResponseWriter, r *http.Request, st gateway.Stream, enc encoder) {
	defer st.Close()
	for {
		ev, err := st.Next()
		h.extendWrite(w)
		if err == io.EOF {
			_ = enc.Close()
			return
		}
		if err != nil {
			if r.Context().Err() == nil {
				h.logFailure(r, err)
			}
			_ = enc.Fail(err)
			return
		}
		if err := enc.Encode(ev); err != nil {
			return
		}
	}
}

// extendWrite gives the answer StreamWriteTimeout to be written from
// now: the server's write timeout counts from the request, and a provider
// may take minutes to answer.
func (h *Handler) extendWrite(w http.ResponseWriter) {
	_ = http.NewResponseController(w).SetWriteDeadline(time.Now().Add(h.cfg.StreamWriteTimeout))
}

// fail answers err in dialect d.
func (h *Handler) fail(w http.ResponseWriter, r *http.Request, d dialect, err error) {
	h.extendWrite(w)
	f := classify(err)
	if f.status >= 500 {
		h.logFailure(r, err)
	}
	d.writeError(w, f, err)
}

// logFailure records a failed call without its content: the route
// pattern, and the provider error's class and status (every field of a
// *gateway.ProviderError is safe to log).
func (h *Handler) logFailure(r *http.Request, err error) {
	attrs := []any{slog.String("route", r.Pattern)}
	if pe, ok := gateway.AsProviderError(err); ok {
		attrs = append(attrs, slog.String("provider", pe.Provider), slog.String("class", pe.Class.String()), slog.Int("status", pe.Status))
	} else {
		attrs = append(attrs, slog.String("class", classify(err).code))
	}
	h.log.Warn("gateway call failed", attrs...)
}

// estimateChat is a cheap upper-bound guess of a request's tokens for the
// budget check: about four bytes a token of input, plus the output cap.
func estimateChat(req *gateway.ChatRequest) int {
	n := len(req.System)
	for i := range req.Messages {
		for _, p := range req.Messages[i].Parts {
			n += len(p.Text)
		}
		for _, tc := range req.Messages[i].ToolCalls {
			n += len(tc.Arguments)
		}
	}
	return n/4 + req.MaxTokens
}
