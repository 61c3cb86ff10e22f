package http

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/quirehq/quire"
)

// DecodeJSON decodes the request body, which must be exactly one JSON value,
// into v. Errors are quire errors ready for Error: invalid_input for an
// empty, malformed or mistyped body or trailing data, too_large when the body
// exceeds the route's limit. Messages never echo the body. Unknown fields are
// ignored so that newer clients keep working.
func DecodeJSON(r *http.Request, v any) error { return decode(r, v, false) }

// decodeStrict is DecodeJSON that also refuses fields the body type does
// not have, naming the field when its name is safe to quote.
func decodeStrict(r *http.Request, v any) error { return decode(r, v, true) }

// decode is DecodeJSON, refusing unknown fields when strict.
func decode(r *http.Request, v any, strict bool) error {
	if r.Body == nil {
		return quire.Errorf(quire.EINVALID, "Request body is empty.")
	}
	dec := json.NewDecoder(r.Body)
	if strict {
		dec.DisallowUnknownFields()
	}
	if err := dec.Decode(v); err != nil {
		name, unknown := unknownField(err)
		switch {
		case !strict || !unknown:
			return decodeError(err)
		case serverFields[name]:
			return quire.WrapError(quire.EINVALID, fmt.Sprintf("Field %q is set by the server; leave it out.", name), err)
		case name != "":
			return quire.WrapError(quire.EINVALID, fmt.Sprintf("Field %q is not known.", name), err)
		default:
			return quire.WrapError(quire.EINVALID, "Request body has a field that is not known.", err)
		}
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

// serverFields are response fields a client may not set; naming one in a
// body is refused with a message that says so.
var serverFields = map[string]bool{"updatedAt": true}

// unknownField reports whether err is encoding/json's unknown-field
// error, and returns the field it names if that is safe to quote ("" if
// not).
func unknownField(err error) (name string, unknown bool) {
	rest, ok := strings.CutPrefix(err.Error(), "json: unknown field ")
	if !ok {
		return "", false
	}
	name, uerr := strconv.Unquote(rest)
	if uerr != nil || !safeField(name) {
		return "", true
	}
	return name, true
}
