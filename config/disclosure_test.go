package config

import (
	"reflect"
	"slices"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"
)

// fullDisclosure sets every key of the disclosure section to a value other
// than its default.
var fullDisclosure = yamlDoc(`
disclosure:
	contacts: [mailto:Security@Example.com, "https://example.com/security"]
	expires_after: 90d
	policy: https://example.com/disclosure-policy
	preferred_languages: [en, de, pt-BR]
	acknowledgments: https://example.com/hall-of-fame
	hiring: https://example.com/jobs
	encryption: openpgp4fpr:5f2de5521c63a801ab59ccb603d49de44b29100f
	operator_email: security@example.com
	reports_per_hour: 20
	reports_global_per_hour: 300
	alerts_per_hour: 4
`)

func TestDisclosureFullSection(t *testing.T) {
	t.Parallel()
	c := mustParse(t, fullDisclosure, env())
	want := Disclosure{
		Contacts:     []string{"mailto:Security@Example.com", "https://example.com/security"},
		ExpiresAfter: 90 * 24 * time.Hour, Policy: "https://example.com/disclosure-policy",
		PreferredLanguages: []string{"en", "de", "pt-BR"}, Acknowledgments: "https://example.com/hall-of-fame",
		Hiring: "https://example.com/jobs", Encryption: "openpgp4fpr:5f2de5521c63a801ab59ccb603d49de44b29100f",
		OperatorEmail: "security@example.com", ReportsPerHour: 20, ReportsGlobalPerHour: 300, AlertsPerHour: 4,
	}
	if !reflect.DeepEqual(c.Disclosure, want) {
		t.Fatalf("disclosure:\n got %+v\nwant %+v", c.Disclosure, want)
	}
	for _, f := range sameLeaves(reflect.ValueOf(c.Disclosure), reflect.ValueOf(defaults(env()).Disclosure), "disclosure") {
		t.Errorf("%s keeps its default; give it another value in fullDisclosure", f)
	}
	out, err := yaml.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	if back := mustParse(t, string(out), env()); !reflect.DeepEqual(back.Disclosure, c.Disclosure) {
		t.Fatalf("round trip changed the section:\n got %+v\nwant %+v", back.Disclosure, c.Disclosure)
	}
}

func TestDisclosureDefaults(t *testing.T) {
	t.Parallel()
	d := defaults(env()).Disclosure
	if len(d.Contacts) != 0 || d.Policy != "" || d.ExpiresAfter != 30*day || !reflect.DeepEqual(d.PreferredLanguages, []string{"en"}) ||
		d.OperatorEmail != "" || d.ReportsPerHour != 5 || d.ReportsGlobalPerHour != 100 || d.AlertsPerHour != 10 {
		t.Fatalf("defaults %+v", d)
	}
}

