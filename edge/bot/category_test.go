package bot

import (
	"slices"
	"strings"
	"testing"
)

// TestWellKnownBots checks that the User-Agents of well-known bots land in
// the right category under a recognisable name.
func TestWellKnownBots(t *testing.T) {
	cases := []struct {
		ua   string
		cat  Category
		name string // a substring of the signature name
	}{
		{"Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)", SearchEngine, "Googlebot"},
		{"Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)", SearchEngine, "bingbot"},
		{"Mozilla/5.0 (compatible; YandexBot/3.0; +http://yandex.com/bots)", SearchEngine, "yandex"},
		{"Mozilla/5.0 (compatible; Baiduspider/2.0; +http://www.baidu.com/search/spider.html)", SearchEngine, "Baiduspider"},
		{"DuckDuckBot/1.1; (+http://duckduckgo.com/duckduckbot.html)", SearchEngine, "DuckDuckBot"},
		{"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/13.1.1 Safari/605.1.15 (Applebot/0.1; +http://www.apple.com/go/applebot)", SearchEngine, "Applebot"},
		{"Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; GPTBot/1.2; +https://openai.com/gptbot)", AICrawler, "GPTBot"},
		{"Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; ClaudeBot/1.0; +claudebot@anthropic.com)", AICrawler, "ClaudeBot"},
		{"CCBot/2.0 (https://commoncrawl.org/faq/)", AICrawler, "CCBot"},
		{"Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; PerplexityBot/1.0; +https://perplexity.ai/perplexitybot)", AICrawler, "PerplexityBot"},
		{"Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko); compatible; OAI-SearchBot/1.0; +https://openai.com/searchbot", AICrawler, "OAI-SearchBot"},
		{"Mozilla/5.0 (compatible; AhrefsBot/7.0; +http://ahrefs.com/robot/)", SEO, "AhrefsBot"},
		{"Mozilla/5.0 (compatible; SemrushBot/7~bl; +http://www.semrush.com/bot.html)", SEO, "SemrushBot"},
		{"Mozilla/5.0+(compatible; UptimeRobot/2.0; http://www.uptimerobot.com/)", Monitor, "UptimeRobot"},
		{"Pingdom.com_bot_version_1.4_(http://www.pingdom.com/)", Monitor, "Pingdom"},
		{"Mozilla/5.0 (compatible; archive.org_bot +http://archive.org/details/archive.org_bot)", Archiver, "archive.org_bot"},
		{"ia_archiver (+http://www.alexa.com/site/help/webmasters; crawler@alexa.com)", Archiver, "ia_archiver"},
		{"Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)", SocialPreview, "Slackbot"},
		{"Twitterbot/1.0", SocialPreview, "Twitterbot"},
		{"facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)", SocialPreview, "facebookexternalhit"},
		{"Mozilla/5.0 (compatible; Discordbot/2.0; +https://discordapp.com)", SocialPreview, "Discordbot"},
		{"Feedly/1.0 (+http://www.feedly.com/fetcher.html; like FeedFetcher-Google)", FeedReader, ""},
		{"curl/8.5.0", Scraper, "curl"},
		{"Wget/1.21.4", Scraper, "get"},
		{"python-requests/2.31.0", Scraper, "python-requests"},
		{"Python-urllib/3.11", Scraper, "Python-urllib"},
		{"Go-http-client/1.1", Scraper, "Go-http-client"},
		{"Scrapy/2.11.0 (+https://scrapy.org)", Scraper, "Scrapy"},
		{"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/120.0.0.0 Safari/537.36", Headless, "HeadlessChrome"},
		{"Mozilla/5.0 (Unknown; Linux x86_64) AppleWebKit/538.1 (KHTML, like Gecko) PhantomJS/2.1.1 Safari/538.1", Headless, "PhantomJS"},
		{"sqlmap/1.7.2#stable (https://sqlmap.org)", SecurityScanner, "sqlmap"},
		{"Mozilla/5.00 (Nikto/2.5.0) (Evasions:None) (Test:000001)", SecurityScanner, "Nikto"},
		{"Mozilla/5.0 (compatible; Nmap Scripting Engine; https://nmap.org/book/nse.html)", SecurityScanner, "Nmap"},
		{"masscan/1.3 (https://github.com/robertdavidgraham/masscan)", SecurityScanner, "masscan"},
		{"Mozilla/5.0 zgrab/0.x", SecurityScanner, "zgrab"},
		{"WPScan v3.8.25 (https://wpscan.com/wordpress-security-scanner)", SecurityScanner, "WPScan"},
		{"gobuster/3.6", SecurityScanner, "gobuster"},
		{"Fuzz Faster U Fool v2.1.0", SecurityScanner, "Fuzz Faster U Fool"},
		{"Mozilla/5.0 (compatible; Google-InspectionTool/1.0)", SearchEngine, "Google-InspectionTool"},
		{"AdsBot-Google (+http://www.google.com/adsbot.html)", Other, "AdsBot-Google"},
	}
	m := mustMatcher(t)
	for _, c := range cases {
		s, ok := m.Match(c.ua)
		if !ok {
			t.Errorf("%q: no signature", c.ua)
			continue
		}
		if s.Category != c.cat || !strings.Contains(strings.ToLower(s.Name), strings.ToLower(c.name)) {
			t.Errorf("%q: %s %q (pattern %q), want %s %q", c.ua, s.Category, s.Name, s.Pattern, c.cat, c.name)
		}
	}
}

