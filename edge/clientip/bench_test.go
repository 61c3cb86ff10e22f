package clientip

import (
	"net/http"
	"net/netip"
	"strings"
	"testing"
)

var sinkAddr netip.Addr

func BenchmarkResolve(b *testing.B) {
	r := mustNew(b, Options{TrustedProxies: testProxies})
	sr := mustNew(b, Options{TrustedProxies: testProxies, Header: "X-Real-IP"})
	cases := []struct {
		name string
		r    *Resolver
		req  *http.Request
	}{
		{"untrusted", r, request("203.0.113.7:1234", xff("1.1.1.1"))},
		{"xff-1-hop", r, request("10.0.0.1:1234", xff("198.51.100.1"))},
		{"xff-3-hops", r, request("10.0.0.1:1234", xff("6.6.6.6, 198.51.100.1, 10.1.1.1, 192.168.1.1"))},
		{"xff-ipv6-ports", r, request("[2001:db8:ffff::1]:443", xff("[2001:db8::1]:443, [2001:db8:ffff::2]:80"))},
		{"xff-64-trusted", r, request("10.0.0.1:1234", xff(strings.TrimSuffix(strings.Repeat("10.0.0.2,", 64), ",")))},
		{"xff-1MiB", r, request("10.0.0.1:1234", xff(strings.Repeat("x", 1<<20)+", 198.51.100.1"))},
		{"x-real-ip", sr, request("10.0.0.1:1234", http.Header{"X-Real-Ip": {"198.51.100.1"}})},
	}
	// The baseline, parsing RemoteAddr alone, runs first in the same
	// process so the others are reported as ratios to it (x-baseline).
	var base float64
	b.Run("baseline-remoteaddr", func(b *testing.B) {
		req := cases[0].req
		for b.Loop() {
			ap, _ := netip.ParseAddrPort(req.RemoteAddr)
			sinkAddr = ap.Addr()
		}
		base = perOp(b)
	})
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				sinkAddr = c.r.Resolve(c.req)
			}
			if base > 0 {
				b.ReportMetric(perOp(b)/base, "x-baseline")
			}
		})
	}
}

func BenchmarkKey(b *testing.B) {
	v4, v6 := netip.MustParseAddr("198.51.100.1"), netip.MustParseAddr("2001:db8:1:2:3:4:5:6")
	b.ReportAllocs()
	for b.Loop() {
		_ = Key(v4)
		_ = Key(v6)
	}
}

// perOp is the mean time of one iteration in nanoseconds.
func perOp(b *testing.B) float64 {
	return float64(b.Elapsed().Nanoseconds()) / float64(max(b.N, 1))
}
