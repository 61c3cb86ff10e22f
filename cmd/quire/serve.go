package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"time"

	"github.com/quirehq/quire/config"
	"github.com/quirehq/quire/edge/bot"
	"github.com/quirehq/quire/edge/clientip"
	"github.com/quirehq/quire/edge/shield"
	qhttp "github.com/quirehq/quire/http"
	"github.com/quirehq/quire/logs"
	"github.com/quirehq/quire/metrics"
	"github.com/quirehq/quire/retention"
	"github.com/quirehq/quire/tlscert"
	"github.com/quirehq/quire/trust"
)

func runServe(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	configPath, dataDir := commonFlags(fs)
	addr := fs.String("addr", "", "HTTPS listen `address` (default 127.0.0.1:8443)")
	httpAddr := fs.String("http-addr", "", "plain-HTTP redirect listen `address` (default 127.0.0.1:8080; \"\" turns it off)")
	if err := fs.Parse(args); err != nil {
		return exitCode(2)
	}
	cfg, err := loadConfig(*configPath, *dataDir)
	if err != nil {
		return err
	}
	fs.Visit(func(f *flag.Flag) {
		switch f.Name {
		case "addr":
			cfg.Server.Addr = *addr
		case "http-addr":
			cfg.Server.HTTPAddr = *httpAddr
		}
	})
	if err := cfg.Validate(); err != nil {
		return err
	}
	s, err := startServer(ctx, cfg, stderr)
	if err != nil {
		return err
	}
	if s.http.HTTPURL() != "" {
		fmt.Fprintf(stdout, "Quire is ready at %s (plain HTTP on %s redirects there)\n", s.http.URL(), s.http.HTTPURL())
	} else {
		fmt.Fprintf(stdout, "Quire is ready at %s\n", s.http.URL())
	}
	<-ctx.Done()
	return s.Close()
}

// server is a running `quire serve`: the HTTPS server over the app.
type server struct {
	app         *app
	log         *logs.Logger
	http        *qhttp.Server
	stopReports func()
}

