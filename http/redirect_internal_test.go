package http

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

func TestRedirectLocation(t *testing.T) {
	tests := []struct {
		host, target, port string
		want               string // "" means rejected
	}{
		{"example.com", "/", "8443", "https://example.com:8443/"},
		{"example.com:8080", "/a/b?x=1&y=2", "8443", "https://example.com:8443/a/b?x=1&y=2"},
		{"Example.COM", "/", "443", "https://example.com/"},
		{"127.0.0.1:8080", "/notes?q=a%20b", "8443", "https://127.0.0.1:8443/notes?q=a%20b"},
		{"[::1]:8080", "/x", "8443", "https://[::1]:8443/x"},
		{"[::1]", "/x", "443", "https://[::1]/x"},
		{"[0:0::1]:80", "/", "8443", "https://[::1]:8443/"},
		{"xn--bcher-kva.example", "/", "443", "https://xn--bcher-kva.example/"},
		{"localhost:", "/", "8443", "https://localhost:8443/"},
		{"example.com", "//evil.com/x", "443", "https://example.com//evil.com/x"},
		{"example.com", "/%2F%2Fevil.com", "443", "https://example.com/%2F%2Fevil.com"},
		{"example.com", "/a%5Cb", "443", "https://example.com/a%5Cb"},
		{"example.com", "/?", "443", "https://example.com/?"},
		{"example.com", "*", "443", "https://example.com/"},
		// Rejected hosts.
		{"", "/", "443", ""},
		{"evil.com/x", "/", "443", ""},
		{"user@evil.com", "/", "443", ""},
		{"evil.com\\@good.com", "/", "443", ""},
		{"a b", "/", "443", ""},
		{"exa_mple.com", "/", "443", ""},
		{"example.com.", "/", "443", ""},
		{".example.com", "/", "443", ""},
		{"-example.com", "/", "443", ""},
		{"example-.com", "/", "443", ""},
		{"example.com:80:80", "/", "443", ""},
		{"example.com:http", "/", "443", ""},
		{"example.com:123456", "/", "443", ""},
		{"::1", "/", "443", ""},
		{"[::1", "/", "443", ""},
		{"[::1]x", "/", "443", ""},
		{"[127.0.0.1]", "/", "443", ""},
		{"[fe80::1%25eth0]", "/", "443", ""},
		{"1.2.3", "/", "443", ""},
		{"evil.0x7f", "/", "443", ""},
		{"bücher.example", "/", "443", ""},
		{strings.Repeat("a", 64) + ".com", "/", "443", ""},
		{strings.Repeat("a.", 130) + "com", "/", "443", ""},
	}
	for _, tt := range tests {
		t.Run(tt.host+" "+tt.target, func(t *testing.T) {
			u := parseTarget(t, tt.target)
			got, ok := redirectLocation(tt.host, u, tt.port)
			if ok != (tt.want != "") || got != tt.want {
				t.Errorf("redirectLocation(%q, %q) = %q, %v; want %q", tt.host, tt.target, got, ok, tt.want)
			}
		})
	}
}

func parseTarget(t *testing.T, target string) *url.URL {
	t.Helper()
	if target == "*" {
		return &url.URL{Path: "*"}
	}
	u, err := url.ParseRequestURI(target)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func TestRedirectHandler(t *testing.T) {
	h := redirectHandler("8443")
	for _, method := range []string{"GET", "POST", "DELETE"} {
		req := httptest.NewRequest(method, "http://example.com:8080/a?b=c", strings.NewReader("x"))
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusPermanentRedirect || rec.Header().Get("Location") != "https://example.com:8443/a?b=c" {
			t.Errorf("%s: %d %q", method, rec.Code, rec.Header().Get("Location"))
		}
		// Location and the security headers, no HSTS over plain HTTP, no body.
		if rec.Body.Len() != 0 || len(rec.Header()) != 1+len(securityHeaderSet) || rec.Header().Get("Strict-Transport-Security") != "" {
			t.Errorf("%s: redirect headers %v, body %q; want Location and the security headers only", method, rec.Header(), rec.Body)
		}
		for _, kv := range securityHeaderSet {
			if got := rec.Header().Get(kv[0]); got != kv[1] {
				t.Errorf("%s: redirect %s = %q, want %q", method, kv[0], got, kv[1])
			}
		}
	}
	req := httptest.NewRequest("GET", "/", nil)
	req.Host = "evil.com/x"
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusBadRequest || rec.Header().Get("Location") != "" {
		t.Errorf("bad host: %d %q", rec.Code, rec.Header().Get("Location"))
	}
}

// FuzzRedirectLocation checks that whatever the Host header and request
// target, the Location either is refused or points at the request's own
// host on the HTTPS port, both as Go parses it and as a browser would
// (which also ends the authority at a backslash).
func FuzzRedirectLocation(f *testing.F) {
	seeds := [][3]string{
		{"example.com", "/a/b", "x=1"},
		{"example.com:8080", "//evil.com", ""},
		{"[::1]:80", "/\\evil.com", "a#b"},
		{"evil.com\\@good.com", "/", ""},
		{"good.com", "/@evil.com", "@evil.com"},
		{"127.0.0.1", "/%2f%2fevil.com", "\r\nLocation: x"},
		{"GOOD.com", "/a b", "c d"},
	}
	for _, s := range seeds {
		f.Add(s[0], s[1], s[2])
	}
	f.Fuzz(func(t *testing.T, host, path, query string) {
		loc, ok := redirectLocation(host, &url.URL{Path: path, RawQuery: query}, "8443")
		if !ok {
			return
		}
		want, _ := redirectHost(host)
		for i := 0; i < len(loc); i++ {
			if c := loc[i]; c <= ' ' || c >= 0x7f {
				t.Fatalf("Location %q holds byte %#x", loc, c)
			}
		}
		u, err := url.Parse(loc)
		if err != nil {
			t.Fatalf("Location %q does not parse: %v", loc, err)
		}
		if u.Scheme != "https" || u.User != nil || u.Port() != "8443" {
			t.Fatalf("Location %q: scheme %q user %v port %q", loc, u.Scheme, u.User, u.Port())
		}
		if got := u.Hostname(); got != strings.Trim(want, "[]") || got != strings.ToLower(hostOnly(host)) && !strings.HasPrefix(host, "[") {
			t.Fatalf("Location %q points at %q for Host %q", loc, got, host)
		}
		rest := strings.TrimPrefix(loc, "https://")
		authority := rest[:strings.IndexAny(rest+"/", "/?#\\")]
		if authority != u.Host {
			t.Fatalf("Location %q: browser authority %q, Go host %q", loc, authority, u.Host)
		}
	})
}

// hostOnly strips a ":port" suffix from a non-bracketed Host header.
func hostOnly(host string) string {
	if i := strings.IndexByte(host, ':'); i >= 0 {
		return host[:i]
	}
	return host
}
