package gateway

import (
	"context"
	"crypto/tls"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func TestCheckURL(t *testing.T) {
	tests := []struct {
		url      string
		loopback bool
		ok       bool
	}{
		{"https://api.example.com/v1", false, true},
		{"HTTPS://api.example.com/v1", false, true},
		{"http://api.example.com/v1", true, false},
		{"http://127.0.0.1:8080/v1", false, false},
		{"http://127.0.0.1:8080/v1", true, true},
		{"http://[::1]:8080/v1", true, true},
		{"http://localhost:11434/v1", true, true},
		{"http://LOCALHOST:1/", true, true}, // dialled as loopback, never resolved
		{"HtTp://127.0.0.1/", true, true},
		{"http://127.255.255.254/", true, true},
		{"http://[::ffff:127.0.0.1]/", true, true}, // IPv4-mapped loopback is loopback
		{"http://[::ffff:7f00:1]/", true, true},
		{"http://[::ffff:10.0.0.1]/", true, false},
		{"http://localhost.evil.com/", true, false},
		{"http://localhost./", true, false},
		{"http://evil.localhost/", true, false},
		{"http://127.1/", true, false},
		{"http://2130706433/", true, false},
		{"http://0.0.0.0/", true, false},
		{"http://[::]/", true, false},
		{"http://[::1%25lo]/", true, false},
		{"http://foo@127.0.0.1/", true, false},
		{"http://127.0.0.1:80@evil.com/", true, false},
		{"http://127.0.0.1.nip.example/v1", true, false},
		{"http://10.0.0.1/v1", true, false},
		{"https://user:pass@api.example.com/v1", false, false},
		{"ftp://api.example.com", true, false},
		{"/relative", true, false},
		{"https:opaque", false, false},
	}
	for _, tt := range tests {
		u, err := url.Parse(tt.url)
		if err != nil {
			t.Fatal(err)
		}
		err = CheckURL(u, tt.loopback)
		if (err == nil) != tt.ok || (err != nil && !errors.Is(err, ErrInsecureURL)) {
			t.Errorf("CheckURL(%s, %v) = %v, want ok=%v", tt.url, tt.loopback, err, tt.ok)
		}
	}
	if CheckURL(nil, true) == nil {
		t.Error("nil URL accepted")
	}
}

func TestHTTPClientRefusesPlainHTTP(t *testing.T) {
	hit := false
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hit = true }))
	defer srv.Close()

	c := NewHTTPClient(HTTPOptions{})
	if _, err := c.Get(srv.URL); !errors.Is(err, ErrInsecureURL) {
		t.Fatalf("plain http without AllowLoopbackHTTP: %v", err)
	}
	if hit {
		t.Fatal("the request reached the server")
	}
	c = NewHTTPClient(HTTPOptions{AllowLoopbackHTTP: true})
	resp, err := c.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if !hit {
		t.Fatal("loopback http in development was refused")
	}
}

func TestHTTPClientTLSAndRedirects(t *testing.T) {
	var other = httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t.Error("redirect followed")
	}))
	defer other.Close()
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.TLS == nil || r.TLS.Version < tls.VersionTLS12 {
			t.Errorf("TLS state %+v", r.TLS)
		}
		if r.URL.Path == "/redirect" {
			http.Redirect(w, r, other.URL, http.StatusFound)
			return
		}
		io.WriteString(w, r.Proto)
	}))
	srv.EnableHTTP2 = true
	srv.StartTLS()
	defer srv.Close()

	c := NewHTTPClient(HTTPOptions{RootCAs: srv.Client().Transport.(*http.Transport).TLSClientConfig.RootCAs})
	resp, err := c.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	proto, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(proto) != "HTTP/2.0" {
		t.Errorf("protocol %s, want HTTP/2.0 when the server offers it", proto)
	}
	if _, err := c.Get(srv.URL + "/redirect"); !errors.Is(err, ErrRedirect) {
		t.Errorf("redirect: %v", err)
	}
}

// transportOf returns the *http.Transport under c's guard.
func transportOf(t *testing.T, c *http.Client) *http.Transport {
	t.Helper()
	g, ok := c.Transport.(*guard)
	if !ok {
		t.Fatalf("transport %T is not the guard", c.Transport)
	}
	tr, ok := g.next.(*http.Transport)
	if !ok {
		t.Fatalf("guarded transport %T", g.next)
	}
	return tr
}

func TestHTTPClientIgnoresProxyEnvironment(t *testing.T) {
	t.Setenv("HTTP_PROXY", "http://127.0.0.1:1")
	t.Setenv("HTTPS_PROXY", "http://127.0.0.1:1")
	t.Setenv("NO_PROXY", "")
	// Without a configured proxy the transport has no proxy function at
	// all, so the environment can never be consulted.
	if tr := transportOf(t, NewHTTPClient(HTTPOptions{AllowLoopbackHTTP: true})); tr.Proxy != nil {
		t.Fatal("a proxy function is set without a configured proxy")
	}
}

