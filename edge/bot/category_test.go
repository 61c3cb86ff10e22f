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
	claimed := map[string]int{}
	for _, s := range m.Signatures() {
		if v := vendorOf(s.Pattern); v >= 0 {
			claimed[vendors[v].ID]++
		}
	}
	for _, v := range vendors {
		if claimed[v.ID] == 0 {
			t.Errorf("vendor %s: no signature claims it", v.ID)
		}
	}
	t.Logf("signatures per verifiable vendor: %v", claimed)
}

// TestVendorClaims pins which bots claim which vendor: a claim substring
// that caught an unrelated bot would make that bot "spoofed" everywhere.
func TestVendorClaims(t *testing.T) {
	m := mustMatcher(t)
	for _, s := range m.Signatures() {
		v := vendorOf(s.Pattern)
		if v < 0 {
			continue
		}
		id := vendors[v].ID
		p := strings.ToLower(s.Pattern + " " + s.URL)
		hint := map[string]string{"bing": "bing|msn|adidx", "petal": "petal", "duckduckgo": "duck"}[id]
		if hint == "" {
			hint = id
		}
		if !containsAny(p, strings.Split(hint, "|")) {
			t.Errorf("%q (%s) claims vendor %s", s.Pattern, s.URL, id)
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
	for _, v := range vendors {
		for _, d := range v.Domains {
			if d != strings.ToLower(d) || strings.HasPrefix(d, ".") || strings.HasSuffix(d, ".") {
				t.Errorf("vendor %s: domain %q must be lower case without edge dots", v.ID, d)
			}
		}
	}
}
