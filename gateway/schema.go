package gateway

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
)

// Bounds on a client's JSON Schema (Tool.Parameters, ResponseFormat.Schema).
// Schemas are forwarded verbatim, so their size and nesting are capped
// instead: far above real schemas (OpenAI allows 10 levels of nested
// schemas, about 20 levels of JSON), far below what costs memory or stack.
const (
	MaxSchemaBytes = 256 << 10
	MaxSchemaDepth = 64
)

// Schema errors. Their text quotes nothing from the schema.
var (
	ErrSchemaTooLarge = errors.New("gateway: JSON schema exceeds the size limit")
	ErrSchemaTooDeep  = errors.New("gateway: JSON schema is nested too deeply")
	errNotJSON        = errors.New("gateway: not a single valid JSON value")
)

// CheckSchema reports whether raw is within MaxSchemaBytes and
// MaxSchemaDepth. It does not validate the JSON: decoders have.
func CheckSchema(raw json.RawMessage) error {
	switch {
	case len(raw) > MaxSchemaBytes:
		return ErrSchemaTooLarge
	case jsonDepth(raw) > MaxSchemaDepth:
		return ErrSchemaTooDeep
	}
	return nil
}

// jsonDepth returns the deepest nesting of arrays and objects in raw,
// skipping strings.
func jsonDepth(raw []byte) int {
	depth, deepest := 0, 0
	inString, escaped := false, false
	for _, c := range raw {
		switch {
		case inString:
			switch {
			case escaped:
				escaped = false
			case c == '\\':
				escaped = true
			case c == '"':
				inString = false
			}
		case c == '"':
			inString = true
		case c == '{' || c == '[':
			depth++
			deepest = max(deepest, depth)
		case c == '}' || c == ']':
			depth--
		}
	}
	return deepest
}

// MapStrings returns raw with every string value (not object keys, which
// name properties the model must produce) replaced by fn(value): the walk
// a redaction step needs over a forwarded schema. Numbers keep their exact
// text; the result is compact JSON. It fails, quoting nothing, unless raw
// is one valid JSON value. Memory is proportional to raw; the walk is
// iterative, so depth costs no stack.
func MapStrings(raw json.RawMessage, fn func(string) string) (json.RawMessage, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	w := stringMapper{out: make([]byte, 0, len(raw)), fn: fn}
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil || (w.done && len(w.stack) == 0) {
			return nil, errNotJSON
		}
		w.token(tok)
	}
	if !w.done || len(w.stack) != 0 {
		return nil, errNotJSON
	}
	return w.out, nil
}

// stringMapper writes the tokens of one JSON value back out, mapping
// string values.
type stringMapper struct {
	out   []byte
	fn    func(string) string
	stack []container
	done  bool // a whole top-level value was written
}

// container is an open array or object; n counts what it holds so far
// (keys and values, for an object).
type container struct {
	object bool
	n      int
}

func (w *stringMapper) token(tok json.Token) {
	if d, ok := tok.(json.Delim); ok && (d == '}' || d == ']') {
		w.out = append(w.out, byte(d))
		w.stack = w.stack[:len(w.stack)-1]
		w.done = len(w.stack) == 0
		return
	}
	key := w.separate()
	switch v := tok.(type) {
	case json.Delim:
		w.out = append(w.out, byte(v))
		w.stack = append(w.stack, container{object: v == '{'})
		return
	case string:
		if !key {
			v = w.fn(v)
		}
		w.out = appendQuoted(w.out, v)
	case json.Number:
		w.out = append(w.out, v...)
	case bool:
		if v {
			w.out = append(w.out, "true"...)
		} else {
			w.out = append(w.out, "false"...)
		}
	case nil:
		w.out = append(w.out, "null"...)
	}
	w.done = len(w.stack) == 0
}

// separate writes the ',' or ':' due before the next token and reports
// whether that token is an object key.
func (w *stringMapper) separate() bool {
	if len(w.stack) == 0 {
		return false
	}
	top := &w.stack[len(w.stack)-1]
	key := top.object && top.n%2 == 0
	switch {
	case top.object && !key:
		w.out = append(w.out, ':')
	case top.n > 0:
		w.out = append(w.out, ',')
	}
	top.n++
	return key
}

// appendQuoted appends s as a JSON string.
func appendQuoted(b []byte, s string) []byte {
	q, _ := json.Marshal(s) // a string always marshals
	return append(b, q...)
}