func TestHTTPClientProxyOnlyForHTTPS(t *testing.T) {
	pu, _ := url.Parse("https://proxy.example:3128")
	tr := transportOf(t, NewHTTPClient(HTTPOptions{AllowLoopbackHTTP: true, Proxy: pu}))
	for target, want := range map[string]*url.URL{
		"https://api.example.com/v1": pu,
		"HTTPS://api.example.com/v1": pu,
		"http://127.0.0.1:8080/v1":   nil,
		"http://localhost:8080/v1":   nil,
	} {
		got, err := tr.Proxy(httptest.NewRequest(http.MethodPost, target, nil))
		if err != nil || (got == nil) != (want == nil) || (got != nil && *got != *want) {
			t.Errorf("proxy for %s = %v, %v; want %v", target, got, err, want)
		}
	}
}

// TestHTTPClientNeverProxiesPlainHTTP sends a development request (plain
// http to loopback) with a proxy configured: it must go straight to the
// target, not in clear text through the proxy.
func TestHTTPClientNeverProxiesPlainHTTP(t *testing.T) {
	var proxied atomic.Bool
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { proxied.Store(true) }))
	defer proxy.Close()
	var direct atomic.Bool
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { direct.Store(true) }))
	defer srv.Close()
	pu, _ := url.Parse(proxy.URL)
	for _, target := range []string{srv.URL, strings.Replace(srv.URL, "127.0.0.1", "localhost", 1)} {
		direct.Store(false)
		req, _ := http.NewRequest(http.MethodPost, target, strings.NewReader(`{"messages":"PROMPT"}`))
		req.Header.Set("Authorization", "Bearer sk-CANARY")
		resp, err := NewHTTPClient(HTTPOptions{AllowLoopbackHTTP: true, Proxy: pu}).Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if proxied.Load() || !direct.Load() {
			t.Fatalf("%s: proxied %v, reached the target %v", target, proxied.Load(), direct.Load())
		}
	}
}

func TestCheckProxyURL(t *testing.T) {
	tests := []struct {
		url string
		ok  bool
	}{
		{"https://proxy.example:3128", true},
		{"https://user:pass@proxy.example:3128", true},
		{"http://127.0.0.1:3128", true},
		{"http://[::1]:3128", true},
		{"http://localhost:3128", true},
		{"http://proxy.example:3128", false}, // the CONNECT and its credentials in clear text
		{"http://10.0.0.1:3128", false},
		{"socks5://127.0.0.1:1080", false},
		{"proxy.example:3128", false},
		{"/relative", false},
	}
	for _, tt := range tests {
		u, err := url.Parse(tt.url)
		if err != nil {
			t.Fatal(err)
		}
		if err := CheckProxyURL(u); (err == nil) != tt.ok || (err != nil && !errors.Is(err, ErrInsecureURL)) {
			t.Errorf("CheckProxyURL(%s) = %v, want ok=%v", tt.url, err, tt.ok)
		}
	}
	if CheckProxyURL(nil) != nil {
		t.Error("no proxy refused")
	}
}

// TestHTTPClientRefusesUnsafeProxy: a client built with an unsafe proxy
// fails closed, for every request, and says nothing about the proxy URL
// (which may carry credentials).
func TestHTTPClientRefusesUnsafeProxy(t *testing.T) {
	hit := false
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hit = true }))
	defer srv.Close()
	pu, _ := url.Parse("http://user:CANARY@proxy.example:3128")
	c := NewHTTPClient(HTTPOptions{AllowLoopbackHTTP: true, Proxy: pu})
	for _, target := range []string{srv.URL, "https://api.example.com/v1"} {
		_, err := c.Get(target)
		if !errors.Is(err, ErrInsecureURL) || strings.Contains(err.Error(), "CANARY") {
			t.Fatalf("%s: %v", target, err)
		}
	}
	if hit {
		t.Fatal("a request was sent")
	}
}

func TestLoopbackAddrs(t *testing.T) {
	for addr, want := range map[string][]string{
		"localhost:8080":       {"127.0.0.1:8080", "[::1]:8080"},
		"LocalHost:1":          {"127.0.0.1:1", "[::1]:1"},
		"localhost.evil.com:1": nil,
		"127.0.0.1:80":         nil,
		"api.example.com:443":  nil,
		"localhost":            nil, // no port: not a dial address
	} {
		if got := loopbackAddrs(addr); !reflect.DeepEqual(got, want) {
			t.Errorf("loopbackAddrs(%s) = %v, want %v", addr, got, want)
		}
	}
}

// TestPinLocalhostDials proves the dial path uses the pinned addresses: a
// dialer whose resolver always fails still reaches a loopback server named
// "localhost".
func TestPinLocalhostDials(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		if c, err := ln.Accept(); err == nil {
			c.Close()
		}
	}()
	noDNS := &net.Resolver{PreferGo: true, Dial: func(context.Context, string, string) (net.Conn, error) {
		return nil, errors.New("no resolver in this test")
	}}
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	d := &net.Dialer{Resolver: noDNS, Timeout: 5 * time.Second}
	c, err := pinLocalhost(d)(context.Background(), "tcp", "localhost:"+port)
	if err != nil {
		t.Fatalf("dial localhost: %v", err)
	}
	c.Close()
	if _, err := pinLocalhost(d)(context.Background(), "tcp", "quire-test.invalid:"+port); err == nil {
		t.Fatal("a name was resolved by a resolver that always fails")
	}
}
