package gateway

import (
	"errors"
	"strconv"
	"strings"
	"time"
)

// Sentinel causes, wrapped by *ProviderError (test with errors.Is).
var (
	// ErrStreamTruncated: a 200 stream ended before its end marker or
	// finish reason (connection cut, proxy timeout).
	ErrStreamTruncated = errors.New("upstream stream ended before it was complete")
	// ErrInvalidJSON: a success response whose body is not the JSON the
	// wire format promises.
	ErrInvalidJSON = errors.New("upstream sent invalid JSON")
	// ErrStreamError: the upstream reported an error inside a 200 stream.
	ErrStreamError = errors.New("upstream reported an error inside a 200 stream")
	// ErrStreamClosed: Next was called after Close.
	ErrStreamClosed = errors.New("gateway: stream closed")
	// ErrUnsupported: the provider cannot do what the request asks (an
	// input type, an option).
	ErrUnsupported = errors.New("not supported by this provider")
)

// ErrorClass groups provider failures by what a router should do about them.
type ErrorClass uint8

// Error classes.
const (
	ClassUnknown ErrorClass = iota
	// ClassInvalidRequest (400, 413, 415, 422): the request is wrong for
	// this provider or model; retrying it unchanged fails again.
	ClassInvalidRequest
	// ClassAuth (401, 403): credentials or permissions; another provider
	// may work, this one will not until its configuration changes.
	ClassAuth
	// ClassNotFound (404): the model or endpoint does not exist here.
	ClassNotFound
	// ClassRateLimited (429): try later (RetryAfter) or elsewhere.
	ClassRateLimited
	// ClassTransient (408, 409, 425): a passing conflict or timeout.
	ClassTransient
	// ClassServer (5xx, and any other unexpected status): the provider failed.
	ClassServer
	// ClassTimeout: a deadline or idle timeout of ours expired.
	ClassTimeout
	// ClassConnection: dial, TLS or transport failure before a response.
	ClassConnection
	// ClassBadResponse: a success status with a body that breaks the wire
	// format (invalid JSON, truncated stream).
	ClassBadResponse
	// ClassStreamError: an error reported inside a 200 stream.
	ClassStreamError
	// ClassCanceled: the caller cancelled; nobody is waiting.
	ClassCanceled
	// ClassConfig (3xx, a refused URL or redirect): the provider's
	// configuration is wrong; no retry helps, another provider may.
	ClassConfig
)

var classNames = [...]string{
	"unknown", "invalid_request", "auth", "not_found", "rate_limited", "transient",
	"server", "timeout", "connection", "bad_response", "stream_error", "canceled", "config",
}

// String returns a stable snake_case name, fit for metrics and logs.
func (c ErrorClass) String() string {
	if int(c) < len(classNames) {
		return classNames[c]
	}
	return "unknown"
}

// safe messages per class: vendor messages are never kept, since they can
// quote the request.
var classMessages = [...]string{
	"provider request failed",
	"provider rejected the request as invalid",
	"provider refused the credentials",
	"provider does not know this model or endpoint",
	"provider rate limit reached",
	"provider reported a transient conflict",
	"provider failed to answer",
	"provider did not answer in time",
	"could not reach the provider",
	"provider sent a malformed answer",
	"provider reported an error while streaming",
	"request cancelled",
	"provider is misconfigured",
}

// ProviderError is the one error type a provider returns. Every field is
// safe to log and to show an operator: Type, Code and Param are the vendor's
// machine-readable tokens (kept only when they look like tokens), Message is
// generated here, and no body is ever included.
type ProviderError struct {
	Provider string
	// Status is the upstream HTTP status, or 0 when there was no response.
	Status int
	Class  ErrorClass
	// Type, Code and Param are the vendor's error type ("rate_limit_error"),
	// code ("rate_limit_exceeded") and offending parameter, if given.
	Type, Code, Param string
	// Message is a generic description of Class.
	Message string
	// RetryAfter is how long the provider asked us to wait, if it said.
	RetryAfter time.Duration
	// RequestID is the provider's ID for the request (x-request-id), for
	// its support; kept only when it is a token.
	RequestID string
	// Err is the cause: a sentinel above, a context error or a transport
	// error; never a body.
	Err error

	// retry overrides Retryable: +1 yes, -1 no (vendor hints such as
	// x-should-retry or an exhausted quota).
	retry int8
}

