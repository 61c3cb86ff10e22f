package main

import (
	"context"
	"crypto/x509"
	"flag"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"os"
	"path/filepath"
	"runtime/debug"

	"github.com/quirehq/quire"
	"github.com/quirehq/quire/config"
	"github.com/quirehq/quire/edge/bot"
	"github.com/quirehq/quire/edge/clientip"
	"github.com/quirehq/quire/edge/shield"
	qhttp "github.com/quirehq/quire/http"
	"github.com/quirehq/quire/logs"
	"github.com/quirehq/quire/retention"
	"github.com/quirehq/quire/subproc"
	"github.com/quirehq/quire/trust"
)

func runTrust(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("trust", flag.ContinueOnError)
	fs.SetOutput(stderr)
	configPath, dataDir := commonFlags(fs)
	url := fs.String("url", "", "base `URL` of the running server to check, e.g. https://127.0.0.1:8443")
	httpURL := fs.String("http-url", "", "plain-HTTP redirect `URL` to check (default: derived from the configured http_addr when --url is local)")
	asJSON := fs.Bool("json", false, "print the report as JSON")
	if err := fs.Parse(args); err != nil {
		return exitCode(2)
	}
	a, err := openExisting(ctx, *configPath, *dataDir, stderr)
	if err != nil {
		return err
	}
	defer a.Close()
	if a.auth, err = newAuth(a, cliLogger(stderr), func() string { return *url }); err != nil {
		return err
	}
	if a.gateway, err = newGateway(a.cfg, cliLogger(stderr), nil, nil); err != nil {
		return err
	}
	defer a.gateway.Close()
	env := trustEnv(a)
	env.URL = *url
	env.ServerName = probeName(a.cfg, *url)
	env.Limits.ProberExempt = proberExempt(a.cfg, *url, netip.Addr{})
	env.HTTPURL = *httpURL
	if env.HTTPURL == "" && *url != "" && a.cfg.Server.HTTPAddr != "" {
		env.HTTPURL = "http://" + a.cfg.Server.HTTPAddr
	}
	report := trust.Run(ctx, env)
	if *asJSON {
		err = report.WriteJSON(stdout)
	} else {
		err = report.WriteText(stdout)
	}
	if err != nil {
		return err
	}
	if !report.Passed {
		return exitCode(1)
	}
	return nil
}

