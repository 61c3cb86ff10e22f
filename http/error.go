package http

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/quirehq/quire"
	"github.com/quirehq/quire/voice"
)

// Codes the HTTP layer itself produces, beside the quire error codes.
const (
	// EMETHODNOTALLOWED is a request method the route does not accept.
	EMETHODNOTALLOWED = "method_not_allowed"
	// ECROSSORIGIN is a state-changing browser request from another origin
	// (claim ACC-1).
	ECROSSORIGIN = "cross_origin_request"
	// EBOTDENIED is an automated client the bot policy refuses on this
	// route (claim BOT-1).
	EBOTDENIED = "bot_denied"
	// ESHIELDBLOCKED is a request the shield refused as an attack, or a
	// client it has blocked for repeated attacks (claim WAF-1).
	ESHIELDBLOCKED = "shield_blocked"
	// ETIMEOUT is a request whose body did not arrive within the read
	// timeout.
	ETIMEOUT = "request_timeout"
)

// codeStatus is the one table from error code to HTTP status. invalid_input
// is 400 rather than 422: it covers malformed bodies and bad parameters
// alike; codes for well-formed but refused values (a breached password) get
// their own code and 422. A code missing here renders as internal (500).
var codeStatus = map[string]int{
	quire.EINVALID:        http.StatusBadRequest,
	quire.EUNAUTHORIZED:   http.StatusUnauthorized,
	quire.EFORBIDDEN:      http.StatusForbidden,
	quire.ENOTFOUND:       http.StatusNotFound,
	EMETHODNOTALLOWED:     http.StatusMethodNotAllowed,
	quire.ECONFLICT:       http.StatusConflict,
	quire.ETOOLARGE:       http.StatusRequestEntityTooLarge,
	quire.EINTERNAL:       http.StatusInternalServerError,
	quire.ENOTIMPLEMENTED: http.StatusNotImplemented,
	quire.EUNAVAILABLE:    http.StatusServiceUnavailable,

	quire.EINVALIDCREDENTIALS:   http.StatusUnauthorized,
	quire.EEMAILUNVERIFIED:      http.StatusForbidden,
	quire.ELOCKED:               http.StatusLocked,
	quire.ERATELIMITED:          http.StatusTooManyRequests,
	quire.EEXPORTGONE:           http.StatusGone,
	quire.EPASSWORDTOOSHORT:     http.StatusUnprocessableEntity,
	quire.EPASSWORDTOOLONG:      http.StatusUnprocessableEntity,
	quire.EPASSWORDBREACHED:     http.StatusUnprocessableEntity,
	quire.EPASSWORDRESET:        http.StatusForbidden,
	quire.EMFAREQUIRED:          http.StatusForbidden,
	quire.ETOKENINVALID:         http.StatusBadRequest,
	quire.EBREACHUNAVAILABLE:    http.StatusServiceUnavailable,
	quire.EFOLDERNOTFOUND:       http.StatusUnprocessableEntity,
	quire.EFIELDREQUIRED:        http.StatusUnprocessableEntity,
	quire.EFIELDTOOLONG:         http.StatusUnprocessableEntity,
	quire.EEMAILINVALID:         http.StatusUnprocessableEntity,
	quire.EUNSUPPORTEDMEDIATYPE: http.StatusUnsupportedMediaType,
	EMULTIPARTREQUIRED:          http.StatusBadRequest,
	EFILEMISSING:                http.StatusBadRequest,
	ETOOMANYFILES:               http.StatusBadRequest,
	voice.ENOSPEECH:             http.StatusUnprocessableEntity,
	ECROSSORIGIN:                http.StatusForbidden,
	EBOTDENIED:                  http.StatusForbidden,
	ESHIELDBLOCKED:              http.StatusForbidden,
	ETIMEOUT:                    http.StatusRequestTimeout,
}

// serverMessages are the generic messages of 5xx responses, which never carry
// the error's own message.
var serverMessages = map[int]string{
	http.StatusNotImplemented:     "Not implemented.",
	http.StatusServiceUnavailable: "Service unavailable. Try again later.",
}

