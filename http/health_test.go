package http_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	quirehttp "github.com/quirehq/quire/http"
)

func TestHealthz(t *testing.T) {
	s := openServer(t, quirehttp.Config{Ready: func(context.Context) error { return errors.New("down") }}, nil)
	resp, body := do(t, s.client, "GET", s.URL()+"/healthz", nil)
	if resp.StatusCode != http.StatusOK || body != "{\"status\":\"ok\"}\n" {
		t.Fatalf("healthz: %d %q", resp.StatusCode, body)
	}
	if resp.Header.Get("Content-Type") != "application/json" || resp.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("headers %v", resp.Header)
	}
}

func TestReadyz(t *testing.T) {
	const marker = "db-host-10.9.8.7-password-marker"
	tests := []struct {
		name       string
		ready      func(context.Context) error
		wantStatus int
		wantBody   string
	}{
		{"no probe", nil, 200, "{\"status\":\"ready\"}\n"},
		{"probe passes", func(ctx context.Context) error {
			if _, ok := ctx.Deadline(); !ok {
				return errors.New("probe without a deadline")
			}
			return nil
		}, 200, "{\"status\":\"ready\"}\n"},
		{"probe fails", func(context.Context) error { return errors.New("dial " + marker) }, 503, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := openServer(t, quirehttp.Config{Ready: tt.ready}, nil)
			resp, body := do(t, s.client, "GET", s.URL()+"/readyz", nil)
			if resp.StatusCode != tt.wantStatus {
				t.Fatalf("status %d, want %d: %s", resp.StatusCode, tt.wantStatus, body)
			}
			assertSecurityHeaders(t, resp.Header, hstsWant)
			if tt.wantBody != "" {
				if body != tt.wantBody {
					t.Errorf("body %q", body)
				}
				return
			}
			e := decodeError(t, body)
			if e.Error.Code != "unavailable" || e.Error.ID == "" {
				t.Errorf("error body %+v", e.Error)
			}
			if strings.Contains(body, marker) {
				t.Error("the cause reached the client")
			}
			entry := s.logs.find(t, "error_id", e.Error.ID)
			if msg, _ := entry["error"].(string); !strings.Contains(msg, marker) {
				t.Errorf("cause not logged with id %s: %v", e.Error.ID, entry)
			}
		})
	}
}
