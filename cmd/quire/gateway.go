package main

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/quirehq/quire"
	"github.com/quirehq/quire/config"
	"github.com/quirehq/quire/gateway"
	"github.com/quirehq/quire/gateway/anthropic"
	"github.com/quirehq/quire/gateway/cohere"
	"github.com/quirehq/quire/gateway/endpoint"
	"github.com/quirehq/quire/gateway/gemini"
	"github.com/quirehq/quire/gateway/meter"
	"github.com/quirehq/quire/gateway/openai"
	"github.com/quirehq/quire/gateway/redact"
	"github.com/quirehq/quire/gateway/route"
	qhttp "github.com/quirehq/quire/http"
)

// aiGateway is the AI gateway of a running server: the router over the
// configured providers, the meter, and the HTTP endpoints.
type aiGateway struct {
	router    *route.Router
	meter     *meter.Meter
	endpoints *endpoint.Handler
	redactor  *redact.Redactor
	callers   *callers
}

// newGateway builds the providers of cfg.AI, the router, redaction and
// metering. Every provider sends through one outbound client (claim
// AI-1), which refuses plain http except to loopback in development
// (claim TLS-2).
func newGateway(cfg *config.Config, lg *slog.Logger, usage quire.UsageService, ws quire.WorkspaceService) (*aiGateway, error) {
	dev := !cfg.Production()
	client := gateway.NewHTTPClient(gateway.HTTPOptions{AllowLoopbackHTTP: dev})
	entries := make([]route.Entry, 0, len(cfg.AI.Providers))
	var endpoints []string
	for _, pc := range cfg.AI.Providers {
		if u, err := url.Parse(pc.BaseURL); err == nil && u.Host != "" {
			endpoints = append(endpoints, u.Host)
		}
		p, err := newProvider(pc, client, dev)
		if err != nil {
			return nil, fmt.Errorf("ai.providers: %w", err)
		}
		entries = append(entries, route.Entry{Provider: p, ZDR: pc.ZDR, TrainsOnData: pc.TrainsOnData,
			Models: pc.Models, Timeout: pc.Timeout, MaxConcurrent: pc.MaxConcurrent})
	}
	aliases := make(map[string][]route.Target, len(cfg.AI.Aliases))
	for name, targets := range cfg.AI.Aliases {
		for _, t := range targets {
			prov, model, _ := strings.Cut(t, "/")
			aliases[name] = append(aliases[name], route.Target{Provider: prov, Model: model})
		}
	}
	mo := meter.Options{
		Budgets: meter.Budgets{TokensPerDay: cfg.AI.Budgets.TokensPerDay, TokensPerMinute: cfg.AI.Budgets.TokensPerMinute},
		Prices:  make(map[string]meter.Price, len(cfg.AI.Prices)),
	}
	for model, p := range cfg.AI.Prices {
		mo.Prices[model] = meter.Price{Input: p.Input, CachedInput: p.CachedInput, Output: p.Output}
	}
	if usage != nil {
		mo.Sink, mo.Load = usageSink{usage}, usage.UsageTokens
		mo.OnSinkError = func(err error, n int) {
			lg.Warn("usage records not stored", slog.Int("records", n), slog.String("code", quire.ErrorCode(err)))
		}
	}
	m := meter.New(mo)
	r, err := route.New(route.Config{Providers: entries, Aliases: aliases, Strict: cfg.AI.Strict, Observer: m})
	if err != nil {
		m.Close()
		return nil, fmt.Errorf("ai: %w", err)
	}
	// No other code path may reach a provider (claim AI-1).
	defaultFence().Add(endpoints...)
	g := &aiGateway{router: r, meter: m, callers: newCallers(ws)}
	if cfg.AI.Redaction.On() {
		var kinds []redact.Kind
		for _, s := range cfg.AI.Redaction.Kinds {
			k, _ := redact.ParseKind(s) // validated with the configuration
			kinds = append(kinds, k)
		}
		if g.redactor, err = redact.New(redact.Options{Kinds: kinds}); err != nil {
			m.Close()
			return nil, fmt.Errorf("ai.redaction: %w", err)
		}
	}
	g.endpoints = endpoint.New(endpoint.Config{
		Backend: r, Authenticate: g.callers.authenticate, Redactor: g.redactor, Meter: m,
		MaxBodyBytes: cfg.AI.MaxBodyBytes, Logger: lg,
	})
	return g, nil
}