func TestCategorize(t *testing.T) {
	cases := []struct {
		pattern string
		tags    []string
		want    Category
	}{
		{"x", []string{"search-engine", "ai-crawler"}, AICrawler},
		{"x", []string{"academic", "scanner"}, SecurityScanner},
		{"x", []string{"advertising", "search-engine"}, SearchEngine},
		{"x", []string{"feed-reader", "seo"}, FeedReader},
		{"x", []string{"advertising"}, Other},
		{"x", []string{"something-new"}, Other},
		{"x", nil, Other},
		{"Devin", []string{"browser-automation", "ai-crawler"}, AICrawler},
		{"Ghost Inspector", []string{"browser-automation"}, Monitor},
		{"Playwright", []string{"browser-automation"}, Headless},
	}
	for _, c := range cases {
		if got := categorize(c.pattern, c.tags); got != c.want {
			t.Errorf("categorize(%q, %q) = %s, want %s", c.pattern, c.tags, got, c.want)
		}
	}
}

// TestTablesStayCurrent fails when a refresh drops an entry our tables
// refer to, so that stale entries are noticed and removed.
func TestTablesStayCurrent(t *testing.T) {
	m := mustMatcher(t)
	patterns := map[string]bool{}
	for _, s := range m.Signatures() {
		patterns[s.Pattern] = true
	}
	for p := range categoryOverrides {
		if !patterns[p] {
			t.Errorf("categoryOverrides: %q is not in the data", p)
		}
	}
	claimed := make([]int, len(claims))
	for _, s := range m.Signatures() {
		if c := claimOf(s.Pattern); c >= 0 {
			claimed[c]++
		}
	}
	for c, n := range claimed {
		if n == 0 {
			t.Errorf("vendor %s: no signature makes the claim %q", vendors[claims[c].vendor].ID, claims[c].Tokens)
		}
	}
	t.Logf("signatures per claim: %v", claimed)
}

