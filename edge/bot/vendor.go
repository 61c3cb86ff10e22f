package bot

import "strings"

// vendor is an operator of bots whose identity can be checked: a request
// whose User-Agent makes one of its claims is verified by forward-confirmed
// reverse DNS against the claim's Names, or by address against the
// vendor's ranges from the configuration.
type vendor struct {
	// ID names the vendor in configuration and decisions ("google").
	ID string
	// Claims are the kinds of bot the vendor runs, each with the reverse
	// DNS names the vendor documents for it.
	Claims []claim
}

// claim is one kind of bot of a vendor. Kinds are told apart because a
// vendor may give each its own reverse DNS names: a name that proves one
// of its bots must not prove another.
type claim struct {
	// Tokens are lower-case substrings of signature patterns: a signature
	// whose pattern contains one makes this claim.
	Tokens []string
	// Names are the PTR names the vendor documents for these bots. An
	// entry "example.com" accepts that name and every name under it; an
	// entry with a "*", such as "rate-limited-proxy-*.google.com", accepts
	// exactly one label under the domain after the "*", made of letters,
	// digits and hyphens, that starts with the text before it. Empty: the
	// bots verify only by the vendor's configured ranges.
	Names []string
}

// vendors is our own reviewed table, from each vendor's documentation on
// verifying its crawlers.
//
// Google documents three kinds, each with its own reverse DNS mask. Its
// common crawlers (Googlebot, GoogleOther, Google-InspectionTool,
// Storebot-Google) are crawl-….googlebot.com or geo-crawl-….geo.googlebot.com,
// so their claims accept googlebot.com only. Its special-case crawlers
// (AdsBot, Mediapartners, APIs-Google) are
// rate-limited-proxy-a-b-c-d.google.com, and only that host pattern of
// google.com is accepted, for them alone: google.com as a whole also names
// Google's user-triggered proxies (google-proxy-…), which fetch what any
// user asks for, and mail and other hosts, none of which is a crawler.
// Feedfetcher is a user-triggered fetcher, documented under
// google-proxy-… and gae.googleusercontent.com; the latter is every Google
// Cloud customer's App Engine, so a spoofer could pass, and Feedfetcher
// verifies only against configured ranges. googleusercontent.com is never
// accepted, for the same reason.
//
// Tokens are tried in table order, so the special-case claims come before
// "googlebot" ("Mediapartners (Googlebot)" is Mediapartners).
//
// DuckDuckGo documents no reverse DNS; its bots verify only against ranges
// set in the configuration (ranges.duckduckgo), and are otherwise
// unverified search engines, not spoofed.
var vendors = []vendor{
	{ID: "google", Claims: []claim{
		{Tokens: []string{"adsbot-google", "mediapartners", "apis-google"}, Names: []string{"rate-limited-proxy-*.google.com"}},
		{Tokens: []string{"feedfetcher-google"}},
		{Tokens: []string{"googlebot", "google-inspectiontool", "storebot-google", "googleother"}, Names: []string{"googlebot.com"}},
	}},
	{ID: "bing", Claims: []claim{{Tokens: []string{"bingbot", "msnbot", "adidxbot", "bingpreview"}, Names: []string{"search.msn.com"}}}},
	{ID: "apple", Claims: []claim{{Tokens: []string{"applebot"}, Names: []string{"applebot.apple.com"}}}},
	{ID: "yandex", Claims: []claim{{Tokens: []string{"yandex"}, Names: []string{"yandex.ru", "yandex.net", "yandex.com"}}}},
	{ID: "baidu", Claims: []claim{{Tokens: []string{"baiduspider"}, Names: []string{"baidu.com", "baidu.jp"}}}},
	{ID: "amazon", Claims: []claim{{Tokens: []string{"amazonbot"}, Names: []string{"crawl.amazonbot.amazon"}}}},
	{ID: "petal", Claims: []claim{{Tokens: []string{"petalbot"}, Names: []string{"petalsearch.com"}}}},
	{ID: "seznam", Claims: []claim{{Tokens: []string{"seznambot"}, Names: []string{"seznam.cz"}}}},
	{ID: "duckduckgo", Claims: []claim{{Tokens: []string{"duckduckbot", "duckassistbot"}}}},
}

// claimRef is one claim of the flattened table: its vendor's index and the
// claim itself. Verification outcomes are cached per claimRef index.
type claimRef struct {
	vendor int
	*claim
}

// claims flattens vendors' claims, in table order.
var claims = func() []claimRef {
	var out []claimRef
	for i := range vendors {
		for j := range vendors[i].Claims {
			out = append(out, claimRef{vendor: i, claim: &vendors[i].Claims[j]})
		}
	}
	return out
}()

// claimOf returns the index in claims of the claim a signature pattern
// makes, or -1.
func claimOf(pattern string) int {
	p := strings.ToLower(strings.ReplaceAll(pattern, `\`, ""))
	for i, c := range claims {
		for _, t := range c.Tokens {
			if strings.Contains(p, t) {
				return i
			}
		}
	}
	return -1
}

// VendorIDs returns the IDs of the vendors whose bots are verified, the
// keys of Config.Ranges: google, bing, apple, yandex, baidu, amazon,
// petal, seznam and duckduckgo. Detector.VerifiableVendors tells which of
// them a given configuration can verify.
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

// matchesName reports whether a PTR name (any case, trailing dot or not)
// is accepted by one of names (see claim.Names).
func matchesName(name string, names []string) bool {
	name = strings.ToLower(strings.TrimSuffix(name, "."))
	for _, n := range names {
		if prefix, domain, ok := strings.Cut(n, "*"); ok {
			label, ok := strings.CutSuffix(name, domain)
			if ok && strings.HasPrefix(label, prefix) && len(label) > len(prefix) && isLabel(label) {
				return true
			}
			continue
		}
		if name == n || strings.HasSuffix(name, "."+n) {
			return true
		}
	}
	return false
}

// isLabel reports whether s is one DNS label of letters, digits and
// hyphens.
func isLabel(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}
