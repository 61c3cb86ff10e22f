package cohere

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/quirehq/quire/gateway"
)

// TestErrors maps each Cohere failure to its class, keeps the request ID
// for Cohere's support and the wait asked for, and never the message
// (which can quote the documents).
func TestErrors(t *testing.T) {
	fake := newFake(t)
	p := newProvider(t, fake)
	tests := []struct {
		scenario  string
		status    int
		class     gateway.ErrorClass
		retryable bool
		requestID string
	}{
		{"error_400", 400, gateway.ClassInvalidRequest, false, "golden"},
		{"error_401", 401, gateway.ClassAuth, false, "golden"},
		{"error_402", 402, gateway.ClassAuth, false, "golden"},
		{"embed-english-v9.0", 404, gateway.ClassNotFound, false, "0b1f6c2e9d8a7f6e5d4c3b2a19080706"},
		{"error_429", 429, gateway.ClassRateLimited, true, "golden"},
		{"error_500", 500, gateway.ClassServer, true, "golden"},
		{"error_503", 503, gateway.ClassServer, true, "golden"},
		{"html_502", 502, gateway.ClassServer, true, ""},
	}
	for _, tt := range tests {
		t.Run(tt.scenario, func(t *testing.T) {
			_, err := p.Embed(context.Background(), &gateway.EmbedRequest{Model: tt.scenario, Inputs: []string{"CANARY text"}})
			pe := providerError(t, err)
			if pe.Status != tt.status || pe.Class != tt.class || pe.Retryable() != tt.retryable || pe.Provider != "main-cohere" {
				t.Fatalf("got %+v (retryable %v)", pe, pe.Retryable())
			}
			want := tt.requestID
			if want == "golden" {
				g, err := fake.Golden(tt.scenario)
				if err != nil {
					t.Fatal(err)
				}
				want = g.Header.Get("X-Debug-Trace-Id")
			}
			if pe.RequestID != want || pe.Type != "" || pe.Code != "" || pe.RetryAfter != 0 {
				t.Fatalf("request ID %q (want %q), type %q, code %q, wait %v", pe.RequestID, want, pe.Type, pe.Code, pe.RetryAfter)
			}
		})
	}
}

// TestErrorStatuses covers Cohere's own statuses, Retry-After when sent,
// and the error body's id when the trace header is missing.
func TestErrorStatuses(t *testing.T) {
	fake := newFake(t)
	p := newProvider(t, fake)
	tests := []struct {
		status    int
		header    http.Header
		class     gateway.ErrorClass
		retryable bool
		wait      time.Duration
	}{
		{498, nil, gateway.ClassInvalidRequest, false, 0},
		{499, nil, gateway.ClassTransient, true, 0},
		{501, nil, gateway.ClassInvalidRequest, false, 0},
		{504, nil, gateway.ClassServer, true, 0},
		{422, nil, gateway.ClassInvalidRequest, false, 0},
		{429, http.Header{"Retry-After": {"7"}}, gateway.ClassRateLimited, true, 7 * time.Second},
		{503, http.Header{"Retry-After": {"2"}}, gateway.ClassServer, true, 2 * time.Second},
	}
	for _, tt := range tests {
		fake.Handle("status", func(w http.ResponseWriter, r *http.Request) {
			for k, v := range tt.header {
				w.Header()[k] = v
			}
			writeJSON(w, tt.status, `{"id":"6a4e2f0c-1b3d-4e5f-8a9b-0c1d2e3f4a5b","message":"invalid request: CANARY Autumn notes"}`)
		})
		_, err := p.Rerank(context.Background(), &gateway.RerankRequest{Model: "status", Query: "q", Documents: []string{"d"}})
		pe := providerError(t, err)
		if pe.Status != tt.status || pe.Class != tt.class || pe.Retryable() != tt.retryable || pe.RetryAfter != tt.wait ||
			pe.RequestID != "6a4e2f0c-1b3d-4e5f-8a9b-0c1d2e3f4a5b" || pe.Message != gateway.NewError("", tt.class, nil).Message {
			t.Errorf("%d: got %+v", tt.status, pe)
		}
	}
}

func TestBrokenAnswers(t *testing.T) {
	fake := newFake(t)
	p := newProvider(t, fake)
	// The connection is cut inside the body: a transport failure, worth
	// another try.
	_, err := p.Rerank(context.Background(), rerankRequest("cut", 0))
	if pe := providerError(t, err); pe.Class != gateway.ClassConnection || !pe.Retryable() {
		t.Fatalf("cut body: %+v", pe)
	}
	// An answer larger than the limit.
	small := newProvider(t, fake, func(c *Config) { c.MaxResponseBytes = 1024 })
	_, err = small.Embed(context.Background(), &gateway.EmbedRequest{Model: "embed", Inputs: embedTexts})
	if pe := providerError(t, err); pe.Class != gateway.ClassBadResponse || !errors.Is(err, gateway.ErrTooLarge) {
		t.Fatalf("too large: %+v", pe)
	}
}

// TestTimeout: a call that outlives Timeout is abandoned, and the upstream
// connection released.
func TestTimeout(t *testing.T) {
	fake := newFake(t)
	p := newProvider(t, fake, func(c *Config) { c.Timeout = 100 * time.Millisecond })
	start := time.Now()
	_, err := p.Rerank(context.Background(), rerankRequest("hang", 0))
	if pe := providerError(t, err); pe.Class != gateway.ClassTimeout || !pe.Retryable() {
		t.Fatalf("got %+v", pe)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("took %v", d)
	}
	select {
	case name := <-fake.Disconnects():
		if name != "hang" {
			t.Fatalf("disconnect from %s", name)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the upstream request was not released")
	}
}

// TestCancel: a caller that goes away is told so, not that Cohere failed.
func TestCancel(t *testing.T) {
	fake := newFake(t)
	p := newProvider(t, fake)
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		time.Sleep(50 * time.Millisecond)
		cancel()
	}()
	_, err := p.Embed(ctx, &gateway.EmbedRequest{Model: "hang", Inputs: embedTexts})
	if pe := providerError(t, err); pe.Class != gateway.ClassCanceled || pe.Retryable() {
		t.Fatalf("got %+v", pe)
	}
	// A 499 that is our own cancellation is reported as such.
	ctx, cancel = context.WithCancel(context.Background())
	fake.Handle("closed", func(w http.ResponseWriter, r *http.Request) {
		cancel()
		writeJSON(w, 499, `{"id":"x","message":"client closed the connection: CANARY"}`)
	})
	_, err = p.Embed(ctx, &gateway.EmbedRequest{Model: "closed", Inputs: embedTexts})
	if pe := providerError(t, err); pe.Class != gateway.ClassCanceled {
		t.Fatalf("499 after cancel: %+v", pe)
	}
}