// startServer opens everything and starts listening; it returns once the
// listeners are bound and the server is ready to serve.
func startServer(ctx context.Context, cfg *config.Config, stderr io.Writer) (*server, error) {
	lg, err := logs.New(logs.Options{Dir: cfg.Logs.Dir, Retention: cfg.Logs.Retention, Level: cfg.Logs.SlogLevel(), Stderr: stderr})
	if err != nil {
		return nil, fmt.Errorf("logs: %w", err)
	}
	a, err := openApp(ctx, cfg, stderr)
	if err != nil {
		lg.Close()
		return nil, err
	}
	cert, err := tlscert.LoadOrCreate(filepath.Join(cfg.DataDir, "tls"), cfg.TLS.CertFile, cfg.TLS.KeyFile)
	if err != nil {
		a.Close()
		lg.Close()
		return nil, fmt.Errorf("tls: %w", err)
	}
	gw, err := newGateway(cfg, lg.Slog(), a.stores.usage, a.stores.workspaces)
	if err != nil {
		a.Close()
		lg.Close()
		return nil, err
	}
	a.closers = append(a.closers, gw.Close)
	a.gateway = gw
	// Search and files wrap the stores before anything writes through
	// them, so that every save and deletion reaches the index, and a
	// workspace's deletion its files.
	a.stores.workspaces = workspacesWithFiles{a.stores.workspaces, a.files, lg.Slog()}
	finder, err := newFinder(cfg, a, gw, lg.Slog())
	if err != nil {
		a.Close()
		lg.Close()
		return nil, err
	}
	var hs *qhttp.Server
	accounts, err := newAuth(a, lg.Slog(), func() string {
		if cfg.Server.PublicURL != "" {
			return cfg.Server.PublicURL
		}
		return hs.URL()
	})
	if err != nil {
		a.Close()
		lg.Close()
		return nil, err
	}
	a.auth = accounts
	exports, err := startExport(a, lg.Slog())
	if err != nil {
		a.Close()
		lg.Close()
		return nil, err
	}
	a.stores.deletions = deletionsWithExports{a.stores.deletions, exports, lg.Slog()}
	eraser, err := startErase(a, finder.Forget, lg.Slog())
	if err != nil {
		a.Close()
		lg.Close()
		return nil, err
	}
	// The retention janitor runs every retention rule (the files' and the
	// exports' sweeps among them) for the server's lifetime; it stops
	// before them.
	janitor, err := newJanitor(a, lg.Sweep, lg.Slog(), retention.ExportRule(exports.TTL(), exports.Sweep))
	if err != nil {
		a.Close()
		lg.Close()
		return nil, err
	}
	stopJanitor := janitor.Start()
	a.closers = append(a.closers, func() error { stopJanitor(); return nil })
	resolver, err := clientip.New(clientip.Options{TrustedProxies: cfg.Server.TrustedProxies, Header: cfg.Server.ClientIPHeader})
	if err != nil {
		a.Close()
		lg.Close()
		return nil, fmt.Errorf("client IP: %w", err)
	}
	limits, err := newRateLimits(a)
	if err != nil {
		a.Close()
		lg.Close()
		return nil, err
	}
	bots, err := bot.New(cfg.Bots)
	if err != nil {
		a.Close()
		lg.Close()
		return nil, fmt.Errorf("bots: %w", err)
	}
	var sh *shield.Shield
	if cfg.Shield.On() {
		if sh, err = shield.New(cfg.Shield); err != nil {
			a.Close()
			lg.Close()
			return nil, fmt.Errorf("shield: %w", err)
		}
	}
	chats, err := newChat(cfg, a, gw, finder, lg.Slog())
	if err != nil {
		a.Close()
		lg.Close()
		return nil, err
	}
	voices, err := newVoice(cfg, a, gw)
	if err != nil {
		a.Close()
		lg.Close()
		return nil, err
	}
	shares, err := newSharing(cfg, a)
	if err != nil {
		a.Close()
		lg.Close()
		return nil, err
	}
	vdp, err := newDisclosureShared(a, lg.Slog(), limits.Limiter)
	if err != nil {
		a.Close()
		lg.Close()
		return nil, err
	}
	a.closers = append(a.closers, startReportScan(vdp))
	var reg *metrics.Registry
	if cfg.Metrics.Enabled {
		reg = metrics.New()
	}
	hs = qhttp.NewServer(qhttp.Config{
		Metrics: reg, MetricsToken: cfg.Metrics.Token.Reveal(), Bots: bots, Shield: sh,
		ClientIP: resolver, RateLimit: limits, MaxConnsPerIP: cfg.Server.MaxConnsPerIP, MaxInFlight: cfg.Server.MaxInFlight,
		MaxInFlightPerClient: cfg.Server.MaxInFlightPerClient,
		Addr:                 cfg.Server.Addr, HTTPAddr: cfg.Server.HTTPAddr, TLSConfig: tlscert.ServerConfig(cert),
		Logger: lg.Slog(), Ready: a.stores.ping, HSTSPreload: cfg.Server.HSTSPreload,
		Auth: accounts, Workspaces: a.stores.workspaces, Notes: a.stores.notes, Chats: a.stores.chats, Chat: chats,
		Folders: a.stores.folders, Ideas: a.stores.ideas, Search: finder, Files: a.files, Voice: voices, Erase: eraser,
		Sharing: shares, NoteLinks: a.stores.noteLinks, BlindIndex: a.barrier.BlindIndex, OnAIPolicyChange: gw.callers.forget, AuthBurst: cfg.Auth.Throttle.Requests, AuthWindow: cfg.Auth.Throttle.Window,
		Disclosure:        vdp,
		Privacy:           a.stores.privacy,
		Exports:           exports,
		ReadHeaderTimeout: cfg.Server.ReadHeaderTimeout, ReadTimeout: cfg.Server.ReadTimeout,
		WriteTimeout: cfg.Server.WriteTimeout, IdleTimeout: cfg.Server.IdleTimeout, MaxHeaderBytes: cfg.Server.MaxHeaderBytes,
	})
	gw.mount(hs, cfg)
	reports := &reportSource{}
	th := trust.Handler(reports.Get)
	hs.Mount("GET /trust", th)
	hs.Mount("GET /trust.json", th)
	if err := hs.Open(); err != nil {
		a.Close()
		lg.Close()
		return nil, err
	}
	env := trustEnv(a)
	env.Shield.Inspect = shieldInspector(sh) // the server's own shield and penalty box
	env.Exports.Running = true
	env.Retention = trust.RetentionInfo{Rules: janitor.Rules, Running: true, Every: cfg.Retention.Every}
	env.URL, env.HTTPURL = hs.URL(), hs.HTTPURL()
	env.ServerName = probeName(cfg, env.URL)
	env.SourceAddr = selfProbeSource(env.URL)
	env.Limits.ProberExempt = proberExempt(cfg, env.URL, env.SourceAddr)
	get, stop := trust.Schedule(context.WithoutCancel(ctx), func(ctx context.Context) *trust.Report {
		return publicReport(trust.Run(ctx, env), cfg.DataDir)
	}, trustInterval)
	reports.Set(withLiveRetention(get, janitor.Rules))
	stopReports := func() {
		stop()
		env.Wait() // checks still deleting their canary data
	}
	lg.Slog().Info("quire started", slog.String("url", hs.URL()), slog.String("backend", a.stores.backend),
		slog.String("mode", cfg.Mode), slog.String("version", versionString()))
	return &server{app: a, log: lg, http: hs, stopReports: stopReports}, nil
}

// Close stops the trust checks (waiting for their canary clean-up), stops
// accepting connections, lets in-flight requests finish, then closes the
// database and the logs.
func (s *server) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	s.stopReports()
	err := s.http.Shutdown(ctx)
	if cerr := s.app.Close(); err == nil {
		err = cerr
	}
	s.log.Slog().Info("quire stopped")
	if cerr := s.log.Close(); err == nil {
		err = cerr
	}
	return err
}
