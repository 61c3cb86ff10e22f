package trust

import (
	"errors"
	"strconv"
	"strings"
)

// hsts is a parsed Strict-Transport-Security header (RFC 6797).
type hsts struct {
	maxAge            int64
	includeSubDomains bool
	preload           bool
}

// parseHSTS parses a Strict-Transport-Security value the way RFC 6797
// section 6.1 asks a browser to: directive names are case-insensitive,
// values may be quoted, max-age is required, and a header that repeats a
// directive is invalid as a whole.
func parseHSTS(v string) (hsts, error) {
	var h hsts
	seen := map[string]bool{}
	for _, d := range strings.Split(v, ";") {
		d = strings.TrimSpace(d)
		if d == "" {
			continue
		}
		name, val, hasVal := strings.Cut(d, "=")
		name = strings.ToLower(strings.TrimSpace(name))
		if seen[name] {
			return hsts{}, errors.New("a directive appears twice")
		}
		seen[name] = true
		val = strings.TrimSpace(val)
		if len(val) >= 2 && val[0] == '"' && val[len(val)-1] == '"' {
			val = val[1 : len(val)-1]
		}
		switch name {
		case "max-age":
			n, err := parseDelta(val)
			if !hasVal || err != nil {
				return hsts{}, errors.New("max-age is not a number of seconds")
			}
			h.maxAge = n
		case "includesubdomains":
			h.includeSubDomains = true
		case "preload":
			h.preload = true
		}
	}
	if !seen["max-age"] {
		return hsts{}, errors.New("max-age is missing")
	}
	return h, nil
}

// parseDelta parses delta-seconds: one or more ASCII digits, capped rather
// than overflowing.
func parseDelta(s string) (int64, error) {
	if s == "" {
		return 0, errors.New("empty")
	}
	for _, c := range []byte(s) {
		if c < '0' || c > '9' {
			return 0, errors.New("not digits")
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if errors.Is(err, strconv.ErrRange) {
		return 1<<63 - 1, nil
	}
	return n, err
}
