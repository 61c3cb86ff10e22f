package bot

import (
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/quirehq/quire"
	"go.yaml.in/yaml/v3"
)

func TestValidate(t *testing.T) {
	cases := []struct {
		name string
		cfg  func(c *Config)
		keys []string // keys of the expected errors, in order
	}{
		{"defaults", func(c *Config) {}, nil},
		{"zero config", func(c *Config) { *c = Config{} }, nil},
		{"full valid", func(c *Config) {
			c.DryRun, c.AllowHeadless, c.VerifyTimeout, c.CacheSize = true, true, 5*time.Second, 100
			c.Categories = map[string]string{"monitor": "allow", "verified_ai_crawler": "deny"}
			c.Routes = map[string]RouteConfig{
				"page":   {Allow: []string{"verified_search_engine"}, Deny: []string{"headless"}, DryRun: true},
				"public": {Allow: []string{"feed_reader"}},
				"api":    {Deny: []string{"spoofed", "security_scanner"}},
			}
			c.Ranges = map[string][]string{"google": {"66.249.64.0/19", "2001:4860:4801::/48", "66.249.66.1"}}
		}, nil},
		{"negative timeout", func(c *Config) { c.VerifyTimeout = -time.Second }, []string{"bots.verify_timeout"}},
		{"huge timeout", func(c *Config) { c.VerifyTimeout = time.Minute }, []string{"bots.verify_timeout"}},
		{"negative cache", func(c *Config) { c.CacheSize = -1 }, []string{"bots.cache_size"}},
		{"huge cache", func(c *Config) { c.CacheSize = maxCacheSize + 1 }, []string{"bots.cache_size"}},
		{"unknown category", func(c *Config) { c.Categories = map[string]string{"robots": "deny"} }, []string{"bots.categories.robots"}},
		{"bad action", func(c *Config) { c.Categories = map[string]string{"seo": "block"} }, []string{"bots.categories.seo"}},
		{"human cannot be denied", func(c *Config) { c.Categories = map[string]string{"human": "deny"} }, []string{"bots.categories.human"}},
		{"health takes no policy", func(c *Config) { c.Routes = map[string]RouteConfig{"health": {}} }, []string{"bots.routes.health"}},
		{"unknown class", func(c *Config) { c.Routes = map[string]RouteConfig{"admin": {}} }, []string{"bots.routes.admin"}},
		{"unknown in allow", func(c *Config) {
			c.Routes = map[string]RouteConfig{"page": {Allow: []string{"seo", "googlebot"}}}
		}, []string{"bots.routes.page.allow[1]"}},
		{"verified pseudo-category", func(c *Config) {
			c.Routes = map[string]RouteConfig{"page": {Deny: []string{"verified_spoofed", "verified_human", "verified_"}}}
		}, []string{"bots.routes.page.deny[0]", "bots.routes.page.deny[1]", "bots.routes.page.deny[2]"}},
		{"in both lists", func(c *Config) {
			c.Routes = map[string]RouteConfig{"auth": {Allow: []string{"monitor"}, Deny: []string{"seo", "monitor"}}}
		}, []string{"bots.routes.auth.deny[1]"}},
		{"unknown vendor", func(c *Config) { c.Ranges = map[string][]string{"openai": {"1.2.3.0/24"}} }, []string{"bots.ranges.openai"}},
		{"bad CIDR", func(c *Config) {
			c.Ranges = map[string][]string{"bing": {"157.55.39.0/24", "157.55.39.0/33", "fe80::1%eth0", "::ffff:1.2.3.4/64"}}
		}, []string{"bots.ranges.bing[1]", "bots.ranges.bing[2]", "bots.ranges.bing[3]"}},
		{"host bits set", func(c *Config) {
			c.Ranges = map[string][]string{"google": {"66.249.66.1/19", "2001:4860:4801::1/48", "::ffff:66.249.66.1/115", "66.249.64.0/19"}}
		}, []string{"bots.ranges.google[0]", "bots.ranges.google[1]", "bots.ranges.google[2]"}},
		{"too wide", func(c *Config) {
			c.Ranges = map[string][]string{"google": {"0.0.0.0/0", "::/0", "::ffff:0.0.0.0/96", "10.0.0.0/7", "2001::/23", "::ffff:10.0.0.0/103"}}
		}, []string{"bots.ranges.google[0]", "bots.ranges.google[1]", "bots.ranges.google[2]", "bots.ranges.google[3]", "bots.ranges.google[4]", "bots.ranges.google[5]"}},
		{"widest accepted", func(c *Config) {
			c.Ranges = map[string][]string{"google": {"10.0.0.0/8", "2001::/24", "::ffff:10.0.0.0/104", "::/24"}}
		}, nil},
		{"every problem at once", func(c *Config) {
			c.VerifyTimeout, c.CacheSize = -1, -1
			c.Routes = map[string]RouteConfig{"health": {}, "page": {Deny: []string{"x"}}}
		}, []string{"bots.verify_timeout", "bots.cache_size", "bots.routes.health", "bots.routes.page.deny[0]"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg := DefaultConfig()
			c.cfg(&cfg)
			err := cfg.Validate()
			if got := errorKeys(err); !slices.Equal(got, c.keys) {
				t.Fatalf("error keys %q, want %q (%v)", got, c.keys, err)
			}
			_, nerr := New(cfg)
			if (nerr == nil) != (c.keys == nil) {
				t.Fatalf("New error %v, Validate %v", nerr, err)
			}
			if nerr != nil && quire.ErrorCode(nerr) != quire.EINVALID {
				t.Errorf("New error code %q", quire.ErrorCode(nerr))
			}
		})
	}
}

