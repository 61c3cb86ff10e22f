package gateway

import (
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
	// headers only when the whole answer is ready). Providers bound total
	// time with their own, shorter timeouts.
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
	// variables are never read.
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
// and CheckURL applied to every request it sends. It sets no overall
// timeout, so that streams can run; providers bound each call with a
// context.
func NewHTTPClient(opts HTTPOptions) *http.Client {
	dialer := &net.Dialer{Timeout: or(opts.DialTimeout, 10*time.Second), KeepAlive: 30 * time.Second}
	t := &http.Transport{
		DialContext:            dialer.DialContext,
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
	if opts.Proxy != nil {
		t.Proxy = http.ProxyURL(opts.Proxy)
	}
	return &http.Client{
		Transport: &guard{next: t, allowLoopbackHTTP: opts.AllowLoopbackHTTP},
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

// guard refuses requests to URLs that CheckURL rejects, whatever built
// them, so that no code path can bypass claim TLS-2 with this client.
type guard struct {
	next              http.RoundTripper
	allowLoopbackHTTP bool
}

func (g *guard) RoundTrip(r *http.Request) (*http.Response, error) {
	if err := CheckURL(r.URL, g.allowLoopbackHTTP); err != nil {
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
// host is a loopback address or "localhost". The trust checks reuse it.
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

// IsLoopbackHost reports whether host (without port or brackets) always
// names this machine.
func IsLoopbackHost(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
