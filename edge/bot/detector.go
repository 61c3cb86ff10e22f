package bot

import (
	"context"
	"net"
	"net/http"
	"net/netip"
	"time"

	"github.com/quirehq/quire"
)

// defaultMaxLookups bounds the verifications in flight at once, so that a
// flood of fake Googlebots from many addresses cannot queue unbounded DNS
// work; past it a claim is not verified (fail closed).
const defaultMaxLookups = 256

// Detector classifies requests and applies the policy. It is safe for
// concurrent use.
type Detector struct {
	enabled  bool
	matcher  *Matcher
	claim    []int16 // signature index → index in claims, or -1
	claimers sigSet  // signatures making a claim this configuration can verify
	verifier *verifier
	policy   *Policy
}

// Option changes how New builds a Detector.
type Option func(*options)

type options struct {
	resolver   Resolver
	now        func() time.Time
	maxLookups int
}

// WithResolver sets the DNS used to verify bots (default net.DefaultResolver).
func WithResolver(r Resolver) Option { return func(o *options) { o.resolver = r } }

// WithClock sets the clock of the verification cache (default time.Now).
func WithClock(now func() time.Time) Option { return func(o *options) { o.now = now } }

// WithMaxLookups bounds the verifications in flight at once (default 256).
func WithMaxLookups(n int) Option { return func(o *options) { o.maxLookups = n } }

// New validates cfg and returns a Detector. The error (code invalid_input)
// lists every problem of cfg. The signature matcher is compiled once per
// process and shared.
func New(cfg Config, opts ...Option) (*Detector, error) {
	if err := cfg.Validate(); err != nil {
		return nil, quire.WrapError(quire.EINVALID, "invalid bots configuration: "+err.Error(), err)
	}
	cfg = cfg.withDefaults()
	o := options{resolver: net.DefaultResolver, now: time.Now, maxLookups: defaultMaxLookups}
	for _, opt := range opts {
		opt(&o)
	}
	m, err := DefaultMatcher()
	if err != nil {
		return nil, err
	}
	d := &Detector{enabled: cfg.Enabled, matcher: m, policy: newPolicy(cfg)}
	d.verifier = &verifier{
		resolver: o.resolver, timeout: cfg.VerifyTimeout, maxFlights: o.maxLookups, now: o.now,
		ranges: make([][]netip.Prefix, len(vendors)), cache: newCache(cfg.CacheSize),
		flights: map[cacheKey]*flight{}, perNet: map[netip.Prefix]int{},
	}
	for id, cidrs := range cfg.Ranges {
		v := vendorByID(id)
		for _, s := range cidrs {
			p, _ := parseRange(s) // validated
			d.verifier.ranges[v] = append(d.verifier.ranges[v], p)
		}
	}
	d.claim = make([]int16, len(m.sigs))
	for i, s := range m.sigs {
		c := claimOf(s.Pattern)
		d.claim[i] = int16(c)
		if c >= 0 && d.verifier.verifiable(c) {
			d.claimers.add(int32(i))
		}
	}
	return d, nil
}

// Policy returns the detector's policy.
func (d *Detector) Policy() *Policy { return d.policy }

// Matcher returns the signature matcher.
func (d *Detector) Matcher() *Matcher { return d.matcher }

// Enabled reports whether the configuration turned the policy on.
func (d *Detector) Enabled() bool { return d.enabled }

// VerifiableVendors returns the IDs of the vendors (VendorIDs) whose bots
// this configuration can verify: those with documented reverse DNS names
// for at least one of their bots, or with ranges configured. DuckDuckGo,
// for one, is verifiable only with ranges.duckduckgo set.
func (d *Detector) VerifiableVendors() []string {
	var ids []string
	for i, v := range vendors {
		for c := range claims {
			if claims[c].vendor == i && d.verifier.verifiable(c) {
				ids = append(ids, v.ID)
				break
			}
		}
	}
	return ids
}

// Classify tells what kind of client sent r from clientIP (the resolved
// client address, see edge/clientip). A User-Agent claiming a verifiable
// bot is always checked against clientIP, which may wait for DNS up to the
// configured timeout (outcomes are cached); a claim that does not verify
// is Spoofed. The request path uses Decide instead, which checks a claim
// only when the outcome can change the action.
func (d *Detector) Classify(ctx context.Context, r *http.Request, clientIP netip.Addr) Result {
	return d.classify(ctx, r, clientIP, "", true)
}

// Decide classifies r and applies the policy of class. Requests of a
// class that allows everything are not classified (no matching, no DNS)
// and get an allow decision of category Human with that reason. A claim
// of a verifiable bot is checked only when the class's policy gives the
// verified bot another action than a spoofed one (or than its plain
// category); otherwise it is left Unchecked and decided on the category
// it claims, so that a flood of fake Googlebots on pages, which deny
// every bot, costs no DNS at all.
func (d *Detector) Decide(ctx context.Context, class RouteClass, r *http.Request, clientIP netip.Addr) Decision {
	if d.policy.AllowsAll(class) {
		return Decision{Class: class, Category: Human, Action: Allow, Reason: "route class allows every client; not classified"}
	}
	return d.policy.Decide(class, d.classify(ctx, r, clientIP, class, false))
}

// classify is Classify; unless always, a claim is checked only when the
// policy of class depends on the outcome.
func (d *Detector) classify(ctx context.Context, r *http.Request, clientIP netip.Addr, class RouteClass, always bool) Result {
	signals, ua, hs := readSignals(r)
	res := Result{Category: Human, Signals: signals}
	if ua != "" {
		if i := d.matcher.first(ua, &d.claimers); i >= 0 {
			return d.fromSignature(ctx, i, clientIP, res, class, always)
		}
	}
	switch {
	case hs != nil:
		res.Category, res.Name = hs.category, hs.name
	case signals&HeadlessHint != 0:
		res.Category, res.Name = Headless, "HeadlessChrome"
	case signals&(NoUserAgent|LongUserAgent|ManyUserAgents|BareBrowser) != 0:
		res.Category = Automated
	}
	return res
}

// fromSignature classifies by signature i, the first that makes a
// verifiable claim or else the first that matched; a claim is checked
// against addr when always or when the policy of class depends on it.
func (d *Detector) fromSignature(ctx context.Context, i int32, addr netip.Addr, res Result, class RouteClass, always bool) Result {
	sig := d.matcher.sigs[i]
	res.Category, res.Name = sig.Category, sig.Name
	if !d.claimers.has(i) {
		return res
	}
	c := int(d.claim[i])
	res.Vendor = vendors[claims[c].vendor].ID
	if !always && !d.policy.verificationMatters(class, sig.Category) {
		return res // Unchecked
	}
	res.Verification = d.verifier.verify(ctx, c, addr)
	if !res.Verification.Verified() {
		res.Category = Spoofed
	}
	return res
}
