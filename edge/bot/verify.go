package bot

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"sync"
	"time"
)

// Resolver is the DNS that verification needs; *net.Resolver has both
// methods. Tests pass a fake.
type Resolver interface {
	LookupAddr(ctx context.Context, addr string) ([]string, error)
	LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error)
}

// Verification is the outcome of checking the address of a request whose
// User-Agent claims a vendor's bot. Only ByRange and ByDNS verify; every
// failure, including a slow or failing DNS, leaves the claim unverified.
type Verification uint8

// Verification outcomes.
const (
	// Unchecked: no verifiable claim was made (or the claim can be
	// verified only by ranges and none are configured), or the policy of
	// the route class takes the same action whatever the outcome, so the
	// claim was not checked.
	Unchecked       Verification = iota
	ByRange                      // the address is in the vendor's configured ranges
	ByDNS                        // forward-confirmed reverse DNS
	NoPTR                        // the address has no PTR name
	WrongDomain                  // no PTR name is one the claim accepts
	ForwardMismatch              // the PTR name does not resolve back to the address
	LookupFailed                 // DNS answered with an error, or no address to check
	LookupTimeout                // DNS did not answer in time
	Overloaded                   // too many lookups in flight (in all, or for the client's network); not attempted
	OutsideRanges                // a ranges-only vendor, and not in its ranges
)

var verificationNames = [...]string{
	"unchecked", "range", "reverse_dns", "no_ptr", "wrong_domain",
	"forward_mismatch", "lookup_failed", "lookup_timeout", "overloaded",
	"outside_ranges",
}

// String returns the outcome's name, such as "reverse_dns".
func (v Verification) String() string {
	if int(v) < len(verificationNames) {
		return verificationNames[v]
	}
	return "invalid"
}

// Verified reports whether the outcome confirms the claim.
func (v Verification) Verified() bool { return v == ByRange || v == ByDNS }

// Cache lifetimes of outcomes, and bounds of the lookups.
const (
	positiveTTL = time.Hour
	negativeTTL = 5 * time.Minute
	errorTTL    = time.Minute // DNS errors and timeouts: retry sooner
	maxPTRNames = 4           // PTR names tried per address
	// maxLookupsPerNet bounds the lookups in flight for the addresses of
	// one network (an IPv4 address, an IPv6 /64), so that one client
	// cannot take every slot of the verifier.
	maxLookupsPerNet = 4
)

// verifier checks claims with forward-confirmed reverse DNS, caching
// outcomes and sharing one lookup among concurrent requests for the same
// (claim, address).
//
// Outcomes that verify are cached for the address alone. Outcomes that do
// not are cached for the client's network, keyed as the rate limits key
// clients: an IPv4 address, or an IPv6 /64, which one subscriber holds
// whole. A client rotating through the addresses of its /64 thus gets one
// lookup per claim and TTL, not one per address; and it can never have
// more than maxLookupsPerNet lookups in flight.
type verifier struct {
	resolver   Resolver
	timeout    time.Duration
	ranges     [][]netip.Prefix // by vendor index
	maxFlights int
	now        func() time.Time

	mu      sync.Mutex
	cache   *cache
	flights map[cacheKey]*flight
	perNet  map[netip.Prefix]int // lookups in flight per network
}

// flight is one lookup in progress; out is set before done is closed.
type flight struct {
	done chan struct{}
	out  Verification
}

// verifiable reports whether a claim can be checked at all.
func (v *verifier) verifiable(c int) bool {
	return len(claims[c].Names) > 0 || len(v.ranges[claims[c].vendor]) > 0
}

// netOf returns the network an address is keyed by: the address itself
// for IPv4, its /64 for IPv6.
func netOf(addr netip.Addr) netip.Prefix {
	if addr.Is4() {
		return netip.PrefixFrom(addr, 32)
	}
	return netip.PrefixFrom(addr, 64).Masked()
}

