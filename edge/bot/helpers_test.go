package bot

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/netip"
	"regexp"
	"regexp/syntax"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// mustMatcher returns the default matcher or fails the test.
func mustMatcher(t testing.TB) *Matcher {
	t.Helper()
	m, err := DefaultMatcher()
	if err != nil {
		t.Fatalf("DefaultMatcher: %v", err)
	}
	return m
}

// naiveMatches is the reference: every regexp, one after the other, on
// the first MatchWindow bytes of ua.
func naiveMatches(res []*regexp.Regexp, ua string) []int32 {
	if len(ua) > MatchWindow {
		ua = ua[:MatchWindow]
	}
	var out []int32
	for i, re := range res {
		if re.MatchString(ua) {
			out = append(out, int32(i))
		}
	}
	return out
}

// naiveFirst is the first match of naiveMatches, or -1.
func naiveFirst(res []*regexp.Regexp, ua string) int32 {
	if len(ua) > MatchWindow {
		ua = ua[:MatchWindow]
	}
	for i, re := range res {
		if re.MatchString(ua) {
			return int32(i)
		}
	}
	return -1
}

// naivePreferred is the reference of Matcher.first: the first match in
// prio, or else the first match, or -1.
func naivePreferred(res []*regexp.Regexp, ua string, prio *sigSet) int32 {
	all := naiveMatches(res, ua)
	for _, i := range all {
		if prio.has(i) {
			return i
		}
	}
	if len(all) == 0 {
		return -1
	}
	return all[0]
}

// fakeDNS is a Resolver with fixed answers. While block is open, lookups
// wait for it to close (or for their context to end): all of them, or
// when slow is set, those of the addresses and names it selects.
type fakeDNS struct {
	mu       sync.Mutex
	ptr      map[string][]string     // address → PTR names
	fwd      map[string][]netip.Addr // name → addresses
	ptrErr   error                   // returned by every LookupAddr when set
	block    chan struct{}
	slow     func(host string) bool
	ptrCalls atomic.Int32
	fwdCalls atomic.Int32
}

func newFakeDNS() *fakeDNS {
	return &fakeDNS{ptr: map[string][]string{}, fwd: map[string][]netip.Addr{}}
}

// set makes addr's PTR name and name's forward addresses.
func (f *fakeDNS) set(addr, name string, fwd ...string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.ptr[addr] = append(f.ptr[addr], name)
	for _, a := range fwd {
		f.fwd[name] = append(f.fwd[name], netip.MustParseAddr(a))
	}
}

func (f *fakeDNS) wait(ctx context.Context, host string) error {
	f.mu.Lock()
	b, slow := f.block, f.slow
	f.mu.Unlock()
	if b == nil || slow != nil && !slow(host) {
		return nil
	}
	select {
	case <-b:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (f *fakeDNS) LookupAddr(ctx context.Context, addr string) ([]string, error) {
	f.ptrCalls.Add(1)
	if err := f.wait(ctx, addr); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.ptrErr != nil {
		return nil, f.ptrErr
	}
	names, ok := f.ptr[addr]
	if !ok {
		return nil, &net.DNSError{Err: "no such host", Name: addr, IsNotFound: true}
	}
	return names, nil
}

func (f *fakeDNS) LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error) {
	f.fwdCalls.Add(1)
	if network != "ip" {
		return nil, errors.New("unexpected network " + network)
	}
	if err := f.wait(ctx, host); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	addrs, ok := f.fwd[host]
	if !ok {
		return nil, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
	}
	return addrs, nil
}

// fakeClock is a settable clock.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// mustNew returns a Detector for cfg or fails the test.
func mustNew(t testing.TB, cfg Config, opts ...Option) *Detector {
	t.Helper()
	d, err := New(cfg, opts...)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return d
}

// uaRequest is a browser-like GET carrying ua (none when "").
func uaRequest(ua string) *http.Request {
	h := browserHeaders()
	h.Del("Sec-Ch-Ua")
	if ua == "" {
		h.Del("User-Agent")
	} else {
		h.Set("User-Agent", ua)
	}
	return &http.Request{Method: http.MethodGet, Header: h}
}

const (
	googlebotUA = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"
	googleIP    = "66.249.66.1"
	googlePTR   = "crawl-66-249-66-1.googlebot.com."
)

// packedUA is a User-Agent of up to n bytes packed with signature text: a
// Googlebot's, then the first example of every signature in table order.
func packedUA(t testing.TB, n int) string {
	t.Helper()
	es, err := parseEntries(vendoredJSON)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	b.WriteString(googlebotUA)
	for _, e := range es {
		if len(e.Instances) > 0 {
			b.WriteString(" " + e.Instances[0])
		}
	}
	return b.String()[:n]
}

// decoyUA is a User-Agent of up to n bytes that triggers as many
// signatures' prefilter factors as fit, in upper case, but matches none
// of them: the worst case for the matcher, which must try every
// candidate.
func decoyUA(t testing.TB, m *Matcher, n int) string {
	t.Helper()
	lowered := make([]string, len(browserUAs))
	for i, ua := range browserUAs {
		lowered[i] = lowerASCII(ua)
	}
	ua := ""
	for _, s := range m.sigs {
		re, err := syntax.Parse(s.Pattern, syntax.Perl)
		if err != nil {
			t.Fatal(err)
		}
		fs, ok := factors(re.Simplify())
		if !ok {
			continue
		}
		next := ua + strings.ToUpper(window(fs[0], lowered)) + " "
		if len(next) > n {
			break
		}
		if naiveFirst(m.res, next) < 0 {
			ua = next
		}
	}
	return ua
}
