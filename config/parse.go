package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"reflect"
	"strings"

	"go.yaml.in/yaml/v3"
)

// maxFileSize bounds the configuration file; a real one is a few KiB.
const maxFileSize = 1 << 20

// Load reads, parses and validates the configuration file at path. An empty
// path means no file: the defaults, which are a valid development
// configuration.
func Load(path string) (*Config, error) {
	if path == "" {
		c := Default()
		if err := c.Validate(); err != nil {
			return nil, err
		}
		return c, nil
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("config: read %s: %w", path, err)
	}
	if len(data) > maxFileSize {
		return nil, &FieldError{Source: path, Msg: "the file is larger than 1 MiB; is it the right file?"}
	}
	return Parse(data, path)
}

// Parse parses and validates a configuration document. source names it in
// error messages (usually the file name). Environment references are
// expanded from the process environment.
func Parse(data []byte, source string) (*Config, error) {
	return parse(data, source, os.LookupEnv)
}

func parse(data []byte, source string, lookup lookupFunc) (*Config, error) {
	c := base(lookup)
	root, err := document(data)
	if err != nil {
		return nil, &FieldError{Source: source, Msg: err.Error()}
	}
	var lines map[string]int
	if root != nil {
		d := newDecoder(source, lookup)
		d.value(root, reflect.ValueOf(c).Elem(), "")
		if err := d.probs.err(); err != nil {
			return nil, err
		}
		lines = d.lines
	}
	c.finish(lookup)
	if err := c.Validate(); err != nil {
		return nil, locate(err, source, lines)
	}
	return c, nil
}

var errMultipleDocuments = errors.New("the file holds more than one YAML document; keep only one (remove the --- separator)")

// document parses data into the root node of its only YAML document, or nil
// when the document is empty.
func document(data []byte) (*yaml.Node, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); errors.Is(err, io.EOF) {
		return nil, nil
	} else if err != nil {
		return nil, syntaxError(err)
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		if err != nil {
			return nil, syntaxError(err)
		}
		return nil, errMultipleDocuments
	}
	if doc.Kind == yaml.DocumentNode {
		if len(doc.Content) == 0 {
			return nil, nil
		}
		return doc.Content[0], nil
	}
	return &doc, nil
}

// syntaxError rewords a YAML parser error. Parser errors describe the
// structure ("line 3: mapping values are not allowed"), not the values.
func syntaxError(err error) error {
	return fmt.Errorf("invalid YAML: %s", strings.TrimPrefix(err.Error(), "yaml: "))
}
