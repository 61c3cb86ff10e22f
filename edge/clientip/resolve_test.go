package clientip

import (
	"net/http"
	"strings"
	"testing"
)

func TestResolveXFF(t *testing.T) {
	r := mustNew(t, Options{TrustedProxies: testProxies})
	const client = "198.51.100.1"
	tests := []struct {
		name, remote string
		h            http.Header
		want         string
	}{
		{"untrusted peer, spoofed XFF", "203.0.113.7:1234", xff("1.1.1.1"), "203.0.113.7"},
		{"untrusted peer, spoofed X-Real-IP", "203.0.113.7:1234", http.Header{"X-Real-Ip": {"1.1.1.1"}}, "203.0.113.7"},
		{"untrusted peer, no header", "203.0.113.7:1234", nil, "203.0.113.7"},
		{"trusted peer, no header", "10.0.0.1:80", nil, "10.0.0.1"},
		{"trusted peer, one entry", "10.0.0.1:80", xff(client), client},
		{"trusted peer, spoofed left entries", "10.0.0.1:80", xff("6.6.6.6, 7.7.7.7, " + client), client},
		{"chain of trusted proxies", "10.0.0.1:80", xff("6.6.6.6, " + client + ", 10.1.1.1, 192.168.1.1"), client},
		{"all trusted: left-most", "10.0.0.1:80", xff("10.1.1.1, 192.168.1.1, 10.2.2.2"), "10.1.1.1"},
		{"malformed between trusted", "10.0.0.1:80", xff(client + ", garbage, 10.1.1.1"), "10.1.1.1"},
		{"malformed right-most", "10.0.0.1:80", xff(client + ", garbage"), "10.0.0.1"},
		{"malformed left of client", "10.0.0.1:80", xff("garbage, " + client), client},
		{"unknown token", "10.0.0.1:80", xff("unknown, 10.1.1.1"), "10.1.1.1"},
		{"obfuscated hostname", "10.0.0.1:80", xff("example.com"), "10.0.0.1"},
		{"IPv4 with port", "10.0.0.1:80", xff(client + ":5678"), client},
		{"bad port", "10.0.0.1:80", xff(client + ":99999, 10.1.1.1"), "10.1.1.1"},
		{"empty port", "10.0.0.1:80", xff(client + ":"), "10.0.0.1"},
		{"IPv6 bare", "10.0.0.1:80", xff("2001:db8::1"), "2001:db8::1"},
		{"IPv6 bracketed", "10.0.0.1:80", xff("[2001:db8::1]"), "2001:db8::1"},
		{"IPv6 with port", "10.0.0.1:80", xff("[2001:db8::1]:443"), "2001:db8::1"},
		{"IPv4 in brackets refused", "10.0.0.1:80", xff("[" + client + "]:80"), "10.0.0.1"},
		{"IPv6 zone dropped", "10.0.0.1:80", xff("fe80::1%eth0"), "fe80::1"},
		{"IPv6 zone and port", "10.0.0.1:80", xff("[fe80::1%eth0]:443"), "fe80::1"},
		{"IPv4 zone refused", "10.0.0.1:80", xff(client + "%eth0"), "10.0.0.1"},
		{"IPv4-mapped entry unmapped", "10.0.0.1:80", xff("::ffff:" + client), client},
		{"IPv4-mapped trusted entry skipped", "10.0.0.1:80", xff(client + ", ::ffff:10.9.9.9"), client},
		{"IPv4-mapped peer trusted", "[::ffff:10.0.0.1]:80", xff(client), client},
		{"IPv4-mapped peer untrusted", "[::ffff:203.0.113.7]:80", xff(client), "203.0.113.7"},
		{"mapped CIDR matches IPv4", "172.16.3.4:80", xff(client + ", 172.31.0.1"), client},
		{"IPv6 trusted peer", "[2001:db8:ffff::1]:443", xff("2001:db8:1::5"), "2001:db8:1::5"},
		{"IPv6 peer zone dropped", "[fe80::1%eth0]:443", xff(client), "fe80::1"},
		{"peer without port", "10.0.0.1", xff(client), client},
		{"peer not an IP", "@", xff(client), ""},
		{"peer empty", "", xff(client), ""},
		{"multiple lines joined in order", "10.0.0.1:80", xff("6.6.6.6", client+", 10.1.1.1"), client},
		{"client on an earlier line", "10.0.0.1:80", xff(client, "10.1.1.1", "192.168.1.1"), client},
		{"garbage on an earlier line", "10.0.0.1:80", xff("garbage", "10.1.1.1"), "10.1.1.1"},
		{"empty line", "10.0.0.1:80", xff(""), "10.0.0.1"},
		{"empty lines around client", "10.0.0.1:80", xff("", client, ""), client},
		{"empty elements ignored", "10.0.0.1:80", xff(client + ",, ,\t,10.1.1.1,"), client},
		{"only separators", "10.0.0.1:80", xff(" , ,"), "10.0.0.1"},
		{"tabs and spaces", "10.0.0.1:80", xff("\t" + client + " \t,  10.1.1.1  "), client},
		{"invalid UTF-8 entry", "10.0.0.1:80", xff("\xff\xfe, 10.1.1.1"), "10.1.1.1"},
		{"invalid UTF-8 in address", "10.0.0.1:80", xff(client + "\xff"), "10.0.0.1"},
		{"NUL in address", "10.0.0.1:80", xff(client + "\x00"), "10.0.0.1"},
		{"lower-case name ignored by Go", "10.0.0.1:80", http.Header{"x-forwarded-for": {client}}, "10.0.0.1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := r.Resolve(request(tt.remote, tt.h))
			if want := addr(t, tt.want); got != want {
				t.Errorf("Resolve(%q, %q) = %v, want %v", tt.remote, tt.h, got, want)
			}
		})
	}
}

