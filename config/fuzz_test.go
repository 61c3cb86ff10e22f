package config

import (
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
