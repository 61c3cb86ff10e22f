package bot

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestVerification covers forward-confirmed reverse DNS through Classify:
// a genuine Googlebot verifies; every other answer makes it spoofed.
func TestVerification(t *testing.T) {
	cases := []struct {
		name  string
		setup func(f *fakeDNS)
		ip    string
		cat   Category
		out   Verification
		noFwd bool // no forward lookup expected
	}{
		{"genuine", func(f *fakeDNS) { f.set(googleIP, googlePTR, googleIP) }, googleIP, SearchEngine, ByDNS, false},
		{"genuine, IPv4-mapped client", func(f *fakeDNS) { f.set(googleIP, googlePTR, googleIP) }, "::ffff:" + googleIP, SearchEngine, ByDNS, false},
		{"genuine IPv6", func(f *fakeDNS) { f.set("2001:4860:4801:10::1", "crawl.googlebot.com", "2001:4860:4801:10::1") }, "2001:4860:4801:10::1", SearchEngine, ByDNS, false},
		{"PTR without trailing dot, upper case", func(f *fakeDNS) { f.set(googleIP, "CRAWL-66-249-66-1.GOOGLEBOT.COM", googleIP) }, googleIP, SearchEngine, ByDNS, false},
		{"second PTR name verifies", func(f *fakeDNS) {
			f.set(googleIP, "other.example.net.")
			f.set(googleIP, googlePTR, googleIP)
		}, googleIP, SearchEngine, ByDNS, false},
		{"forward mismatch", func(f *fakeDNS) { f.set(googleIP, googlePTR, "203.0.113.9") }, googleIP, Spoofed, ForwardMismatch, false},
		{"forward NXDOMAIN", func(f *fakeDNS) { f.set(googleIP, googlePTR) }, googleIP, Spoofed, ForwardMismatch, false},
		{"other domain", func(f *fakeDNS) { f.set("203.0.113.9", "host.example.com.", "203.0.113.9") }, "203.0.113.9", Spoofed, WrongDomain, true},
		{"suffix without dot boundary", func(f *fakeDNS) { f.set("203.0.113.9", "evilgooglebot.com.", "203.0.113.9") }, "203.0.113.9", Spoofed, WrongDomain, true},
		{"vendor domain as a subdomain", func(f *fakeDNS) { f.set("203.0.113.9", "googlebot.com.evil.example.", "203.0.113.9") }, "203.0.113.9", Spoofed, WrongDomain, true},
		{"cloud VM PTR", func(f *fakeDNS) { f.set("203.0.113.9", "9.113.0.203.bc.googleusercontent.com.", "203.0.113.9") }, "203.0.113.9", Spoofed, WrongDomain, true},
		{"App Engine PTR", func(f *fakeDNS) { f.set("203.0.113.9", "203-0-113-9.gae.googleusercontent.com.", "203.0.113.9") }, "203.0.113.9", Spoofed, WrongDomain, true},
		{"user-triggered proxy PTR", func(f *fakeDNS) {
			f.set("66.249.81.1", "google-proxy-66-249-81-1.google.com.", "66.249.81.1")
		}, "66.249.81.1", Spoofed, WrongDomain, true},
		{"special-case crawler PTR", func(f *fakeDNS) {
			f.set("66.249.90.77", "rate-limited-proxy-66-249-90-77.google.com.", "66.249.90.77")
		}, "66.249.90.77", Spoofed, WrongDomain, true},
		{"other google.com host", func(f *fakeDNS) { f.set("209.85.128.10", "mail-wm1-f10.google.com.", "209.85.128.10") }, "209.85.128.10", Spoofed, WrongDomain, true},
		{"no PTR", func(f *fakeDNS) {}, "203.0.113.9", Spoofed, NoPTR, true},
		{"DNS error", func(f *fakeDNS) { f.ptrErr = errors.New("server misbehaving") }, googleIP, Spoofed, LookupFailed, true},
		{"no client address", func(f *fakeDNS) { f.set(googleIP, googlePTR, googleIP) }, "", Spoofed, LookupFailed, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dns := newFakeDNS()
			c.setup(dns)
			d := mustNew(t, DefaultConfig(), WithResolver(dns))
			var ip netip.Addr
			if c.ip != "" {
				ip = netip.MustParseAddr(c.ip)
			}
			res := d.Classify(context.Background(), uaRequest(googlebotUA), ip)
			if res.Category != c.cat || res.Verification != c.out || res.Vendor != "google" || res.Name != "Googlebot" {
				t.Errorf("Classify = %+v, want %s (%s) by google/Googlebot", res, c.cat, c.out)
			}
			if res.Verified() != (c.cat != Spoofed) {
				t.Errorf("Verified() = %v", res.Verified())
			}
			if c.noFwd && dns.fwdCalls.Load() != 0 {
				t.Errorf("%d forward lookups, want none", dns.fwdCalls.Load())
			}
		})
	}
}