// TestVendorClaims pins which bots claim which vendor: a claim substring
// that caught an unrelated bot would make that bot "spoofed" everywhere.
// It also pins which of Google's kinds each Google bot is, since each kind
// accepts its own reverse DNS names.
func TestVendorClaims(t *testing.T) {
	m := mustMatcher(t)
	googleNames := map[string]string{}
	for _, s := range m.Signatures() {
		c := claimOf(s.Pattern)
		if c < 0 {
			continue
		}
		id := vendors[claims[c].vendor].ID
		p := strings.ToLower(s.Pattern + " " + s.URL)
		hint := map[string]string{"bing": "bing|msn|adidx", "petal": "petal", "duckduckgo": "duck"}[id]
		if hint == "" {
			hint = id
		}
		if !containsAny(p, strings.Split(hint, "|")) {
			t.Errorf("%q (%s) claims vendor %s", s.Pattern, s.URL, id)
		}
		if id == "google" {
			googleNames[s.Name] = strings.Join(claims[c].Names, " ")
		}
	}
	want := map[string]string{
		"Googlebot": "googlebot.com", "Googlebot-Image": "googlebot.com", "GoogleOther": "googlebot.com",
		"Google-InspectionTool": "googlebot.com", "Storebot-Google": "googlebot.com",
		"AdsBot-Google": "rate-limited-proxy-*.google.com", "Mediapartners-Google": "rate-limited-proxy-*.google.com",
		"Mediapartners (Googlebot": "rate-limited-proxy-*.google.com", "APIs-Google": "rate-limited-proxy-*.google.com",
		"Feedfetcher-Google": "",
	}
	for name, names := range want {
		if got, ok := googleNames[name]; !ok || got != names {
			t.Errorf("Google bot %q accepts PTR names %q (found %v), want %q", name, got, ok, names)
		}
	}
}

// TestMatchesName covers the PTR names a claim accepts: a domain and the
// names under it, or one label of a host pattern.
func TestMatchesName(t *testing.T) {
	googlebot := []string{"googlebot.com"}
	special := []string{"rate-limited-proxy-*.google.com"}
	cases := []struct {
		name  string
		names []string
		want  bool
	}{
		{"crawl-66-249-66-1.googlebot.com.", googlebot, true},
		{"geo-crawl-35-247-243-240.geo.googlebot.com", googlebot, true},
		{"GOOGLEBOT.COM.", googlebot, true},
		{"evilgooglebot.com", googlebot, false},
		{"googlebot.com.evil.example", googlebot, false},
		{"rate-limited-proxy-66-249-90-77.google.com.", googlebot, false},
		{"google-proxy-66-249-81-1.google.com", googlebot, false},
		{"rate-limited-proxy-66-249-90-77.google.com.", special, true},
		{"Rate-Limited-Proxy-66-249-90-77.Google.Com", special, true},
		{"rate-limited-proxy-.google.com", special, false},
		{"rate-limited-proxy-1.evil.google.com", special, false},
		{"x.rate-limited-proxy-1.google.com", special, false},
		{"rate-limited-proxy-1.google.com.evil", special, false},
		{"google-proxy-66-249-81-1.google.com", special, false},
		{"mail-wm1-f10.google.com", special, false},
		{"crawl-66-249-66-1.googlebot.com", special, false},
		{"rate-limited-proxy-1_2.google.com", special, false},
		{"anything.example", nil, false},
	}
	for _, c := range cases {
		if got := matchesName(c.name, c.names); got != c.want {
			t.Errorf("matchesName(%q, %q) = %v, want %v", c.name, c.names, got, c.want)
		}
	}
}

func containsAny(s string, subs []string) bool {
	for _, x := range subs {
		if strings.Contains(s, x) {
			return true
		}
	}
	return false
}

func TestCategoryValid(t *testing.T) {
	for _, c := range append(BotCategories, Human) {
		if !c.Valid() {
			t.Errorf("%s not valid", c)
		}
	}
	for _, c := range []Category{"", "bot", "Search_Engine", "verified_search_engine"} {
		if c.Valid() {
			t.Errorf("%q valid", c)
		}
	}
}

func TestVendorIDs(t *testing.T) {
	want := []string{"google", "bing", "apple", "yandex", "baidu", "amazon", "petal", "seznam", "duckduckgo"}
	if got := VendorIDs(); !slices.Equal(got, want) {
		t.Errorf("VendorIDs() = %q, want %q (update the doc comment too)", got, want)
	}
	for _, c := range claims {
		for _, n := range c.Names {
			if n != strings.ToLower(n) || strings.HasPrefix(n, ".") || strings.HasSuffix(n, ".") ||
				strings.Count(n, "*") > 1 || strings.Contains(n, "*") && !strings.Contains(n, "*.") {
				t.Errorf("vendor %s: name %q must be lower case without edge dots, with at most one * ending a label", vendors[c.vendor].ID, n)
			}
		}
	}
}
