package quire

import (
	"errors"
	"fmt"
	"time"
)

// Error codes. They are stable: clients and tests match on them, so an
// existing code is never renamed. The HTTP layer maps each to one status.
const (
	ECONFLICT       = "conflict"
	EINTERNAL       = "internal"
	EINVALID        = "invalid_input"
	ENOTFOUND       = "not_found"
	EUNAUTHORIZED   = "unauthorized"
	EFORBIDDEN      = "forbidden"
	EUNAVAILABLE    = "unavailable"
	ETOOLARGE       = "too_large"
	ENOTIMPLEMENTED = "not_implemented"
)

// Error is an application error with a stable code and a message that is
// safe to show to the client. The wrapped cause (Err) is for logs only and is
// never rendered.
type Error struct {
	Code    string
	Message string
	Err     error
	// RetryAfter, when positive, tells the client when to try again (the
	// HTTP layer sends it as Retry-After, rounded up to whole seconds).
	RetryAfter time.Duration
}

// Error implements the error interface. It includes the cause so that logs
// carry the full story; renderers use ErrorMessage instead.
func (e *Error) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("quire error: code=%s message=%s: %v", e.Code, e.Message, e.Err)
	}
	return fmt.Sprintf("quire error: code=%s message=%s", e.Code, e.Message)
}

// Unwrap returns the underlying cause.
func (e *Error) Unwrap() error { return e.Err }

// Errorf returns an *Error with the given code and a formatted client-safe
// message. Never format user content or secrets into the message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// WrapError returns an *Error with code and message that keeps cause for logs.
func WrapError(code, message string, cause error) *Error {
	return &Error{Code: code, Message: message, Err: cause}
}

// ErrorCode returns the code of the first *Error in err's chain, EINTERNAL for
// any other non-nil error, and "" for nil.
func ErrorCode(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the client-safe message of the first *Error in err's
// chain, or a generic message for any other error so that internal detail
// never reaches the client.
func ErrorMessage(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Message
	}
	return "Internal error."
}

// ErrorRetryAfter returns the RetryAfter of the first *Error in err's chain,
// or 0.
func ErrorRetryAfter(err error) time.Duration {
	var e *Error
	if errors.As(err, &e) {
		return e.RetryAfter
	}
	return 0
}
