package anthropic

import (
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"

	"github.com/quirehq/quire/gateway"
)

// DefaultRequestLimit is the request body limit DecodeMessagesRequest uses
// when Limits.MaxBodyBytes is 0: Anthropic's own limit for a Messages
// request, room for long contexts with inline images.
const DefaultRequestLimit = 32 << 20

// Limits bounds what DecodeMessagesRequest accepts.
type Limits struct {
	// MaxBodyBytes bounds the request body (DefaultRequestLimit if 0).
	MaxBodyBytes int64
}

// DecodeMessagesRequest reads a Messages request (POST /v1/messages) and
// validates it strictly. Errors are *APIError with the status and type an
// Anthropic SDK expects (400 invalid_request_error, or 413
// request_too_large past the limit); their messages name the offending
// field by its path and never quote the request. Unknown fields, and
// fields that make providers keep state or that the gateway does not
// model (metadata, container, mcp_servers, service_tier, thinking, top_k,
// …), are dropped; duplicate fields are refused, since two parsers could
// read them differently. Every array is counted while it is decoded and
// refused at the first element past its cap, so a request's memory
// follows the caps, not its size.
//
// The request always asks for usage at the end of a stream
// (IncludeUsage), since Anthropic streams always carry it.
func DecodeMessagesRequest(r *http.Request, limits Limits) (*gateway.ChatRequest, error) {
	if ct := r.Header.Get("Content-Type"); ct != "" {
		if mt, _, err := mime.ParseMediaType(ct); err != nil || mt != "application/json" {
			return nil, invalid("", "The request body must be JSON (Content-Type: application/json).")
		}
	}
	limit := limits.MaxBodyBytes
	if limit <= 0 {
		limit = DefaultRequestLimit
	}
	var body io.Reader = http.NoBody
	if r.Body != nil {
		body = r.Body
	}
	lr := &limitReader{r: body, n: limit}
	var in messagesIn
	err := eachField(json.NewDecoder(lr), in.field)
	if lr.over || isMaxBytes(err) {
		return nil, tooLarge()
	}
	if err != nil {
		return nil, err
	}
	return in.canonical()
}

func tooLarge() *APIError {
	return &APIError{Status: http.StatusRequestEntityTooLarge, Type: TypeRequestTooLarge, Message: "Request exceeds the maximum allowed number of bytes."}
}

func isMaxBytes(err error) bool {
	var mb *http.MaxBytesError
	return errors.As(err, &mb)
}

// limitReader reads at most n bytes and records an attempt to read more.
type limitReader struct {
	r    io.Reader
	n    int64
	over bool
}

var errOverLimit = errors.New("request body over the limit")

func (l *limitReader) Read(p []byte) (int, error) {
	if l.n <= 0 {
		var one [1]byte
		if n, _ := l.r.Read(one[:]); n > 0 {
			l.over = true
			return 0, errOverLimit
		}
		return 0, io.EOF
	}
	if int64(len(p)) > l.n {
		p = p[:l.n]
	}
	n, err := l.r.Read(p)
	l.n -= int64(n)
	return n, err
}

var (
	errNotObject = invalid("", "The request body must be a JSON object.")
	errNotJSON   = invalid("", "The request body is not valid JSON.")
)

// missing is the error for a required field left out.
func missing(param string) *APIError { return invalid(param, "Field required.") }

// badType is the error for a value of the wrong JSON type.
func badType(param string) *APIError { return invalid(param, "Invalid type.") }

// duplicate is the error for a field given twice.
func duplicate(param string) *APIError { return invalid(param, "The field appears more than once.") }

// eachField walks the members of the one JSON object in dec, calling fn
// with the decoder positioned at each value, which fn must consume. Any
// syntax error, a non-object, or data after the object is an *APIError.
func eachField(dec *json.Decoder, fn func(*json.Decoder, string) error) error {
	tok, err := dec.Token()
	if err != nil || tok != json.Delim('{') {
		return syntaxError(err, errNotObject)
	}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return syntaxError(err, errNotObject)
		}
		key, _ := tok.(string)
		if err := fn(dec, key); err != nil {
			return err
		}
	}
	if _, err := dec.Token(); err != nil {
		return syntaxError(err, errNotObject)
	}
	if _, err := dec.Token(); err != io.EOF {
		return syntaxError(err, invalid("", "The request body must hold a single JSON object."))
	}
	return nil
}

// syntaxError keeps a size or read error as is, and turns anything else
// into the given *APIError.
func syntaxError(err error, e *APIError) error {
	if errors.Is(err, errOverLimit) || isMaxBytes(err) {
		return err
	}
	var se *json.SyntaxError
	if err != nil && (errors.As(err, &se) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF)) {
		return errNotJSON
	}
	if err != nil && !errors.Is(err, io.EOF) {
		var ute *json.UnmarshalTypeError
		if !errors.As(err, &ute) {
			return err // a read error from the client connection
		}
	}
	return e
}

// decodeField decodes the current value into v; a type mismatch is a 400
// naming param (and the nested field, when the decoder says which).
func decodeField(dec *json.Decoder, param string, v any) error {
	if err := dec.Decode(v); err != nil {
		return valueError(err, param)
	}
	return nil
}

// valueError maps the failure to decode the value at param: a type
// mismatch or a nested array's refusal names the nested field; an
// *APIError (from a check) is kept; anything else is a syntax or read
// error.
func valueError(err error, param string) error {
	var ne *nestedError
	if errors.As(err, &ne) {
		return ne.apiError(param)
	}
	var ute *json.UnmarshalTypeError
	if errors.As(err, &ute) {
		return badType(param + fieldPath(ute.Field))
	}
	var ae *APIError
	if errors.As(err, &ae) {
		return ae
	}
	return syntaxError(err, errNotJSON)
}

// fieldPath turns encoding/json's field path ("0.content.1.type") into a
// suffix of Anthropic's parameter notation (".0.content.1.type"), or ""
// when it is not made of field names and indexes.
func fieldPath(f string) string {
	if f == "" || gateway.SafeToken(f, 128) == "" {
		return ""
	}
	return "." + f
}

// skipValue consumes a value without keeping it.
func skipValue(dec *json.Decoder) error {
	var skip struct{}
	err := dec.Decode(&skip)
	var ute *json.UnmarshalTypeError
	if err == nil || errors.As(err, &ute) {
		return nil
	}
	return syntaxError(err, errNotJSON)
}
