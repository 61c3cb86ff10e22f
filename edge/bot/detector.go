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
	vendor   []int8 // signature index → vendor index, or -1
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
	d.vendor = make([]int8, len(m.sigs))
	for i, s := range m.sigs {
		d.vendor[i] = int8(vendorOf(s.Pattern))
	}
	d.verifier = &verifier{
		resolver: o.resolver, timeout: cfg.VerifyTimeout, maxFlights: o.maxLookups, now: o.now,
		ranges: make([][]netip.Prefix, len(vendors)), cache: newCache(cfg.CacheSize),
		flights: map[cacheKey]*flight{},
	}
	for id, cidrs := range cfg.Ranges {
		v := vendorByID(id)
		for _, s := range cidrs {
			p, _ := parseRange(s) // validated
			d.verifier.ranges[v] = append(d.verifier.ranges[v], p)
		}
	}
	return d, nil
}

// Policy returns the detector's policy.
func (d *Detector) Policy() *Policy { return d.policy }

// Matcher returns the signature matcher.
func (d *Detector) Matcher() *Matcher { return d.matcher }

// Classify tells what kind of client sent r from clientIP (the resolved
// client address, see edge/clientip). A User-Agent claiming a verifiable
// bot is checked against clientIP, which may wait for DNS up to the
// configured timeout (once per address and vendor; outcomes are cached);
// a claim that does not verify is Spoofed.
func (d *Detector) Classify(ctx context.Context, r *http.Request, clientIP netip.Addr) Result {
	signals, ua, hs := readSignals(r)
	res := Result{Category: Human, Signals: signals}
	if ua != "" {
		var buf [8]int32
		if ids := d.matcher.appendMatches(buf[:0], ua, false); len(ids) > 0 {
			return d.fromSignatures(ctx, ids, clientIP, res)
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

// fromSignatures classifies by the matched signatures: the first one that
// claims a verifiable vendor, checked against addr, or else the first one.
func (d *Detector) fromSignatures(ctx context.Context, ids []int32, addr netip.Addr, res Result) Result {
	for _, i := range ids {
		v := int(d.vendor[i])
		if v < 0 || !d.verifier.verifiable(v) {
			continue
		}
		sig := d.matcher.sigs[i]
		res.Name, res.Vendor = sig.Name, vendors[v].ID
		res.Verification = d.verifier.verify(ctx, v, addr)
		res.Category = sig.Category
		if !res.Verification.Verified() {
			res.Category = Spoofed
		}
		return res
	}
	sig := d.matcher.sigs[ids[0]]
	res.Category, res.Name = sig.Category, sig.Name
	return res
}

// Decide classifies r and applies the policy of class. Requests of a
// class that allows everything are not classified (no matching, no DNS)
// and get an allow decision of category Human with that reason.
func (d *Detector) Decide(ctx context.Context, class RouteClass, r *http.Request, clientIP netip.Addr) Decision {
	if d.policy.AllowsAll(class) {
		return Decision{Class: class, Category: Human, Action: Allow, Reason: "route class allows every client; not classified"}
	}
	return d.policy.Decide(class, d.Classify(ctx, r, clientIP))
}

// Middleware returns the bot-policy layer. For each request it asks
// classify for the route class and clientIP for the client address and,
// unless the class allows every client, makes a Decision and passes it to
// observe (when not nil). A decision about a bot (any category but Human)
// is stored in the request context (DecisionFrom). A blocked request goes
// to deny, which renders the refusal (403 bot_denied); others go on. A
// disabled Detector passes everything through untouched.
func (d *Detector) Middleware(classify func(*http.Request) RouteClass, clientIP func(*http.Request) netip.Addr, deny http.Handler, observe func(Decision)) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		if !d.enabled {
			return next
		}
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			class := classify(r)
			if d.policy.AllowsAll(class) {
				next.ServeHTTP(w, r)
				return
			}
			dec := d.policy.Decide(class, d.Classify(r.Context(), r, clientIP(r)))
			if observe != nil {
				observe(dec)
			}
			if dec.Category != Human { // spare people two allocations
				r = r.WithContext(WithDecision(r.Context(), dec))
			}
			if dec.Blocked() {
				deny.ServeHTTP(w, r)
				return
			}
			next.ServeHTTP(w, r)
		})
	}
}

// Enabled reports whether the configuration turned the policy on.
func (d *Detector) Enabled() bool { return d.enabled }
