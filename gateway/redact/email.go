package redact

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Bounds from RFC 5321: a local part of at most 64 octets, a domain of at
// most 253, labels of at most 63.
const (
	maxLocal  = 64
	maxDomain = 253
	maxLabel  = 63
)

// findEmails appends a span for every address in s: a practical subset of
// RFC 5322 addr-spec with RFC 6531 (internationalised) characters. The
// local part is dot-separated atoms of letters, digits, marks and "_%+-"
// (quoted local parts and the rarer atext symbols are left out: in prose
// they catch the punctuation around an address); the domain is at least
// two labels of letters, digits, marks and inner hyphens, ending in an
// alphabetic or punycode ("xn--") top-level label. Domain literals
// ("user@[192.0.2.1]") and dotless hosts ("root@localhost") are not
// addresses here.
func findEmails(s string, out []span) []span {
	from := 0
	for {
		at := strings.IndexByte(s[from:], '@')
		if at < 0 {
			return out
		}
		at += from
		from = at + 1
		start := localStart(s, at)
		if start == at {
			continue
		}
		end := domainEnd(s, at+1)
		if end == at+1 || runeAt(s, end) == '@' {
			continue
		}
		out = append(out, span{start: start, end: end, kind: Email, prio: prioEmail})
		from = end
	}
}

func isLocalRune(r rune) bool {
	return isWord(r) || r == '.' || r == '%' || r == '+' || r == '-'
}

// localStart returns where the local part that ends at s[at] ('@') begins,
// or at if there is no valid one.
func localStart(s string, at int) int {
	i := at
	for i > 0 && at-i <= maxLocal {
		r, n := utf8.DecodeLastRuneInString(s[:i])
		if !isLocalRune(r) {
			break
		}
		i -= n
	}
	// Dots may not lead (they are punctuation before the address) nor
	// trail. Consecutive dots break RFC 5322 but some carriers issued such
	// addresses ("taro..yamada@…"): they are kept.
	for i < at && s[i] == '.' {
		i++
	}
	local := s[i:at]
	if local == "" || len(local) > maxLocal || local[len(local)-1] == '.' {
		return at
	}
	return i
}

func isLabelRune(r rune) bool {
	if r < utf8.RuneSelf {
		return r >= 0 && (r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r == '-')
	}
	return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r)
}

// domainEnd returns the end of the domain that starts at s[i], or i if
// there is no valid one. A trailing dot (end of sentence) is not part of
// it; a last label that is not a top-level label ends it earlier only if
// what precedes is itself a valid domain ("bob@example.com.123" is not).
func domainEnd(s string, i int) int {
	j := i
	for j < len(s) && j-i <= maxDomain {
		r, n := utf8.DecodeRuneInString(s[j:])
		if r != '.' && !isLabelRune(r) {
			break
		}
		j += n
	}
	for j > i && (s[j-1] == '.' || s[j-1] == '-') {
		j--
	}
	d := s[i:j]
	if len(d) > maxDomain {
		return i
	}
	labels := strings.Split(d, ".")
	if len(labels) < 2 {
		return i
	}
	for _, l := range labels {
		if l == "" || len(l) > maxLabel || l[0] == '-' || l[len(l)-1] == '-' {
			return i
		}
	}
	if tld := labels[len(labels)-1]; !isTLD(tld) || fileExtensions[strings.ToLower(tld)] {
		return i
	}
	return j
}

// fileExtensions are file name extensions that are no top-level domain:
// "icon@2x.png" and "jquery@3.7.1.min.js" are file names.
var fileExtensions = map[string]bool{
	"png": true, "jpg": true, "jpeg": true, "gif": true, "webp": true, "svg": true,
	"avif": true, "ico": true, "bmp": true, "tif": true, "tiff": true, "heic": true,
	"pdf": true, "txt": true, "json": true, "yaml": true, "yml": true, "html": true,
	"htm": true, "css": true, "js": true, "mjs": true, "ts": true, "tsx": true,
	"jsx": true, "lock": true, "map": true, "wasm": true,
}

// isTLD reports whether l can be a top-level label: two or more letters
// (marks allowed after the first), or punycode.
func isTLD(l string) bool {
	if len(l) > 4 && strings.EqualFold(l[:4], "xn--") {
		return true
	}
	n := 0
	for k, r := range l {
		if !(unicode.IsLetter(r) || k > 0 && unicode.IsMark(r)) {
			return false
		}
		n++
	}
	return n >= 2
}
