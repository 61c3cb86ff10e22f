package clientip

import (
	"errors"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"strings"

	"github.com/quirehq/quire"
)

var (
	errZone  = errors.New("zone not allowed")
	errEmpty = errors.New("empty entry")
)

// parseTrusted parses one trusted-proxy entry: a CIDR or a single address
// (a /32 or /128). IPv4-mapped IPv6 forms are turned into IPv4 because
// Resolve unmaps addresses before matching. Zones are refused: a range of
// the whole Internet does not belong to one interface.
func parseTrusted(s string) (netip.Prefix, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return netip.Prefix{}, errEmpty
	}
	if strings.Contains(s, "%") {
		return netip.Prefix{}, errZone
	}
	if !strings.Contains(s, "/") {
		a, err := netip.ParseAddr(s)
		if err != nil {
			return netip.Prefix{}, err
		}
		a = a.Unmap()
		return netip.PrefixFrom(a, a.BitLen()), nil
	}
	p, err := netip.ParsePrefix(s)
	if err != nil {
		return netip.Prefix{}, err
	}
	if a := p.Addr(); a.Is4In6() {
		if p.Bits() < 96 {
			return netip.Prefix{}, errors.New("IPv4-mapped prefix shorter than /96")
		}
		p = netip.PrefixFrom(a.Unmap(), p.Bits()-96)
	}
	return p.Masked(), nil
}

// parseHeaderName validates the configured header and returns its canonical
// form, or "" for X-Forwarded-For.
func parseHeaderName(h string) (string, error) {
	h = strings.TrimSpace(h)
	if h == "" {
		return "", nil
	}
	if !isToken(h) || len(h) > 64 {
		return "", quire.Errorf(quire.EINVALID, "client IP header is not a valid header name")
	}
	c := http.CanonicalHeaderKey(h)
	switch c {
	case xffHeader:
		return "", nil
	case "Forwarded":
		// RFC 7239 has its own syntax (for=...;proto=...), not one address.
		return "", quire.Errorf(quire.EINVALID, "client IP header Forwarded is not supported; use X-Forwarded-For or a single-address header such as X-Real-IP")
	}
	return c, nil
}

// isToken reports whether s is an RFC 9110 token (a valid field name).
func isToken(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		case strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0:
		default:
			return false
		}
	}
	return s != ""
}

// parsePeer parses RemoteAddr ("host:port", or a bare address from a
// test or an unusual listener). The zero Addr means it is not an IP.
func parsePeer(remote string) netip.Addr {
	if ap, err := netip.ParseAddrPort(remote); err == nil {
		return norm(ap.Addr())
	}
	host, _, err := net.SplitHostPort(remote)
	if err != nil {
		host = remote
	}
	a, err := netip.ParseAddr(host)
	if err != nil {
		return netip.Addr{}
	}
	return norm(a)
}

// parseEntry parses one forwarded address: "1.2.3.4", "1.2.3.4:5678",
// "2001:db8::1", "[2001:db8::1]", "[2001:db8::1]:443", each IPv6 form with
// or without a zone. The zone is dropped and IPv4-mapped IPv6 is unmapped.
// The form is picked from the shape of s so that a valid entry is parsed
// once, without allocating.
func parseEntry(s string) (netip.Addr, bool) {
	switch {
	case s == "":
		return netip.Addr{}, false
	case s[0] == '[':
		return parseBracketed(s)
	case strings.Count(s, ":") == 1: // IPv4 with a port; IPv6 has two or more
		ap, err := netip.ParseAddrPort(s)
		return norm(ap.Addr()), err == nil
	}
	a, err := netip.ParseAddr(s)
	return norm(a), err == nil
}

// parseBracketed parses "[IPv6]" and "[IPv6]:port".
func parseBracketed(s string) (netip.Addr, bool) {
	end := strings.IndexByte(s, ']')
	if end < 0 {
		return netip.Addr{}, false
	}
	a, err := netip.ParseAddr(s[1:end])
	if err != nil || !a.Is6() {
		return netip.Addr{}, false
	}
	if rest := s[end+1:]; rest != "" && !validPort(rest) {
		return netip.Addr{}, false
	}
	return norm(a), true
}

// validPort reports whether s is ":" and a decimal port, as
// netip.ParseAddrPort accepts it.
func validPort(s string) bool {
	if len(s) < 2 || s[0] != ':' {
		return false
	}
	_, err := strconv.ParseUint(s[1:], 10, 16)
	return err == nil
}

func norm(a netip.Addr) netip.Addr { return a.WithZone("").Unmap() }

// trimOWS drops the optional white space (space, tab) around a list element.
func trimOWS(s string) string {
	return strings.Trim(s, " \t")
}
