package disclosure

import (
	"cmp"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Paths of the disclosure routes.
const (
	// WellKnownPath is where RFC 9116 puts security.txt.
	WellKnownPath = "/.well-known/security.txt"
	// LegacyPath is the top-level location RFC 9116 §3 lets a server
	// redirect to WellKnownPath.
	LegacyPath = "/security.txt"
	// IntakePath is the report form; without configured contacts or
	// policy, security.txt names it for both.
	IntakePath = "/security/report"
)

// TxtConfig is what security.txt says besides what it computes (Expires
// and Canonical). Values are URIs that configuration validated; a value
// that could break the file's line structure is left out.
type TxtConfig struct {
	// Contacts are the Contact fields, most preferred first; empty means
	// the intake page.
	Contacts []string
	// ExpiresAfter is how far ahead of now Expires lies (under a year).
	ExpiresAfter time.Duration
	// Policy is the disclosure policy's URL; empty means the intake page.
	Policy string
	// PreferredLanguages are language tags; empty leaves the field out.
	PreferredLanguages []string
	// Acknowledgments, Hiring and Encryption are optional URIs.
	Acknowledgments, Hiring, Encryption string
}

// DefaultExpiresAfter is ExpiresAfter when it is zero.
const DefaultExpiresAfter = 30 * 24 * time.Hour

// Render returns security.txt for a server whose public base URL is base
// (https://host[:port], without a trailing slash), at now. Expires is
// now + ExpiresAfter in UTC, to the second; Canonical is base +
// WellKnownPath.
func (c TxtConfig) Render(base string, now time.Time) []byte {
	base = strings.TrimRight(base, "/")
	after := c.ExpiresAfter
	if after <= 0 {
		after = DefaultExpiresAfter
	}
	intake := base + IntakePath
	var b strings.Builder
	b.WriteString("# Security issues in Quire: report them here. Please give us the chance to fix\n")
	b.WriteString("# an issue before you disclose it. The form is at " + clean(intake) + ".\n")
	var contacts []string
	for _, contact := range c.Contacts {
		if v := clean(contact); v != "" {
			contacts = append(contacts, v)
		}
	}
	if len(contacts) == 0 { // RFC 9116 requires one
		contacts = []string{intake}
	}
	for _, contact := range contacts {
		field(&b, "Contact", contact)
	}
	field(&b, "Expires", now.Add(after).UTC().Truncate(time.Second).Format(time.RFC3339))
	field(&b, "Encryption", c.Encryption)
	field(&b, "Acknowledgments", c.Acknowledgments)
	field(&b, "Preferred-Languages", c.languages())
	field(&b, "Canonical", base+WellKnownPath)
	field(&b, "Policy", cmp.Or(clean(c.Policy), intake))
	field(&b, "Hiring", c.Hiring)
	return []byte(b.String())
}

// languages returns the Preferred-Languages value: the tags that can be
// part of it, comma-separated.
func (c TxtConfig) languages() string {
	var tags []string
	for _, tag := range c.PreferredLanguages {
		if v := clean(tag); v != "" && !strings.Contains(v, ",") {
			tags = append(tags, v)
		}
	}
	return strings.Join(tags, ", ")
}

// field writes "Name: value" on a line of its own, value without
// surrounding blanks, unless that is empty or cannot be a field value.
func field(b *strings.Builder, name, value string) {
	if value = clean(value); value == "" {
		return
	}
	b.WriteString(name + ": " + value + "\n")
}

// clean returns s as a field value, without surrounding blanks, or "" if
// it cannot be one: text that is not UTF-8, or holds a control character
// (a line break above all, which would add fields of its own) or a line or
// paragraph separator.
func clean(s string) string {
	s = strings.Trim(s, " \t")
	if !utf8.ValidString(s) || strings.ContainsFunc(s, func(r rune) bool { return unicode.IsControl(r) || r == '\u2028' || r == '\u2029' }) {
		return ""
	}
	return s
}
