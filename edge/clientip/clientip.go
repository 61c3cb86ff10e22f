package clientip

import (
	"net/http"
	"net/netip"
	"strconv"
	"strings"

	"github.com/quirehq/quire"
)

// Bounds of the X-Forwarded-For walk. A chain of real proxies is a handful
// of hops; anything longer is noise or an attack and is not looked at.
const (
	// MaxEntries is the largest number of X-Forwarded-For entries read.
	MaxEntries = 64
	// MaxBytes is the largest number of X-Forwarded-For bytes read,
	// counted from the right, separators included.
	MaxBytes = 8 << 10
	// maxSingle bounds the value of a single-address header.
	maxSingle = 128
)

const xffHeader = "X-Forwarded-For"

// Options configure a Resolver.
type Options struct {
	// TrustedProxies are the CIDRs ("10.0.0.0/8", "2001:db8::/32") or single
	// addresses of the proxies in front of the server. Empty: no proxy is
	// trusted and the peer address is always the answer.
	TrustedProxies []string
	// Header is the forwarding header read from trusted peers. "" means
	// X-Forwarded-For; any other name is a header holding one address set
	// by the proxy, such as X-Real-IP or CF-Connecting-IP.
	Header string
}

// Resolver finds the client address of requests. It is immutable and safe
// for concurrent use.
type Resolver struct {
	trusted []netip.Prefix
	header  string // canonical; "" means X-Forwarded-For
}

// New validates opts and returns a Resolver. The error (code invalid_input)
// names the first bad entry.
func New(opts Options) (*Resolver, error) {
	r := &Resolver{trusted: make([]netip.Prefix, 0, len(opts.TrustedProxies))}
	for i, s := range opts.TrustedProxies {
		p, err := parseTrusted(s)
		if err != nil {
			return nil, quire.WrapError(quire.EINVALID, badEntryMessage(i, s), err)
		}
		r.trusted = append(r.trusted, p)
	}
	h, err := parseHeaderName(opts.Header)
	if err != nil {
		return nil, err
	}
	r.header = h
	return r, nil
}

// Trusted reports whether addr is in one of the trusted-proxy ranges.
func (r *Resolver) Trusted(addr netip.Addr) bool {
	if !addr.IsValid() {
		return false
	}
	addr = addr.WithZone("").Unmap()
	for _, p := range r.trusted {
		if p.Contains(addr) {
			return true
		}
	}
	return false
}

// Resolve returns the client address of req: the peer, unless the peer is
// a trusted proxy, in which case the address the forwarding header names.
// The result is IPv4 for IPv4-mapped IPv6 and never carries a zone. It is
// the zero Addr only when RemoteAddr itself cannot be parsed (as for a Unix
// socket listener); Key maps that to "unknown".
func (r *Resolver) Resolve(req *http.Request) netip.Addr {
	peer := parsePeer(req.RemoteAddr)
	if !r.Trusted(peer) {
		return peer
	}
	if r.header != "" {
		return r.single(req.Header, peer)
	}
	return r.walk(req.Header[xffHeader], peer)
}

// single returns the address in the configured single-address header, or
// peer when the header is absent, repeated or not one valid address.
// Repeated lines are refused because which one the proxy set is unknowable.
func (r *Resolver) single(h http.Header, peer netip.Addr) netip.Addr {
	v := h[r.header]
	if len(v) != 1 || len(v[0]) > maxSingle {
		return peer
	}
	a, ok := parseEntry(trimOWS(v[0]))
	if !ok {
		return peer
	}
	return a
}

// badEntryMessage names the bad entry by position, and echoes it only when
// it is short printable ASCII so that the message is safe in logs.
func badEntryMessage(i int, s string) string {
	const maxEcho = 64
	if len(s) > maxEcho || !printable(s) {
		return "trusted_proxies entry #" + strconv.Itoa(i+1) + " is not an IP address or CIDR"
	}
	return "trusted_proxies entry #" + strconv.Itoa(i+1) + " (\"" + s + "\") is not an IP address or CIDR such as 10.0.0.0/8"
}

func printable(s string) bool {
	return strings.IndexFunc(s, func(c rune) bool { return c < 0x20 || c > 0x7e || c == '"' }) < 0
}

// Header returns the canonical name of the configured single-address
// header, or "" when the Resolver reads X-Forwarded-For.
func (r *Resolver) Header() string { return r.header }
