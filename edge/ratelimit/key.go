package ratelimit

import "strconv"

// Key joins parts into one limiter key that no other list of parts produces:
// each part is length-prefixed, so Key("a:b", "c") ≠ Key("a", "b:c"). Use it
// for keys such as Key("ip", route, addr) or Key("apikey", route, keyID).
// Never put a secret (an API key's token) in a key: use its identifier.
func Key(parts ...string) string {
	n := 0
	for _, p := range parts {
		n += len(p) + 4
	}
	b := make([]byte, 0, n)
	for _, p := range parts {
		b = strconv.AppendInt(b, int64(len(p)), 10)
		b = append(b, ':')
		b = append(b, p...)
	}
	return string(b)
}
