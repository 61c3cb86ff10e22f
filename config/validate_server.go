package config

import (
	"fmt"
	"net/netip"
	"strings"
)

// validateClientIP checks the trusted proxies and the client-IP header.
func validateClientIP(p *problems, s Server) {
	for i, tp := range s.TrustedProxies {
		if _, err := parsePrefix(tp); err != nil {
			p.add(fmt.Sprintf("server.trusted_proxies[%d]", i), "must be an IP address or a CIDR such as 10.0.0.0/8 or 2001:db8::/32")
		}
	}
	h := s.ClientIPHeader
	switch {
	case h == "":
	case !headerName(h):
		p.add("server.client_ip_header", "must be a header name such as X-Real-IP or CF-Connecting-IP")
	case len(s.TrustedProxies) == 0:
		p.add("server.client_ip_header", "only applies with server.trusted_proxies: from any other peer the header is ignored; list your proxies, or remove it")
	}
}

// parsePrefix reads a CIDR or a single address (as a /32 or /128).
func parsePrefix(s string) (netip.Prefix, error) {
	s = strings.TrimSpace(s)
	if strings.Contains(s, "/") {
		p, err := netip.ParsePrefix(s)
		return p.Masked(), err
	}
	a, err := netip.ParseAddr(s)
	if err != nil || a.Zone() != "" {
		return netip.Prefix{}, fmt.Errorf("not an address: %q", s)
	}
	return netip.PrefixFrom(a, a.BitLen()), nil
}

// headerName reports whether s is an HTTP header field name (RFC 9110
// token characters, at most 64).
func headerName(s string) bool {
	if len(s) > 64 {
		return false
	}
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.ContainsRune("!#$%&'*+-.^_`|~", c)) {
			return false
		}
	}
	return true
}
