package bot

import (
	"net/http"
	"strings"
	"testing"
)

// browserHeaders are the headers of a real Chrome navigation.
func browserHeaders() http.Header {
	return http.Header{
		"User-Agent":      {browserUAs[0]},
		"Accept":          {"text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"},
		"Accept-Language": {"en-US,en;q=0.9"},
		"Sec-Ch-Ua":       {`"Google Chrome";v="131", "Chromium";v="131", "Not_A Brand";v="24"`},
	}
}

// with returns browserHeaders changed by f.
func with(f func(h http.Header)) http.Header {
	h := browserHeaders()
	f(h)
	return h
}

func TestReadSignals(t *testing.T) {
	cases := []struct {
		name   string
		method string
		h      http.Header
		want   Signal
		tool   string
	}{
		{"browser", "GET", browserHeaders(), 0, ""},
		{"browser POST", "POST", browserHeaders(), 0, ""},
		{"no user agent", "GET", with(func(h http.Header) { h.Del("User-Agent") }), NoUserAgent, ""},
		{"blank user agent", "GET", with(func(h http.Header) { h.Set("User-Agent", "  ") }), NoUserAgent, ""},
		{"two user agents", "GET", with(func(h http.Header) { h.Add("User-Agent", "curl/8") }), ManyUserAgents, ""},
		{"long user agent", "GET", with(func(h http.Header) { h.Set("User-Agent", "Mozilla/5.0 "+strings.Repeat("a", MaxUserAgent)) }), LongUserAgent, ""},
		{"bare browser", "GET", with(func(h http.Header) { h.Del("Accept"); h.Del("Accept-Language") }), BareBrowser, ""},
		{"bare browser HEAD", "HEAD", with(func(h http.Header) { h.Del("Accept"); h.Del("Accept-Language") }), BareBrowser, ""},
		{"bare browser POST is not judged", "POST", with(func(h http.Header) { h.Del("Accept"); h.Del("Accept-Language") }), 0, ""},
		{"websocket handshake: no Accept", "GET", with(func(h http.Header) { h.Del("Accept") }), 0, ""},
		{"no Accept-Language alone", "GET", with(func(h http.Header) { h.Del("Accept-Language") }), 0, ""},
		{"bare non-browser is left to signatures", "GET", http.Header{"User-Agent": {"MyApp/1.0"}}, 0, ""},
		{"headless client hint", "GET", with(func(h http.Header) {
			h.Set("Sec-Ch-Ua", `"HeadlessChrome";v="120", "Chromium";v="120", "Not?A_Brand";v="99"`)
		}), HeadlessHint, ""},
		{"headless hint past the bound", "GET", with(func(h http.Header) {
			h.Set("Sec-Ch-Ua", strings.Repeat(" ", maxHint)+`"HeadlessChrome";v="120"`)
		}), 0, ""},
		{"acunetix header", "GET", with(func(h http.Header) { h.Set("Acunetix-Product", "WVS/10.0") }), ToolHeader, "Acunetix"},
		{"x-scanner header", "GET", with(func(h http.Header) { h.Set("X-Scanner", "Netsparker") }), ToolHeader, "X-Scanner"},
		{"postman", "GET", with(func(h http.Header) { h.Set("Postman-Token", "0f0e") }), ToolHeader, "Postman"},
		{"several at once", "GET", http.Header{"Sec-Ch-Ua": {`"HeadlessChrome";v="1"`}}, NoUserAgent | HeadlessHint, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := &http.Request{Method: c.method, Header: c.h}
			got, ua, hs := readSignals(r)
			if got != c.want {
				t.Errorf("signals = %s, want %s", got, c.want)
			}
			if ua != c.h.Get("User-Agent") {
				t.Errorf("ua = %q", ua)
			}
			tool := ""
			if hs != nil {
				tool = hs.name
			}
			if tool != c.tool {
				t.Errorf("tool = %q, want %q", tool, c.tool)
			}
		})
	}
}

func TestSignalString(t *testing.T) {
	cases := map[Signal]string{
		0:                          "",
		NoUserAgent:                "no_user_agent",
		BareBrowser | HeadlessHint: "bare_browser,headless_hint",
		ToolHeader:                 "tool_header",
	}
	for s, want := range cases {
		if got := s.String(); got != want {
			t.Errorf("%d.String() = %q, want %q", s, got, want)
		}
	}
	if n := len(signalNames); 1<<(n-1) != int(ToolHeader) {
		t.Errorf("%d signal names for the last signal %d", n, ToolHeader)
	}
}

func TestHeaderSignaturesCanonical(t *testing.T) {
	for _, h := range headerSignatures {
		if http.CanonicalHeaderKey(h.header) != h.header {
			t.Errorf("%q is not canonical", h.header)
		}
		if !h.category.Valid() || h.name == "" {
			t.Errorf("%+v", h)
		}
	}
}
