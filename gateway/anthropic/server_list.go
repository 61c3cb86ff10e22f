package anthropic

import (
	"encoding/json"
	"errors"
	"strconv"

	"github.com/quirehq/quire/gateway/internal/jsonarray"
)

// Arrays in a client request are decoded one element at a time and refused
// at the first element past their cap (package jsonarray says why). Here
// are the Anthropic parts: its errors, and its paths ("content.2.source").
// Top-level arrays are read with readArray; arrays nested in an element
// are bounded by the element's UnmarshalJSON with unmarshalArray.

// readArray is jsonarray.Decode for a top-level member: its errors are
// *APIError about param. why explains a refusal past max.
func readArray[T any](dec *json.Decoder, param string, max int, why string, out *[]T, check func(*T) error) error {
	err := jsonarray.Decode(dec, max, out, check)
	var ee *jsonarray.ElemError
	switch {
	case err == nil:
		return nil
	case errors.Is(err, jsonarray.ErrNotArray):
		return badType(param)
	case errors.Is(err, jsonarray.ErrTooMany):
		return invalid(param, why)
	case errors.As(err, &ee):
		return valueError(ee.Err, param+"."+strconv.Itoa(ee.Index))
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

// unmarshalArray is jsonarray.Unmarshal for an UnmarshalJSON method: b is
// the array, field its name in the enclosing object ("" for an array that
// is the member itself, as "system" is); errors are *nestedError.
func unmarshalArray[T any](b []byte, field string, max int, why string, out *[]T) error {
	err := jsonarray.Unmarshal(b, max, out)
	var ee *jsonarray.ElemError
	switch {
	case err == nil:
		return nil
	case errors.Is(err, jsonarray.ErrNotArray):
		return &nestedError{path: field, code: "invalid_type"}
	case errors.Is(err, jsonarray.ErrTooMany):
		return &nestedError{path: field, code: "invalid_value", why: why}
	case errors.As(err, &ee):
		path := strconv.Itoa(ee.Index)
		if field != "" {
			path = field + "." + path
		}
		return nestedPath(ee.Err, path)
	}
	return err
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
