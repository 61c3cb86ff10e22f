package bot

// Category is what kind of client a request comes from. Signature
// categories come from the signature table; Human, Automated and Spoofed
// are decided per request.
type Category string

// Categories of signatures.
const (
	SearchEngine    Category = "search_engine"
	AICrawler       Category = "ai_crawler"
	SEO             Category = "seo"
	Monitor         Category = "monitor"
	Archiver        Category = "archiver"
	SocialPreview   Category = "social_preview"
	FeedReader      Category = "feed_reader"
	Scraper         Category = "scraper"
	Headless        Category = "headless"
	SecurityScanner Category = "security_scanner"
	Other           Category = "other"
)

// Categories decided per request.
const (
	// Human is a request that matched no signature and raised no
	// automation signal. It is always allowed.
	Human Category = "human"
	// Automated is a request that matched no signature but whose headers
	// are clearly those of a program (see Signal).
	Automated Category = "automated"
	// Spoofed is a request whose User-Agent claims a bot that can be
	// verified (Googlebot, Bingbot, …) from an address that did not verify.
	Spoofed Category = "spoofed"
)

// SignatureCategories lists the categories a signature can have, in a
// stable order.
var SignatureCategories = []Category{
	SearchEngine, AICrawler, SEO, Monitor, Archiver, SocialPreview,
	FeedReader, Scraper, Headless, SecurityScanner, Other,
}

// BotCategories lists every category other than Human: the ones a policy
// can allow or deny.
var BotCategories = append(append([]Category(nil), SignatureCategories...), Automated, Spoofed)

// Valid reports whether c is a known category.
func (c Category) Valid() bool {
	if c == Human {
		return true
	}
	for _, k := range BotCategories {
		if c == k {
			return true
		}
	}
	return false
}

// tagCategories maps the tags of the vendored data to categories, in
// priority order: an entry with several tags takes the first one listed
// here. AI use wins over search (OAI-SearchBot, PerplexityBot), a security
// scan over research, and advertising and academic bots have no category of
// their own.
var tagCategories = []struct {
	tag string
	cat Category
}{
	{"ai-crawler", AICrawler},
	{"scanner", SecurityScanner},
	{"browser-automation", Headless},
	{"http-library", Scraper},
	{"social-preview", SocialPreview},
	{"search-engine", SearchEngine},
	{"feed-reader", FeedReader},
	{"archiver", Archiver},
	{"monitoring", Monitor},
	{"seo", SEO},
	{"advertising", Other},
	{"academic", Other},
}

// categoryOverrides is our own reviewed table, applied before the tags:
// an entry whose pattern is exactly one of these gets that category. The
// vendored data tags AI agents that drive a browser for a user as
// "browser-automation"; for policy they are AI clients, not test tooling.
var categoryOverrides = map[string]Category{
	`Amazon-Bedrock-AgentCore-Browser`: AICrawler,
	`AmazonBuyForMe`:                   AICrawler,
	`Google-Agent`:                     AICrawler,
	`Google-Gemini-CLI`:                AICrawler,
	`GoogleAgent-Mariner`:              AICrawler,
	`Manus-User`:                       AICrawler,
	`opencode-smartfetch`:              AICrawler,
	`TwinAgent`:                        AICrawler,
	`Devin`:                            AICrawler,
	`Ghost Inspector`:                  Monitor,
}

// categorize returns the category of an entry of the vendored data.
func categorize(pattern string, tags []string) Category {
	if c, ok := categoryOverrides[pattern]; ok {
		return c
	}
	for _, tc := range tagCategories {
		for _, t := range tags {
			if t == tc.tag {
				return tc.cat
			}
		}
	}
	return Other
}
