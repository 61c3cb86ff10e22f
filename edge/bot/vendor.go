package bot

import "strings"

// vendor is an operator of bots whose identity can be checked: a request
// whose User-Agent claims one of its bots is verified by forward-confirmed
// reverse DNS against Domains, or by address against ranges from the
// configuration.
type vendor struct {
	// ID names the vendor in configuration and decisions ("google").
	ID string
	// Claims are lower-case substrings of signature patterns: a signature
	// whose pattern contains one claims to be this vendor's bot.
	Claims []string
	// Domains are the names the vendor documents for its crawlers' reverse
	// DNS: the PTR name must be one of them or end in "." + one of them.
	// Empty: the vendor publishes address ranges only.
	Domains []string
}

// vendors is our own reviewed table, from each vendor's documentation on
// verifying its crawler. Google also lists googleusercontent.com for its
// user-triggered fetchers, but Google Cloud customers' machines have PTR
// names there too, so it is left out: a spoofer on a cloud VM must not
// verify. DuckDuckGo documents no reverse DNS; its bots verify only
// against ranges set in the configuration (ranges.duckduckgo), and are
// otherwise unverified search engines, not spoofed.
var vendors = []vendor{
	{ID: "google", Claims: []string{"googlebot", "adsbot-google", "mediapartners-google", "google-inspectiontool", "storebot-google", "googleother", "apis-google", "feedfetcher-google"}, Domains: []string{"googlebot.com", "google.com"}},
	{ID: "bing", Claims: []string{"bingbot", "msnbot", "adidxbot", "bingpreview"}, Domains: []string{"search.msn.com"}},
	{ID: "apple", Claims: []string{"applebot"}, Domains: []string{"applebot.apple.com"}},
	{ID: "yandex", Claims: []string{"yandex"}, Domains: []string{"yandex.ru", "yandex.net", "yandex.com"}},
	{ID: "baidu", Claims: []string{"baiduspider"}, Domains: []string{"baidu.com", "baidu.jp"}},
	{ID: "amazon", Claims: []string{"amazonbot"}, Domains: []string{"crawl.amazonbot.amazon"}},
	{ID: "petal", Claims: []string{"petalbot"}, Domains: []string{"petalsearch.com"}},
	{ID: "seznam", Claims: []string{"seznambot"}, Domains: []string{"seznam.cz"}},
	{ID: "duckduckgo", Claims: []string{"duckduckbot", "duckassistbot"}},
}

// vendorOf returns the index in vendors of the vendor a signature pattern
// claims, or -1.
func vendorOf(pattern string) int {
	p := strings.ToLower(strings.ReplaceAll(pattern, `\`, ""))
	for i, v := range vendors {
		for _, c := range v.Claims {
			if strings.Contains(p, c) {
				return i
			}
		}
	}
	return -1
}

// VendorIDs returns the IDs of the vendors whose bots are verified, the
// keys of Config.Ranges: google, bing, apple, yandex, baidu, amazon,
// petal, seznam and duckduckgo.
func VendorIDs() []string {
	ids := make([]string, len(vendors))
	for i, v := range vendors {
		ids[i] = v.ID
	}
	return ids
}

// vendorByID returns the index of the vendor with that ID, or -1.
func vendorByID(id string) int {
	for i, v := range vendors {
		if v.ID == id {
			return i
		}
	}
	return -1
}

// matchesDomain reports whether a PTR name (any case, trailing dot or
// not) is one of domains or under one of them.
func matchesDomain(name string, domains []string) bool {
	name = strings.ToLower(strings.TrimSuffix(name, "."))
	for _, d := range domains {
		if name == d || strings.HasSuffix(name, "."+d) {
			return true
		}
	}
	return false
}