func TestVerifyTimeout(t *testing.T) {
	dns := newFakeDNS()
	dns.set(googleIP, googlePTR, googleIP)
	dns.block = make(chan struct{}) // never answers
	defer close(dns.block)
	cfg := DefaultConfig()
	cfg.VerifyTimeout = 50 * time.Millisecond
	d := mustNew(t, cfg, WithResolver(dns))
	start := time.Now()
	res := d.Classify(context.Background(), uaRequest(googlebotUA), netip.MustParseAddr(googleIP))
	if res.Category != Spoofed || res.Verification != LookupTimeout {
		t.Errorf("Classify = %+v, want spoofed (lookup_timeout)", res)
	}
	if el := time.Since(start); el > time.Second {
		t.Errorf("took %v with a 50ms timeout", el)
	}
}

func TestVerifyCallerCanceled(t *testing.T) {
	dns := newFakeDNS()
	dns.set(googleIP, googlePTR, googleIP)
	dns.block = make(chan struct{})
	d := mustNew(t, DefaultConfig(), WithResolver(dns))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	res := d.Classify(ctx, uaRequest(googlebotUA), netip.MustParseAddr(googleIP))
	if res.Category != Spoofed || res.Verification != LookupTimeout {
		t.Errorf("Classify = %+v, want spoofed (lookup_timeout)", res)
	}
	// The shared lookup goes on without the caller and its answer is
	// cached for the next request.
	close(dns.block)
	waitFor(t, func() bool { return d.verifier.cachedLen() == 1 })
	res = d.Classify(context.Background(), uaRequest(googlebotUA), netip.MustParseAddr(googleIP))
	if res.Verification != ByDNS || dns.ptrCalls.Load() != 1 {
		t.Errorf("after the lookup: %+v, %d PTR lookups", res, dns.ptrCalls.Load())
	}
}

func TestVerifyCache(t *testing.T) {
	dns := newFakeDNS()
	dns.set(googleIP, googlePTR, googleIP)
	clock := &fakeClock{t: time.Unix(1_700_000_000, 0)}
	d := mustNew(t, DefaultConfig(), WithResolver(dns), WithClock(clock.now))
	good, bad := netip.MustParseAddr(googleIP), netip.MustParseAddr("203.0.113.9")
	check := func(ip netip.Addr, want Verification, ptrCalls int32) {
		t.Helper()
		if got := d.Classify(context.Background(), uaRequest(googlebotUA), ip).Verification; got != want {
			t.Errorf("%s: %s, want %s", ip, got, want)
		}
		if n := dns.ptrCalls.Load(); n != ptrCalls {
			t.Errorf("%s: %d PTR lookups, want %d", ip, n, ptrCalls)
		}
	}
	check(good, ByDNS, 1)
	check(good, ByDNS, 1) // cache hit
	check(bad, NoPTR, 2)
	check(bad, NoPTR, 2) // negative cache hit
	clock.advance(negativeTTL)
	check(bad, NoPTR, 3) // negative expired
	check(good, ByDNS, 3)
	clock.advance(positiveTTL - negativeTTL)
	check(good, ByDNS, 4) // positive expired
}

func TestVerifyErrorCachedBriefly(t *testing.T) {
	dns := newFakeDNS()
	dns.ptrErr = errors.New("SERVFAIL")
	clock := &fakeClock{t: time.Unix(1_700_000_000, 0)}
	d := mustNew(t, DefaultConfig(), WithResolver(dns), WithClock(clock.now))
	ip := netip.MustParseAddr(googleIP)
	for range 2 {
		if out := d.Classify(context.Background(), uaRequest(googlebotUA), ip).Verification; out != LookupFailed {
			t.Fatalf("got %s", out)
		}
	}
	if n := dns.ptrCalls.Load(); n != 1 {
		t.Errorf("%d lookups, want 1", n)
	}
	clock.advance(errorTTL)
	dns.mu.Lock()
	dns.ptrErr = nil
	dns.mu.Unlock()
	dns.set(googleIP, googlePTR, googleIP)
	if out := d.Classify(context.Background(), uaRequest(googlebotUA), ip).Verification; out != ByDNS {
		t.Errorf("after errorTTL: %s, want reverse_dns", out)
	}
}

