package trust

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"net"
	"net/url"
	"strings"
	"time"
)

// probeTimeout bounds each connection and request a probe makes: long
// enough for a sign-up (a memory-hard password hash) on a busy machine.
const probeTimeout = 15 * time.Second

// hstsMinAge is one year, in seconds.
const hstsMinAge = 365 * 24 * 60 * 60

// cbcSuites are the TLS 1.2 CBC-mode suites: a server that accepts any of
// them offers a non-AEAD cipher.
var cbcSuites = []uint16{
	tls.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA, tls.TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA,
	tls.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA, tls.TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA,
	tls.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256, tls.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256,
	tls.TLS_RSA_WITH_AES_128_CBC_SHA, tls.TLS_RSA_WITH_AES_256_CBC_SHA,
	tls.TLS_RSA_WITH_AES_128_CBC_SHA256,
}

// checkTLS1 probes the live server's TLS versions and cipher suites, its
// HSTS header and the plain-HTTP redirect.
func checkTLS1(ctx context.Context, env *Env) (Status, []string) {
	var e evidence
	if env.URL == "" {
		e.failf("no server URL given; run with --url")
		return e.result()
	}
	u, err := url.Parse(env.URL)
	if err != nil || u.Scheme != "https" || u.Host == "" {
		e.failf("the server URL must be an absolute https:// URL")
		return e.result()
	}
	port := u.Port()
	if port == "" {
		port = "443"
	}
	addr := net.JoinHostPort(u.Hostname(), port)
	if !tlsVersions(ctx, &e, addr, env.tlsName(u), env.RootCAs) {
		return e.result()
	}
	hstsProbes(ctx, &e, u, env.RootCAs, env.ServerName)
	if env.HTTPURL == "" {
		e.notef("plain HTTP: no redirect listener configured, nothing to probe")
	} else {
		redirectProbe(ctx, &e, env.HTTPURL)
	}
	return e.result()
}

// tlsVersions runs the four handshake probes. It reports false when the
// server could not be reached at all, since the other probes would then
// only repeat that.
func tlsVersions(ctx context.Context, e *evidence, addr, name string, roots *x509.CertPool) bool {
	verified := func(v uint16) *tls.Config {
		return &tls.Config{MinVersion: v, MaxVersion: v, ServerName: name, RootCAs: roots}
	}
	st, err := handshake(ctx, addr, verified(tls.VersionTLS12))
	var de *dialError
	if errors.As(err, &de) {
		e.failf("could not connect to %s: %v", addr, de.err)
		return false
	}
	switch suite := tls.CipherSuiteName(st.CipherSuite); {
	case err != nil:
		e.failf("TLS 1.2 client: handshake failed: %v", err)
	case !aead(suite):
		e.failf("TLS 1.2 client: negotiated %s, which is not an AEAD suite", suite)
	default:
		e.notef("TLS 1.2 client: accepted, certificate verified, cipher suite %s (AEAD)", suite)
	}
	if st, err := handshake(ctx, addr, verified(tls.VersionTLS13)); err != nil {
		e.failf("TLS 1.3 client: handshake failed: %v", err)
	} else {
		e.notef("TLS 1.3 client: accepted, certificate verified, cipher suite %s", tls.CipherSuiteName(st.CipherSuite))
	}
	// The refusal probes skip certificate verification on purpose: they ask
	// only whether the server agrees to the protocol, and send nothing.
	old := &tls.Config{MinVersion: tls.VersionTLS10, MaxVersion: tls.VersionTLS11, ServerName: name, InsecureSkipVerify: true} //nolint:gosec // refusal probe, see above
	mustRefuse(ctx, e, addr, old, "TLS 1.1 client (versions 1.0 and 1.1)")
	cbc := &tls.Config{MinVersion: tls.VersionTLS12, MaxVersion: tls.VersionTLS12, CipherSuites: cbcSuites, ServerName: name, InsecureSkipVerify: true} //nolint:gosec // refusal probe, see above
	mustRefuse(ctx, e, addr, cbc, "TLS 1.2 client offering only CBC cipher suites")
	return true
}

func mustRefuse(ctx context.Context, e *evidence, addr string, cfg *tls.Config, what string) {
	st, err := handshake(ctx, addr, cfg)
	var de *dialError
	switch {
	case errors.As(err, &de):
		e.failf("%s: could not connect: %v", what, de.err)
	case err == nil:
		e.failf("%s: accepted (%s, %s); it must be refused", what, tls.VersionName(st.Version), tls.CipherSuiteName(st.CipherSuite))
	default:
		e.notef("%s: refused (%v)", what, err)
	}
}

// dialError marks a failure to reach the server, as opposed to a refused
// handshake.
type dialError struct{ err error }

func (d *dialError) Error() string { return "dial: " + d.err.Error() }
func (d *dialError) Unwrap() error { return d.err }

// handshake connects to addr and runs a TLS handshake with cfg.
func handshake(ctx context.Context, addr string, cfg *tls.Config) (tls.ConnectionState, error) {
	ctx, cancel := context.WithTimeout(ctx, probeTimeout)
	defer cancel()
	raw, err := dialerFrom(ctx).DialContext(ctx, "tcp", addr)
	if err != nil {
		return tls.ConnectionState{}, &dialError{err}
	}
	defer raw.Close()
	c := tls.Client(raw, cfg)
	if err := c.HandshakeContext(ctx); err != nil {
		return tls.ConnectionState{}, err
	}
	return c.ConnectionState(), nil
}

// aead reports whether a cipher suite (by its standard name) is an AEAD.
func aead(suite string) bool {
	return strings.Contains(suite, "_GCM_") || strings.HasSuffix(suite, "_GCM") || strings.Contains(suite, "CHACHA20_POLY1305")
}
