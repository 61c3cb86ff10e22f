package bot

import (
	"context"
	"net/http"
	"net/netip"
	"slices"
	"testing"
)

// TestClassify is the table of whole requests: User-Agent, headers and
// address together.
func TestClassify(t *testing.T) {
	dns := newFakeDNS()
	dns.set(googleIP, googlePTR, googleIP)
	dns.set("17.58.101.1", "17-58-101-1.applebot.apple.com.", "17.58.101.1")
	d := mustNew(t, DefaultConfig(), WithResolver(dns))
	stranger := "198.51.100.7"
	cases := []struct {
		name string
		req  *http.Request
		ip   string
		cat  Category
		sig  string // expected Name
		sigs Signal
	}{
		{"chrome", uaRequest(browserUAs[0]), stranger, Human, "", 0},
		{"firefox", uaRequest(browserUAs[3]), stranger, Human, "", 0},
		{"safari iphone", uaRequest(browserUAs[10]), stranger, Human, "", 0},
		{"googlebot genuine", uaRequest(googlebotUA), googleIP, SearchEngine, "Googlebot", 0},
		{"googlebot spoofed", uaRequest(googlebotUA), stranger, Spoofed, "Googlebot", 0},
		{"applebot genuine", uaRequest("Mozilla/5.0 (compatible; Applebot/0.1; +http://www.apple.com/go/applebot)"), "17.58.101.1", SearchEngine, "Applebot", 0},
		{"gptbot", uaRequest("Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; GPTBot/1.2; +https://openai.com/gptbot)"), stranger, AICrawler, "GPTBot", 0},
		{"curl", &http.Request{Method: "GET", Header: http.Header{"User-Agent": {"curl/8.5.0"}, "Accept": {"*/*"}}}, stranger, Scraper, "curl", 0},
		{"no user agent", uaRequest(""), stranger, Automated, "", NoUserAgent},
		{"bare browser", &http.Request{Method: "GET", Header: http.Header{"User-Agent": {browserUAs[0]}}}, stranger, Automated, "", BareBrowser},
		{"headless by UA", uaRequest("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/131.0.0.0 Safari/537.36"), stranger, Headless, "HeadlessChrome", 0},
		{"headless by client hint only", func() *http.Request {
			r := uaRequest(browserUAs[0])
			r.Header.Set("Sec-Ch-Ua", `"HeadlessChrome";v="131", "Chromium";v="131"`)
			return r
		}(), stranger, Headless, "HeadlessChrome", HeadlessHint},
		{"acunetix behind a browser UA", func() *http.Request {
			r := uaRequest(browserUAs[0])
			r.Header.Set("Acunetix-Product", "WVS/10.0")
			return r
		}(), stranger, SecurityScanner, "Acunetix", ToolHeader},
		{"signature wins over header signals", func() *http.Request {
			r := uaRequest("sqlmap/1.7")
			r.Header.Set("Postman-Token", "x")
			return r
		}(), stranger, SecurityScanner, "sqlmap", ToolHeader},
		{"long UA with a bot at its start", uaRequest("python-requests/2.31 " + string(make([]byte, MaxUserAgent))), stranger, Scraper, "python-requests", LongUserAgent},
		{"long browser-like UA", uaRequest(browserUAs[0] + string(make([]byte, MaxUserAgent))), stranger, Automated, "", LongUserAgent},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res := d.Classify(context.Background(), c.req, netip.MustParseAddr(c.ip))
			if res.Category != c.cat || res.Name != c.sig || res.Signals != c.sigs {
				t.Errorf("Classify = %+v, want %s %q signals %s", res, c.cat, c.sig, c.sigs)
			}
		})
	}
}

// TestDetectorDecide runs the default policy end to end: classes that
// allow everything are not classified (so no DNS is asked).
func TestDetectorDecide(t *testing.T) {
	dns := newFakeDNS()
	dns.set(googleIP, googlePTR, googleIP)
	d := mustNew(t, DefaultConfig(), WithResolver(dns))
	ctx := context.Background()
	google, stranger := netip.MustParseAddr(googleIP), netip.MustParseAddr("198.51.100.7")
	if dec := d.Decide(ctx, Static, uaRequest(googlebotUA), stranger); dec.Action != Allow || dns.ptrCalls.Load() != 0 {
		t.Errorf("static: %+v, %d lookups", dec, dns.ptrCalls.Load())
	}
	if dec := d.Decide(ctx, Public, uaRequest(googlebotUA), google); dec.Action != Allow || !dec.Verified {
		t.Errorf("public genuine googlebot: %+v", dec)
	}
	if dec := d.Decide(ctx, Public, uaRequest(googlebotUA), stranger); dec.Action != Deny || dec.Category != Spoofed {
		t.Errorf("public spoofed googlebot: %+v", dec)
	}
	if dec := d.Decide(ctx, Page, uaRequest(googlebotUA), google); dec.Action != Deny {
		t.Errorf("page genuine googlebot: %+v", dec)
	}
	if n := dns.ptrCalls.Load(); n != 2 {
		t.Errorf("%d lookups, want 2 (the public ones)", n)
	}
	if dec := d.Decide(ctx, Public, uaRequest("Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)"), stranger); dec.Action != Allow {
		t.Errorf("public slackbot: %+v", dec)
	}
	if dec := d.Decide(ctx, Auth, uaRequest(browserUAs[5]), stranger); dec.Action != Allow || dec.Category != Human {
		t.Errorf("auth browser: %+v", dec)
	}
}

