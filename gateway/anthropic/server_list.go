package anthropic

import (
	"encoding/json"
	"errors"
	"strconv"
)

// Arrays in a client request are decoded one element at a time and refused
// at the first element past their cap, so that memory follows the caps and
// not the body: decoding a whole array before counting it lets 3 bytes of
// "{}," become a hundred-byte struct, and a 32 MiB body gigabytes.
// Top-level arrays are read from the body's json.Decoder (decodeArray);
// arrays nested in an element are bounded by the element's UnmarshalJSON
// (unmarshalArray), which encoding/json calls with the array's bytes.

var (
	errNotArray = errors.New("not a JSON array")
	errTooMany  = errors.New("too many array elements")
)

// elemError is an element that did not decode.
type elemError struct {
	i   int
	err error
}

func (e *elemError) Error() string { return "element " + strconv.Itoa(e.i) + ": " + e.err.Error() }
func (e *elemError) Unwrap() error { return e.err }

// decodeArray decodes the JSON array (or null, leaving *out nil) at dec
// into *out, one element at a time: errTooMany at element max+1, before
// decoding it; errNotArray for another type; *elemError for an element
// that does not decode into T. check, if not nil, vets each element as it
// is decoded (a budget across arrays).
func decodeArray[T any](dec *json.Decoder, max int, out *[]T, check func(*T) error) error {
	tok, err := dec.Token()
	var ute *json.UnmarshalTypeError
	switch {
	case errors.As(err, &ute): // a number out of float64's range
		return errNotArray
	case err != nil:
		return err
	case tok == nil:
		return nil
	case tok != json.Delim('['):
		return errNotArray
	}
	list := make([]T, 0, min(max, 8))
	for i := 0; dec.More(); i++ {
		if i == max {
			return errTooMany
		}
		list = append(list, *new(T))
		if err := dec.Decode(&list[i]); err != nil {
			return &elemError{i, err}
		}
		if check != nil {
			if err := check(&list[i]); err != nil {
				return &elemError{i, err}
			}
		}
	}
	if _, err := dec.Token(); err != nil {
		return err
	}
	*out = list
	return nil
}

// readArray is decodeArray for a top-level member: its errors are
// *APIError about param. why explains a refusal past max.
func readArray[T any](dec *json.Decoder, param string, max int, why string, out *[]T, check func(*T) error) error {
	err := decodeArray(dec, max, out, check)
	var ee *elemError
	switch {
	case err == nil:
		return nil
	case errors.Is(err, errNotArray):
		return badType(param)
	case errors.Is(err, errTooMany):
		return invalid(param, why)
	case errors.As(err, &ee):
		return valueError(ee.err, param+"."+strconv.Itoa(ee.i))
	}
	return syntaxError(err, errNotJSON)
}

// nestedError is a failure inside a nested array, with its path relative
// to the top-level element being decoded ("content", "content.2.source").
// It passes through encoding/json unchanged, and readArray prefixes it.
type nestedError struct {
	path string
	code string // "invalid_type", "invalid_value" or "duplicate_parameter"
	why  string
}

func (e *nestedError) Error() string { return "invalid " + e.path }

// apiError is e under param, the element's path.
func (e *nestedError) apiError(param string) *APIError {
	p := param
	if e.path != "" {
		p += "." + e.path
	}
	switch e.code {
	case "invalid_value":
		return invalid(p, e.why)
	case "duplicate_parameter":
		return duplicate(p)
	}
	return badType(p)
}

// unmarshalArray is decodeArray for an UnmarshalJSON method: b is the
// array (already checked as JSON by encoding/json), field its name in the
// enclosing object; errors are *nestedError. Elements are decoded from b
// in place, without a second buffer.
func unmarshalArray[T any](b []byte, field string, max int, why string, out *[]T) error {
	if string(b) == "null" {
		return nil
	}
	if len(b) == 0 || b[0] != '[' {
		return &nestedError{path: field, code: "invalid_type"}
	}
	list := make([]T, 0, min(max, 8))
	err := eachElement(b, func(elem []byte) error {
		if len(list) == max {
			return &nestedError{path: field, code: "invalid_value", why: why}
		}
		list = append(list, *new(T))
		if err := json.Unmarshal(elem, &list[len(list)-1]); err != nil {
			path := strconv.Itoa(len(list) - 1)
			if field != "" {
				path = field + "." + path
			}
			return nestedPath(err, path)
		}
		return nil
	})
	if err != nil {
		return err
	}
	*out = list
	return nil
}

// nestedPath turns an element's decode error into a *nestedError at
// path.
func nestedPath(err error, path string) error {
	var ne *nestedError
	if errors.As(err, &ne) {
		if ne.path != "" {
			path += "." + ne.path
		}
		return &nestedError{path: path, code: ne.code, why: ne.why}
	}
	var ute *json.UnmarshalTypeError
	if errors.As(err, &ute) {
		path += fieldPath(ute.Field)
	}
	return &nestedError{path: path, code: "invalid_type"}
}

// eachElement calls fn with each element of the JSON array b, which must
// be valid JSON, stopping at fn's first error.
func eachElement(b []byte, fn func([]byte) error) error {
	depth, start := 0, -1
	inString, escaped := false, false
	for i, c := range b {
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
			continue
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			continue
		}
		if depth == 1 && start < 0 && c != ']' && c != ',' {
			start = i
		}
		switch c {
		case '"':
			inString = true
		case '[', '{':
			depth++
		case ']', '}':
			depth--
		}
		if start >= 0 && (depth == 1 && c == ',' || depth == 0) {
			end := i // the ',' or the closing ']'
			if err := fn(b[start:end]); err != nil {
				return err
			}
			start = -1
		}
	}
	return nil
}
