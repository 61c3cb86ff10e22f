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
	// Unchecked: no verifiable claim was made (or the vendor can be
	// verified only by ranges and none are configured).
	Unchecked       Verification = iota
	ByRange                      // the address is in the vendor's configured ranges
	ByDNS                        // forward-confirmed reverse DNS
	NoPTR                        // the address has no PTR name
	WrongDomain                  // no PTR name is in the vendor's domains
	ForwardMismatch              // the PTR name does not resolve back to the address
	LookupFailed                 // DNS answered with an error, or no address to check
	LookupTimeout                // DNS did not answer in time
	Overloaded                   // too many lookups in flight; not attempted
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

// Cache lifetimes of outcomes.
const (
	positiveTTL = time.Hour
	negativeTTL = 5 * time.Minute
	errorTTL    = time.Minute // DNS errors and timeouts: retry sooner
	maxPTRNames = 4           // PTR names tried per address
)

// verifier checks claims with forward-confirmed reverse DNS, caching
// outcomes and sharing one lookup among concurrent requests for the same
// (vendor, address).
type verifier struct {
	resolver   Resolver
	timeout    time.Duration
	ranges     [][]netip.Prefix // by vendor index
	maxFlights int
	now        func() time.Time

	mu      sync.Mutex
	cache   *cache
	flights map[cacheKey]*flight
}

// flight is one lookup in progress; out is set before done is closed.
type flight struct {
	done chan struct{}
	out  Verification
}

// verifiable reports whether a claim of vendor can be checked at all.
func (v *verifier) verifiable(vendor int) bool {
	return len(vendors[vendor].Domains) > 0 || len(v.ranges[vendor]) > 0
}

// verify checks that addr belongs to vendor. It never returns a verified
// outcome on error, and returns when ctx ends even if the shared lookup
// goes on (it is bounded by the verifier's own timeout).
func (v *verifier) verify(ctx context.Context, vendor int, addr netip.Addr) Verification {
	if !addr.IsValid() {
		return LookupFailed
	}
	addr = addr.Unmap().WithZone("")
	for _, p := range v.ranges[vendor] {
		if p.Contains(addr) {
			return ByRange
		}
	}
	if len(vendors[vendor].Domains) == 0 {
		return OutsideRanges
	}
	k := cacheKey{vendor: vendor, addr: addr}
	v.mu.Lock()
	if out, ok := v.cache.get(k, v.now()); ok {
		v.mu.Unlock()
		return out
	}
	f, ok := v.flights[k]
	if !ok {
		if len(v.flights) >= v.maxFlights {
			v.mu.Unlock()
			return Overloaded
		}
		f = &flight{done: make(chan struct{})}
		v.flights[k] = f
		go v.run(context.WithoutCancel(ctx), k, f)
	}
	v.mu.Unlock()
	select {
	case <-f.done:
		return f.out
	case <-ctx.Done():
		return LookupTimeout
	}
}

// run does one lookup, caches its outcome and releases the waiters.
func (v *verifier) run(ctx context.Context, k cacheKey, f *flight) {
	ctx, cancel := context.WithTimeout(ctx, v.timeout)
	defer cancel()
	out := v.lookup(ctx, k.vendor, k.addr)
	ttl := negativeTTL
	switch out {
	case ByDNS:
		ttl = positiveTTL
	case LookupFailed, LookupTimeout:
		ttl = errorTTL
	}
	v.mu.Lock()
	v.cache.put(k, out, v.now().Add(ttl))
	delete(v.flights, k)
	f.out = out
	close(f.done)
	v.mu.Unlock()
}

// lookup is forward-confirmed reverse DNS: a PTR name of addr must be in
// the vendor's domains and must resolve back to addr.
func (v *verifier) lookup(ctx context.Context, vendor int, addr netip.Addr) Verification {
	names, err := v.resolver.LookupAddr(ctx, addr.String())
	if err != nil {
		return dnsFailure(ctx, err, NoPTR)
	}
	out := NoPTR
	for i, name := range names {
		if i == maxPTRNames {
			break
		}
		if !matchesDomain(name, vendors[vendor].Domains) {
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
