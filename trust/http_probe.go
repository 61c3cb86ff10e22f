package trust

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
)

// probeClient returns an HTTP client for the probes: no proxy (it must
// reach the server itself), no redirects followed, no connection reuse.
// serverName, when set, is the name the certificate must carry.
func probeClient(roots *x509.CertPool, serverName string) *http.Client {
	return &http.Client{
		Timeout: probeTimeout,
		Transport: identified{&http.Transport{
			Proxy:             nil,
			DialContext:       dialContext,
			TLSClientConfig:   &tls.Config{MinVersion: tls.VersionTLS12, RootCAs: roots, ServerName: serverName},
			DisableKeepAlives: true,
		}},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// ProbeUserAgent is the User-Agent of the checks' requests. The checks say
// who they are, as a well-behaved client does; the bot checks send the
// User-Agents of the bots they test instead.
const ProbeUserAgent = "Quire-Trust/1 (+/trust)"

// identified sets the probes' User-Agent and the Accept headers any
// ordinary client sends, unless a probe set its own (an empty
// User-Agent, set on purpose, is sent as none).
type identified struct{ rt http.RoundTripper }

// probeHeaders are the headers identified adds.
var probeHeaders = [][2]string{{"User-Agent", ProbeUserAgent}, {"Accept", "*/*"}, {"Accept-Language", "en"}}

// RoundTrip implements http.RoundTripper.
func (t identified) RoundTrip(r *http.Request) (*http.Response, error) {
	cloned := false
	for _, kv := range probeHeaders {
		if _, set := r.Header[kv[0]]; set {
			continue
		}
		if !cloned {
			r, cloned = r.Clone(r.Context()), true
		}
		r.Header.Set(kv[0], kv[1])
	}
	return t.rt.RoundTrip(r)
}

// get fetches u and returns the response with its body drained and closed.
func get(ctx context.Context, c *http.Client, u string) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, fmt.Errorf("build request: %w", err)
	}
	resp, err := c.Do(req)
	if err != nil {
		return nil, err
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20)) // drain for a clean close; the body is not needed
	resp.Body.Close()
	return resp, nil
}

// hstsProbes checks Strict-Transport-Security on a success and on a 404.
func hstsProbes(ctx context.Context, e *evidence, base *url.URL, roots *x509.CertPool, serverName string) {
	c := probeClient(roots, serverName)
	for _, p := range []struct{ path, what string }{
		{"healthz", "/healthz"},
		{"trust-check-missing-" + newMarker(), "a missing page"},
	} {
		resp, err := get(ctx, c, base.JoinPath(p.path).String())
		if err != nil {
			e.failf("HTTPS GET %s: %v", p.what, err)
			continue
		}
		checkHSTSHeader(e, p.what, resp)
	}
}

func checkHSTSHeader(e *evidence, what string, resp *http.Response) {
	vals := resp.Header.Values("Strict-Transport-Security")
	if len(vals) == 0 {
		e.failf("HSTS on %s (status %d): header missing", what, resp.StatusCode)
		return
	}
	h, err := parseHSTS(vals[0]) // RFC 6797 8.1: only the first header counts
	switch {
	case err != nil:
		e.failf("HSTS on %s (status %d): invalid header: %v", what, resp.StatusCode, err)
	case h.maxAge < hstsMinAge:
		e.failf("HSTS on %s (status %d): max-age=%d, want at least %d (one year)", what, resp.StatusCode, h.maxAge, hstsMinAge)
	case !h.includeSubDomains:
		e.failf("HSTS on %s (status %d): includeSubDomains missing", what, resp.StatusCode)
	default:
		e.notef("HSTS on %s (status %d): max-age=%d, includeSubDomains", what, resp.StatusCode, h.maxAge)
	}
}

// redirectProbe checks that the plain-HTTP listener answers with a
// permanent redirect to the same path and query on https.
func redirectProbe(ctx context.Context, e *evidence, httpURL string) {
	u, err := url.Parse(httpURL)
	if err != nil || u.Scheme != "http" || u.Host == "" {
		e.failf("plain HTTP: the redirect listener URL must be an absolute http:// URL")
		return
	}
	target := u.JoinPath("healthz")
	if !strings.HasPrefix(target.Path, "/") { // JoinPath on an empty path
		target.Path = "/" + target.Path
	}
	target.RawQuery = "x=1"
	resp, err := get(ctx, probeClient(nil, ""), target.String())
	if err != nil {
		e.failf("plain HTTP GET /healthz?x=1: %v", err)
		return
	}
	loc, err := url.Parse(resp.Header.Get("Location"))
	switch {
	case resp.StatusCode != http.StatusPermanentRedirect:
		e.failf("plain HTTP GET /healthz?x=1: status %d, want 308", resp.StatusCode)
	case err != nil || loc.Scheme != "https" || loc.Host == "":
		e.failf("plain HTTP GET /healthz?x=1: 308 without an absolute https:// Location")
	case loc.Path != target.Path || loc.RawQuery != target.RawQuery:
		e.failf("plain HTTP GET /healthz?x=1: redirected to another path or query (%s)", loc.Redacted())
	default:
		e.notef("plain HTTP GET /healthz?x=1: 308 to %s", loc.Redacted())
	}
}
