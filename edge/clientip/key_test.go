package clientip

import (
	"context"
	"net/netip"
	"testing"
)

func TestKey(t *testing.T) {
	tests := []struct {
		in   netip.Addr
		want string
	}{
		{netip.MustParseAddr("192.0.2.1"), "192.0.2.1"},
		{netip.MustParseAddr("::ffff:192.0.2.1"), "192.0.2.1"},
		{netip.MustParseAddr("2001:db8:1:2:3:4:5:6"), "2001:db8:1:2::/64"},
		{netip.MustParseAddr("2001:db8:1:2::"), "2001:db8:1:2::/64"},
		{netip.MustParseAddr("fe80::1%eth0"), "fe80::/64"},
		{netip.MustParseAddr("::1"), "::/64"},
		{netip.Addr{}, Unknown},
	}
	for _, tt := range tests {
		if got := Key(tt.in); got != tt.want {
			t.Errorf("Key(%v) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestKeyGroupsIPv6By64(t *testing.T) {
	a := Key(netip.MustParseAddr("2001:db8:aa:bb:1::1"))
	b := Key(netip.MustParseAddr("2001:db8:aa:bb:ffff:ffff:ffff:ffff"))
	c := Key(netip.MustParseAddr("2001:db8:aa:bc::1"))
	if a != b {
		t.Errorf("same /64, different keys: %q %q", a, b)
	}
	if a == c {
		t.Errorf("different /64, same key %q", a)
	}
	if Key(netip.MustParseAddr("192.0.2.1")) == Key(netip.MustParseAddr("192.0.2.2")) {
		t.Error("IPv4 addresses grouped")
	}
}

func TestContext(t *testing.T) {
	ctx := context.Background()
	if a, ok := Addr(ctx); ok || a.IsValid() {
		t.Errorf("empty context: %v, %v", a, ok)
	}
	want := netip.MustParseAddr("198.51.100.1")
	if a, ok := Addr(WithAddr(ctx, want)); !ok || a != want {
		t.Errorf("Addr = %v, %v; want %v, true", a, ok, want)
	}
	if _, ok := Addr(WithAddr(ctx, netip.Addr{})); ok {
		t.Error("zero Addr reported as found")
	}
}
