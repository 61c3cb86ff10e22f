package trust

import (
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// MaxSecurityTxt bounds the security.txt a parse accepts: a real file is a
// few hundred bytes.
const MaxSecurityTxt = 32 << 10

// SecurityTxt is a parsed security.txt (RFC 9116): its fields, with each
// name in lower case, and their values in the order of the file.
type SecurityTxt struct {
	Fields map[string][]string
}

// Values returns the values of the field name (any case).
func (s *SecurityTxt) Values(name string) []string { return s.Fields[strings.ToLower(name)] }

// ParseSecurityTxt parses a security.txt as RFC 9116 §4 describes it:
// lines of "Name: value", comments starting with "#", blank lines, each
// line ended by LF or CRLF. It refuses what the grammar does not allow (a
// line that is not a field or a comment, a field name that is not a
// token, an empty value, a control character, text that is not UTF-8),
// a file larger than MaxSecurityTxt, and a signed file, which Quire never
// serves. Errors name the line, never quote it.
func ParseSecurityTxt(b []byte) (*SecurityTxt, error) {
	if len(b) > MaxSecurityTxt {
		return nil, fmt.Errorf("the file has %d bytes, more than %d", len(b), MaxSecurityTxt)
	}
	if !utf8.Valid(b) {
		return nil, errors.New("the file is not UTF-8 text")
	}
	text := string(b)
	if strings.HasPrefix(text, "-----BEGIN PGP SIGNED MESSAGE-----") {
		return nil, errors.New("the file is signed; Quire serves it unsigned")
	}
	s := &SecurityTxt{Fields: map[string][]string{}}
	lines := strings.Split(strings.TrimSuffix(text, "\n"), "\n")
	for i, line := range lines {
		line = strings.TrimSuffix(line, "\r")
		if strings.ContainsFunc(line, func(r rune) bool { return r != '\t' && unicode.IsControl(r) }) {
			return nil, fmt.Errorf("line %d holds a control character", i+1)
		}
		if strings.TrimSpace(line) == "" || strings.HasPrefix(line, "#") {
			continue
		}
		name, value, ok := strings.Cut(line, ":")
		if !ok || !fieldName(name) {
			return nil, fmt.Errorf("line %d is neither a field nor a comment", i+1)
		}
		value = strings.Trim(value, " \t")
		if value == "" {
			return nil, fmt.Errorf("line %d: the %s field has no value", i+1, strings.ToLower(name))
		}
		key := strings.ToLower(name)
		s.Fields[key] = append(s.Fields[key], value)
	}
	return s, nil
}

// fieldName reports whether s is a field name: letters, digits and "-".
func fieldName(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for _, r := range s {
		if !(r < unicode.MaxASCII && (unicode.IsLetter(r) || unicode.IsDigit(r) || r == '-')) {
			return false
		}
	}
	return true
}

// maxExpiresAhead is how far ahead Expires may lie: less than a year
// (RFC 9116 §2.5.5 recommends it; claim VDP-1 promises it).
const maxExpiresAhead = 365 * 24 * time.Hour

// Problems lists what is wrong with s as served from fetched at now:
// Contact is required (mailto:, https: or tel: URIs), Expires exactly
// once, in the future and less than a year ahead; Canonical is required
// too (Quire always sends it), each an https URI, one of them fetched
// itself or the same path on one of hosts (the public names of a server
// reached at a local address; empty ones are ignored); Preferred-Languages
// at most once. It returns the Expires it read, zero if none.
func (s *SecurityTxt) Problems(now time.Time, fetched *url.URL, hosts ...string) ([]string, time.Time) {
	var out []string
	contacts := s.Values("Contact")
	if len(contacts) == 0 {
		out = append(out, "no Contact field (RFC 9116 requires one)")
	}
	for _, c := range contacts {
		if !contactURI(c) {
			out = append(out, "a Contact is not a mailto:, https: or tel: URI")
		}
	}
	expires, problem := s.expires(now)
	if problem != "" {
		out = append(out, problem)
	}
	out = append(out, s.canonicalProblems(fetched, hosts)...)
	if n := len(s.Values("Preferred-Languages")); n > 1 {
		out = append(out, fmt.Sprintf("Preferred-Languages appears %d times (at most once)", n))
	}
	return out, expires
}

// expires checks the one Expires field against now.
func (s *SecurityTxt) expires(now time.Time) (time.Time, string) {
	values := s.Values("Expires")
	if len(values) != 1 {
		return time.Time{}, fmt.Sprintf("Expires appears %d times (RFC 9116 requires it exactly once)", len(values))
	}
	t, err := time.Parse(time.RFC3339, values[0])
	switch {
	case err != nil:
		return time.Time{}, "Expires is not an RFC 3339 date-time"
	case !t.After(now):
		return t, "Expires has passed: the file is stale"
	case t.Sub(now) >= maxExpiresAhead:
		return t, "Expires is a year or more ahead (it must be less)"
	}
	return t, ""
}

// canonicalProblems checks the Canonical fields against the URL fetched.
func (s *SecurityTxt) canonicalProblems(fetched *url.URL, hosts []string) []string {
	values := s.Values("Canonical")
	if len(values) == 0 {
		return []string{"no Canonical field"}
	}
	var out []string
	match := false
	for _, v := range values {
		u, err := url.Parse(v)
		if err != nil || u.Scheme != "https" || u.Host == "" || u.User != nil {
			out = append(out, "a Canonical is not an https:// URI")
			continue
		}
		samePath := rooted(u.Path) == rooted(fetched.Path) && u.RawQuery == ""
		match = match || samePath && (strings.EqualFold(u.Host, fetched.Host) || slices.ContainsFunc(hosts, func(h string) bool {
			return h != "" && strings.EqualFold(u.Host, h)
		}))
	}
	if !match {
		out = append(out, "no Canonical names the URL the file was fetched from")
	}
	return out
}

// rooted returns path with one leading slash (url.JoinPath leaves it off
// a URL that had no path).
func rooted(path string) string { return "/" + strings.TrimPrefix(path, "/") }

// contactURI reports whether v is a Contact URI RFC 9116 names.
func contactURI(v string) bool {
	u, err := url.Parse(v)
	if err != nil {
		return false
	}
	switch u.Scheme {
	case "https":
		return u.Host != "" && u.User == nil
	case "mailto":
		return strings.Contains(u.Opaque, "@")
	case "tel":
		return u.Opaque != ""
	}
	return false
}
