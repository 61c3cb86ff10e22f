package config

import (
	"bytes"
	"reflect"
	"regexp"
	"strings"
	"testing"
)

var exampleEnv = env("OPENAI_API_KEY", "sk-1", "ANTHROPIC_API_KEY", "sk-2", "AZURE_OPENAI_API_KEY", "k3")

func TestExampleParsesAndValidates(t *testing.T) {
	t.Parallel()
	c := mustParse(t, string(ExampleYAML()), exampleEnv)
	if len(c.AI.Providers) != 5 || c.AI.Providers[0].APIKey.Reveal() != "sk-1" {
		t.Errorf("providers: %+v", c.AI.Providers)
	}
	// The example shows the defaults: apart from the providers, it must
	// decode to exactly what an empty file gives.
	c.AI = AI{}
	if want := defaults(exampleEnv); !reflect.DeepEqual(c, want) {
		t.Errorf("the example's values differ from the defaults:\n got %+v\nwant %+v", c, want)
	}
}

func TestExampleNeedsItsVariables(t *testing.T) {
	t.Parallel()
	_, err := parse(ExampleYAML(), "quire.example.yaml", env())
	if got := len(FieldErrors(err)); got != 3 {
		t.Errorf("got %d errors without the API key variables, want 3: %v", got, err)
	}
}

// TestExampleDocumentsEveryKey fails when a key is added to Config but not
// to the example file, at its place: auth.breach.timeout is not documented
// by mail.smtp.timeout. A commented-out key counts.
func TestExampleDocumentsEveryKey(t *testing.T) {
	t.Parallel()
	documented := exampleKeyPaths(exampleYAML)
	for _, key := range allKeys(reflect.TypeFor[Config](), "") {
		if !documented[key] {
			t.Errorf("quire.example.yaml does not mention %q", key)
		}
	}
	if !documented["auth.breach.timeout"] || documented["auth.timeout"] || documented["timeout"] {
		t.Errorf("exampleKeyPaths does not follow the nesting: %v", documented)
	}
}

// allKeys returns the key paths struct type t accepts, under prefix; list
// items add no path element.
func allKeys(t reflect.Type, prefix string) []string {
	var out []string
	for i := range t.NumField() {
		f := t.Field(i)
		name, ok := yamlName(f)
		if !ok {
			continue
		}
		path := joinPath(prefix, name)
		out = append(out, path)
		ft := f.Type
		if ft.Kind() == reflect.Slice {
			ft = ft.Elem()
		}
		if ft.Kind() == reflect.Struct && ft != durationType {
			out = append(out, allKeys(ft, path)...)
		}
	}
	return out
}

// exampleKeyLine matches a key line, commented out or not, in a list item
// or not; the groups are the indentation, a "- " list marker and the key.
var exampleKeyLine = regexp.MustCompile(`^( *)(?:# ?)?( *)(- )?([a-z0-9_]+):(?: |$)`)

// exampleKeyPaths returns the key paths of src by indentation, reading
// commented-out keys ("  # file: …") as if they were not commented out.
func exampleKeyPaths(src []byte) map[string]bool {
	type level struct {
		indent int
		key    string
	}
	var stack []level
	paths := map[string]bool{}
	for _, line := range strings.Split(string(src), "\n") {
		m := exampleKeyLine.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		indent := len(m[1]) + len(m[2]) + len(m[3])
		for len(stack) > 0 && stack[len(stack)-1].indent >= indent {
			stack = stack[:len(stack)-1]
		}
		path := m[4]
		if len(stack) > 0 {
			path = joinPath(stack[len(stack)-1].key, m[4])
		}
		paths[path] = true
		stack = append(stack, level{indent, path})
	}
	return paths
}

func TestExampleYAMLIsACopy(t *testing.T) {
	t.Parallel()
	b := ExampleYAML()
	b[0] = 'X'
	if bytes.Equal(b, ExampleYAML()) {
		t.Error("ExampleYAML returns the embedded slice itself")
	}
}
