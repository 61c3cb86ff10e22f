package http

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/quirehq/quire/edge/clientip"
	"github.com/quirehq/quire/edge/limits"
)

// Server is Quire's HTTPS server, with an optional plain-HTTP listener that
// redirects to it.
type Server struct {
	cfg     Config
	logger  *slog.Logger
	hsts    string
	mux     *http.ServeMux
	handler http.Handler
	// throttle limits authentication requests per client address.
	throttle *authThrottle
	// clientIP finds the client's address behind trusted proxies.
	clientIP *clientip.Resolver
	// inFlight sheds load beyond the configured concurrency.
	inFlight *limits.InFlight
	// perClient caps one client's share of the in-flight requests.
	perClient *limits.PerClient
	// warnUntrustedProxy logs once that a loopback proxy is not trusted.
	warnUntrustedProxy sync.Once
	// decisionLogs bounds the log lines of refused requests.
	decisionLogs logBudget
	routes       routeList // the registered patterns, for Routes

	mu         sync.Mutex
	connLimits []*limits.Listener // guarded by mu
	https      *http.Server
	redirect   *http.Server
	ln         net.Listener
	httpLn     net.Listener
	serving    sync.WaitGroup
}

// NewServer returns a Server for cfg with the built-in routes (GET /healthz,
// GET /readyz) registered. Register further routes with Handle and Mount,
// then call Open.
func NewServer(cfg Config) *Server {
	cfg = cfg.withDefaults()
	s := &Server{cfg: cfg, logger: cfg.Logger, hsts: cfg.hstsValue(), mux: http.NewServeMux(),
		throttle: newAuthThrottle(cfg.AuthBurst, cfg.AuthWindow), clientIP: cfg.ClientIP,
		inFlight:     limits.NewInFlight(cfg.MaxInFlight, time.Second, limits.HealthCheck),
		perClient:    limits.NewPerClient(cfg.MaxInFlightPerClient),
		decisionLogs: logBudget{perSecond: decisionLogsPerSecond}}
	s.handler = s.buildStack()
	s.registerHealth()
	s.registerMetrics()
	s.registerLimitMetrics()
	s.registerOpenAPI()
	s.registerDisclosure()
	if cfg.Auth != nil {
		s.registerAuth()
		s.registerPages()
		s.registerWorkspaces()
		s.registerNotes(notesWithFiles(cfg.Notes, cfg.Files))
		s.registerNoteLinks()
		s.registerFiles(cfg.Files)
		s.registerChats()
		s.registerSearch()
		s.registerVoice()
		s.registerFolders(cfg.Folders)
		s.registerIdeas(cfg.Ideas, cfg.Folders)
		s.registerShares()
		s.registerPrivacy()
		s.registerExports()
	}
	return s
}

// ServeHTTP runs a request through the whole HTTPS stack (headers, limits,
// panic recovery, routes) without a listener, for tests.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.handler.ServeHTTP(w, r)
}

// Open binds the HTTPS listener and, if configured, the plain-HTTP one, and
// serves them in background goroutines. It returns once both are bound, so
// URL and HTTPURL name the actual ports even for ":0".
func (s *Server) Open() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ln != nil {
		return errors.New("http: server already open")
	}
	if tc := s.cfg.TLSConfig; tc == nil || len(tc.Certificates) == 0 && tc.GetCertificate == nil && tc.GetConfigForClient == nil {
		return errors.New("http: no TLS certificate configured")
	}
	ln, err := net.Listen("tcp", s.cfg.Addr)
	if err != nil {
		return fmt.Errorf("http: listen on %s: %w", s.cfg.Addr, err)
	}
	var httpLn net.Listener
	if s.cfg.HTTPAddr != "" {
		if httpLn, err = net.Listen("tcp", s.cfg.HTTPAddr); err != nil {
			_ = ln.Close()
			return fmt.Errorf("http: listen on %s: %w", s.cfg.HTTPAddr, err)
		}
	}
	s.ln, s.httpLn = ln, httpLn
	s.https = s.newHTTPServer(s.handler, "https")
	s.https.TLSConfig = s.cfg.TLSConfig
	// OPTIONS * goes through the stack too, so that it carries the headers.
	s.https.DisableGeneralOptionsHandler = true
	capped := s.capConns(ln) // here, under s.mu, not in the goroutine
	s.serve("https", func() error { return s.https.ServeTLS(capped, "", "") })
	if httpLn != nil {
		s.redirect = s.newHTTPServer(redirectHandler(s.redirectPort()), "http")
		cappedHTTP := s.capConns(httpLn)
		s.serve("http", func() error { return s.redirect.Serve(cappedHTTP) })
	}
	return nil
}

