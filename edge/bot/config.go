package bot

import (
	"time"
)

// Defaults and bounds of Config.
const (
	DefaultVerifyTimeout = 2 * time.Second
	DefaultCacheSize     = 10_000
	maxVerifyTimeout     = 30 * time.Second
	maxCacheSize         = 10_000_000
	maxRangesPerVendor   = 10_000
)

// Config configures bot detection and policy (claim BOT-1). The server's
// configuration file holds it under "bots":
//
//	bots:
//	  enabled: true           # default true
//	  dry_run: false          # decide and report, but block nothing
//	  allow_headless: false   # let headless browsers through everywhere
//	  verify_timeout: 2s      # each reverse-DNS verification
//	  cache_size: 10000       # verification outcomes kept (LRU)
//	  categories:             # per-category action on every route class
//	    monitor: allow
//	  routes:                 # per route class; wins over categories
//	    page:   {allow: [], deny: [], dry_run: false}
//	    auth:   {...}
//	    public: {allow: [verified_search_engine, social_preview]}
//	    static: {...}
//	    api:    {...}
//	  ranges:                 # published crawler ranges, checked before DNS
//	    google: [66.249.64.0/19]
//
// Ranges are addresses or CIDRs in network form (no bits set past the
// prefix length), no wider than /8 for IPv4 (::ffff:0:0/104 mapped) and /24
// for IPv6: an address in a vendor's ranges verifies every claim of that
// vendor's bots, so 0.0.0.0/0 would verify every fake.
//
// Categories are the names of BotCategories; "verified_" + a category
// selects only the verified bots of that category (verified_search_engine),
// and unverified ones fall back to the plain category's action.
//
// Defaults: on page and auth every automated client is denied (every bot
// category, spoofed, automated); on public, verified search engines and
// social previews are allowed and the rest denied; static and api allow
// everything (API clients are judged by their key); health routes are
// never blocked and cannot be configured.
type Config struct {
	Enabled       bool                   `yaml:"enabled"`
	DryRun        bool                   `yaml:"dry_run"`
	AllowHeadless bool                   `yaml:"allow_headless"`
	VerifyTimeout time.Duration          `yaml:"verify_timeout"`
	CacheSize     int                    `yaml:"cache_size"`
	Categories    map[string]string      `yaml:"categories"`
	Routes        map[string]RouteConfig `yaml:"routes"`
	Ranges        map[string][]string    `yaml:"ranges"`
}

// RouteConfig overrides the policy of one route class: the categories
// listed in Allow are allowed and those in Deny denied; the others keep
// their default or the Categories setting. DryRun reports that class's
// denials without enforcing them.
type RouteConfig struct {
	Allow  []string `yaml:"allow"`
	Deny   []string `yaml:"deny"`
	DryRun bool     `yaml:"dry_run"`
}

// DefaultConfig returns the defaults: enabled, enforcing, headless
// browsers denied, 2 s verification timeout, 10,000 cached outcomes, and
// the default policy.
func DefaultConfig() Config {
	return Config{
		Enabled:       true,
		VerifyTimeout: DefaultVerifyTimeout,
		CacheSize:     DefaultCacheSize,
	}
}

// withDefaults fills the zero durations and sizes.
func (c Config) withDefaults() Config {
	if c.VerifyTimeout == 0 {
		c.VerifyTimeout = DefaultVerifyTimeout
	}
	if c.CacheSize == 0 {
		c.CacheSize = DefaultCacheSize
	}
	return c
}
