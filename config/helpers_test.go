package config

import (
	"strings"
	"testing"
)

// env returns a lookup over a fixed environment, so tests run in parallel
// and never depend on the machine's variables.
func env(kv ...string) lookupFunc {
	m := map[string]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return func(k string) (string, bool) {
		v, ok := m[k]
		return v, ok
	}
}

// errorLines returns the message of each FieldError in err.
func errorLines(err error) []string {
	var out []string
	for _, fe := range FieldErrors(err) {
		out = append(out, fe.Error())
	}
	return out
}

// mustParse parses src with lookup and fails the test on error.
func mustParse(t *testing.T, src string, lookup lookupFunc) *Config {
	t.Helper()
	c, err := parse([]byte(src), "q.yaml", lookup)
	if err != nil {
		t.Fatalf("parse: %v\nsource:\n%s", err, src)
	}
	return c
}

// yamlDoc lets tests write YAML with tabs for indentation, which YAML
// forbids, so that the documents line up with the Go code around them.
func yamlDoc(s string) string {
	return strings.ReplaceAll(strings.TrimPrefix(s, "\n"), "\t", "  ")
}

func equalLines(t *testing.T, got, want []string) {
	t.Helper()
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("errors:\n got: %q\nwant: %q", got, want)
	}
}