// NewError returns a *ProviderError of class c with its generic message.
func NewError(provider string, c ErrorClass, cause error) *ProviderError {
	return &ProviderError{Provider: provider, Class: c, Message: c.message(), Err: cause}
}

func (c ErrorClass) message() string {
	if int(c) < len(classMessages) {
		return classMessages[c]
	}
	return classMessages[0]
}

// Error describes e without any content: provider, status, vendor tokens,
// the generic message, the wait asked for and the cause.
func (e *ProviderError) Error() string {
	var b strings.Builder
	b.WriteString("gateway: provider ")
	b.WriteString(strconv.Quote(e.Provider))
	b.WriteString(": ")
	if e.Status != 0 {
		b.WriteString(strconv.Itoa(e.Status))
		b.WriteByte(' ')
	}
	for _, t := range [...]string{e.Type, e.Code} {
		if t != "" {
			b.WriteString(t)
			b.WriteByte(' ')
		}
	}
	if e.Param != "" {
		b.WriteString("(param ")
		b.WriteString(e.Param)
		b.WriteString(") ")
	}
	b.WriteString(e.Message)
	if e.RetryAfter > 0 {
		b.WriteString("; retry after ")
		b.WriteString(e.RetryAfter.String())
	}
	if e.RequestID != "" {
		b.WriteString("; request ")
		b.WriteString(e.RequestID)
	}
	if e.Err != nil {
		b.WriteString(": ")
		b.WriteString(e.Err.Error())
	}
	return b.String()
}

// Unwrap returns the cause.
func (e *ProviderError) Unwrap() error { return e.Err }

// Retryable reports whether the same request may succeed if sent again
// (to this provider after RetryAfter, or to another): rate limits,
// transient statuses, 5xx, timeouts, connection failures, truncated
// streams and errors reported mid-stream, unless the vendor said otherwise.
func (e *ProviderError) Retryable() bool {
	if e.retry != 0 {
		return e.retry > 0
	}
	switch e.Class {
	case ClassRateLimited, ClassTransient, ClassServer, ClassTimeout, ClassConnection, ClassStreamError:
		return true
	case ClassBadResponse:
		return errors.Is(e.Err, ErrStreamTruncated)
	}
	return false
}

// Temporary is Retryable, named as net.Error names it.
func (e *ProviderError) Temporary() bool { return e.Retryable() }

// Permanent reports whether sending the same request again is pointless.
func (e *ProviderError) Permanent() bool { return !e.Retryable() }

// Timeout reports whether e is a timeout.
func (e *ProviderError) Timeout() bool { return e.Class == ClassTimeout }

// SetRetryable overrides Retryable with a vendor's explicit hint.
func (e *ProviderError) SetRetryable(retry bool) {
	e.retry = -1
	if retry {
		e.retry = 1
	}
}

// AsProviderError returns the first *ProviderError in err's chain.
func AsProviderError(err error) (*ProviderError, bool) {
	var pe *ProviderError
	ok := errors.As(err, &pe)
	return pe, ok
}

// ClassOf maps an upstream HTTP status to an ErrorClass.
func ClassOf(status int) ErrorClass {
	switch status {
	case 400, 413, 415, 422:
		return ClassInvalidRequest
	case 401, 403:
		return ClassAuth
	case 404:
		return ClassNotFound
	case 429:
		return ClassRateLimited
	case 408, 409, 425:
		return ClassTransient
	}
	if status >= 300 && status < 400 {
		return ClassConfig // a redirecting API endpoint is misconfigured
	}
	return ClassServer
}

// SafeToken returns s if it looks like a machine token (at most max bytes
// of letters, digits and "_-.:[]"), and "" otherwise, so that a vendor
// field meant for codes cannot carry text into logs.
func SafeToken(s string, max int) string {
	if len(s) > max {
		return ""
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("_-.:[]", c) >= 0) {
			return ""
		}
	}
	return s
}
