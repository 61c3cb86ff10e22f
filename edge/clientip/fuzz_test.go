package clientip

import (
	"net/http"
	"net/netip"
	"strings"
	"testing"
)

// refWalk is the obvious, unbounded walk: join the lines, split on commas,
// go from the right. Resolve must agree with it whenever the header is
// within the bounds.
func refWalk(r *Resolver, lines []string, peer netip.Addr) netip.Addr {
	elems := strings.Split(strings.Join(lines, ","), ",")
	last := peer
	for i := len(elems) - 1; i >= 0; i-- {
		e := strings.Trim(elems[i], " \t")
		if e == "" {
			continue
		}
		a, ok := parseEntry(e)
		if !ok {
			return last
		}
		if !r.Trusted(a) {
			return a
		}
		last = a
	}
	return last
}

// withinBounds reports whether Resolve reads the whole of lines.
func withinBounds(lines []string) bool {
	entries, size := 0, 0
	for _, l := range lines {
		entries += strings.Count(l, ",") + 1
		size += len(l) + 1
	}
	return entries <= MaxEntries && size <= MaxBytes
}

// candidates are the answers Resolve may give: the peer or any address
// written in the header.
func candidates(peer netip.Addr, lines []string) map[netip.Addr]bool {
	m := map[netip.Addr]bool{peer: true}
	for _, e := range strings.Split(strings.Join(lines, ","), ",") {
		if a, ok := parseEntry(strings.Trim(e, " \t")); ok {
			m[a] = true
		}
	}
	return m
}

func FuzzResolve(f *testing.F) {
	seeds := [][4]string{
		{"10.0.0.1:80", "198.51.100.1, 10.1.1.1", "", ""},
		{"203.0.113.7:1", "1.1.1.1", "", "1.1.1.1"},
		{"[::ffff:10.0.0.1]:80", "[2001:db8::1]:443, ::ffff:10.9.9.9", "fe80::1%eth0", "[fe80::1%eth0]:1"},
		{"[2001:db8:ffff::1]:443", "garbage, 10.1.1.1", "\xff\xfe", " 198.51.100.1 "},
		{"10.0.0.1", ",, ,", "10.0.0.2:99999", "x"},
		{"@", "198.51.100.1", "", ""},
		{"172.16.0.1:1", strings.Repeat("10.0.0.2,", 70), "198.51.100.1", ""},
	}
	for _, s := range seeds {
		f.Add(s[0], s[1], s[2], s[3])
	}
	xr := mustNew(f, Options{TrustedProxies: testProxies})
	sr := mustNew(f, Options{TrustedProxies: testProxies, Header: "X-Real-IP"})
	f.Fuzz(func(t *testing.T, remote, line1, line2, real string) {
		lines := []string{line1}
		if line2 != "" {
			lines = append(lines, line2)
		}
		req := request(remote, http.Header{"X-Forwarded-For": lines, "X-Real-Ip": {real}})
		peer := parsePeer(remote)
		checkAddr(t, peer)

		got := xr.Resolve(req)
		checkAddr(t, got)
		if !xr.Trusted(peer) && got != peer {
			t.Fatalf("untrusted peer %v: got %v", peer, got)
		}
		if !candidates(peer, lines)[got] {
			t.Fatalf("answer %v is neither the peer nor in the header", got)
		}
		if xr.Trusted(peer) && withinBounds(lines) {
			if want := refWalk(xr, lines, peer); got != want {
				t.Fatalf("Resolve = %v, reference walk = %v", got, want)
			}
		}

		got = sr.Resolve(req)
		checkAddr(t, got)
		if want, ok := parseEntry(strings.Trim(real, " \t")); got != peer && (!ok || got != want || !sr.Trusted(peer)) {
			t.Fatalf("single header: got %v, peer %v, header value %v (%v)", got, peer, want, ok)
		}
		_ = Key(got)
	})
}

// checkAddr fails unless a is the zero Addr or a normalised address: no
// zone, IPv4 never mapped into IPv6.
func checkAddr(t *testing.T, a netip.Addr) {
	t.Helper()
	if a.IsValid() && (a.Zone() != "" || a.Is4In6()) {
		t.Fatalf("address %v not normalised", a)
	}
}

func FuzzParseEntry(f *testing.F) {
	for _, s := range []string{"1.2.3.4", "1.2.3.4:80", "[::1]:80", "[::1]", "fe80::1%eth0", "[fe80::1%x]:1", "::ffff:1.2.3.4", "[1.2.3.4]", "::1:80", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		a, ok := parseEntry(s)
		if !ok {
			if _, rok := refParseEntry(s); rok {
				t.Fatalf("refused %q, which the reference accepts", s)
			}
			if a.IsValid() {
				t.Fatalf("refused %q but returned %v", s, a)
			}
			return
		}
		checkAddr(t, a)
		if !a.IsValid() {
			t.Fatalf("accepted %q as the zero Addr", s)
		}
		// The straightforward parser agrees (checked for refusals above).
		if b, ok := refParseEntry(s); !ok || b != a {
			t.Fatalf("%q: got %v, reference %v (%v)", s, a, b, ok)
		}
		// The canonical form parses back to the same address.
		if b, ok := parseEntry(a.String()); !ok || b != a {
			t.Fatalf("%q -> %v does not round-trip (%v, %v)", s, a, b, ok)
		}
		// A bare address means what ParseAddr says, normalised.
		if p, err := netip.ParseAddr(s); err == nil && norm(p) != a {
			t.Fatalf("%q: got %v, ParseAddr says %v", s, a, p)
		}
		k := Key(a)
		if k == Unknown || (a.Is4() && k != a.String()) || (a.Is6() && !strings.HasSuffix(k, "/64")) {
			t.Fatalf("Key(%v) = %q", a, k)
		}
	})
}

func FuzzParsePeer(f *testing.F) {
	for _, s := range []string{"10.0.0.1:80", "[::1]:80", "[fe80::1%eth0]:1", "@", "", "10.0.0.1", "[::ffff:1.2.3.4]:5"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		a := parsePeer(s)
		checkAddr(t, a)
		if ap, err := netip.ParseAddrPort(s); err == nil && a != norm(ap.Addr()) {
			t.Fatalf("%q: got %v, ParseAddrPort says %v", s, a, ap.Addr())
		}
	})
}

// refParseEntry is parseEntry the slow way: try every form in turn.
func refParseEntry(s string) (netip.Addr, bool) {
	if a, err := netip.ParseAddr(s); err == nil {
		return norm(a), true
	}
	if ap, err := netip.ParseAddrPort(s); err == nil {
		return norm(ap.Addr()), true
	}
	if len(s) > 2 && s[0] == '[' && s[len(s)-1] == ']' {
		if a, err := netip.ParseAddr(s[1 : len(s)-1]); err == nil && a.Is6() {
			return norm(a), true
		}
	}
	return netip.Addr{}, false
}