// TestValidateDisclosure is the golden list of the section's messages.
func TestValidateDisclosure(t *testing.T) {
	t.Parallel()
	set := func(f func(d *Disclosure)) []func(*Config) {
		return fns(func(c *Config) { f(&c.Disclosure) })
	}
	const contactMsg = "must be a mailto: URI with one address (mailto:security@example.com), an https:// URL or a tel: number (tel:+1-201-555-0123)"
	const expiresMsg = "disclosure.expires_after: must be at least 1d and under 365d, such as 30d: RFC 9116 wants Expires less than a year ahead"
	const langMsg = "must be a language tag (RFC 5646) such as en, de or pt-BR"
	runValidateCases(t, []validateCase{
		{"contacts ok", set(func(d *Disclosure) { d.Contacts = []string{"mailto:sec@example.com", "https://example.com/report"} }), nil},
		{"contact http", set(func(d *Disclosure) { d.Contacts = []string{"http://example.com/report"} }), []string{
			"disclosure.contacts[0]: " + contactMsg}},
		{"contact two addresses", set(func(d *Disclosure) { d.Contacts = []string{"https://x.example", "mailto:a@example.com,b@example.com"} }), []string{
			"disclosure.contacts[1]: " + contactMsg}},
		{"contact with a line break", set(func(d *Disclosure) { d.Contacts = []string{"https://example.com/\r\nHiring: https://evil.example"} }), []string{
			"disclosure.contacts[0]: " + contactMsg}},
		{"contact tel", set(func(d *Disclosure) { d.Contacts = []string{"tel:+1-201-555-0123", "tel:+44.(20).7946.0000"} }), nil},
		{"contact tel not global", set(func(d *Disclosure) { d.Contacts = []string{"tel:555-0123", "tel:+1;ext=2", "tel:+12"} }), []string{
			"disclosure.contacts[0]: " + contactMsg, "disclosure.contacts[1]: " + contactMsg, "disclosure.contacts[2]: " + contactMsg}},
		{"too many contacts", set(func(d *Disclosure) { d.Contacts = slices.Repeat([]string{"https://e.example"}, 11) }), []string{
			"disclosure.contacts: must list at most 10 contacts"}},
		{"expires a year", set(func(d *Disclosure) { d.ExpiresAfter = 365 * day }), []string{expiresMsg}},
		{"expires an hour", set(func(d *Disclosure) { d.ExpiresAfter = time.Hour }), []string{expiresMsg}},
		{"expires 364d", set(func(d *Disclosure) { d.ExpiresAfter = 364 * day }), nil},
		{"policy http", set(func(d *Disclosure) { d.Policy = "http://example.com/policy" }), []string{
			"disclosure.policy: must be an https:// URL without credentials, or empty"}},
		{"hiring credentials", set(func(d *Disclosure) { d.Hiring = "https://u:p@example.com/jobs" }), []string{
			"disclosure.hiring: must be an https:// URL without credentials, or empty"}},
		{"acknowledgments space", set(func(d *Disclosure) { d.Acknowledgments = "https://example.com/hall of fame" }), []string{
			"disclosure.acknowledgments: must be an https:// URL without credentials, or empty"}},
		{"encryption dns", set(func(d *Disclosure) { d.Encryption = "dns:5d2d37ab76d47d36._openpgpkey.example.com?type=OPENPGPKEY" }), nil},
		{"encryption key itself", set(func(d *Disclosure) { d.Encryption = "-----BEGIN PGP PUBLIC KEY BLOCK-----" }), []string{
			"disclosure.encryption: must be where the key is found (an https:// URL, or an openpgp4fpr: or dns: URI), not the key itself"}},
		{"language", set(func(d *Disclosure) { d.PreferredLanguages = []string{"en", "english language", "x"} }), []string{
			"disclosure.preferred_languages[1]: " + langMsg, "disclosure.preferred_languages[2]: " + langMsg}},
		{"no language", set(func(d *Disclosure) { d.PreferredLanguages = nil }), nil},
		{"operator email", set(func(d *Disclosure) { d.OperatorEmail = "Security Team <sec@example.com>" }), []string{
			"disclosure.operator_email: must be one plain address in lower case, such as security@example.com, or empty"}},
		{"reports per hour", set(func(d *Disclosure) { d.ReportsPerHour = 0 }), []string{
			"disclosure.reports_per_hour: must be from 1 to 1000"}},
		{"global reports per hour", set(func(d *Disclosure) { d.ReportsGlobalPerHour = 0 }), []string{
			"disclosure.reports_global_per_hour: must be from 1 to 100000"}},
		{"global below one address", set(func(d *Disclosure) { d.ReportsGlobalPerHour = 4 }), []string{
			"disclosure.reports_global_per_hour: must be at least disclosure.reports_per_hour (5)"}},
		{"alerts per hour", set(func(d *Disclosure) { d.AlertsPerHour = 1001 }), []string{
			"disclosure.alerts_per_hour: must be from 1 to 1000"}},
	})
}

// TestDisclosureErrorsHaveLines checks that a bad key in a file is reported
// at its line.
func TestDisclosureErrorsHaveLines(t *testing.T) {
	t.Parallel()
	_, err := parse([]byte("mode: development\ndisclosure:\n  expires_after: 400d\n  contacts: [ftp://x]\n"), "q.yaml", env())
	equalLines(t, errorLines(err), []string{
		"q.yaml:4: disclosure.contacts[0]: must be a mailto: URI with one address (mailto:security@example.com), an https:// URL or a tel: number (tel:+1-201-555-0123)",
		"q.yaml:3: disclosure.expires_after: must be at least 1d and under 365d, such as 30d: RFC 9116 wants Expires less than a year ahead",
	})
}
