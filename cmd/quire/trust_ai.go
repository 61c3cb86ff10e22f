package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/quirehq/quire"
	"github.com/quirehq/quire/config"
	"github.com/quirehq/quire/gateway"
	"github.com/quirehq/quire/gateway/openai"
	"github.com/quirehq/quire/gateway/route"
	"github.com/quirehq/quire/postgres"
	"github.com/quirehq/quire/trust"
)

// aiInfo describes the gateway g for claims AI-1 to AI-4.
func aiInfo(cfg *config.Config, g *aiGateway, ws quire.WorkspaceService) trust.AIInfo {
	if g == nil {
		return trust.AIInfo{}
	}
	info := trust.AIInfo{Strict: cfg.AI.Strict, DefaultTransport: http.DefaultTransport, UpstreamBody: upstreamBody}
	if ws != nil {
		info.Census = ws.AIPolicyCensus
	}
	for _, p := range g.router.Providers() {
		info.Providers = append(info.Providers, trust.AIProvider{Name: p.Name, Kind: p.Kind, ZDR: p.ZDR, TrainsOnData: p.TrainsOnData})
	}
	for _, pc := range cfg.AI.Providers {
		if u, err := url.Parse(pc.BaseURL); err == nil && u.Host != "" {
			info.Endpoints = append(info.Endpoints, u.Host)
		}
	}
	// Every model any policy could reach; Usable says where the default
	// policy sends each.
	for _, m := range g.router.Models(route.Policy{AllowNonZDR: true}) {
		info.Models = append(info.Models, m.ID)
	}
	info.Usable = func(model string) ([]string, error) {
		var out []string
		var last error
		for _, op := range []route.Op{route.OpChat, route.OpEmbed, route.OpTranscribe, route.OpRerank} {
			ts, err := g.router.Resolve(model, op, route.Policy{})
			if err != nil {
				last = err
				continue
			}
			for _, t := range ts {
				out = append(out, t.Provider)
			}
		}
		if out == nil {
			return nil, last
		}
		return out, nil
	}
	if g.redactor != nil {
		info.RedactKinds = config.RedactionKinds()
		if len(cfg.AI.Redaction.Kinds) > 0 {
			info.RedactKinds = cfg.AI.Redaction.Kinds
		}
		info.Redact = func(text string) (string, string) {
			s := g.redactor.Session()
			sent := s.Redact(text)
			return sent, s.Restore(sent)
		}
	}
	return info
}

// upstreamBody sends a chat request that carries every state-keeping
// field a client could send, and an unknown one, through the gateway's
// OpenAI adapter to a listener on loopback, and returns the body the
// adapter sent (claims AI-2, AI-4).
func upstreamBody(ctx context.Context) ([]byte, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	got := make(chan []byte, 1)
	srv := &http.Server{ReadHeaderTimeout: 5 * time.Second, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		select {
		case got <- b:
		default:
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"id":"chatcmpl-probe","object":"chat.completion","created":1,"model":"probe","choices":[{"index":0,"message":{"role":"assistant","content":"ok"},"finish_reason":"stop"}],"usage":{"prompt_tokens":1,"completion_tokens":1,"total_tokens":2}}`)
	})}
	go func() { _ = srv.Serve(ln) }()
	defer srv.Close()
	p, err := openai.New(openai.Config{Name: "trust-probe", BaseURL: "http://" + ln.Addr().String() + "/v1", APIKey: "probe", AllowLoopbackHTTP: true}, nil)
	if err != nil {
		return nil, err
	}
	client := `{"model":"probe","messages":[{"role":"user","content":"hi"}],"store":true,"user":"u-1","metadata":{"k":"v"},` +
		`"previous_response_id":"resp_1","x_quire_probe":1}`
	req, _, err := openai.DecodeChatRequest(strings.NewReader(client), 0)
	if err != nil {
		return nil, fmt.Errorf("decode the probe request: %w", err)
	}
	if _, err := p.Chat(ctx, req); err != nil {
		return nil, err
	}
	select {
	case b := <-got:
		return b, nil
	default:
		return nil, errors.New("the loopback listener received no request")
	}
}

// outbound lists the configured outbound connections (claim TLS-2),
// naming targets but never credentials.
func outbound(cfg *config.Config) []trust.Outbound {
	out := []trust.Outbound{}
	for _, pc := range cfg.AI.Providers {
		o := trust.Outbound{What: "AI provider " + pc.Name, Target: pc.Kind + " default endpoint", Verified: true}
		if pc.BaseURL != "" {
			o = urlOutbound(o.What, pc.BaseURL)
		}
		o.Kind, o.Name = quire.SubProcessorAI, pc.Name
		out = append(out, o)
	}
	if cfg.Database.Driver == config.DriverPostgres {
		for _, u := range []struct{ what, url string }{{"PostgreSQL", cfg.Database.URL.Reveal()}, {"PostgreSQL (owner)", cfg.Database.OwnerURL.Reveal()}} {
			if u.url == "" {
				continue
			}
			local, verified, err := postgres.Transport(u.url)
			target := "configured hosts"
			if err != nil {
				target = "unparsable connection string"
			}
			out = append(out, trust.Outbound{What: u.what, Target: target, Verified: verified && err == nil && !local, Loopback: local,
				Kind: quire.SubProcessorPostgres})
		}
	}
	if raw := cfg.RateLimit.RedisURL.Reveal(); raw != "" {
		o := trust.Outbound{What: "Redis", Target: "unparsable URL", Kind: quire.SubProcessorRedis}
		if opt, err := redis.ParseURL(raw); err == nil {
			host, _, _ := net.SplitHostPort(opt.Addr)
			o.Target, o.Loopback = opt.Addr, isLoopbackHost(host)
			o.Verified = opt.TLSConfig != nil && !opt.TLSConfig.InsecureSkipVerify
		}
		out = append(out, o)
	}
	if s := cfg.Mail.SMTP; s.Host != "" {
		out = append(out, trust.Outbound{What: "SMTP relay (" + s.TLS + ")", Target: net.JoinHostPort(s.Host, strconv.Itoa(s.Port)),
			Verified: s.TLS != config.SMTPNoTLS, Loopback: isLoopbackHost(s.Host), Kind: quire.SubProcessorSMTP})
	}
	if f := cfg.Workspace.Files; f.Storage == config.StorageS3 {
		host, _, err := net.SplitHostPort(f.S3.Endpoint)
		if err != nil {
			host = f.S3.Endpoint
		}
		out = append(out, trust.Outbound{What: "S3 file storage", Target: f.S3.Endpoint, Verified: !f.S3.Insecure,
			Loopback: isLoopbackHost(host), Kind: quire.SubProcessorS3})
	}
	if u := breachRangeURL(cfg); u != "" {
		o := urlOutbound("breached-password API", u)
		o.Kind = quire.SubProcessorBreach
		out = append(out, o)
	}
	return out
}

// urlOutbound describes an http(s) endpoint; https clients here verify
// certificates with TLS 1.2 or later.
func urlOutbound(what, raw string) trust.Outbound {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return trust.Outbound{What: what, Target: "unparsable URL"}
	}
	return trust.Outbound{What: what, Target: u.Host, Verified: u.Scheme == "https", Loopback: isLoopbackHost(u.Hostname())}
}

func isLoopbackHost(h string) bool { return gateway.IsLoopbackHost(h) }