// trustEnv gives the checks the live components. URL and HTTPURL are set by
// the caller.
func trustEnv(a *app) *trust.Env {
	cfg := a.cfg
	env := &trust.Env{
		RootCAs:    localCertPool(cfg),
		DataDir:    cfg.DataDir,
		Backend:    a.stores.backend,
		Production: cfg.Production(),
		Inspector:  a.stores.inspector,
		Users:      a.stores.users,
		Workspaces: a.stores.workspaces,
		Notes:      a.stores.notes,
		Barrier:    a.barrier,
		Auth: trust.AuthInfo{LockoutAttempts: cfg.Auth.Lockout.Attempts, LockoutDuration: cfg.Auth.Lockout.Duration,
			LockoutIndefinite: cfg.Auth.Lockout.Indefinite, MinPasswordLength: cfg.Auth.Passwords.MinLength,
			BreachRangeURL: breachRangeURL(cfg), BreachFailClosed: cfg.Auth.Breach.FailClosed,
			SessionIdle: cfg.Auth.Sessions.IdleTimeout, SessionLifetime: cfg.Auth.Sessions.Lifetime},
		Limits: trust.LimitsInfo{MaxHeaderBytes: cfg.Server.MaxHeaderBytes, MaxBodyBytes: qhttp.DefaultMaxBodyBytes,
			ReadHeaderTimeout: cfg.Server.ReadHeaderTimeout, MaxConnsPerIP: cfg.Server.MaxConnsPerIP, MaxInFlight: cfg.Server.MaxInFlight},
		RateLimit: trust.RateLimitInfo{PerIPBurst: burstOf(cfg.RateLimit.PerIP), Redis: cfg.RateLimit.RedisURL != "",
			PingRedis: a.pingRedis},
		Bots:   botInfo(cfg),
		Shield: shieldInfo(cfg),
		Logs: trust.LogInfo{Dir: cfg.Logs.Dir, Retention: cfg.Logs.Retention,
			NewLogger: func(w io.Writer) *slog.Logger {
				return slog.New(logs.NewMaskingHandler(slog.NewJSONHandler(w, nil)))
			}},
	}
	if a.auth != nil {
		env.Accounts = a.auth
	}
	env.Disclosure = trust.DisclosureInfo{Reports: a.stores.reports, PublicURL: cfg.Server.PublicURL,
		OperatorAlerts: cfg.Disclosure.OperatorEmail != ""}
	env.AI, env.Outbound = aiInfo(cfg, a.gateway, a.stores.workspaces), outbound(cfg)
	env.SubProcessors, env.Local = subproc.List(cfg), subproc.Local(cfg)
	env.Privacy = a.stores.privacy
	env.Deletions = a.stores.deletions
	if ec, ok := a.stores.auth.(quire.EmailChangeStore); ok {
		env.EmailChanges = ec
	}
	env.Exports = trust.ExportInfo{Store: a.stores.exports, TTL: cfg.Exports.TTL, Dir: exportsDir(cfg.DataDir)}
	never := func(context.Context) (int, error) { return 0, nil }
	if j, err := newJanitor(a, func() (int, error) { return 0, nil }, nil, retention.ExportRule(cfg.Exports.TTL, never)); err == nil {
		// Listed, never run here: the server's janitor runs the rules.
		env.Retention = trust.RetentionInfo{Rules: j.Rules, Every: cfg.Retention.Every}
	}
	if env.RateLimit.PingRedis == nil && env.RateLimit.Redis {
		env.RateLimit.PingRedis = redisPing(cfg.RateLimit.RedisURL.Reveal())
	}
	return env
}

// probeName is the name a probe of target must find in the server's
// certificate when that differs from target's host: the public name, when
// the probe goes to a loopback address (the server checking itself on its
// listen address, or quire trust on the same machine).
func probeName(cfg *config.Config, target string) string {
	pub, err := url.Parse(cfg.Server.PublicURL)
	if err != nil || cfg.Server.PublicURL == "" {
		return ""
	}
	u, err := url.Parse(target)
	if err != nil {
		return ""
	}
	if ip := net.ParseIP(u.Hostname()); ip == nil || !ip.IsLoopback() && !ip.IsUnspecified() {
		return ""
	}
	return pub.Hostname()
}

// breachRangeURL is the k-anonymity API in use, or "" when it is off.
func breachRangeURL(cfg *config.Config) string {
	if cfg.Auth.Breach.Online() {
		return cfg.Auth.Breach.RangeURL
	}
	return ""
}

// localCertPool trusts the server's certificate file so that the TLS checks
// verify the chain rather than skip verification, self-signed or not.
func localCertPool(cfg *config.Config) *x509.CertPool {
	path := cfg.TLS.CertFile
	if path == "" {
		path = filepath.Join(cfg.DataDir, "tls", "cert.pem")
	}
	pem, err := os.ReadFile(path)
	if err != nil {
		return nil
	}
	pool, err := x509.SystemCertPool()
	if err != nil {
		pool = x509.NewCertPool()
	}
	pool.AppendCertsFromPEM(pem)
	return pool
}

// burstOf is a rate's burst as the limiter applies it (0 means the rate).
func burstOf(s config.RateSpec) int {
	if s.Burst > 0 {
		return s.Burst
	}
	return s.Rate
}

