package http

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"

	"github.com/quirehq/quire"
)

// DecodeJSON decodes the request body, which must be exactly one JSON value,
// into v. Errors are quire errors ready for Error: invalid_input for an
// empty, malformed or mistyped body or trailing data, too_large when the body
// exceeds the route's limit. Messages never echo the body. Unknown fields are
// ignored so that newer clients keep working.
func DecodeJSON(r *http.Request, v any) error {
	if r.Body == nil {
		return quire.Errorf(quire.EINVALID, "Request body is empty.")
	}
	dec := json.NewDecoder(r.Body)
	if err := dec.Decode(v); err != nil {
		return decodeError(err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		if tooLarge := (*http.MaxBytesError)(nil); errors.As(err, &tooLarge) {
			return decodeError(err)
		}
		return quire.Errorf(quire.EINVALID, "Request body holds more than one JSON value.")
	}
	return nil
}

// decodeError classifies a decoding error without echoing the input.
func decodeError(err error) error {
	var tooLarge *http.MaxBytesError
	var typeErr *json.UnmarshalTypeError
	var readErr *quire.Error
	switch {
	case errors.As(err, &readErr): // the body could not be read (bodyReadError)
		return err
	case errors.As(err, &tooLarge):
		return quire.WrapError(quire.ETOOLARGE, fmt.Sprintf("Request body exceeds %d bytes.", tooLarge.Limit), err)
	case errors.Is(err, io.EOF):
		return quire.WrapError(quire.EINVALID, "Request body is empty.", err)
	case errors.As(err, &typeErr) && typeErr.Field != "" && safeField(typeErr.Field):
		return quire.WrapError(quire.EINVALID, fmt.Sprintf("Field %q has the wrong type.", typeErr.Field), err)
	default:
		return quire.WrapError(quire.EINVALID, "Request body is not valid JSON.", err)
	}
}

// safeField reports whether a field path from the decoder is short and
// made of name characters, so that quoting it cannot echo odd input.
func safeField(s string) bool {
	if len(s) > 64 {
		return false
	}
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '.' || c == '-') {
			return false
		}
	}
	return true
}
