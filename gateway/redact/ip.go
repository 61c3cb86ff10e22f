package redact

import (
	"net/netip"
	"strings"
)

// findIPs appends a span for every IPv4 and IPv6 address in s that names
// a host: addresses net/netip accepts, except the unspecified address
// and the rest of 0.0.0.0/8, loopback (127.0.0.0/8, ::1) and the IPv4
// broadcast address, which name no one and are everyday words of configuration
// ("listen on 0.0.0.0:8080"). Private ranges are redacted like public
// ones: they map a network. Dotted quads glued to more dots or digits
// (10.0.19041.1) or led by a version word ("version 1.2.3.4", "v1.2.3.4")
// are version numbers, not addresses.
func findIPs(s string, out []span) []span {
	out = findIPv4(s, out)
	return findIPv6(s, out)
}

func findIPv4(s string, out []span) []span {
	for i := 0; i+7 <= len(s); i++ {
		if !isDigit(s[i]) {
			continue
		}
		if r := runeBefore(s, i); isWord(r) || r == '.' {
			for i+1 < len(s) && isDigit(s[i+1]) {
				i++ // skip the rest of a number we are inside
			}
			continue
		}
		end, ok := dottedQuad(s, i)
		if !ok {
			continue
		}
		if r := runeAt(s, end); isWord(r) || r == '.' && isDigitRune(runeAt(s, end+1)) {
			continue
		}
		a, err := netip.ParseAddr(s[i:end])
		if err != nil || !hostAddr(a) || afterVersionWord(s, i) {
			continue
		}
		out = append(out, span{start: i, end: end, kind: IPAddress, prio: prioIP})
		i = end - 1
	}
	return out
}

// dottedQuad returns the end of four dot-separated groups of 1 to 3
// digits at s[i].
func dottedQuad(s string, i int) (int, bool) {
	j := i
	for part := 0; part < 4; part++ {
		if part > 0 {
			if j >= len(s) || s[j] != '.' {
				return 0, false
			}
			j++
		}
		k := j
		for k < len(s) && k-j < 4 && isDigit(s[k]) {
			k++
		}
		if k == j || k-j > 3 {
			return 0, false
		}
		j = k
	}
	return j, true
}

func isHexOrColon(c byte) bool {
	return isDigit(c) || c|0x20 >= 'a' && c|0x20 <= 'f' || c == ':' || c == '.'
}

// findIPv6 looks around each "::" and each run of colons for an IPv6
// address: hexadecimal groups and colons (a dotted IPv4 tail allowed),
// not glued to a word, with at least one digit (so that "dead::beef" and
// "a::b", which are code, do not count).
func findIPv6(s string, out []span) []span {
	from := 0
	for {
		k := strings.IndexByte(s[from:], ':')
		if k < 0 {
			return out
		}
		k += from
		i := k
		for i > 0 && isHexOrColon(s[i-1]) {
			i--
		}
		j := k
		for j < len(s) && isHexOrColon(s[j]) {
			j++
		}
		from = j
		for j > i && s[j-1] == '.' {
			j--
		}
		// A trailing single colon ends a label ("addr 2001:db8::1: ok");
		// a trailing "::" is part of the address ("fe80::").
		if j-i >= 2 && s[j-1] == ':' && s[j-2] != ':' {
			j--
		}
		if j-i < 3 || strings.Count(s[i:j], ":") < 2 || isWord(runeBefore(s, i)) || isWord(runeAt(s, j)) {
			continue
		}
		cand := s[i:j]
		if !strings.ContainsAny(cand, "0123456789") {
			continue
		}
		a, err := netip.ParseAddr(cand)
		if err != nil || !a.Is6() || !hostAddr(a) {
			continue
		}
		out = append(out, span{start: i, end: j, kind: IPAddress, prio: prioIP})
	}
}

// hostAddr reports whether a names a host (see findIPs).
func hostAddr(a netip.Addr) bool {
	if a.IsUnspecified() || a.IsLoopback() {
		return false
	}
	if a.Is4() && (a.As4()[0] == 0 || a == netip.AddrFrom4([4]byte{255, 255, 255, 255})) {
		return false // "this network" (0.0.0.0/8) and broadcast name no host
	}
	if a.Is4In6() {
		return hostAddr(a.Unmap())
	}
	return true
}

// versionWords are words after which a dotted quad is a version number.
var versionWords = []string{"v", "ver", "version", "release", "build", "rev", "revision", "firmware", "fw"}

// afterVersionWord reports whether the word just before s[i] (across
// spaces, a colon or '=') is a version word.
func afterVersionWord(s string, i int) bool {
	j := i
	for j > 0 && i-j < 4 && (s[j-1] == ' ' || s[j-1] == ':' || s[j-1] == '=') {
		j--
	}
	k := j
	for k > 0 && j-k < 10 && isASCIILetter(s[k-1]) {
		k--
	}
	if k == j || isWord(runeBefore(s, k)) {
		return false
	}
	w := s[k:j]
	for _, v := range versionWords {
		if strings.EqualFold(w, v) {
			return true
		}
	}
	return false
}