// proberExempt reports whether a probe of target comes from an address the
// server trusts as a proxy (a loopback target is probed from loopback),
// which its connection cap exempts.
func proberExempt(cfg *config.Config, target string, source netip.Addr) bool {
	ip := source
	if !ip.IsValid() {
		u, err := url.Parse(target)
		if err != nil {
			return false
		}
		if ip, err = netip.ParseAddr(u.Hostname()); err != nil {
			return false
		}
	}
	if !ip.IsLoopback() {
		return false
	}
	r, err := clientip.New(clientip.Options{TrustedProxies: cfg.Server.TrustedProxies, Header: cfg.Server.ClientIPHeader})
	return err == nil && r.Trusted(ip)
}

// botInfo describes the bot detection of cfg for the BOT-1 check.
func botInfo(cfg *config.Config) trust.BotInfo {
	info := trust.BotInfo{Enabled: cfg.Bots.Enabled, DryRun: cfg.Bots.DryRun}
	if d, err := bot.New(cfg.Bots); err == nil {
		info.Vendors = d.VerifiableVendors()
	}
	m, err := bot.DefaultMatcher()
	if err != nil {
		return info // Signatures stays 0, which the check reports
	}
	info.Categories = map[string]int{}
	for _, s := range m.Signatures() {
		info.Categories[string(s.Category)]++
	}
	info.Signatures = len(m.Signatures())
	return info
}

// selfProbeSource is the address a server checking itself probes from:
// when it is reached at an IPv4 loopback address, another one (Linux
// routes all of 127.0.0.0/8 to the loopback interface), so that its checks
// never spend the budgets of a person using Quire from this machine. It
// is the zero Addr when the target is not IPv4 loopback or the system
// cannot bind the other address (macOS configures 127.0.0.1 alone).
func selfProbeSource(target string) netip.Addr {
	u, err := url.Parse(target)
	if err != nil {
		return netip.Addr{}
	}
	ip, err := netip.ParseAddr(u.Hostname())
	if err != nil || !ip.Is4() || !ip.IsLoopback() {
		return netip.Addr{}
	}
	src := netip.AddrFrom4([4]byte{127, 0, 0, 2})
	if ip == src {
		src = netip.AddrFrom4([4]byte{127, 0, 0, 3})
	}
	ln, err := net.Listen("tcp", netip.AddrPortFrom(src, 0).String())
	if err != nil {
		return netip.Addr{}
	}
	_ = ln.Close()
	return src
}

// shieldInfo describes the shield of cfg for the WAF-1 check, with a
// shield of its own built from the same configuration to put attacks to
// (quire serve replaces it with the server's).
func shieldInfo(cfg *config.Config) trust.ShieldInfo {
	c := cfg.Shield.WithDefaults()
	info := trust.ShieldInfo{Enabled: c.On(), DryRun: c.Mode == shield.ModeDryRun,
		ParanoiaLevel: c.ParanoiaLevel, Threshold: c.InboundAnomalyThreshold, CRSVersion: moduleVersion("github.com/corazawaf/coraza-coreruleset/v4"),
		Trips: c.Penalty.Trips, Window: c.Penalty.Window, BlockFor: c.Penalty.BlockFor}
	if info.Enabled {
		if sh, err := shield.New(cfg.Shield); err == nil {
			info.Inspect = shieldInspector(sh)
		}
	}
	return info
}

// shieldInspector adapts sh for the WAF-1 check; nil for no shield.
func shieldInspector(sh *shield.Shield) func(*http.Request, string) trust.ShieldVerdict {
	if sh == nil {
		return nil
	}
	return func(r *http.Request, client string) trust.ShieldVerdict {
		v := sh.Inspect(r, client)
		return trust.ShieldVerdict{Blocked: v.Blocked, Penalised: v.Penalised, Categories: v.Categories}
	}
}

// moduleVersion is the version of module path built into this binary, or
// "(unknown version)".
func moduleVersion(path string) string {
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, m := range bi.Deps {
			if m.Path == path {
				return m.Version
			}
		}
	}
	return "(unknown version)"
}
