package gateway

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

func TestClassAndRetryable(t *testing.T) {
	tests := []struct {
		status    int
		header    http.Header
		class     ErrorClass
		retryable bool
	}{
		{400, nil, ClassInvalidRequest, false},
		{401, nil, ClassAuth, false},
		{403, nil, ClassAuth, false},
		{404, nil, ClassNotFound, false},
		{408, nil, ClassTransient, true},
		{409, nil, ClassTransient, true},
		{413, nil, ClassInvalidRequest, false},
		{422, nil, ClassInvalidRequest, false},
		{429, nil, ClassRateLimited, true},
		{500, nil, ClassServer, true},
		{502, nil, ClassServer, true},
		{503, nil, ClassServer, true},
		{529, nil, ClassServer, true},
		{302, nil, ClassConfig, false},
		{307, nil, ClassConfig, false},
		{400, http.Header{"X-Should-Retry": {"true"}}, ClassInvalidRequest, true},
		{503, http.Header{"X-Should-Retry": {"false"}}, ClassServer, false},
	}
	for _, tt := range tests {
		e := NewStatusError("p", tt.status, tt.header, "", "", "")
		if e.Class != tt.class || e.Retryable() != tt.retryable || e.Permanent() == tt.retryable {
			t.Errorf("%d %v: class %v retryable %v, want %v %v", tt.status, tt.header, e.Class, e.Retryable(), tt.class, tt.retryable)
		}
	}
}

func TestStreamErrorsRetryable(t *testing.T) {
	if !NewError("p", ClassBadResponse, ErrStreamTruncated).Retryable() {
		t.Error("a truncated stream must be retryable")
	}
	if NewError("p", ClassBadResponse, ErrInvalidJSON).Retryable() {
		t.Error("invalid JSON must not be retryable")
	}
	if NewError("p", ClassConfig, ErrRedirect).Retryable() {
		t.Error("a configuration error must not be retryable")
	}
	if NewError("p", ClassCanceled, context.Canceled).Retryable() {
		t.Error("a cancelled request must not be retryable")
	}
}

func TestErrorTextIsSafe(t *testing.T) {
	const canary = "CANARY-7f3a the user's secret prompt"
	e := NewStatusError("main", 400, http.Header{"Retry-After": {"3"}, "X-Request-Id": {"req_abc123"}}, canary, "invalid value "+canary, "messages[0].content")
	s := e.Error()
	if strings.Contains(s, "CANARY") {
		t.Fatalf("error text carries content: %s", s)
	}
	for _, want := range []string{`"main"`, "400", "messages[0].content", "retry after 3s", "invalid", "request req_abc123"} {
		if !strings.Contains(s, want) {
			t.Errorf("%q lacks %q", s, want)
		}
	}
	if e.Type != "" || e.Code != "" {
		t.Errorf("non-token type/code kept: %q %q", e.Type, e.Code)
	}
	wrapped := fmt.Errorf("route: %w", NewError("p", ClassBadResponse, ErrStreamTruncated))
	if !errors.Is(wrapped, ErrStreamTruncated) {
		t.Error("errors.Is cannot see the sentinel")
	}
	if pe, ok := AsProviderError(wrapped); !ok || pe.Provider != "p" {
		t.Error("AsProviderError failed")
	}
}

func TestSafeToken(t *testing.T) {
	for s, want := range map[string]string{
		"rate_limit_exceeded": "rate_limit_exceeded", "429": "429", "messages[0].content": "messages[0].content",
		"has space": "", "new\nline": "", "quote'": "", strings.Repeat("a", 65): "", "": "",
	} {
		if got := SafeToken(s, 64); got != want {
			t.Errorf("SafeToken(%q) = %q, want %q", s, got, want)
		}
	}
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	tests := []struct {
		h    http.Header
		want time.Duration
	}{
		{http.Header{}, 0},
		{http.Header{"Retry-After": {"20"}}, 20 * time.Second},
		{http.Header{"Retry-After": {"0.5"}}, 500 * time.Millisecond},
		{http.Header{"Retry-After": {now.Add(90 * time.Second).Format(http.TimeFormat)}}, 90 * time.Second},
		{http.Header{"Retry-After": {now.Add(-time.Hour).Format(http.TimeFormat)}}, 0},
		{http.Header{"Retry-After-Ms": {"250"}, "Retry-After": {"9"}}, 250 * time.Millisecond},
		{http.Header{"Retry-After-Ms": {"-5"}, "Retry-After": {"9"}}, 9 * time.Second},
		{http.Header{"Retry-After": {"1e100"}}, MaxRetryAfter},
		{http.Header{"Retry-After": {"NaN"}}, 0},
		{http.Header{"Retry-After": {"-1"}}, 0},
		{http.Header{"Retry-After": {"soon"}}, 0},
	}
	for _, tt := range tests {
		if got := ParseRetryAfter(tt.h, now); got != tt.want {
			t.Errorf("%v: got %v, want %v", tt.h, got, tt.want)
		}
	}
}

type timeoutErr struct{}

func (timeoutErr) Error() string   { return "i/o timeout" }
func (timeoutErr) Timeout() bool   { return true }
func (timeoutErr) Temporary() bool { return true }

func TestNewTransportError(t *testing.T) {
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	timedOut, cancel2 := context.WithCancelCause(context.Background())
	cancel2(ErrIdleTimeout)
	refused := &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connection refused")}
	tests := []struct {
		ctx   context.Context
		err   error
		class ErrorClass
	}{
		{context.Background(), &url.Error{Op: "Post", URL: "https://secret.example/v1?q=x", Err: refused}, ClassConnection},
		{context.Background(), timeoutErr{}, ClassTimeout},
		{context.Background(), context.DeadlineExceeded, ClassTimeout},
		{cancelled, context.Canceled, ClassCanceled},
		{timedOut, context.Canceled, ClassTimeout},
		{context.Background(), &url.Error{Op: "Post", URL: "http://x", Err: ErrInsecureURL}, ClassConfig},
		{context.Background(), fmt.Errorf("x: %w", ErrRedirect), ClassConfig},
	}
	for _, tt := range tests {
		e := NewTransportError(tt.ctx, "p", tt.err)
		if e.Class != tt.class {
			t.Errorf("%v: class %v, want %v", tt.err, e.Class, tt.class)
		}
		if strings.Contains(e.Error(), "secret.example") {
			t.Errorf("error names the endpoint: %v", e)
		}
	}
	if e := NewTransportError(cancelled, "p", context.Canceled); !errors.Is(e, context.Canceled) {
		t.Error("a cancelled request must unwrap to context.Canceled")
	}
}
