package gateway

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// HTTPOptions configures NewHTTPClient. Zero fields take the defaults named
// in their comments.
type HTTPOptions struct {
	// DialTimeout bounds the TCP connect (default 10s).
	DialTimeout time.Duration
	// TLSHandshakeTimeout bounds the TLS handshake (default 10s).
	TLSHandshakeTimeout time.Duration
	// ResponseHeaderTimeout bounds the wait for response headers after the
	// request is sent (default 10m: a non-streamed completion sends its
	// headers only when the whole answer is ready, and a reasoning model
	// can think for minutes). Providers bound each call with their own
	// timeouts, whose defaults match this one.
	ResponseHeaderTimeout time.Duration
	// IdleConnTimeout closes unused pooled connections (default 90s).
	IdleConnTimeout time.Duration
	// MaxIdleConnsPerHost is the pool size per provider host (default 256),
	// sized for concurrency: a pool smaller than the concurrent load makes
	// every burst pay new TLS handshakes.
	MaxIdleConnsPerHost int
	// MaxConnsPerHost caps connections per host (default 0, no cap).
	MaxConnsPerHost int
	// Proxy, when set, is the only proxy used; the environment's proxy
	// variables are never read. It must be https, or http to a loopback
	// address (CheckProxyURL), and carries only https requests: the
	// plain-http loopback requests of development are never proxied, so
	// they never leave the machine.
	Proxy *url.URL
	// RootCAs replaces the system roots (tests with a TLS fake upstream).
	RootCAs *x509.CertPool
	// AllowLoopbackHTTP permits plain http to loopback addresses, for
	// local fakes and model servers in development (claim TLS-2).
	AllowLoopbackHTTP bool
}

// ErrInsecureURL is returned for an outbound URL that claim TLS-2 forbids.
var ErrInsecureURL = errors.New("gateway: outbound URL must be https (http only to loopback, in development)")

// ErrRedirect refuses redirects: an API endpoint that redirects is
// misconfigured, and following it would send the prompt somewhere else.
var ErrRedirect = errors.New("gateway: upstream redirect refused")

// NewHTTPClient returns the client every provider shares: TLS 1.2+, HTTP/2
// when the server offers it, pooled keep-alive connections, bounded dial,
// handshake and header waits, no redirects, no proxy from the environment,
// and CheckURL applied to every request it sends. The name "localhost" is
// dialled as 127.0.0.1 or ::1, never resolved. It sets no overall timeout,
// so that streams can run; providers bound each call with a context.
//
// A Proxy that CheckProxyURL refuses makes every request fail with
// ErrInsecureURL: the client fails closed rather than send anything
// through it. Configuration should call CheckProxyURL at start, to say so
// before the first request.
func NewHTTPClient(opts HTTPOptions) *http.Client {
	dialer := &net.Dialer{Timeout: or(opts.DialTimeout, 10*time.Second), KeepAlive: 30 * time.Second}
	t := &http.Transport{
		DialContext:            pinLocalhost(dialer),
		ForceAttemptHTTP2:      true,
		TLSClientConfig:        &tls.Config{MinVersion: tls.VersionTLS12, RootCAs: opts.RootCAs},
		TLSHandshakeTimeout:    or(opts.TLSHandshakeTimeout, 10*time.Second),
		ResponseHeaderTimeout:  or(opts.ResponseHeaderTimeout, 10*time.Minute),
		IdleConnTimeout:        or(opts.IdleConnTimeout, 90*time.Second),
		ExpectContinueTimeout:  time.Second,
		MaxIdleConns:           0, // no global cap; the per-host cap applies
		MaxIdleConnsPerHost:    or(opts.MaxIdleConnsPerHost, 256),
		MaxConnsPerHost:        opts.MaxConnsPerHost,
		MaxResponseHeaderBytes: 64 << 10,
	}
	g := &guard{next: t, allowLoopbackHTTP: opts.AllowLoopbackHTTP}
	if opts.Proxy != nil {
		proxy := *opts.Proxy
		t.Proxy = func(r *http.Request) (*url.URL, error) { return proxyFor(r.URL, &proxy), nil }
		g.refuse = CheckProxyURL(&proxy)
	}
	return &http.Client{
		Transport: g,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return ErrRedirect
		},
	}
}

