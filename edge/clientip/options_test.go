package clientip

import (
	"errors"
	"net/netip"
	"strings"
	"testing"

	"github.com/quirehq/quire"
)

func TestNewRejects(t *testing.T) {
	tests := []struct {
		name   string
		opts   Options
		msgHas string
		msgNot string
	}{
		{"not an address", Options{TrustedProxies: []string{"10.0.0.0/8", "proxy.local"}}, `#2 ("proxy.local")`, ""},
		{"bad prefix length", Options{TrustedProxies: []string{"10.0.0.0/33"}}, `#1 ("10.0.0.0/33")`, ""},
		{"empty entry", Options{TrustedProxies: []string{" "}}, "#1", ""},
		{"zone", Options{TrustedProxies: []string{"fe80::1%eth0"}}, "#1", ""},
		{"zone in prefix", Options{TrustedProxies: []string{"fe80::%eth0/64"}}, "#1", ""},
		{"short mapped prefix", Options{TrustedProxies: []string{"::ffff:0:0/95"}}, "#1", ""},
		{"control characters not echoed", Options{TrustedProxies: []string{"10.0.0.1\n" + "x"}}, "#1", "\n"},
		{"long entry not echoed", Options{TrustedProxies: []string{strings.Repeat("9", 100)}}, "#1", "999"},
		{"bad header name", Options{Header: "X Real IP"}, "header", ""},
		{"header with colon", Options{Header: "X-Real-IP:"}, "header", ""},
		{"Forwarded not supported", Options{Header: "forwarded"}, "Forwarded", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := New(tt.opts)
			if err == nil {
				t.Fatalf("New accepted %+v", tt.opts)
			}
			var qe *quire.Error
			if r != nil || !errors.As(err, &qe) || qe.Code != quire.EINVALID {
				t.Fatalf("want nil and an invalid_input *quire.Error, got %v, %v", r, err)
			}
			if !strings.Contains(qe.Message, tt.msgHas) {
				t.Errorf("message %q does not contain %q", qe.Message, tt.msgHas)
			}
			if tt.msgNot != "" && strings.Contains(qe.Message, tt.msgNot) {
				t.Errorf("message %q contains %q", qe.Message, tt.msgNot)
			}
		})
	}
}

func TestNewAccepts(t *testing.T) {
	r := mustNew(t, Options{
		TrustedProxies: []string{" 10.1.2.3/8 ", "192.0.2.1", "2001:db8::1", "::ffff:198.51.100.0/120", "::ffff:203.0.113.9"},
		Header:         "X-Forwarded-For",
	})
	if r.header != "" {
		t.Errorf("X-Forwarded-For named explicitly: header = %q, want XFF mode", r.header)
	}
	in := []string{"10.255.0.1", "192.0.2.1", "2001:db8::1", "198.51.100.7", "::ffff:198.51.100.7", "203.0.113.9", "fe80::1%eth0"}
	out := []string{"11.0.0.1", "192.0.2.2", "2001:db8::2", "198.51.101.7", "203.0.113.8", "fe80::1"}
	for _, s := range in[:6] {
		if !r.Trusted(netip.MustParseAddr(s)) {
			t.Errorf("%s not trusted", s)
		}
	}
	for _, s := range out {
		if r.Trusted(netip.MustParseAddr(s)) {
			t.Errorf("%s trusted", s)
		}
	}
	if r.Trusted(netip.Addr{}) {
		t.Error("zero Addr trusted")
	}
	if h := mustNew(t, Options{Header: " x-real-ip "}).header; h != "X-Real-Ip" {
		t.Errorf("header = %q, want canonical X-Real-Ip", h)
	}
}

func TestTrustedZoneIgnored(t *testing.T) {
	r := mustNew(t, Options{TrustedProxies: []string{"fe80::/10"}})
	if !r.Trusted(netip.MustParseAddr("fe80::1%eth0")) {
		t.Error("zoned address in a trusted range not trusted")
	}
}