// TestDecideChecksClaimsOnlyWhenItMatters sends Googlebot claims, genuine
// and fake, to every route class: DNS is asked only where the policy gives
// a verified Googlebot another action than a fake one, and the action is
// the same as if the claim had been checked.
func TestDecideChecksClaimsOnlyWhenItMatters(t *testing.T) {
	odd := DefaultConfig() // unchecked search engines allowed, verified ones denied
	odd.Routes = map[string]RouteConfig{"page": {Allow: []string{"search_engine"}, Deny: []string{"verified_search_engine"}}}
	open := DefaultConfig()
	open.Routes = map[string]RouteConfig{"page": {Allow: []string{"verified_search_engine"}}}
	cases := []struct {
		name    string
		cfg     Config
		class   RouteClass
		ip      string
		lookups int32
		cat     Category
		out     Verification
		action  Action
	}{
		{"page, genuine", DefaultConfig(), Page, googleIP, 0, SearchEngine, Unchecked, Deny},
		{"page, fake", DefaultConfig(), Page, "198.51.100.7", 0, SearchEngine, Unchecked, Deny},
		{"auth, fake", DefaultConfig(), Auth, "198.51.100.7", 0, SearchEngine, Unchecked, Deny},
		{"unknown class, fake", DefaultConfig(), "admin", "198.51.100.7", 0, SearchEngine, Unchecked, Deny},
		{"public, genuine", DefaultConfig(), Public, googleIP, 1, SearchEngine, ByDNS, Allow},
		{"public, fake", DefaultConfig(), Public, "198.51.100.7", 1, Spoofed, NoPTR, Deny},
		{"page opened to verified, genuine", open, Page, googleIP, 1, SearchEngine, ByDNS, Allow},
		{"page opened to verified, fake", open, Page, "198.51.100.7", 1, Spoofed, NoPTR, Deny},
		{"odd page, genuine", odd, Page, googleIP, 1, SearchEngine, ByDNS, Deny},
		{"odd page, fake", odd, Page, "198.51.100.7", 1, Spoofed, NoPTR, Deny},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dns := newFakeDNS()
			dns.set(googleIP, googlePTR, googleIP)
			d := mustNew(t, c.cfg, WithResolver(dns))
			dec := d.Decide(context.Background(), c.class, uaRequest(googlebotUA), netip.MustParseAddr(c.ip))
			if dec.Category != c.cat || dec.Verification != c.out || dec.Action != c.action || dec.Vendor != "google" {
				t.Errorf("Decide = %+v, want %s (%s) %s", dec, c.cat, c.out, c.action)
			}
			if n := dns.ptrCalls.Load(); n != c.lookups {
				t.Errorf("%d PTR lookups, want %d", n, c.lookups)
			}
		})
	}
}

func TestVerifiableVendors(t *testing.T) {
	all := VendorIDs()
	withDNS := slices.DeleteFunc(slices.Clone(all), func(id string) bool { return id == "duckduckgo" })
	cases := []struct {
		name   string
		ranges map[string][]string
		want   []string
	}{
		{"defaults", nil, withDNS},
		{"duckduckgo ranges", map[string][]string{"duckduckgo": {"20.191.45.212"}}, all},
		{"google ranges only", map[string][]string{"google": {"66.249.64.0/19"}}, withDNS},
	}
	for _, c := range cases {
		cfg := DefaultConfig()
		cfg.Ranges = c.ranges
		if got := mustNew(t, cfg).VerifiableVendors(); !slices.Equal(got, c.want) {
			t.Errorf("%s: VerifiableVendors() = %q, want %q", c.name, got, c.want)
		}
	}
	// The list agrees with what Classify does with a DuckDuckBot claim.
	ddg := "DuckDuckBot/1.1; (+http://duckduckgo.com/duckduckbot.html)"
	res := mustNew(t, DefaultConfig(), WithResolver(newFakeDNS())).Classify(context.Background(), uaRequest(ddg), netip.MustParseAddr("198.51.100.7"))
	if res.Vendor != "" || res.Verification != Unchecked || res.Category != SearchEngine {
		t.Errorf("DuckDuckBot without ranges: %+v", res)
	}
}