func or[T comparable](v, def T) T {
	var zero T
	if v == zero {
		return def
	}
	return v
}

// proxyFor returns the proxy for a request to target: proxy for https,
// none for plain http (loopback only, by CheckURL), which must not cross a
// proxy in clear text.
func proxyFor(target, proxy *url.URL) *url.URL {
	if strings.EqualFold(target.Scheme, "https") {
		return proxy
	}
	return nil
}

// pinLocalhost returns d's DialContext, except that the name "localhost"
// is dialled as 127.0.0.1 and then ::1 instead of being resolved, so that
// plain http allowed to "localhost" cannot leave the machine whatever
// /etc/hosts, DNS or a search domain says.
func pinLocalhost(d *net.Dialer) func(ctx context.Context, network, addr string) (net.Conn, error) {
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		addrs := loopbackAddrs(addr)
		if addrs == nil {
			return d.DialContext(ctx, network, addr)
		}
		var err error
		for _, a := range addrs {
			var c net.Conn
			if c, err = d.DialContext(ctx, network, a); err == nil {
				return c, nil
			}
		}
		return nil, err
	}
}

// loopbackAddrs returns the addresses to dial for addr when its host is
// "localhost" (any case), and nil otherwise.
func loopbackAddrs(addr string) []string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil || !strings.EqualFold(host, "localhost") {
		return nil
	}
	return []string{net.JoinHostPort("127.0.0.1", port), net.JoinHostPort("::1", port)}
}

// guard refuses requests to URLs that CheckURL rejects, whatever built
// them, so that no code path can bypass claim TLS-2 with this client; with
// refuse set (an unsafe proxy), it refuses every request.
type guard struct {
	next              http.RoundTripper
	allowLoopbackHTTP bool
	refuse            error
}

func (g *guard) RoundTrip(r *http.Request) (*http.Response, error) {
	err := g.refuse
	if err == nil {
		err = CheckURL(r.URL, g.allowLoopbackHTTP)
	}
	if err != nil {
		if r.Body != nil {
			r.Body.Close()
		}
		return nil, err
	}
	return g.next.RoundTrip(r)
}

// CloseIdleConnections lets http.Client.CloseIdleConnections reach the pool.
func (g *guard) CloseIdleConnections() {
	if c, ok := g.next.(interface{ CloseIdleConnections() }); ok {
		c.CloseIdleConnections()
	}
}

// CheckURL enforces claim TLS-2 on an outbound URL: absolute, no
// credentials, https; plain http only when allowLoopbackHTTP is set and the
// host is a loopback address or "localhost" (which NewHTTPClient's client
// dials as a loopback address, never resolving it). The trust checks reuse
// it.
func CheckURL(u *url.URL, allowLoopbackHTTP bool) error {
	switch {
	case u == nil || !u.IsAbs() || u.Host == "" || u.Opaque != "":
		return fmt.Errorf("%w: not an absolute URL", ErrInsecureURL)
	case u.User != nil:
		return fmt.Errorf("%w: credentials in the URL", ErrInsecureURL)
	case strings.EqualFold(u.Scheme, "https"):
		return nil
	case strings.EqualFold(u.Scheme, "http") && allowLoopbackHTTP && IsLoopbackHost(u.Hostname()):
		return nil
	}
	return ErrInsecureURL
}

// CheckProxyURL reports whether u may serve as HTTPOptions.Proxy: an
// absolute https URL, or http to a loopback address or "localhost" (a
// local egress proxy, reached without leaving the machine). Credentials
// are allowed: proxies authenticate with them. A nil u (no proxy) is fine.
func CheckProxyURL(u *url.URL) error {
	switch {
	case u == nil:
		return nil
	case !u.IsAbs() || u.Host == "" || u.Opaque != "":
		return fmt.Errorf("%w: the proxy is not an absolute URL", ErrInsecureURL)
	case strings.EqualFold(u.Scheme, "https"):
		return nil
	case strings.EqualFold(u.Scheme, "http") && IsLoopbackHost(u.Hostname()):
		return nil
	}
	return fmt.Errorf("%w: the proxy must be https, or http to a loopback address", ErrInsecureURL)
}

// IsLoopbackHost reports whether host (without port or brackets) always
// names this machine.
func IsLoopbackHost(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