// TestVerifyCollapses sends many concurrent requests for one address
// while DNS is slow: one lookup serves them all.
func TestVerifyCollapses(t *testing.T) {
	dns := newFakeDNS()
	dns.set(googleIP, googlePTR, googleIP)
	dns.block = make(chan struct{})
	d := mustNew(t, DefaultConfig(), WithResolver(dns))
	const n = 50
	var wg sync.WaitGroup
	outs := make([]Verification, n)
	for i := range n {
		wg.Go(func() {
			outs[i] = d.Classify(context.Background(), uaRequest(googlebotUA), netip.MustParseAddr(googleIP)).Verification
		})
	}
	waitFor(t, func() bool { return dns.ptrCalls.Load() >= 1 })
	time.Sleep(20 * time.Millisecond) // let the others queue behind it
	close(dns.block)
	wg.Wait()
	for i, out := range outs {
		if out != ByDNS {
			t.Errorf("request %d: %s", i, out)
		}
	}
	if p, f := dns.ptrCalls.Load(), dns.fwdCalls.Load(); p != 1 || f != 1 {
		t.Errorf("%d PTR and %d forward lookups for %d requests, want 1 and 1", p, f, n)
	}
}

func TestVerifyOverloaded(t *testing.T) {
	dns := newFakeDNS()
	dns.block = make(chan struct{})
	d := mustNew(t, DefaultConfig(), WithResolver(dns), WithMaxLookups(1))
	go d.Classify(context.Background(), uaRequest(googlebotUA), netip.MustParseAddr("203.0.113.1"))
	waitFor(t, func() bool { return dns.ptrCalls.Load() == 1 })
	res := d.Classify(context.Background(), uaRequest(googlebotUA), netip.MustParseAddr("203.0.113.2"))
	if res.Category != Spoofed || res.Verification != Overloaded {
		t.Errorf("Classify = %+v, want spoofed (overloaded)", res)
	}
	close(dns.block)
}

func TestVerifyRanges(t *testing.T) {
	cases := []struct {
		name   string
		ua     string
		ranges map[string][]string
		ip     string
		cat    Category
		out    Verification
	}{
		{"google in range", googlebotUA, map[string][]string{"google": {"66.249.64.0/19"}}, googleIP, SearchEngine, ByRange},
		{"google single address", googlebotUA, map[string][]string{"google": {googleIP}}, googleIP, SearchEngine, ByRange},
		{"google out of range falls back to DNS", googlebotUA, map[string][]string{"google": {"192.0.2.0/24"}}, googleIP, Spoofed, NoPTR},
		{"duckduckgo without ranges is unverifiable", "DuckDuckBot/1.1; (+http://duckduckgo.com/duckduckbot.html)", nil, "20.191.45.212", SearchEngine, Unchecked},
		{"duckduckgo in range", "DuckDuckBot/1.1; (+http://duckduckgo.com/duckduckbot.html)", map[string][]string{"duckduckgo": {"20.191.45.212"}}, "20.191.45.212", SearchEngine, ByRange},
		{"duckduckgo out of range", "DuckDuckBot/1.1; (+http://duckduckgo.com/duckduckbot.html)", map[string][]string{"duckduckgo": {"20.191.45.212"}}, "198.51.100.1", Spoofed, OutsideRanges},
		{"mapped range, plain client", googlebotUA, map[string][]string{"google": {"::ffff:66.249.64.0/115"}}, googleIP, SearchEngine, ByRange},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dns := newFakeDNS()
			cfg := DefaultConfig()
			cfg.Ranges = c.ranges
			d := mustNew(t, cfg, WithResolver(dns))
			res := d.Classify(context.Background(), uaRequest(c.ua), netip.MustParseAddr(c.ip))
			if res.Category != c.cat || res.Verification != c.out {
				t.Errorf("Classify = %+v, want %s (%s)", res, c.cat, c.out)
			}
			if c.out == ByRange && dns.ptrCalls.Load() != 0 {
				t.Error("DNS was asked although the range matched")
			}
		})
	}
}

