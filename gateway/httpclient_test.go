package gateway

import (
	"crypto/tls"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
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

func TestHTTPClientIgnoresProxyEnvironment(t *testing.T) {
	proxied := false
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { proxied = true }))
	defer proxy.Close()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer srv.Close()
	t.Setenv("HTTP_PROXY", proxy.URL)
	t.Setenv("HTTPS_PROXY", proxy.URL)
	t.Setenv("NO_PROXY", "")
	// httptest URLs are 127.0.0.1, which the standard library never
	// proxies; a name that resolves to loopback is proxied when allowed.
	u := strings.Replace(srv.URL, "127.0.0.1", "localhost", 1)
	resp, err := NewHTTPClient(HTTPOptions{AllowLoopbackHTTP: true}).Get(u)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if proxied {
		t.Fatal("the environment's proxy was used")
	}
	pu, _ := url.Parse(proxy.URL)
	resp, err = NewHTTPClient(HTTPOptions{AllowLoopbackHTTP: true, Proxy: pu}).Get(u)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if !proxied {
		t.Fatal("the configured proxy was not used")
	}
}
