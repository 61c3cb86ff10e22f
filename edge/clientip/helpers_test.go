package clientip

import (
	"net/http"
	"net/netip"
	"testing"
)

// testProxies are the trusted proxies of most tests. The last one is an
// IPv4-mapped form of 172.16.0.0/12.
var testProxies = []string{"10.0.0.0/8", "192.168.1.1", "2001:db8:ffff::/48", "::ffff:172.16.0.0/108"}

// mustNew returns a Resolver for opts or fails the test.
func mustNew(t testing.TB, opts Options) *Resolver {
	t.Helper()
	r, err := New(opts)
	if err != nil {
		t.Fatalf("New(%+v): %v", opts, err)
	}
	return r
}

// request returns a request from remote carrying h.
func request(remote string, h http.Header) *http.Request {
	req := &http.Request{RemoteAddr: remote, Header: http.Header{}}
	for k, vs := range h {
		req.Header[k] = append([]string(nil), vs...)
	}
	return req
}

// addr parses s, or returns the zero Addr for "".
func addr(t testing.TB, s string) netip.Addr {
	t.Helper()
	if s == "" {
		return netip.Addr{}
	}
	return netip.MustParseAddr(s)
}

// xff is a header with the given X-Forwarded-For lines.
func xff(lines ...string) http.Header {
	return http.Header{"X-Forwarded-For": lines}
}