// TestVerifyGoogleKinds checks that each kind of Google bot verifies
// against its own documented reverse DNS names only.
func TestVerifyGoogleKinds(t *testing.T) {
	const (
		adsbot      = "AdsBot-Google (+http://www.google.com/adsbot.html)"
		feedfetcher = "Feedfetcher-Google; (+http://www.google.com/feedfetcher.html; 1 subscribers; feed-id=1)"
		specialIP   = "66.249.90.77"
		specialPTR  = "rate-limited-proxy-66-249-90-77.google.com."
	)
	cases := []struct {
		name, ua, ip string
		cat          Category
		out          Verification
	}{
		{"adsbot from a special-case crawler", adsbot, specialIP, Other, ByDNS},
		{"adsbot from a common crawler", adsbot, googleIP, Spoofed, WrongDomain},
		{"googlebot from a special-case crawler", googlebotUA, specialIP, Spoofed, WrongDomain},
		{"mediapartners (googlebot) from a special-case crawler", "Mediapartners-Google (Googlebot)", specialIP, Other, ByDNS},
		{"feedfetcher is not checked without ranges", feedfetcher, "198.51.100.7", FeedReader, Unchecked},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dns := newFakeDNS()
			dns.set(googleIP, googlePTR, googleIP)
			dns.set(specialIP, specialPTR, specialIP)
			d := mustNew(t, DefaultConfig(), WithResolver(dns))
			res := d.Classify(context.Background(), uaRequest(c.ua), netip.MustParseAddr(c.ip))
			if res.Category != c.cat || res.Verification != c.out {
				t.Errorf("Classify = %+v, want %s (%s)", res, c.cat, c.out)
			}
			if c.out == Unchecked && (dns.ptrCalls.Load() != 0 || res.Vendor != "") {
				t.Errorf("unverifiable claim: %+v, %d lookups", res, dns.ptrCalls.Load())
			}
		})
	}
}

// TestVerifyNetworkNegativeCache sends fake Googlebot claims from many
// addresses of one IPv6 /64: the first failure is cached for the whole
// /64, so DNS is asked once; IPv4 addresses and other /64s are their own.
// A verified address stays verified next to a failing one.
func TestVerifyNetworkNegativeCache(t *testing.T) {
	dns := newFakeDNS()
	genuine := "2001:4860:4801:10::1"
	dns.set(genuine, "crawl.googlebot.com.", genuine)
	d := mustNew(t, DefaultConfig(), WithResolver(dns))
	classify := func(ip string) Verification {
		return d.Classify(context.Background(), uaRequest(googlebotUA), netip.MustParseAddr(ip)).Verification
	}
	for i := range 100 {
		if out := classify(fmt.Sprintf("2001:db8:1:2::%x", i+1)); out != NoPTR {
			t.Fatalf("fake %d: %s", i, out)
		}
	}
	if n := dns.ptrCalls.Load(); n != 1 {
		t.Errorf("%d PTR lookups for 100 fakes from one /64, want 1", n)
	}
	if out := classify("2001:db8:1:3::1"); out != NoPTR || dns.ptrCalls.Load() != 2 {
		t.Errorf("another /64: %s after %d lookups, want its own lookup", out, dns.ptrCalls.Load())
	}
	for i := range 3 {
		classify(fmt.Sprintf("192.0.2.%d", i+1))
	}
	if n := dns.ptrCalls.Load(); n != 5 {
		t.Errorf("%d PTR lookups after 3 IPv4 fakes, want 5 (one per address)", n)
	}
	if out := classify(genuine); out != ByDNS {
		t.Fatalf("genuine: %s", out)
	}
	if out := classify("2001:4860:4801:10::2"); out != NoPTR {
		t.Fatalf("neighbour of genuine: %s", out)
	}
	if out := classify(genuine); out != ByDNS {
		t.Errorf("genuine after a failing neighbour: %s", out)
	}
}

// TestVerifyCacheBeforeOverloaded fills every lookup slot and checks that
// an outcome cached for the client's /64 is still served, not refused.
func TestVerifyCacheBeforeOverloaded(t *testing.T) {
	dns := newFakeDNS()
	d := mustNew(t, DefaultConfig(), WithResolver(dns), WithMaxLookups(1))
	ctx := context.Background()
	if out := d.Classify(ctx, uaRequest(googlebotUA), netip.MustParseAddr("2001:db8:1:2::1")).Verification; out != NoPTR {
		t.Fatalf("first fake: %s", out)
	}
	dns.mu.Lock()
	dns.block = make(chan struct{})
	dns.mu.Unlock()
	defer close(dns.block)
	go d.Classify(ctx, uaRequest(googlebotUA), netip.MustParseAddr("203.0.113.1"))
	waitFor(t, func() bool { return dns.ptrCalls.Load() == 2 })
	if out := d.Classify(ctx, uaRequest(googlebotUA), netip.MustParseAddr("2001:db8:1:2::2")).Verification; out != NoPTR {
		t.Errorf("second fake of the /64 while the slots are full: %s, want the cached no_ptr", out)
	}
	if out := d.Classify(ctx, uaRequest(googlebotUA), netip.MustParseAddr("203.0.113.2")).Verification; out != Overloaded {
		t.Errorf("uncached address while the slots are full: %s, want overloaded", out)
	}
}

