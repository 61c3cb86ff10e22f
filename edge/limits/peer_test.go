package limits

import (
	"net"
	"testing"
)

func TestPeerKey(t *testing.T) {
	tests := []struct {
		addr net.Addr
		want string // "" means no IP
	}{
		{&net.TCPAddr{IP: net.ParseIP("192.0.2.1"), Port: 1}, "192.0.2.1/32"},
		{&net.TCPAddr{IP: net.ParseIP("::ffff:192.0.2.1"), Port: 1}, "192.0.2.1/32"},
		{&net.TCPAddr{IP: net.ParseIP("2001:db8:a:b:c:d:e:f"), Port: 1}, "2001:db8:a:b::/64"},
		{&net.TCPAddr{IP: net.ParseIP("fe80::1"), Port: 1, Zone: "eth0"}, "fe80::/64"},
		{&net.TCPAddr{}, ""},
		{fakeAddr("[2001:db8::1%en0]:443"), "2001:db8::/64"},
		{fakeAddr("198.51.100.4:80"), "198.51.100.4/32"},
		{fakeAddr("/run/quire.sock"), ""},
		{nil, ""},
	}
	for _, tt := range tests {
		ip, ok := peerAddr(tt.addr)
		got := ""
		if ok {
			got = peerKey(ip).String()
		}
		if got != tt.want {
			t.Errorf("peer key of %v = %q, want %q", tt.addr, got, tt.want)
		}
	}
}

// FuzzPeerKey feeds arbitrary remote-address strings (as a non-TCP
// listener reports them) through the peer parsing. Whatever parses must
// fall in its own group, unzoned and unmapped, with a fixed prefix length.
func FuzzPeerKey(f *testing.F) {
	for _, s := range []string{"192.0.2.1:1", "[::1]:2", "[fe80::1%eth0]:3", "[::ffff:1.2.3.4]:4", "x", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ip, ok := peerAddr(fakeAddr(s))
		if !ok {
			return
		}
		if ip.Zone() != "" || ip.Is4In6() {
			t.Fatalf("peerAddr(%q) = %v: zone or mapped form kept", s, ip)
		}
		key := peerKey(ip)
		if !key.IsValid() || !key.Contains(ip) {
			t.Fatalf("peerKey(%v) = %v does not contain the peer", ip, key)
		}
		if want := map[bool]int{true: 32, false: 64}[ip.Is4()]; key.Bits() != want {
			t.Fatalf("peerKey(%v) has /%d, want /%d", ip, key.Bits(), want)
		}
		if key != key.Masked() {
			t.Fatalf("peerKey(%v) = %v is not masked", ip, key)
		}
		if again, _ := peerAddr(&net.TCPAddr{IP: ip.AsSlice()}); peerKey(again) != key {
			t.Fatalf("TCP and string forms of %v group apart", ip)
		}
	})
}
