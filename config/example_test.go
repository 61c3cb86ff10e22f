package config

import (
	"bytes"
	"reflect"
	"regexp"
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
// to the example file.
func TestExampleDocumentsEveryKey(t *testing.T) {
	t.Parallel()
	for _, key := range allKeys(reflect.TypeFor[Config]()) {
		if !regexp.MustCompile(`(?m)^[\s#-]*` + key + `:`).Match(exampleYAML) {
			t.Errorf("quire.example.yaml does not mention %q", key)
		}
	}
}

func allKeys(t reflect.Type) []string {
	var out []string
	for i := range t.NumField() {
		f := t.Field(i)
		name, ok := yamlName(f)
		if !ok {
			continue
		}
		out = append(out, name)
		ft := f.Type
		if ft.Kind() == reflect.Slice {
			ft = ft.Elem()
		}
		if ft.Kind() == reflect.Struct && ft != durationType {
			out = append(out, allKeys(ft)...)
		}
	}
	return out
}

func TestExampleYAMLIsACopy(t *testing.T) {
	t.Parallel()
	b := ExampleYAML()
	b[0] = 'X'
	if bytes.Equal(b, ExampleYAML()) {
		t.Error("ExampleYAML returns the embedded slice itself")
	}
}