func TestResolveNoTrustedProxies(t *testing.T) {
	r := mustNew(t, Options{})
	for _, remote := range []string{"10.0.0.1:80", "127.0.0.1:1", "[::1]:80"} {
		got := r.Resolve(request(remote, xff("198.51.100.1")))
		if want := parsePeer(remote); got != want || !got.IsValid() {
			t.Errorf("%s: got %v, want the peer %v", remote, got, want)
		}
	}
}

func TestResolveSingleHeader(t *testing.T) {
	const client = "198.51.100.1"
	r := mustNew(t, Options{TrustedProxies: testProxies, Header: "x-real-ip"})
	tests := []struct {
		name, remote string
		h            http.Header
		want         string
	}{
		{"trusted peer", "10.0.0.1:80", http.Header{"X-Real-Ip": {client}}, client},
		{"trusted peer, XFF ignored", "10.0.0.1:80", http.Header{"X-Real-Ip": {client}, "X-Forwarded-For": {"6.6.6.6"}}, client},
		{"trusted peer, only XFF", "10.0.0.1:80", xff(client), "10.0.0.1"},
		{"untrusted peer", "203.0.113.7:1", http.Header{"X-Real-Ip": {client}}, "203.0.113.7"},
		{"space around", "10.0.0.1:80", http.Header{"X-Real-Ip": {" " + client + "\t"}}, client},
		{"IPv6 with port and zone", "10.0.0.1:80", http.Header{"X-Real-Ip": {"[fe80::1%eth0]:80"}}, "fe80::1"},
		{"mapped", "10.0.0.1:80", http.Header{"X-Real-Ip": {"::ffff:" + client}}, client},
		{"trusted value still returned", "10.0.0.1:80", http.Header{"X-Real-Ip": {"10.2.2.2"}}, "10.2.2.2"},
		{"invalid", "10.0.0.1:80", http.Header{"X-Real-Ip": {"garbage"}}, "10.0.0.1"},
		{"list refused", "10.0.0.1:80", http.Header{"X-Real-Ip": {client + ", 10.1.1.1"}}, "10.0.0.1"},
		{"two lines refused", "10.0.0.1:80", http.Header{"X-Real-Ip": {"6.6.6.6", client}}, "10.0.0.1"},
		{"empty", "10.0.0.1:80", http.Header{"X-Real-Ip": {""}}, "10.0.0.1"},
		{"too long", "10.0.0.1:80", http.Header{"X-Real-Ip": {client + strings.Repeat(" ", maxSingle)}}, "10.0.0.1"},
		{"invalid UTF-8", "10.0.0.1:80", http.Header{"X-Real-Ip": {"\xff" + client}}, "10.0.0.1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := r.Resolve(request(tt.remote, tt.h))
			if want := addr(t, tt.want); got != want {
				t.Errorf("Resolve(%q, %q) = %v, want %v", tt.remote, tt.h, got, want)
			}
		})
	}
}

func TestResolveCFConnectingIP(t *testing.T) {
	r := mustNew(t, Options{TrustedProxies: []string{"173.245.48.0/20"}, Header: "CF-Connecting-IP"})
	h := http.Header{"Cf-Connecting-Ip": {"2001:db8::7"}}
	if got := r.Resolve(request("173.245.48.1:443", h)); got != addr(t, "2001:db8::7") {
		t.Errorf("trusted: got %v", got)
	}
	if got := r.Resolve(request("203.0.113.7:443", h)); got != addr(t, "203.0.113.7") {
		t.Errorf("untrusted: got %v", got)
	}
}
