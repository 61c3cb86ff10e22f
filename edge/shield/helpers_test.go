package shield

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/quirehq/quire/internal/fakeclock"
)

// fakeClock is a manual clock shared by a test and the box under test.
type fakeClock = fakeclock.Clock

func newFakeClock() *fakeClock { return fakeclock.New() }

// shields caches compiled shields by configuration: compiling the CRS takes
// about a second, and most tests share a few configurations.
var shields sync.Map

// mustShield returns a shield for cfg (without the pre-filter when pre is
// false). Shields are shared: a test that needs its own penalty box or
// clock calls New itself.
func mustShield(tb testing.TB, cfg Config, pre bool) *Shield {
	tb.Helper()
	key := fmt.Sprintf("%+v|%v|%v", cfg.WithDefaults(), cfg.On(), pre)
	if s, ok := shields.Load(key); ok {
		return s.(*Shield)
	}
	s, err := New(cfg, WithPrefilter(pre))
	if err != nil {
		tb.Fatalf("New: %v", err)
	}
	actual, _ := shields.LoadOrStore(key, s)
	return actual.(*Shield)
}

// browserHeaders are what a current Chrome sends for a same-origin page
// load, minus the cookie.
var browserHeaders = [][2]string{
	{"User-Agent", "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36"},
	{"Accept", "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,*/*;q=0.8,application/signed-exchange;v=b3;q=0.7"},
	{"Accept-Language", "en-US,en;q=0.9"},
	{"Accept-Encoding", "gzip, deflate, br, zstd"},
	{"Sec-Ch-Ua", `"Not/A)Brand";v="8", "Chromium";v="126", "Google Chrome";v="126"`},
	{"Sec-Ch-Ua-Mobile", "?0"},
	{"Sec-Ch-Ua-Platform", `"Linux"`},
	{"Sec-Fetch-Site", "same-origin"},
	{"Sec-Fetch-Mode", "navigate"},
	{"Sec-Fetch-User", "?1"},
	{"Sec-Fetch-Dest", "document"},
	{"Upgrade-Insecure-Requests", "1"},
	{"Priority", "u=0, i"},
}

// sessionCookie is a session cookie as the server issues it (base64url of
// 32 random bytes).
const sessionCookie = "__Host-quire_session=Zk3xT9vQ2mLpR7sW4nB8yC1dF6gH0jK5aE3uI9oP2qA"

// req builds a server-side request from a remote client, with browser
// headers unless hdrs replaces them (nil keeps them; a header with an empty
// value removes it).
func req(method, target, body string, hdrs ...[2]string) *http.Request {
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	r := httptest.NewRequest(method, target, rd)
	r.RemoteAddr = "203.0.113.9:50123"
	r.Host = "quire.example.com"
	for _, h := range browserHeaders {
		r.Header.Set(h[0], h[1])
	}
	for _, h := range hdrs {
		if h[1] == "" {
			r.Header.Del(h[0])
			continue
		}
		r.Header.Set(h[0], h[1])
	}
	return r
}

// apiHeaders turn a browser request into a same-origin fetch of JSON.
var apiHeaders = [][2]string{
	{"Accept", "application/json"},
	{"Content-Type", "application/json"},
	{"Sec-Fetch-Mode", "cors"},
	{"Sec-Fetch-Dest", "empty"},
	{"Sec-Fetch-User", ""},
	{"Upgrade-Insecure-Requests", ""},
	{"Origin", "https://quire.example.com"},
	{"Cookie", sessionCookie},
}

// formHeaders turn a browser request into a form post.
var formHeaders = [][2]string{
	{"Content-Type", "application/x-www-form-urlencoded"},
	{"Origin", "https://quire.example.com"},
}
