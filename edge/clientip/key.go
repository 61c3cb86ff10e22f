package clientip

import "net/netip"

// Unknown is the key of an address that could not be determined. All such
// requests share one limit, which is the safe direction to fail.
const Unknown = "unknown"

// Key returns the rate-limit key of addr: an IPv4 address as is
// ("192.0.2.1"), an IPv6 address as its /64 ("2001:db8:1:2::/64") since
// an ISP hands a subscriber at least a /64 and a per-address limit there is
// no limit at all, and Unknown for the zero Addr. IPv4-mapped IPv6 is keyed
// as IPv4 and zones are ignored.
func Key(addr netip.Addr) string {
	if !addr.IsValid() {
		return Unknown
	}
	addr = norm(addr)
	if addr.Is4() {
		return addr.String()
	}
	return netip.PrefixFrom(addr, 64).Masked().String()
}
