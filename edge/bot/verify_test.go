package bot

import (
	"context"
	"errors"
	"net/netip"
	"sync"
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

func TestCacheEvicts(t *testing.T) {
	c := newCache(2)
	now := time.Unix(0, 0)
	k := func(i int) cacheKey { return cacheKey{addr: netip.AddrFrom4([4]byte{192, 0, 2, byte(i)})} }
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
