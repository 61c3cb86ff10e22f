package config

import _ "embed"

//go:embed quire.example.yaml
var exampleYAML []byte

// ExampleYAML returns an annotated example configuration file that shows
// every key with its default. It parses and validates in development mode
// once the environment variables it names are set.
func ExampleYAML() []byte { return append([]byte(nil), exampleYAML...) }
