package config

import (
	"net/mail"
	"strings"
	"testing"
)

const fuzzSecret = "FUZZ-SECRET-VALUE"

// FuzzParse checks that no document makes Parse panic or hang, that what
// Parse accepts also validates, and that no error message reveals the value
// of an environment variable.
func FuzzParse(f *testing.F) {
	f.Add(exampleYAML)
	for _, s := range []string{
		"", "mode: production\n", "server: {addr: ':1', http_addr: ''}\n",
		"data_dir: ${X}\n", "data_dir: $${X}\n", "logs: {retention: 7d}\n",
		"ai:\n  providers:\n    - name: a\n      kind: openai\n      api_key: ${K}\n      models: [m]\n",
		"a: &a {b: *a}\n", "server:\n  <<: *x\n", "- [\n", "? [a]\n: b\n",
		"database: {driver: postgres, url: 'postgres://u:${K}@h/d'}\n",
		"auth: {admins: [A@B.example, ' x@localhost'], passkeys: {rp_id: example.com, origins: ['https://a.example.com']}}\n",
		"auth: {breach: {range_url: 'http://[::1]:1/r/', fail_closed: true}, passwords: {argon2: {memory_kib: 8, parallelism: 1}}}\n",
		"mail: {from: '\"Q\" <q@x.example>', smtp: {host: smtp.example, tls: tls, username: u, password: '${K}'}}\n",
	} {
		f.Add([]byte(s))
	}
	lookup := func(string) (string, bool) { return fuzzSecret, true }
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := parse(data, "f.yaml", lookup)
		if err != nil {
			if !strings.Contains(string(data), fuzzSecret) && strings.Contains(err.Error(), fuzzSecret) {
				t.Fatalf("error reveals an environment value: %v", err)
			}
			return
		}
		if err := c.Validate(); err != nil {
			t.Fatalf("Parse accepted a configuration that does not validate: %v", err)
		}
	})
}

// FuzzAddresses checks the email checks used for auth.admins and
// mail.from: no panic, an accepted admin address is normalised and fit for
// a header, and an accepted sender has no control character and parses.
func FuzzAddresses(f *testing.F) {
	for _, s := range []string{"alice@example.com", " ALICE@Example.com ", "\uff41@example.com", "Quire <quire@localhost>",
		"a@b", "a@example.com, b@example.com", "x\r\nBcc: y@example.com", "\"a\nb\" <a@example.com>", "\xff@example.com"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n := normaliseEmail(s)
		if validEmail(n) {
			if normaliseEmail(n) != n || strings.ContainsAny(n, "\r\n<>, ") {
				t.Fatalf("accepted admin address %q is not normalised or not plain", n)
			}
		}
		if validFrom(s) {
			if strings.ContainsAny(s, "\r\n\x00") {
				t.Fatalf("accepted sender %q holds a line break", s)
			}
			if _, err := mail.ParseAddress(s); err != nil {
				t.Fatalf("accepted sender %q does not parse: %v", s, err)
			}
		}
	})
}