// TestValidateRangeMessages checks that a refused range is named by its
// key and the message says what is wrong.
func TestValidateRangeMessages(t *testing.T) {
	cases := map[string]string{
		"0.0.0.0/0":         "bots.ranges.google[0]: is wider than /8",
		"::/0":              "bots.ranges.google[0]: is wider than /24",
		"::ffff:0.0.0.0/96": "bots.ranges.google[0]: is wider than /8",
		"66.249.66.1/19":    "bots.ranges.google[0]: has bits set past the prefix length; write the network address, such as 66.249.64.0/19",
		"66.249.64.0/40":    "bots.ranges.google[0]: must be an IP address or CIDR",
	}
	for cidr, want := range cases {
		cfg := DefaultConfig()
		cfg.Ranges = map[string][]string{"google": {cidr}}
		if err := cfg.Validate(); err == nil || !strings.HasPrefix(err.Error(), want) {
			t.Errorf("%s: %v, want %q…", cidr, err, want)
		}
	}
	// A refused range never reaches the verifier: New fails.
	cfg := DefaultConfig()
	cfg.Ranges = map[string][]string{"google": {"0.0.0.0/0"}}
	if _, err := New(cfg); err == nil || !strings.Contains(err.Error(), "bots.ranges.google[0]") {
		t.Errorf("New: %v", err)
	}
}

func TestValidateMessagesAreSafe(t *testing.T) {
	cfg := DefaultConfig()
	evil := "seo\x1b[31m" + strings.Repeat("x", 100)
	cfg.Routes = map[string]RouteConfig{"page": {Deny: []string{evil, "robots"}}}
	err := cfg.Validate()
	if err == nil || strings.Contains(err.Error(), "\x1b") || strings.Contains(err.Error(), "xxxx") {
		t.Errorf("message echoes an unprintable value: %q", err)
	}
	if !strings.Contains(err.Error(), `"robots"`) || !strings.Contains(err.Error(), "search_engine") {
		t.Errorf("message does not name the value and the fix: %q", err)
	}
}

func errorKeys(err error) []string {
	var keys []string
	var j interface{ Unwrap() []error }
	if errors.As(err, &j) {
		for _, e := range j.Unwrap() {
			var ce *ConfigError
			if errors.As(e, &ce) {
				keys = append(keys, ce.Key)
			}
		}
	}
	return keys
}

// TestConfigYAML decodes the documented shape of the "bots" section.
func TestConfigYAML(t *testing.T) {
	const doc = `
enabled: true
dry_run: true
allow_headless: true
verify_timeout: 1500ms
cache_size: 500
categories:
  monitor: allow
routes:
  page:
    allow: [verified_search_engine]
    deny: [headless]
    dry_run: false
  public:
    allow: [feed_reader]
ranges:
  google: [66.249.64.0/19]
`
	cfg := DefaultConfig()
	if err := yaml.Unmarshal([]byte(doc), &cfg); err != nil {
		t.Fatal(err)
	}
	want := Config{
		Enabled: true, DryRun: true, AllowHeadless: true,
		VerifyTimeout: 1500 * time.Millisecond, CacheSize: 500,
		Categories: map[string]string{"monitor": "allow"},
		Routes: map[string]RouteConfig{
			"page":   {Allow: []string{"verified_search_engine"}, Deny: []string{"headless"}},
			"public": {Allow: []string{"feed_reader"}},
		},
		Ranges: map[string][]string{"google": {"66.249.64.0/19"}},
	}
	if !reflect.DeepEqual(cfg, want) {
		t.Errorf("decoded %+v\nwant    %+v", cfg, want)
	}
	if err := cfg.Validate(); err != nil {
		t.Error(err)
	}
	// Keys left out keep DefaultConfig's values.
	cfg = DefaultConfig()
	if err := yaml.Unmarshal([]byte("dry_run: true\n"), &cfg); err != nil {
		t.Fatal(err)
	}
	if !cfg.Enabled || cfg.VerifyTimeout != DefaultVerifyTimeout || cfg.CacheSize != DefaultCacheSize {
		t.Errorf("defaults lost: %+v", cfg)
	}
}
