// Package jsonarray decodes JSON arrays one element at a time and refuses
// them at the first element past a cap, so that the memory a request
// costs follows the caps and not the body: decoding a whole array before
// counting it lets 3 bytes of "{}," become a hundred-byte struct, and a
// 32 MiB body gigabytes.
//
// Top-level arrays are read from a request body's json.Decoder (Decode);
// arrays nested in an element are bounded by the element's UnmarshalJSON
// (Unmarshal), which encoding/json calls with the array's bytes. Errors
// are sentinels and *ElemError, which names an element by its index and
// wraps the decoder's error (whose text may quote the input). Each API
// dialect (gateway/openai, gateway/anthropic) turns them into its own
// error, with the parameter path written its own way and none of that
// text.
package jsonarray

import (
	"encoding/json"
	"errors"
	"strconv"
)

var (
	// ErrNotArray is a value that is neither a JSON array nor null.
	ErrNotArray = errors.New("not a JSON array")
	// ErrTooMany is an array with more elements than its cap.
	ErrTooMany = errors.New("too many array elements")
)

// ElemError is an element that did not decode, or that its check
// refused.
type ElemError struct {
	Index int   // the element's index in its array
	Err   error // the decoder's or the check's error
}

// Error names the element and its error.
func (e *ElemError) Error() string {
	return "element " + strconv.Itoa(e.Index) + ": " + e.Err.Error()
}

// Unwrap returns the element's error.
func (e *ElemError) Unwrap() error { return e.Err }

// Decode decodes the JSON array (or null, leaving *out nil) at dec into
// *out, one element at a time: ErrTooMany at element max+1, before
// decoding it; ErrNotArray for another type; *ElemError for an element
// that does not decode into T. check, if not nil, vets each element as
// it is decoded (a budget across arrays). Any other error is dec's: a
// syntax or read error. *out is set only when the whole array decoded.
func Decode[T any](dec *json.Decoder, max int, out *[]T, check func(*T) error) error {
	tok, err := dec.Token()
	var ute *json.UnmarshalTypeError
	switch {
	case errors.As(err, &ute): // a number out of float64's range
		return ErrNotArray
	case err != nil:
		return err
	case tok == nil:
		return nil
	case tok != json.Delim('['):
		return ErrNotArray
	}
	list := make([]T, 0, min(max, 8))
	for i := 0; dec.More(); i++ {
		if i == max {
			return ErrTooMany
		}
		list = append(list, *new(T))
		if err := dec.Decode(&list[i]); err != nil {
			return &ElemError{i, err}
		}
		if check != nil {
			if err := check(&list[i]); err != nil {
				return &ElemError{i, err}
			}
		}
	}
	if _, err := dec.Token(); err != nil {
		return err
	}
	*out = list
	return nil
}

// Unmarshal is Decode for an UnmarshalJSON method: b is the value, which
// encoding/json has already checked as JSON. null leaves *out nil;
// another non-array is ErrNotArray; element max+1 is ErrTooMany, before
// it is decoded; an element that does not decode into T is *ElemError.
// Elements are decoded from b in place, without a second buffer, and *out
// is set only when all of them decoded.
func Unmarshal[T any](b []byte, max int, out *[]T) error {
	if string(b) == "null" {
		return nil
	}
	if len(b) == 0 || b[0] != '[' {
		return ErrNotArray
	}
	list := make([]T, 0, min(max, 8))
	err := Each(b, func(elem []byte) error {
		if len(list) == max {
			return ErrTooMany
		}
		list = append(list, *new(T))
		if err := json.Unmarshal(elem, &list[len(list)-1]); err != nil {
			return &ElemError{len(list) - 1, err}
		}
		return nil
	})
	if err != nil {
		return err
	}
	*out = list
	return nil
}

// Each calls fn with the bytes of each element of the JSON array b, which
// must be valid JSON (as encoding/json has checked it before it calls an
// UnmarshalJSON method), stopping at fn's first error, which it returns.
// An element's bytes are a subslice of b from its first byte to the comma
// or bracket that ends it: whitespace after the element is kept, which
// encoding/json ignores.
func Each(b []byte, fn func([]byte) error) error {
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