// TestVerifyFloodFromOneNetwork sends a flood of fake Googlebot claims
// from one IPv6 /64 to public notes, with a DNS that does not answer for
// them (slow) or answers at once (fast): the flood gets at most
// maxLookupsPerNet lookups, and a genuine Googlebot arriving meanwhile
// still verifies and is allowed.
func TestVerifyFloodFromOneNetwork(t *testing.T) {
	for _, slow := range []bool{true, false} {
		t.Run(map[bool]string{true: "slow", false: "fast"}[slow], func(t *testing.T) {
			dns := newFakeDNS()
			dns.set(googleIP, googlePTR, googleIP)
			if slow {
				dns.block = make(chan struct{})
				dns.slow = func(host string) bool { return strings.HasPrefix(host, "2001:db8:bad:1:") }
			}
			d := mustNew(t, DefaultConfig(), WithResolver(dns))
			ctx := context.Background()
			const flood = 2 * defaultMaxLookups
			var wg sync.WaitGroup
			var done, overloaded atomic.Int32
			for i := range flood {
				wg.Go(func() {
					ip := netip.MustParseAddr(fmt.Sprintf("2001:db8:bad:1::%x", i+1))
					dec := d.Decide(ctx, Public, uaRequest(googlebotUA), ip)
					if dec.Action != Deny || dec.Category != Spoofed {
						t.Errorf("fake %d: %+v", i, dec)
					}
					if dec.Verification == Overloaded {
						overloaded.Add(1)
					}
					done.Add(1)
				})
			}
			// Every fake has either a lookup in flight or an answer.
			waitFor(t, func() bool { return dns.ptrCalls.Load()+done.Load() >= flood })
			dec := d.Decide(ctx, Public, uaRequest(googlebotUA), netip.MustParseAddr(googleIP))
			if dec.Action != Allow || dec.Verification != ByDNS {
				t.Errorf("genuine Googlebot during the flood: %+v", dec)
			}
			if n := dns.ptrCalls.Load() - 1; n > maxLookupsPerNet {
				t.Errorf("%d lookups for the flood from one /64, want at most %d", n, maxLookupsPerNet)
			}
			if slow {
				close(dns.block)
			}
			wg.Wait()
			if slow && overloaded.Load() < flood-maxLookupsPerNet {
				t.Errorf("%d fakes refused as overloaded, want at least %d", overloaded.Load(), flood-maxLookupsPerNet)
			}
		})
	}
}

func TestCacheEvicts(t *testing.T) {
	c := newCache(2)
	now := time.Unix(0, 0)
	k := func(i int) cacheKey {
		return cacheKey{net: netip.PrefixFrom(netip.AddrFrom4([4]byte{192, 0, 2, byte(i)}), 32)}
	}
	c.put(k(1), ByDNS, now.Add(time.Hour))
	c.put(k(2), NoPTR, now.Add(time.Hour))
	c.get(k(1), now) // 1 is now the most recent
	c.put(k(3), WrongDomain, now.Add(time.Hour))
	if _, ok := c.get(k(2), now); ok {
		t.Error("least recently used entry kept")
	}
	if v, ok := c.get(k(1), now); !ok || v != ByDNS {
		t.Error("recent entry evicted")
	}
	if c.len() != 2 {
		t.Errorf("len %d", c.len())
	}
	c.put(k(1), NoPTR, now.Add(time.Hour)) // update in place
	if v, _ := c.get(k(1), now); v != NoPTR || c.len() != 2 {
		t.Errorf("update: %s, len %d", v, c.len())
	}
}

func TestVerificationNames(t *testing.T) {
	seen := map[string]bool{}
	for v := Unchecked; v <= OutsideRanges; v++ {
		s := v.String()
		if s == "invalid" || seen[s] {
			t.Errorf("%d: %q", v, s)
		}
		seen[s] = true
	}
	if Verification(200).String() != "invalid" {
		t.Error("out of range name")
	}
}

// waitFor polls cond for up to 5 s.
func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met in 5s")
		}
		time.Sleep(time.Millisecond)
	}
}
