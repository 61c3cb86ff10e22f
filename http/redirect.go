package http

import (
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
)

// maxHostLen bounds the Host header the redirect accepts (a DNS name is at
// most 253 characters, plus a port).
const maxHostLen = 253 + len(":65535")

// redirectHandler answers every plain-HTTP request with a 308 to the same
// path and query over HTTPS on the request's own host, and a Host header
// that is not a plausible host name or IP address with 400. It sets the
// security headers but writes no body; HSTS is not sent over plain HTTP
// (RFC 6797, section 7.2).
func redirectHandler(httpsPort string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		setSecurityHeaders(w.Header())
		loc, ok := redirectLocation(r.Host, r.URL, httpsPort)
		if !ok {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		w.Header().Set("Location", loc)
		w.WriteHeader(http.StatusPermanentRedirect)
	})
}

// redirectLocation builds the https URL for a request to host (a Host
// header, with or without a port) and u, on httpsPort. It reports false when
// host is not a DNS name or IP literal. The result always points at the host
// from the request: only the port, the scheme and the escaping change.
func redirectLocation(host string, u *url.URL, httpsPort string) (string, bool) {
	name, ok := redirectHost(host)
	if !ok {
		return "", false
	}
	var b strings.Builder
	b.WriteString("https://")
	if httpsPort == "443" {
		b.WriteString(name)
	} else {
		b.WriteString(net.JoinHostPort(strings.Trim(name, "[]"), httpsPort))
	}
	path := u.EscapedPath()
	if !strings.HasPrefix(path, "/") {
		path = "/" + strings.TrimPrefix(path, "*")
	}
	b.WriteString(path)
	if u.RawQuery != "" || u.ForceQuery {
		b.WriteByte('?')
		b.WriteString(escapeQuery(u.RawQuery))
	}
	return b.String(), true
}

// redirectHost returns the host part of a Host header, lower-cased, with
// IPv6 literals in brackets, or false if it is not a DNS name, an IPv4
// address or a bracketed IPv6 address, optionally followed by a numeric port.
func redirectHost(host string) (string, bool) {
	if host == "" || len(host) > maxHostLen {
		return "", false
	}
	name, port := host, ""
	if strings.HasPrefix(host, "[") {
		end := strings.IndexByte(host, ']')
		if end < 0 {
			return "", false
		}
		name, port = host[1:end], host[end+1:]
		addr, err := netip.ParseAddr(name)
		if err != nil || !addr.Is6() || addr.Zone() != "" {
			return "", false
		}
		name = "[" + addr.String() + "]"
	} else if i := strings.IndexByte(host, ':'); i >= 0 {
		name, port = host[:i], host[i:]
	}
	if port != "" && !validPort(port) {
		return "", false
	}
	if strings.HasPrefix(name, "[") {
		return name, true
	}
	name = strings.ToLower(name)
	if addr, err := netip.ParseAddr(name); err == nil && addr.Is4() {
		return addr.String(), true
	}
	return name, validDNSName(name)
}

// validPort reports whether p is ":" followed by at most five digits (an
// empty port is allowed by RFC 3986).
func validPort(p string) bool {
	if p[0] != ':' || len(p) > 6 {
		return false
	}
	for _, c := range p[1:] {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// validDNSName reports whether name is a lower-case DNS host name: dot-
// separated labels of letters, digits and inner hyphens, 1 to 63 characters
// each, 253 in all. Like the WHATWG URL parser, it rejects a name whose last
// label is numeric, which browsers would read as an IPv4 address.
func validDNSName(name string) bool {
	if name == "" || len(name) > 253 {
		return false
	}
	labels := strings.Split(name, ".")
	for _, label := range labels {
		if len(label) == 0 || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for _, c := range label {
			if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
				return false
			}
		}
	}
	return !numericLabel(labels[len(labels)-1])
}

// numericLabel reports whether a label parses as a number in the WHATWG
// IPv4 parser (decimal, or hexadecimal with a 0x prefix).
func numericLabel(label string) bool {
	digits := strings.TrimPrefix(label, "0x")
	if digits == "" {
		return true // "0x" alone is zero
	}
	for _, c := range digits {
		if !(c >= '0' && c <= '9' || digits != label && c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

// escapeQuery percent-encodes every byte of a raw query that may not appear
// in a URL query, so the Location header is always a well-formed URL.
func escapeQuery(q string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(q); i++ {
		c := q[i]
		if queryByte(c) {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
	return b.String()
}

// queryByte reports whether c may appear unescaped in a URL query
// (RFC 3986 query characters, plus '%' of existing escapes).
func queryByte(c byte) bool {
	switch {
	case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		return true
	}
	return strings.IndexByte("-._~!$&'()*+,;=:@/?%", c) >= 0
}
