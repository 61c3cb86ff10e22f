package clientip

import (
	"net/netip"
	"strings"
)

// walk finds the client in the X-Forwarded-For lines, joined in order, of a
// request from the trusted proxy peer. From the right, trusted hops are
// skipped and the first untrusted address is the client. When the walk
// cannot go on (a malformed entry, or the MaxEntries/MaxBytes budget spent)
// it answers the last trusted hop seen, never anything further left, since
// nothing vouches for it. Empty elements are ignored (RFC 9110 §5.6.1).
func (r *Resolver) walk(lines []string, peer netip.Addr) netip.Addr {
	last := peer
	entries, budget := 0, MaxBytes
	for i := len(lines) - 1; i >= 0; i-- {
		line := lines[i]
		for {
			j, ok := lastElem(line, budget)
			entries++
			if !ok || entries > MaxEntries {
				return last
			}
			elem := line[j+1:]
			budget -= len(elem) + 1
			if elem = trimOWS(elem); elem != "" {
				a, ok := parseEntry(elem)
				if !ok {
					return last
				}
				if !r.Trusted(a) {
					return a
				}
				last = a
			}
			if j < 0 {
				break
			}
			line = line[:j]
		}
	}
	return last
}

// lastElem returns the index of the comma before the last element of line
// (-1 when there is none), looking at no more than budget bytes: ok is false
// when the element and its separator would not fit in budget. Only the tail
// of a long line is ever scanned.
func lastElem(line string, budget int) (j int, ok bool) {
	lo := len(line) - budget
	if lo < 0 {
		return strings.LastIndexByte(line, ','), true
	}
	k := strings.LastIndexByte(line[lo:], ',')
	if k < 0 {
		return 0, false
	}
	return lo + k, true
}