// newProvider builds the provider of one configuration entry.
func newProvider(pc config.Provider, client *http.Client, dev bool) (gateway.Provider, error) {
	switch pc.Kind {
	case config.KindOpenAI, config.KindAzureOpenAI, config.KindOpenAICompatible, config.KindGroq, config.KindNebius, config.KindPerplexity:
		return openai.New(openai.Config{Name: pc.Name, Kind: pc.Kind, BaseURL: pc.BaseURL, APIKey: gateway.Secret(pc.APIKey.Reveal()),
			Timeout: pc.Timeout, AllowLoopbackHTTP: dev, Deployment: pc.Deployment, APIVersion: pc.APIVersion}, client)
	case config.KindAnthropic:
		return anthropic.New(anthropic.Config{Name: pc.Name, BaseURL: pc.BaseURL, APIKey: gateway.Secret(pc.APIKey.Reveal()),
			Timeout: pc.Timeout, AllowLoopbackHTTP: dev, Client: client})
	case config.KindCohere:
		return cohere.New(cohere.Config{Name: pc.Name, BaseURL: pc.BaseURL, APIKey: gateway.Secret(pc.APIKey.Reveal()),
			Timeout: pc.Timeout, AllowLoopbackHTTP: dev}, client)
	case config.KindGemini, config.KindVertex:
		return gemini.New(gemini.Config{Name: pc.Name, Kind: pc.Kind, BaseURL: pc.BaseURL, APIKey: gateway.Secret(pc.APIKey.Reveal()),
			Project: pc.Project, Region: pc.Region, Timeout: pc.Timeout, AllowLoopbackHTTP: dev}, client)
	}
	return nil, fmt.Errorf("provider %s: unknown kind %q", pc.Name, pc.Kind)
}

// defaultFence installs, once, a fence around the process's default HTTP
// transport that refuses provider hosts and the configured provider
// endpoints: the gateway's client has a transport of its own, so only a
// code path outside the gateway would meet it.
var defaultFence = sync.OnceValue(func() *gateway.Fencer {
	return gateway.Fence(http.DefaultTransport.(*http.Transport), nil)
})

// mount registers the gateway's routes on hs, each with its body cap.
func (g *aiGateway) mount(hs *qhttp.Server, cfg *config.Config) {
	limit := cfg.AI.MaxBodyBytes
	if limit <= 0 {
		limit = endpoint.DefaultMaxBodyBytes
	}
	for pattern, h := range g.endpoints.Routes() {
		n := limit
		if strings.HasSuffix(pattern, "/audio/transcriptions") {
			n = max(limit, endpoint.DefaultMaxAudioBytes+1<<20) // the form around the audio
		}
		hs.Mount(pattern, qhttp.BodyLimit(n, h))
	}
}

// Close stops the meter's writer.
func (g *aiGateway) Close() error {
	g.meter.Close()
	return nil
}

// usageSink stores the meter's records (claim AI-2: metadata only, sealed
// under each user's key).
type usageSink struct{ s quire.UsageService }

// RecordUsage implements meter.Sink. Text fields are cut to the store's
// bound, so that one client's overlong alias cannot fail a whole batch.
func (u usageSink) RecordUsage(ctx context.Context, recs []meter.Record) error {
	out := make([]*quire.AIUsage, 0, len(recs))
	for _, r := range recs {
		if r.Account == "" {
			continue
		}
		out = append(out, &quire.AIUsage{UserID: r.Account, WorkspaceID: r.Workspace, At: r.At,
			Op: cut(r.Op), Provider: cut(r.Provider), Kind: cut(r.Kind), Model: cut(r.Model), Alias: cut(r.Alias), Class: cut(r.Class),
			Status: r.Status, Latency: r.Latency, FirstEvent: r.FirstEvent,
			InputTokens: r.InputTokens, OutputTokens: r.OutputTokens, CachedTokens: r.CachedTokens,
			Reported: r.Reported, CostMicroUSD: r.CostMicroUSD})
	}
	if len(out) == 0 {
		return nil
	}
	return u.s.RecordUsage(ctx, out)
}

// cut bounds s at quire.MaxUsageText bytes, on a rune boundary.
func cut(s string) string {
	if len(s) <= quire.MaxUsageText {
		return s
	}
	i := quire.MaxUsageText
	for i > 0 && !utf8.RuneStart(s[i]) {
		i--
	}
	return s[:i]
}