// genericServerMessage is the message of any other 5xx response.
const genericServerMessage = "Internal error."

// ErrorStatus returns the HTTP status for an error code, and 500 for a code
// the table does not know.
func ErrorStatus(code string) int {
	if status, ok := codeStatus[code]; ok {
		return status
	}
	return http.StatusInternalServerError
}

// errorBody is the JSON shape of every error response (CONTRACT.md).
type errorBody struct {
	Error errorDetail `json:"error"`
}

type errorDetail struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	ID      string `json:"id,omitempty"`
}

// Error renders err as the JSON error response. A 4xx carries the code and
// the client-safe message of err (quire.ErrorMessage). A 5xx carries the code,
// a generic message and a new error ID; the ID, the route and the full error
// are logged at error level, and nothing else about the failure is sent.
// If the response has already started, Error only logs. A nil logger means
// slog.Default().
func Error(w http.ResponseWriter, r *http.Request, logger *slog.Logger, err error) {
	if logger == nil {
		logger = slog.Default()
	}
	detail, status := describe(err)
	started := responseStarted(w)
	attrs := []any{"code", detail.Code, "status", status, "method", r.Method, "route", r.Pattern}
	switch {
	case status >= 500:
		detail.ID = quire.NewID()
		attrs = append(attrs, "error_id", detail.ID, "response_started", started, "error", err)
		if pe := (*panicError)(nil); errors.As(err, &pe) {
			attrs = append(attrs, "stack", string(pe.stack))
		}
		logger.ErrorContext(r.Context(), "request failed", attrs...)
	case started:
		logger.WarnContext(r.Context(), "handler error after the response started", attrs...)
	default:
		logger.DebugContext(r.Context(), "request rejected", attrs...)
	}
	if started {
		return
	}
	// Headers a failed handler set for the response it meant to send must
	// not ride on the error: a new session cookie, a file name, an encoding
	// the JSON body does not have, or a cache policy.
	h := w.Header()
	for _, k := range []string{"Set-Cookie", "Content-Disposition", "Content-Encoding", "Content-Length", "ETag", "Last-Modified"} {
		h.Del(k)
	}
	h.Set("Cache-Control", "no-store")
	if d := quire.ErrorRetryAfter(err); d > 0 {
		h.Set("Retry-After", strconv.FormatInt(int64((d+time.Second-1)/time.Second), 10))
	}
	if jerr := JSON(w, status, errorBody{Error: detail}); jerr != nil {
		logger.DebugContext(r.Context(), "write error response", "error", jerr)
	}
}

// describe returns the client-facing detail and status of err.
func describe(err error) (errorDetail, int) {
	code := quire.ErrorCode(err)
	if tooLarge := (*http.MaxBytesError)(nil); errors.As(err, &tooLarge) {
		code = quire.ETOOLARGE
	}
	if _, known := codeStatus[code]; !known {
		code = quire.EINTERNAL
	}
	status := ErrorStatus(code)
	if status < 500 {
		message := quire.ErrorMessage(err)
		if code == quire.ETOOLARGE && quire.ErrorCode(err) != quire.ETOOLARGE {
			message = "Request body too large."
		}
		return errorDetail{Code: code, Message: message}, status
	}
	message, ok := serverMessages[status]
	if !ok {
		message = genericServerMessage
	}
	return errorDetail{Code: code, Message: message}, status
}

// JSON writes v as a JSON response with the given status. It encodes v before
// writing anything, so an encoding failure returns an error (for the caller to
// render) instead of a half-written response.
func JSON(w http.ResponseWriter, status int, v any) error {
	body, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("http: encode response: %w", err)
	}
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Del("Content-Length")
	w.WriteHeader(status)
	if _, err := w.Write(append(body, '\n')); err != nil {
		return fmt.Errorf("http: write response: %w", err)
	}
	return nil
}