// newHTTPServer returns an http.Server for h with the configured timeouts
// and limits and its error log routed to the logger.
func (s *Server) newHTTPServer(h http.Handler, name string) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: s.cfg.ReadHeaderTimeout,
		ReadTimeout:       s.cfg.ReadTimeout,
		WriteTimeout:      s.cfg.WriteTimeout,
		IdleTimeout:       s.cfg.IdleTimeout,
		MaxHeaderBytes:    s.cfg.MaxHeaderBytes,
		HTTP2: &http.HTTP2Config{
			MaxConcurrentStreams: s.cfg.MaxConcurrentStreams,
		},
		ErrorLog: newErrorLog(s.logger, name),
	}
}

// serve runs fn in a goroutine tracked for Shutdown and logs how it ends,
// unless that is the normal end after Shutdown.
func (s *Server) serve(name string, fn func() error) {
	s.serving.Add(1)
	go func() {
		defer s.serving.Done()
		if err := fn(); err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.logger.Error("server stopped", "listener", name, "error", err)
		}
	}()
}

// redirectPort is the HTTPS port that plain-HTTP redirects name.
func (s *Server) redirectPort() string {
	if s.cfg.RedirectPort != 0 {
		return strconv.Itoa(s.cfg.RedirectPort)
	}
	return strconv.Itoa(s.ln.Addr().(*net.TCPAddr).Port)
}

// URL returns the HTTPS listener's base URL with its actual port, such as
// https://127.0.0.1:8443; a wildcard address is shown as 127.0.0.1. It
// returns "" before Open.
func (s *Server) URL() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return listenerURL("https", s.ln)
}

// HTTPURL returns the plain-HTTP listener's base URL, or "" when there is
// none.
func (s *Server) HTTPURL() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return listenerURL("http", s.httpLn)
}

// listenerURL returns scheme://host:port for ln, or "" for nil.
func listenerURL(scheme string, ln net.Listener) string {
	if ln == nil {
		return ""
	}
	addr := ln.Addr().(*net.TCPAddr)
	host := "127.0.0.1"
	if !addr.IP.IsUnspecified() {
		host = addr.IP.String()
	}
	return scheme + "://" + net.JoinHostPort(host, strconv.Itoa(addr.Port))
}

// Shutdown stops both listeners from accepting, waits for in-flight
// requests to finish, and returns. If ctx ends first, it closes the
// remaining connections and returns ctx's error. It is a no-op before Open.
func (s *Server) Shutdown(ctx context.Context) error {
	s.mu.Lock()
	servers := map[string]*http.Server{"https": s.https, "http": s.redirect}
	s.mu.Unlock()
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		errs []error
	)
	for name, srv := range servers {
		if srv == nil {
			continue
		}
		wg.Go(func() {
			if err := srv.Shutdown(ctx); err != nil {
				_ = srv.Close()
				mu.Lock()
				errs = append(errs, fmt.Errorf("http: shut down %s listener: %w", name, err))
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	s.serving.Wait()
	return errors.Join(errs...)
}

// capConns caps the open connections of one client address on ln (claim
// DOS-1) and keeps the limit for the metrics; the caller holds s.mu.
// Trusted reverse proxies carry many clients' connections and are not
// capped.
func (s *Server) capConns(ln net.Listener) net.Listener {
	l := limits.LimitListener(ln, s.cfg.MaxConnsPerIP, s.clientIP.Trusted)
	s.connLimits = append(s.connLimits, l)
	return l
}
