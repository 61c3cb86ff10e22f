package openai

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"

	"github.com/quirehq/quire/gateway"
)

// DefaultRequestLimit is a request body limit for chat completions that
// fits long contexts with inline images.
const DefaultRequestLimit = 32 << 20

// maxDropped bounds the field names ChatExtras reports.
const maxDropped = 32

// ChatExtras reports what DecodeChatRequest did not put in the canonical
// request, for diagnostics (names only, never values).
type ChatExtras struct {
	// Dropped names the top-level fields read and not forwarded, in order:
	// those that make a provider keep state (store, metadata, user,
	// previous_response_id, …), those the gateway does not model
	// (logprobs, …) and unknown ones. At most 32 names, each a token.
	Dropped []string
	// Unnamed counts dropped fields whose names are not tokens, or beyond
	// the first 32.
	Unnamed int
}

func (x *ChatExtras) drop(name string) {
	if len(x.Dropped) < maxDropped && gateway.SafeToken(name, 64) != "" {
		x.Dropped = append(x.Dropped, name)
		return
	}
	x.Unnamed++
}

// DecodeChatRequest reads a chat completion request of at most limit
// bytes (DefaultRequestLimit if 0) and validates it strictly. Errors are
// *APIError with the status, type, code and param an OpenAI SDK expects
// (400, or 413 past the limit); their messages never quote the request.
// Unknown fields and fields that make providers keep state are dropped
// and named in the extras; duplicate fields are refused, since two
// parsers could read them differently.
func DecodeChatRequest(r io.Reader, limit int64) (*gateway.ChatRequest, *ChatExtras, error) {
	if limit <= 0 {
		limit = DefaultRequestLimit
	}
	lr := &limitReader{r: r, n: limit}
	var (
		in chatIn
		x  ChatExtras
	)
	err := eachField(json.NewDecoder(lr), func(dec *json.Decoder, key string) error {
		return in.field(dec, key, &x)
	})
	if lr.over || isMaxBytes(err) {
		return nil, nil, tooLarge()
	}
	if err != nil {
		return nil, nil, err
	}
	req, err := in.canonical()
	if err != nil {
		return nil, nil, err
	}
	return req, &x, nil
}

func tooLarge() *APIError {
	return &APIError{Status: http.StatusRequestEntityTooLarge, Type: TypeInvalidRequest, Code: "request_too_large", Message: "The request body is too large."}
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

var errNotObject = invalid("invalid_json", "", "The request body must be a JSON object.")

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
		return syntaxError(err, invalid("invalid_json", "", "The request body must hold a single JSON object."))
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
		return invalid("invalid_json", "", "The request body is not valid JSON.")
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
		param += fieldPath(ute.Field)
		return invalid("invalid_type", param, "Invalid type for '"+param+"'.")
	}
	var ae *APIError
	if errors.As(err, &ae) {
		return ae
	}
	return syntaxError(err, invalid("invalid_json", param, "The request body is not valid JSON."))
}

// fieldPath turns encoding/json's field path ("0.content.1.type") into
// OpenAI's parameter notation ("[0].content[1].type"), or "" when it is
// not made of field names and indexes.
func fieldPath(f string) string {
	if f == "" || gateway.SafeToken(f, 128) == "" {
		return ""
	}
	var b strings.Builder
	for _, seg := range strings.Split(f, ".") {
		if seg == "" {
			return ""
		}
		if seg[0] >= '0' && seg[0] <= '9' {
			b.WriteString("[" + seg + "]")
		} else {
			b.WriteString("." + seg)
		}
	}
	return b.String()
}

// skipValue consumes a value without keeping it.
func skipValue(dec *json.Decoder) error {
	var skip struct{}
	err := dec.Decode(&skip)
	var ute *json.UnmarshalTypeError
	if err == nil || errors.As(err, &ute) {
		return nil
	}
	return syntaxError(err, invalid("invalid_json", "", "The request body is not valid JSON."))
}
