package bot

import (
	"errors"
	"net/netip"
	"sort"
	"strconv"
	"strings"
)

// ConfigError is one problem with one key of Config. Key is the full path
// in the configuration file ("bots.routes.page.deny[1]"); Msg says what is
// wrong and how to fix it.
type ConfigError struct {
	Key string
	Msg string
}

// Error implements error as "key: message".
func (e *ConfigError) Error() string { return e.Key + ": " + e.Msg }

type problems []error

func (p *problems) add(key, msg string) { *p = append(*p, &ConfigError{Key: key, Msg: msg}) }

// Validate checks c and returns every problem at once, as an errors.Join
// of *ConfigError. Zero VerifyTimeout and CacheSize mean the defaults.
func (c Config) Validate() error {
	var p problems
	if c.VerifyTimeout < 0 || c.VerifyTimeout > maxVerifyTimeout {
		p.add("bots.verify_timeout", "must be between 0 (the default, 2s) and 30s: a request claiming a verifiable bot waits for it")
	}
	if c.CacheSize < 0 || c.CacheSize > maxCacheSize {
		p.add("bots.cache_size", "must be between 0 (the default, 10000) and 10000000 verification outcomes")
	}
	for _, k := range sortedKeys(c.Categories) {
		key := "bots.categories." + k
		if !validSelector(k) {
			p.add(key, unknownCategory(k))
		}
		if a := Action(c.Categories[k]); a != Allow && a != Deny {
			p.add(key, `must be "allow" or "deny"`)
		}
	}
	for _, class := range sortedKeys(c.Routes) {
		validateRoute(&p, class, c.Routes[class])
	}
	for _, id := range sortedKeys(c.Ranges) {
		validateRanges(&p, id, c.Ranges[id])
	}
	return errors.Join(p...)
}

func validateRoute(p *problems, class string, rc RouteConfig) {
	key := "bots.routes." + class
	switch RouteClass(class) {
	case Health:
		p.add(key, "health routes are never blocked and take no policy; remove this key")
		return
	case Page, Auth, API, Public, Static:
	default:
		p.add(key, "unknown route class "+quote(class)+"; use page, auth, api, public or static")
		return
	}
	allowed := map[string]bool{}
	for i, s := range rc.Allow {
		if !validSelector(s) {
			p.add(key+".allow["+strconv.Itoa(i)+"]", unknownCategory(s))
		}
		allowed[s] = true
	}
	for i, s := range rc.Deny {
		k := key + ".deny[" + strconv.Itoa(i) + "]"
		switch {
		case !validSelector(s):
			p.add(k, unknownCategory(s))
		case allowed[s]:
			p.add(k, quote(s)+" is also in "+key+".allow; keep it in one list")
		}
	}
}

func validateRanges(p *problems, id string, cidrs []string) {
	key := "bots.ranges." + id
	if vendorByID(id) < 0 {
		p.add(key, "unknown vendor "+quote(id)+"; use one of "+strings.Join(VendorIDs(), ", "))
		return
	}
	if len(cidrs) > maxRangesPerVendor {
		p.add(key, "has more than 10000 entries")
		return
	}
	for i, s := range cidrs {
		if _, msg := parseRange(s); msg != "" {
			p.add(key+"["+strconv.Itoa(i)+"]", msg)
		}
	}
}

// Shortest prefixes accepted in ranges: a vendor's crawlers never span
// more, and a wider one (0.0.0.0/0, ::/0) would verify every claim.
const (
	minRangeBits4 = 8
	minRangeBits6 = 24
)

// parseRange parses a CIDR or a single address, as the smallest prefix
// (an IPv4-mapped one, ::ffff:a.b.c.d/n, as a.b.c.d/(n-96)). msg, when not
// empty, says why s is refused: not an address or CIDR, host bits set
// (a typo for another range, or a misunderstanding), or wider than /8
// (IPv4) or /24 (IPv6).
func parseRange(s string) (p netip.Prefix, msg string) {
	s = strings.TrimSpace(s)
	if a, err := netip.ParseAddr(s); err == nil && a.Zone() == "" {
		a = a.Unmap()
		return netip.PrefixFrom(a, a.BitLen()), ""
	}
	p, err := netip.ParsePrefix(s)
	if err != nil {
		return netip.Prefix{}, "must be an IP address or CIDR such as 66.249.64.0/19"
	}
	if p != p.Masked() {
		return netip.Prefix{}, "has bits set past the prefix length; write the network address, such as " + p.Masked().String()
	}
	if p.Addr().Is4In6() {
		if p.Bits() < 96+minRangeBits4 {
			return netip.Prefix{}, "is wider than /8 (as ::ffff:0:0/104); list the vendor's published ranges, not a whole address space"
		}
		p = netip.PrefixFrom(p.Addr().Unmap(), p.Bits()-96)
	}
	switch {
	case p.Addr().Is4() && p.Bits() < minRangeBits4:
		return netip.Prefix{}, "is wider than /8; list the vendor's published ranges, not a whole address space"
	case p.Addr().Is6() && p.Bits() < minRangeBits6:
		return netip.Prefix{}, "is wider than /24; list the vendor's published ranges, not a whole address space"
	}
	return p, ""
}

// validSelector reports whether s names a category a policy can act on:
// a bot category, or "verified_" and a signature category.
func validSelector(s string) bool {
	if c, ok := strings.CutPrefix(s, verifiedPrefix); ok {
		return Category(c).Valid() && Category(c) != Human && Category(c) != Automated && Category(c) != Spoofed
	}
	return Category(s).Valid() && Category(s) != Human
}

const verifiedPrefix = "verified_"

func unknownCategory(s string) string {
	names := make([]string, len(BotCategories))
	for i, c := range BotCategories {
		names[i] = string(c)
	}
	return "unknown category " + quote(s) + "; use one of " + strings.Join(names, ", ") +
		`, or "verified_" and a signature category (verified_search_engine); human clients are always allowed`
}

// quote echoes a configured value only when it is short printable ASCII,
// so that the message is safe in logs.
func quote(s string) string {
	const maxEcho = 64
	if len(s) > maxEcho || strings.IndexFunc(s, func(r rune) bool { return r < 0x20 || r > 0x7e }) >= 0 {
		return "(unprintable value)"
	}
	return strconv.Quote(s)
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
