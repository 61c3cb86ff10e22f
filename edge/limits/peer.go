package limits

import (
	"net"
	"net/netip"
)

// ipv6GroupBits is the prefix length an IPv6 peer is counted by. A single
// subscriber usually holds a whole /64, so capping single addresses would
// let one host take 2^64 slots.
const ipv6GroupBits = 64

// peerAddr returns the IP of a connection's remote address, with any
// IPv4-mapped IPv6 form unmapped and any zone dropped. ok is false for an
// address that names no IP (a Unix socket, a pipe).
func peerAddr(addr net.Addr) (ip netip.Addr, ok bool) {
	switch a := addr.(type) {
	case nil:
		return netip.Addr{}, false
	case *net.TCPAddr:
		ip, ok = netip.AddrFromSlice(a.IP)
	default:
		ap, err := netip.ParseAddrPort(a.String())
		ip, ok = ap.Addr(), err == nil
	}
	if !ok || !ip.IsValid() {
		return netip.Addr{}, false
	}
	return ip.Unmap().WithZone(""), true
}

// peerKey returns the group a peer IP is counted in: the address itself for
// IPv4, its /64 for IPv6.
func peerKey(ip netip.Addr) netip.Prefix {
	if ip.Is4() {
		return netip.PrefixFrom(ip, 32)
	}
	p, _ := ip.Prefix(ipv6GroupBits) // cannot fail: 64 <= 128 and no zone
	return p
}