// verify checks that addr belongs to the vendor of claim c. It never
// returns a verified outcome on error, and returns when ctx ends even if
// the shared lookup goes on (it is bounded by the verifier's own timeout).
// A cached outcome is always served, even when the lookups are at their
// bounds.
func (v *verifier) verify(ctx context.Context, c int, addr netip.Addr) Verification {
	if !addr.IsValid() {
		return LookupFailed
	}
	addr = addr.Unmap().WithZone("")
	for _, p := range v.ranges[claims[c].vendor] {
		if p.Contains(addr) {
			return ByRange
		}
	}
	if len(claims[c].Names) == 0 {
		return OutsideRanges
	}
	host := cacheKey{claim: c, net: netip.PrefixFrom(addr, addr.BitLen())}
	network := cacheKey{claim: c, net: netOf(addr)}
	v.mu.Lock()
	f, out, ok := v.join(ctx, host, network)
	v.mu.Unlock()
	if ok {
		return out
	}
	select {
	case <-f.done:
		return f.out
	case <-ctx.Done():
		return LookupTimeout
	}
}

// join returns the cached outcome for host (or its network), or else the
// flight that checks host, starting one when the bounds allow; when they
// do not, the outcome is Overloaded. v.mu must be held.
func (v *verifier) join(ctx context.Context, host, network cacheKey) (*flight, Verification, bool) {
	now := v.now()
	if out, ok := v.cache.get(host, now); ok {
		return nil, out, true
	}
	if out, ok := v.cache.get(network, now); ok {
		return nil, out, true
	}
	if f, ok := v.flights[host]; ok {
		return f, 0, false
	}
	if v.perNet[network.net] >= maxLookupsPerNet || len(v.flights) >= v.maxFlights {
		return nil, Overloaded, true
	}
	f := &flight{done: make(chan struct{})}
	v.flights[host] = f
	v.perNet[network.net]++
	go v.run(context.WithoutCancel(ctx), host, network, f)
	return f, 0, false
}

// run does one lookup, caches its outcome (for the address when it
// verifies, for its network when not) and releases the waiters.
func (v *verifier) run(ctx context.Context, host, network cacheKey, f *flight) {
	ctx, cancel := context.WithTimeout(ctx, v.timeout)
	defer cancel()
	out := v.lookup(ctx, host.claim, host.net.Addr())
	key, ttl := network, negativeTTL
	switch out {
	case ByDNS:
		key, ttl = host, positiveTTL
	case LookupFailed, LookupTimeout:
		ttl = errorTTL
	}
	v.mu.Lock()
	v.cache.put(key, out, v.now().Add(ttl))
	delete(v.flights, host)
	if v.perNet[network.net]--; v.perNet[network.net] <= 0 {
		delete(v.perNet, network.net)
	}
	f.out = out
	close(f.done)
	v.mu.Unlock()
}

// lookup is forward-confirmed reverse DNS: a PTR name of addr must be
// one the claim accepts and must resolve back to addr.
func (v *verifier) lookup(ctx context.Context, c int, addr netip.Addr) Verification {
	names, err := v.resolver.LookupAddr(ctx, addr.String())
	if err != nil {
		return dnsFailure(ctx, err, NoPTR)
	}
	out := NoPTR
	for i, name := range names {
		if i == maxPTRNames {
			break
		}
		if !matchesName(name, claims[c].Names) {
			if out == NoPTR {
				out = WrongDomain
			}
			continue
		}
		addrs, err := v.resolver.LookupNetIP(ctx, "ip", name)
		if err != nil {
			out = dnsFailure(ctx, err, ForwardMismatch)
			continue
		}
		for _, a := range addrs {
			if a.Unmap().WithZone("") == addr {
				return ByDNS
			}
		}
		out = ForwardMismatch
	}
	return out
}

// dnsFailure classifies a lookup error: a timeout, a definite "no such
// name" (notFound), or any other failure.
func dnsFailure(ctx context.Context, err error, notFound Verification) Verification {
	if ctx.Err() != nil || errors.Is(err, context.DeadlineExceeded) {
		return LookupTimeout
	}
	var de *net.DNSError
	if errors.As(err, &de) {
		if de.IsTimeout {
			return LookupTimeout
		}
		if de.IsNotFound {
			return notFound
		}
	}
	return LookupFailed
}

// cachedLen returns the number of cached outcomes.
func (v *verifier) cachedLen() int {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.cache.len()
}
