package config

import (
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// Disclosure configures vulnerability disclosure (claim VDP-1): the
// security.txt file served at /.well-known/security.txt (RFC 9116) and the
// report intake at /security/report. Every key is optional: with none set,
// the file names the intake as its contact and policy.
type Disclosure struct {
	// Contacts are the Contact fields, most preferred first: mailto:,
	// https: or tel: URIs. Empty: the intake page, <public URL>/security/report.
	Contacts []string `yaml:"contacts,omitempty"`
	// ExpiresAfter is how far ahead of each response the Expires field
	// lies; it must stay under a year (RFC 9116 §2.5.5). Default 30d.
	ExpiresAfter time.Duration `yaml:"expires_after"`
	// Policy is the https: URL of the disclosure policy. Empty: the
	// intake page.
	Policy string `yaml:"policy"`
	// PreferredLanguages are the language tags reports may be written in.
	// Default [en].
	PreferredLanguages []string `yaml:"preferred_languages,omitempty"`
	// Acknowledgments, Hiring and Encryption are the optional fields of
	// the same names: https: URLs (Encryption may also be an
	// openpgp4fpr: or dns: URI). Empty leaves the field out.
	Acknowledgments string `yaml:"acknowledgments"`
	Hiring          string `yaml:"hiring"`
	Encryption      string `yaml:"encryption"`
	// OperatorEmail receives an alert for every new report and a reminder
	// for a report still unacknowledged 36 hours after it came in (and
	// every 12 hours after that). Empty:
	// the alerts are only logged (without the report's content).
	OperatorEmail string `yaml:"operator_email"`
	// ReportsPerHour caps the reports one client address may send per
	// hour (each sends two emails). Default 5.
	ReportsPerHour int `yaml:"reports_per_hour"`
	// ReportsGlobalPerHour caps the reports all client addresses together
	// may send per hour (shared by the instances through
	// ratelimit.redis_url when it is set). Default 100.
	ReportsGlobalPerHour int `yaml:"reports_global_per_hour"`
	// AlertsPerHour caps the operator's alerts per hour, one per report;
	// past it, one digest an hour counts the rest. Default 10.
	AlertsPerHour int `yaml:"alerts_per_hour"`
}

// Defaults and bounds of the disclosure section.
const (
	DefaultDisclosureExpiresAfter = 30 * day
	DefaultReportsPerHour         = 5
	DefaultReportsGlobalPerHour   = 100
	DefaultAlertsPerHour          = 10
	minDisclosureExpiresAfter     = day
	maxDisclosureContacts         = 10
	maxDisclosureLanguages        = 20
	maxDisclosureURI              = 500
	maxReportsPerHour             = 1000
)

// baseDisclosure returns the defaults of the disclosure section.
func baseDisclosure() Disclosure {
	return Disclosure{ExpiresAfter: DefaultDisclosureExpiresAfter, PreferredLanguages: []string{"en"},
		ReportsPerHour: DefaultReportsPerHour, ReportsGlobalPerHour: DefaultReportsGlobalPerHour, AlertsPerHour: DefaultAlertsPerHour}
}

func (c *Config) validateDisclosure(p *problems) {
	d := c.Disclosure
	if len(d.Contacts) > maxDisclosureContacts {
		p.add("disclosure.contacts", "must list at most %d contacts", maxDisclosureContacts)
	}
	for i, contact := range d.Contacts {
		if !validContactURI(contact) {
			p.add("disclosure.contacts["+strconv.Itoa(i)+"]", "must be a mailto: URI with one address (mailto:security@example.com), an https:// URL or a tel: number (tel:+1-201-555-0123)")
		}
	}
	if d.ExpiresAfter < minDisclosureExpiresAfter || d.ExpiresAfter >= 365*day {
		p.add("disclosure.expires_after", "must be at least 1d and under 365d, such as 30d: RFC 9116 wants Expires less than a year ahead")
	}
	for key, v := range map[string]string{"disclosure.policy": d.Policy, "disclosure.acknowledgments": d.Acknowledgments,
		"disclosure.hiring": d.Hiring} {
		if v != "" && !validHTTPSURI(v) {
			p.add(key, "must be an https:// URL without credentials, or empty")
		}
	}
	if e := d.Encryption; e != "" && !validHTTPSURI(e) && !validOpaqueURI(e, "openpgp4fpr", "dns") {
		p.add("disclosure.encryption", "must be where the key is found (an https:// URL, or an openpgp4fpr: or dns: URI), not the key itself")
	}
	if len(d.PreferredLanguages) > maxDisclosureLanguages {
		p.add("disclosure.preferred_languages", "must list at most %d languages", maxDisclosureLanguages)
	}
	for i, tag := range d.PreferredLanguages {
		if !validLanguageTag(tag) {
			p.add("disclosure.preferred_languages["+strconv.Itoa(i)+"]", "must be a language tag (RFC 5646) such as en, de or pt-BR")
		}
	}
	if d.OperatorEmail != "" && !validEmail(d.OperatorEmail) {
		p.add("disclosure.operator_email", "must be one plain address in lower case, such as security@example.com, or empty")
	}
	if d.ReportsPerHour < 1 || d.ReportsPerHour > maxReportsPerHour {
		p.add("disclosure.reports_per_hour", "must be from 1 to %d", maxReportsPerHour)
	}
	if d.ReportsGlobalPerHour < 1 || d.ReportsGlobalPerHour > 100*maxReportsPerHour {
		p.add("disclosure.reports_global_per_hour", "must be from 1 to %d", 100*maxReportsPerHour)
	} else if d.ReportsGlobalPerHour < d.ReportsPerHour {
		p.add("disclosure.reports_global_per_hour", "must be at least disclosure.reports_per_hour (%d)", d.ReportsPerHour)
	}
	if d.AlertsPerHour < 1 || d.AlertsPerHour > maxReportsPerHour {
		p.add("disclosure.alerts_per_hour", "must be from 1 to %d", maxReportsPerHour)
	}
}

// fieldSafe reports whether s can be a security.txt field value: printable
// ASCII without spaces (URIs are), at most maxDisclosureURI bytes.
func fieldSafe(s string) bool {
	return s != "" && len(s) <= maxDisclosureURI && !strings.ContainsFunc(s, func(r rune) bool {
		return r <= ' ' || r >= 0x7f
	})
}

// validHTTPSURI reports whether s is an absolute https URL with a host and
// no credentials or fragment.
func validHTTPSURI(s string) bool {
	if !fieldSafe(s) || !strings.HasPrefix(s, "https://") {
		return false
	}
	u, err := url.Parse(s)
	return err == nil && u.Host != "" && u.User == nil && u.Fragment == ""
}

// validContactURI reports whether s is a Contact URI Quire accepts: an
// https URL, mailto: with exactly one valid address and nothing else, or
// tel: with a global number (RFC 9116 §2.5.3 allows all three).
func validContactURI(s string) bool {
	if validHTTPSURI(s) {
		return true
	}
	if num, ok := strings.CutPrefix(s, "tel:"); ok {
		return fieldSafe(s) && validGlobalNumber(num)
	}
	addr, ok := strings.CutPrefix(s, "mailto:")
	return ok && fieldSafe(s) && validEmail(strings.ToLower(addr))
}

// validGlobalNumber reports whether s is a global telephone number of RFC
// 3966 without parameters: "+", then digits and the visual separators
// - . ( ), with 3 to 15 digits (E.164's limit).
func validGlobalNumber(s string) bool {
	rest, ok := strings.CutPrefix(s, "+")
	if !ok {
		return false
	}
	digits := 0
	for _, r := range rest {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case r == '-' || r == '.' || r == '(' || r == ')':
		default:
			return false
		}
	}
	return digits >= 3 && digits <= 15
}

// validOpaqueURI reports whether s is a URI of one of schemes with a
// non-empty opaque part.
func validOpaqueURI(s string, schemes ...string) bool {
	if !fieldSafe(s) {
		return false
	}
	for _, scheme := range schemes {
		if rest, ok := strings.CutPrefix(s, scheme+":"); ok && rest != "" {
			return true
		}
	}
	return false
}

// validLanguageTag reports whether s has the shape of an RFC 5646 tag: a
// primary subtag of 2 to 8 letters, then subtags of 1 to 8 letters or
// digits, separated by hyphens.
func validLanguageTag(s string) bool {
	parts := strings.Split(s, "-")
	for i, part := range parts {
		if len(part) < 1 || len(part) > 8 || (i == 0 && len(part) < 2) {
			return false
		}
		for _, r := range part {
			if r > unicode.MaxASCII || !(unicode.IsLetter(r) || i > 0 && unicode.IsDigit(r)) {
				return false
			}
		}
	}
	return true
}
